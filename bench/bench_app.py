"""Benchmark of one app rerun with 4 optimizers x 500 steps (the issue's quality bar).

Prints the engine time, the figure-build time (what a rerun costs once the engine results
are cached), the JSON serialisation time and the payload of all charts, then the whole
script's rerun time through AppTest. Run: ``python bench/bench_app.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import plotly.io as pio  # noqa: E402

from lab.compute import execute  # noqa: E402
from lab.race import racer_from, request_for, run_length  # noqa: E402
from lab.surfaces import surface_for  # noqa: E402
from lab.url_state import Setup  # noqa: E402
from viz import animation_figure, contour_figure, curves_figure, summary_rows, surface_figure  # noqa: E402

RACE = {"sgd": {"lr": 0.001}, "momentum": {"lr": 0.001}, "adam": {"lr": 0.05}, "rmsprop": {"lr": 0.01}}
REPEATS = 9


def median_ms(function, repeats: int = REPEATS) -> tuple[float, object]:
    function()  # warm caches (grids, imports)
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    setup = Setup(surface="rosenbrock", optimizers=tuple(RACE), start=(-1.5, 2.0), steps=500,
                  hyper=RACE).complete()
    surface = surface_for(setup.surface)
    requests = [request_for(setup, name) for name in setup.optimizers]

    engine_ms, outcomes = median_ms(lambda: [execute(request) for request in requests])

    def build():
        racers = [racer_from(setup, i, name, outcome) for i, (name, outcome)
                  in enumerate(zip(setup.optimizers, outcomes, strict=True))]
        paths = [path for racer in racers for path in racer.paths]
        return [
            contour_figure(surface, paths, setup.start),
            surface_figure(surface, paths),
            curves_figure(paths),
            animation_figure(surface, paths, setup.start, run_length(setup)),
        ], summary_rows(paths, setup.tol)

    build_ms, (figures, _) = median_ms(build)
    json_ms, texts = median_ms(lambda: [pio.to_json(fig, validate=False) for fig in figures])
    sizes = [len(text.encode()) for text in texts]

    print(f"race: {len(RACE)} optimizers x {setup.steps} steps on {setup.surface} (median of {REPEATS})")
    print(f"engine, 4 uncached runs:      {engine_ms:7.1f} ms")
    print(f"figure build (cached rerun):  {build_ms:7.1f} ms   (bar: 200 ms)")
    print(f"chart JSON serialisation:     {json_ms:7.1f} ms")
    names = ("contour", "surface3d", "loss", "animation")
    print("chart payload:                " + ", ".join(f"{n} {s / 1024:.0f} KiB" for n, s in zip(names, sizes, strict=True)))
    print(f"chart payload, total:         {sum(sizes):,} bytes   (bar: 2,000,000)")
    print(f"whole-script rerun (AppTest): {app_rerun_ms():7.1f} ms")


def app_rerun_ms() -> float:
    """The full script after one widget change, engine cached, Streamlit overhead included."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    params = {"surface": "rosenbrock", "opt": ",".join(RACE), "steps": "500",
              **{f"{name}.lr": str(values["lr"]) for name, values in RACE.items()}}
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    times = []
    for seed in range(1, REPEATS + 1):
        # A cached engine (same seed again) isolates the rerun cost from the engine's.
        at.number_input(key="seed").set_value(seed % 2)
        start = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - start) * 1000)
    if at.exception:
        raise SystemExit(f"the app raised: {at.exception[0].value}")
    return statistics.median(times[2:])


if __name__ == "__main__":
    main()
