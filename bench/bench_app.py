"""What a visitor waits for: page open to the first drawn chart, and the server's time per rerun.

Prints
- the time from opening the page in Chromium to the first painted frame that shows the race
  view's map (a real server, Debian's Chromium; the first load, then warm loads in fresh tabs);
- the server's time per rerun for a widget change (through AppTest: the whole script, with
  the engine's results cached, as they are for the second visitor of a lesson);
- the same for the sweep, stability and basin pages, switching their colouring;
- the cost of an uncached race (engine runs + the race view's spec) and the spec's size.

Run: ``python bench/bench_app.py`` (``--no-browser`` skips the Chromium part).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.servers import CHROMIUM, CHROMIUM_ARGS, start_streamlit  # noqa: E402

RACE = "/?surface=rosenbrock&opt=sgd,momentum,adam,rmsprop&steps=500&sgd.lr=0.001&momentum.lr=0.001&adam.lr=0.05"


# Runs in the page (not the race view's frame) from its first script: on every animation frame,
# the frame the browser is about to paint, it looks for the map's contour inside the race view
# and for the view's frame being laid out at its height. The time of the first such frame,
# from navigation start, is when a visitor sees the map. (Polling from Playwright instead adds
# its own round trips behind the page's long tasks: it reported the same map 1.5-2 s later.)
FIRST_PAINT_PROBE = """
if (window === window.top) {
  const look = () => {
    const frame = document.querySelector('iframe[title="lab.raceview.raceview"]');
    let doc = null;
    try { doc = frame && frame.contentDocument; } catch (err) { doc = null; }
    if (frame && doc && frame.getBoundingClientRect().height > 200 && doc.querySelector('.rv-map .main-svg .contour')) {
      window.__firstChart = performance.now();
    } else {
      requestAnimationFrame(look);
    }
  };
  requestAnimationFrame(look);
}
"""


def first_chart_seconds(loads: int) -> list[float]:
    """Seconds from navigation start to the first painted frame showing the race view's map,
    for ``loads`` fresh tabs of one browser (the first load fills its HTTP cache)."""
    from playwright.sync_api import sync_playwright

    server = start_streamlit(ROOT / "test-artifacts" / "bench_app_server.log")
    try:
        server.wait_healthy()
        times = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.add_init_script(FIRST_PAINT_PROBE)
            for _ in range(loads):
                page = context.new_page()
                page.goto(f"{server.url}{RACE}")
                page.wait_for_function("() => window.__firstChart !== undefined", timeout=60_000)
                times.append(page.evaluate("() => window.__firstChart") / 1000)
                page.close()
            browser.close()
        return times
    finally:
        server.stop()


def rerun_milliseconds(repeats: int = 15) -> list[float]:
    """Whole-script reruns after a widget change, engine results cached."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (pair.split("=") for pair in RACE[2:].split("&")):
        at.query_params[key] = value
    at.run()
    for seed in (0, 1):  # warm both engine results
        at.number_input(key="seed").set_value(seed).run()
    return timed_reruns(at, lambda index: at.number_input(key="seed").set_value(index % 2), repeats, "the app")


def timed_reruns(at, change: Callable[[int], object], repeats: int, what: str) -> list[float]:
    """Milliseconds of each of ``repeats`` reruns of ``at``, each after ``change(index)``."""
    times = []
    for index in range(repeats):
        change(index)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    if at.exception:
        raise SystemExit(f"{what} raised: {at.exception[0].value}")
    return times


# The other pages at their opening settings (a 40 x 40 sweep, a 100 x 100 basin map), each
# rerun by switching its colouring back and forth: engine results cached, figures rebuilt.
EXPLORE_PAGES = (
    ("sweep", {"surface": "rosenbrock", "opt": "momentum"}, "sweep_metric", ("final loss", "steps to arrive")),
    ("stability", {"surface": "ravine"}, "sweep_metric", ("final loss", "steps to arrive")),
    ("basins", {"surface": "himmelblau", "opt": "sgd", "sgd.lr": "0.01"}, "basin_color",
     ("where it settles", "final loss")),
    ("basins", {"surface": "rastrigin", "opt": "sgd", "sgd.lr": "0.002", "steps": "300", "basin_n": "200"},
     "basin_color", ("where it settles", "final loss")),
)


def explore_rerun_milliseconds(page: str, params: dict[str, str], key: str, values: tuple[str, str],
                               repeats: int = 10) -> list[float]:
    """Whole-script reruns of another page after a change of colouring, engine results cached."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(params)
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    for value in values:  # warm both
        at.selectbox(key=key).set_value(value).run()
    return timed_reruns(at, lambda index: at.selectbox(key=key).set_value(values[index % 2]), repeats,
                        f"the {page} page")


def uncached_race() -> tuple[float, int]:
    """Milliseconds for the engine runs and the spec of the race above, and the spec's bytes."""
    from lab.codec import decode
    from lab.engine_pool import execute
    from lab.race import race_of
    from lab.request import request_for
    from viz.paths import path_view
    from viz.player import race_spec, spec_json

    state, _ = decode(dict(pair.split("=") for pair in RACE[2:].split("&")))
    race = race_of(state)
    start = time.perf_counter()
    paths = []
    for index, entry in enumerate(race.entries):
        trajectory = execute(request_for(state, state.racers[index])).trajectory
        paths.append(path_view(trajectory, entry.request.surface_object(), entry.label, entry.color, name=entry.key))
    text = spec_json(
        race_spec(race.entries[0].request.surface_object(), paths, race.start, total_steps=race.total_steps)
    )
    return (time.perf_counter() - start) * 1000, len(text.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--loads", type=int, default=4)
    args = parser.parse_args()
    print(f"race: {RACE}")
    if not args.no_browser:
        times = first_chart_seconds(args.loads)
        print(
            f"page open -> first drawn chart: first load {times[0]:.2f} s; later loads "
            f"median {statistics.median(times[1:]):.2f} s (target: at most 3 s)"
        )
    reruns = rerun_milliseconds()
    print(
        f"server time per rerun (AppTest, engine cached): median {statistics.median(reruns):.1f} ms, "
        f"max {max(reruns):.1f} ms (target: median at most 50 ms)"
    )
    for page, params, key, values in EXPLORE_PAGES:
        reruns = explore_rerun_milliseconds(page, params, key, values)
        where = ", ".join(f"{name}={value}" for name, value in params.items())
        print(f"server time per rerun of /{page} ({where}; colour by {' <-> '.join(values)}): "
              f"median {statistics.median(reruns):.1f} ms, max {max(reruns):.1f} ms")
    milliseconds, size = uncached_race()
    print(f"uncached race (4 racers x 500 steps, runs + spec): {milliseconds:.0f} ms; spec {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
