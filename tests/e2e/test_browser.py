"""End-to-end: the app as a person uses it, in headless Chromium against a real Streamlit server.

Every test saves a full-page screenshot to ``test-artifacts/screenshots/<test>.png``.
``UPDATE_DOCS_SCREENSHOT=1 python -m pytest -k preset`` also refreshes ``docs/screenshot.png``.
"""

from __future__ import annotations

import math
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from landscapes import SURFACES
from optimizers import OPTIMIZERS
from tests.e2e.conftest import ROOT, SCREENSHOTS

pytestmark = pytest.mark.browser

LABELS = {spec.label for spec in OPTIMIZERS.values()}
CHART_KEYS = ("contour", "surface3d", "loss")
RENDER_TIMEOUT_MS = 20_000  # the first page load starts the script and draws three figures

# Reads every Plotly figure on the page, in DOM order. Plotly 6+ sends numpy arrays as typed-array
# specs ({dtype, bdata[, shape]}); decode them here rather than lean on plotly.js internals.
READ_FIGURES_JS = """
() => {
  const types = {f8: Float64Array, f4: Float32Array, i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray,
                 i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array};
  const flat = (v) => {
    if (v === undefined || v === null) return null;
    if (ArrayBuffer.isView(v)) return Array.from(v);
    if (Array.isArray(v)) return v.flatMap((item) => (typeof item === 'object' && item !== null ? flat(item) : [item]));
    if (typeof v === 'object' && typeof v.bdata === 'string') {
      const bytes = Uint8Array.from(atob(v.bdata), (c) => c.charCodeAt(0));
      return Array.from(new types[v.dtype](bytes.buffer));
    }
    return null;
  };
  return [...document.querySelectorAll('.js-plotly-plot')].map((gd) => ({
    key: ([...(gd.closest('[class*="st-key-"]')?.classList || [])].find((c) => c.startsWith('st-key-')) || '')
      .replace('st-key-', ''),
    rendered: !!gd.querySelector('.main-svg'),
    traces: (gd.data || []).map((t) => ({
      type: t.type || 'scatter', name: t.name ?? null, mode: t.mode ?? null,
      visible: t.visible ?? true, x: flat(t.x), y: flat(t.y), z: flat(t.z),
    })),
  }));
}
"""


# Where the loss chart's panels and notes landed on screen, and its step axis range.
LOSS_LAYOUT_JS = """
() => {
  const gd = document.querySelector('.st-key-loss .js-plotly-plot');
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return {
    xrange: gd._fullLayout.xaxis.range,
    notes: [...gd.querySelectorAll('.annotation')].map((a) => [a.textContent, box(a)]),
    plots: [...gd.querySelectorAll('.nsewdrag')].map((d) => [d.getAttribute('data-subplot'), box(d)]),
  };
}
"""


# ---------------------------------------------------------------------------------------------
# Helpers


def overlaps(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


# Streamlit scrolls inside its own containers, so a "full page" screenshot would stop at the
# viewport: grow the viewport to the tallest container for the shot, then put it back.
PAGE_HEIGHT_JS = """
() => Math.max(document.documentElement.scrollHeight,
  ...[...document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"], '
      + '[data-testid="stSidebarContent"], [data-testid="stMainBlockContainer"]')].map((e) => e.scrollHeight))
"""


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(1, 1)  # no tooltip from the last hovered button over the picture
    viewport = page.viewport_size or {"width": 1400, "height": 900}
    height = min(int(page.evaluate(PAGE_HEIGHT_JS)), 8000)
    if height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": height})
        page.wait_for_timeout(500)  # let Plotly redraw at the new size; only the picture depends on it
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    if height > viewport["height"]:
        page.set_viewport_size(viewport)


def docs_screenshot(page: Page) -> None:
    """The README's picture: the top of the page (sidebar, lesson, map and 3-D view)."""
    viewport = page.viewport_size or {"width": 1400, "height": 900}
    page.set_viewport_size({"width": 1400, "height": 1150})
    page.mouse.move(1, 1)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ROOT / "docs" / "screenshot.png"))
    page.set_viewport_size(viewport)


def settle(page: Page, timeout: float = RENDER_TIMEOUT_MS) -> None:
    """Wait until the script has finished and every chart has drawn its SVG."""
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=timeout)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts.first).to_be_visible(timeout=timeout)
    for i in range(charts.count()):
        charts.nth(i).locator(".js-plotly-plot .main-svg").first.wait_for(timeout=timeout)


def open_app(page: Page, query: str = "") -> None:
    page.goto("/" + query)
    settle(page)


def figures(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(READ_FIGURES_JS)


def figure(page: Page, key: str) -> dict[str, Any]:
    found = [f for f in figures(page) if f["key"] == key]
    assert found, f"no chart with key {key!r}; charts on the page: {[f['key'] for f in figures(page)]}"
    return found[0]


def paths(page: Page) -> dict[str, tuple[list[float], list[float]]]:
    """Optimizer paths on the contour map: {label: (x, y)}."""
    return {t["name"]: (t["x"], t["y"]) for t in figure(page, "contour")["traces"] if t["name"] in LABELS}


def poll(fn: Callable[[], Any], *, timeout: float = 10.0, message: str = "condition") -> Any:
    """Call ``fn`` until it returns something truthy (Streamlit reruns are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(0.15)


def assert_no_exception(page: Page) -> None:
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        pytest.fail(f"the app shows an exception:\n{boxes.first.inner_text()[:2000]}", pytrace=False)


def query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def finite_points(x: list, y: list) -> int:
    return sum(
        1
        for a, b in zip(x, y, strict=False)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isfinite(a) and math.isfinite(b)
    )


@pytest.fixture(autouse=True)
def _page_watch(page: Page, request: pytest.FixtureRequest, screenshots_dir: Path) -> Iterator[None]:
    """Collect uncaught JavaScript errors; screenshot the page at the end of every test."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield
    if not page.is_closed():
        shoot(page, request.node.name)
    assert not errors, f"uncaught JavaScript errors in the page: {errors}"


# ---------------------------------------------------------------------------------------------
# Tests


def test_default_page_loads_and_every_chart_has_data(page: Page) -> None:
    open_app(page)
    assert_no_exception(page)
    expect(page.locator(".st-key-surface")).to_be_visible()
    expect(page.locator(".st-key-optimizers")).to_be_visible()
    # After the first load the URL holds every setting, so the address bar is a shareable link.
    for key in ("surface", "opt", "start", "steps"):
        expect(page).to_have_url(re.compile(rf"[?&]{key}=[^&]+"))
    for name in query(page)["opt"].split(","):
        expect(page).to_have_url(re.compile(rf"[?&]{name}\.lr=[^&]+"))
    charts = figures(page)
    keys = [f["key"] for f in charts]
    assert keys[:1] == ["contour"], f"the contour map should be the first chart; charts are {keys}"
    assert set(CHART_KEYS) <= set(keys), f"missing charts; found {keys}"
    for f in charts:
        assert f["rendered"], f"chart {f['key']!r} has no SVG"
        assert f["traces"], f"chart {f['key']!r} has no traces: it renders empty"

    # Map: the contour first, then one path per racer in the URL, each with real points.
    contour = figure(page, "contour")
    first = contour["traces"][0]
    assert first["type"] == "contour", f"the first trace of the map should be the contour, not {first['type']}"
    assert first["z"] and sum(map(math.isfinite, first["z"])) > 100, "the contour has no heights"
    racers = query(page)["opt"].split(",")
    drawn = paths(page)
    assert set(drawn) == {OPTIMIZERS[name].label for name in racers}, f"URL opt={racers}; paths {sorted(drawn)}"
    for label, (x, y) in drawn.items():
        assert x and y and len(x) == len(y), f"{label}: empty or ragged path"
        assert finite_points(x, y) > 10, f"{label}: fewer than 10 finite points on the map"

    # 3-D: a surface sheet and the same paths as lines (WebGL, software-rendered headless).
    surface3d = figure(page, "surface3d")
    sheet = [t for t in surface3d["traces"] if t["type"] == "surface"]
    assert sheet and sheet[0]["z"] and len(sheet[0]["z"]) > 100, "the 3-D view has no surface"
    lines3d = {t["name"] for t in surface3d["traces"] if t["type"] == "scatter3d" and t["x"] and t["z"]}
    assert set(drawn) <= lines3d, f"the 3-D view draws {sorted(lines3d)}, not every path {sorted(drawn)}"
    expect(page.locator(".st-key-surface3d canvas").first).to_be_visible()

    # Loss curves: one per racer, with finite values.
    curves = [t for t in figure(page, "loss")["traces"] if t["name"] in drawn and t["y"]]
    assert {t["name"] for t in curves} == set(drawn), "the loss chart lacks a curve for some racer"
    assert all(finite_points(t["x"], t["y"]) > 10 for t in curves), "a loss curve is (nearly) empty"


PRESET_SURFACES = {
    "ravine": "ravine",
    "rosenbrock": "rosenbrock",
    "saddle": "saddle",
    "adagrad": "rosenbrock",
    "minibatch": "regression",
}


def preset_button(page: Page, preset: str):
    # get_by_role skips the hidden copy Streamlit renders next to a button with a tooltip.
    return page.locator(f".st-key-preset_{preset}").get_by_role("button")


def test_preset_buttons_set_up_their_scenes(page: Page) -> None:
    open_app(page, "?surface=himmelblau&opt=adamax")
    seen = [paths(page)]
    for preset, surface in PRESET_SURFACES.items():
        preset_button(page, preset).click()
        expect(page).to_have_url(re.compile(rf"[?&]surface={surface}(&|$)"))
        poll(lambda: paths(page) != seen[-1], message=f"the paths to change after preset {preset!r}")
        settle(page)
        assert_no_exception(page)
        drawn = paths(page)
        assert drawn, f"preset {preset!r} draws no paths"
        for label, (x, y) in drawn.items():
            assert finite_points(x, y) > 10, f"preset {preset!r}: {label}'s path is (nearly) empty"
        opt = query(page)["opt"].split(",")
        assert {OPTIMIZERS[name].label for name in opt} <= set(drawn), (
            f"preset {preset!r}: URL opt={opt}, drawn {drawn}"
        )
        if preset == "rosenbrock":
            shoot(page, "preset_rosenbrock")
            if os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1":
                docs_screenshot(page)
        seen.append(drawn)


def add_optimizer(page: Page, name: str) -> None:
    label = OPTIMIZERS[name].label
    box = page.locator(".st-key-optimizers input")
    box.click()
    box.fill(label)
    page.get_by_role("option", name=re.compile(rf"^({re.escape(label)}|{name})$")).first.click()
    page.keyboard.press("Escape")


def pick_surface(page: Page, name: str) -> None:
    page.locator(".st-key-surface [data-testid='stSelectbox']").click()
    page.get_by_role("option", name=re.compile(re.escape(SURFACES[name].label.split()[0]), re.I)).first.click()


def test_sidebar_changes_redraw_and_a_copied_url_restores_them(page: Page, new_tab: Callable[[], Page]) -> None:
    open_app(page, "?surface=ravine&opt=sgd")
    ravine = paths(page)
    assert list(ravine) == [OPTIMIZERS["sgd"].label]

    # Another surface from the selectbox: new map, new path, and the URL follows.
    pick_surface(page, "himmelblau")
    expect(page).to_have_url(re.compile(r"[?&]surface=himmelblau(&|$)"))
    poll(lambda: paths(page) != ravine, message="the path on the Himmelblau map")
    settle(page)
    before = paths(page)
    sgd, adam = OPTIMIZERS["sgd"].label, OPTIMIZERS["adam"].label

    # Another racer from the multiselect: its path appears, the others stay put.
    add_optimizer(page, "adam")
    poll(lambda: adam in paths(page), message=f"a path named {adam!r}")
    settle(page)
    assert_no_exception(page)
    after = paths(page)
    assert set(after) == {sgd, adam}, f"paths drawn: {sorted(after)}"
    assert after[sgd] == before[sgd], "adding Adam changed SGD's path"
    assert after[adam] != after[sgd], "Adam's path is a copy of SGD's"
    expect(page).to_have_url(re.compile(r"[?&]opt=sgd(%2C|,)adam(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]adam\.lr=[^&]+"))

    # The address bar in a new tab (a new Streamlit session): the same figure, point for point.
    copied = page.url
    other = new_tab()
    other.goto(copied)
    settle(other)
    assert_no_exception(other)
    shoot(other, "copied_url_restored")
    restored = paths(other)
    assert set(restored) == set(after), f"paths {sorted(restored)} != {sorted(after)}"
    for label in after:
        assert restored[label] == after[label], f"{label}: the restored path differs from the original"
    assert figure(other, "contour")["traces"][0]["z"] == figure(page, "contour")["traces"][0]["z"]
    assert query(other) == query(page), "the restored page rewrote its URL differently"


def test_hyperparameters_and_start_in_the_url_are_applied(page: Page) -> None:
    sgd, adam = OPTIMIZERS["sgd"].label, OPTIMIZERS["adam"].label
    open_app(page, "?surface=rosenbrock&opt=sgd,adam&adam.lr=0.05&steps=200&start=-1,1.5")
    assert_no_exception(page)
    expect(page).to_have_url(re.compile(r"[?&]adam\.lr=0\.05(&|$)"))
    q = query(page)
    assert (q.get("surface"), q.get("steps"), q.get("start")) == ("rosenbrock", "200", "-1,1.5"), q
    first = paths(page)
    for label, (x, y) in first.items():
        assert (x[0], y[0]) == (-1, 1.5), f"{label} starts at {(x[0], y[0])}, not the URL's start (-1, 1.5)"
        assert len(x) == 201, f"{label}: {len(x)} points for 200 steps"

    open_app(page, "?surface=rosenbrock&opt=sgd,adam&adam.lr=0.01&steps=200&start=-1,1.5")
    second = paths(page)
    assert second[adam] != first[adam], "Adam's learning rate in the URL made no difference"
    assert second[sgd] == first[sgd], "changing Adam's learning rate moved SGD's path"


def test_malformed_url_shows_a_notice_not_a_traceback(page: Page) -> None:
    open_app(page, "?surface=nope&steps=-5&adam.lr=abc&opt=adam,bogus&start=x,y")
    assert_no_exception(page)
    notices = page.locator('[data-testid="stAlert"], [data-testid="stToast"]')
    expect(notices.first).to_be_visible()
    text = " ".join(notices.all_inner_texts())
    assert re.search(r"nope|surface", text, re.I), f"the notice does not mention the bad surface: {text!r}"
    # The app falls back to something drawable.
    assert paths(page), "after a malformed URL the map draws no paths"


def test_presentation_mode_hides_the_sidebar(page: Page) -> None:
    # (The sidebar's controls being visible without present=1 is checked on the default page.)
    open_app(page, "?surface=ravine&opt=sgd,adam&present=1")
    assert_no_exception(page)
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(page.locator(".st-key-surface")).to_have_count(0)
    assert set(paths(page)) == {OPTIMIZERS["sgd"].label, OPTIMIZERS["adam"].label}
    assert figure(page, "contour")["traces"][0]["z"], "presentation mode draws an empty map"


def test_loss_chart_without_known_minima_keeps_its_note_off_the_curves(page: Page) -> None:
    """Saddle-type surfaces have no minimum: the distance panel gives way to a note.

    The note must not sit on top of the loss curves, and steps cannot be negative.
    """
    open_app(page, "?surface=saddle&opt=sgd,adam&start=0.001,1.5&steps=100")
    assert_no_exception(page)
    loss = page.evaluate(LOSS_LAYOUT_JS)
    assert loss["xrange"][0] >= -0.5, f"the loss chart's step axis starts at {loss['xrange'][0]:.1f}, before step 0"
    for text, box in loss["notes"]:
        for name, plot in loss["plots"]:
            assert not overlaps(box, plot), f"the note {text!r} is drawn over the {name} panel's plot area"
