"""End-to-end: the sweep, stability and basin pages, a student's own function on every page,
and the downloads, in headless Chromium against a real server."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

RENDER_MS = 40_000
RACE_URL = re.compile(r"//[^/]+/(race)?\?")  # the race is the default page: "/" or "/race"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def chart_ready(page: Page, index: int = 0) -> None:
    page.locator(".js-plotly-plot .main-svg").nth(index).wait_for(timeout=RENDER_MS)
    page.wait_for_function("(i) => { const gd = document.querySelectorAll('.js-plotly-plot')[i];"
                           " return gd && gd._fullLayout && gd.data && gd.data.length > 0; }", arg=index,
                           timeout=RENDER_MS)


def query(page: Page) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(page.url).query).items()}


def click_data(page: Page, index: int, x: float, y: float) -> None:
    """Click Streamlit's ``index``-th Plotly chart at data point (x, y)."""
    point = page.evaluate("""([i, x, y]) => { const gd = document.querySelectorAll('.js-plotly-plot')[i];
        const fl = gd._fullLayout, r = gd.getBoundingClientRect();
        return [r.left + fl.xaxis._offset + fl.xaxis.d2p(x), r.top + fl.yaxis._offset + fl.yaxis.d2p(y)]; }""",
                          [index, x, y])
    page.mouse.click(point[0], point[1])


def heatmap_values(page: Page, index: int = 0) -> dict:
    return page.evaluate("""(i) => { const gd = document.querySelectorAll('.js-plotly-plot')[i];
        const heat = gd._fullData.find(t => t.type === 'heatmap'); const z = heat.z;
        const flat = Array.from(z).flatMap(row => Array.from(row));
        return {x: Array.from(heat.x), y: Array.from(heat.y), finite: flat.filter(v => v !== null && isFinite(v)).length,
                names: gd.data.map(t => t.name)}; }""", index)


def test_a_sweep_draws_its_grid_and_a_click_races_at_that_cell(page: Page):
    page.goto("/sweep?surface=ravine&opt=momentum&steps=100&sweep_x=lr&sweep_y=momentum"
              "&sweep_x_range=0.001,1&sweep_y_range=0,0.99&sweep_n=30")
    chart_ready(page)
    heat = heatmap_values(page)
    assert len(heat["x"]) == 30 and len(heat["y"]) == 30 and heat["finite"] > 600
    shot(page, "sweep_page")
    targets = page.evaluate("() => { const t = document.querySelector('.js-plotly-plot')._fullData.find(d => d.name === 'cells');"
                            " return [Array.from(t.x)[400], Array.from(t.y)[400]]; }")
    click_data(page, 0, targets[0], targets[1])
    expect(page).to_have_url(RACE_URL, timeout=20_000)
    settings = query(page)
    assert float(settings["momentum.lr"]) == pytest.approx(targets[0], rel=1e-3)
    assert float(settings["momentum.momentum"]) == pytest.approx(targets[1], rel=1e-3)


@pytest.mark.parametrize("link", ["sweep?surface=ravine&opt=momentum&steps=100&sweep_n=20", "stability?sweep_n=20",
                                  "basins?surface=saddle&basin_n=40&basin_color=escape+direction"],
                         ids=["sweep", "stability", "basins"])
def test_a_map_fills_its_plot_area_with_no_frame_of_background(page: Page, link):
    # The background means "never arrived" (grey) or "diverged" (red): a band of it around the
    # cells, as Streamlit's chart theme pads the plot area, would read as a row of such cells.
    page.goto("/" + link)
    chart_ready(page)
    page.locator(".js-plotly-plot .heatmaplayer image").first.wait_for(state="attached", timeout=RENDER_MS)
    boxes = page.evaluate("""() => { const gd = [...document.querySelectorAll('.js-plotly-plot')]
            .find(g => g.querySelector('.heatmaplayer image'));
        const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
        return {background: box(gd.querySelector('.bglayer .bg')),
                cells: [...gd.querySelectorAll('.heatmaplayer image')].map(box)}; }""")
    for cells in boxes["cells"]:
        assert cells == pytest.approx(boxes["background"], abs=1.0)


def test_stability_draws_theory_over_the_measured_map_and_races_at_its_best(page: Page):
    page.goto("/stability?surface=ravine&opt=sgd&steps=200&sweep_n=30")
    chart_ready(page, 1)
    names = page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[1].data.map(t => t.name)")
    assert "theory: convergence boundary" in names and "theory's optimum" in names
    expect(page.get_by_text("condition number")).to_be_visible()
    shot(page, "stability_page")
    page.get_by_role("button", name="Race at theory's best settings").click()
    expect(page).to_have_url(re.compile(r"momentum\.lr=1\.336"), timeout=20_000)


def test_a_basin_map_of_himmelblau_shows_four_basins_and_a_click_races_from_there(page: Page):
    page.goto("/basins?surface=himmelblau&opt=sgd&sgd.lr=0.01&steps=300&basin_n=60")
    chart_ready(page)
    # The key under the map, as drawn: a swatch and a name per basin.
    names = page.evaluate("() => [...document.querySelectorAll('.category-key > span')].map(e => e.textContent)")
    assert sum(name.startswith("minimum") for name in names) == 4
    shot(page, "basins_page")
    click_data(page, 0, 2.5, -2.5)
    expect(page).to_have_url(RACE_URL, timeout=20_000)
    x, y = (float(v) for v in query(page)["start"].split(","))
    assert abs(x - 2.5) < 0.3 and abs(y + 2.5) < 0.3


@pytest.mark.parametrize(("surface", "width", "height"), [("ravine", 1024, 768), ("himmelblau", 1024, 768),
                                                         ("ravine", 390, 844)])
def test_a_basin_map_keeps_to_its_key_with_no_band_of_white_between(page: Page, surface, width, height):
    # The figure's height follows the window's shape: the ravine's 20 x 8 in a fixed 520 px
    # figure was a strip between two bands of white, its key 180 px below it.
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"/basins?surface={surface}&opt=sgd&sgd.lr=0.01&steps=200&basin_n=40")
    chart_ready(page)
    page.locator(".js-plotly-plot .heatmaplayer image").first.wait_for(state="attached", timeout=RENDER_MS)
    page.locator(".category-key").wait_for(timeout=RENDER_MS)
    box = page.evaluate("""() => { const r = (e) => e.getBoundingClientRect();
        const gd = document.querySelector('.js-plotly-plot');
        return {figure: r(gd).toJSON(), map: r(gd.querySelector('.heatmaplayer image')).toJSON(),
                key: r(document.querySelector('.category-key')).toJSON()}; }""")
    shot(page, f"basins_{surface}_{width}")
    figure, drawn, key = box["figure"], box["map"], box["key"]
    assert drawn["width"] > 0.6 * figure["width"], box  # the map spans the column (less its axes)
    assert key["top"] - drawn["bottom"] < 100, box  # only the x axis between the map and its key
    if width >= 1024:  # the width the height is fitted to: the figure is the map and its axes
        assert figure["height"] - drawn["height"] < 100, box
    else:  # a phone's narrower map leaves some white, above it
        assert drawn["top"] - figure["top"] < 0.45 * figure["height"], box


@pytest.mark.parametrize("colour", ["final+loss", "escape+direction"])
def test_a_basin_maps_colour_bar_lies_centred_under_it_on_a_wide_screen(page: Page, colour):
    # Beside the map, the bar stood 200 px from it at 1440 px, where the map is narrower than
    # the column (one scale on both axes): under it, centred, it stays with the map.
    page.set_viewport_size({"width": 1440, "height": 900})
    surface = "saddle" if colour.startswith("escape") else "rosenbrock"
    page.goto(f"/basins?surface={surface}&opt=sgd&sgd.lr=0.001&steps=100&basin_n=40&basin_color={colour}")
    chart_ready(page)
    page.locator(".js-plotly-plot .heatmaplayer image").first.wait_for(state="attached", timeout=RENDER_MS)
    box = page.evaluate("""() => { const r = (e) => e.getBoundingClientRect().toJSON();
        const gd = document.querySelector('.js-plotly-plot');
        return {map: r(gd.querySelector('.heatmaplayer image')), bar: r(gd.querySelector('.colorbar .cbfills')),
                figure: r(gd)}; }""")
    shot(page, f"basins_{surface}_colour_bar")
    drawn, bar = box["map"], box["bar"]
    assert 0 < bar["top"] - drawn["bottom"] < 110, box  # the x axis and its title between them
    assert abs((bar["left"] + bar["right"]) / 2 - (drawn["left"] + drawn["right"]) / 2) < 30, box
    assert bar["bottom"] <= box["figure"]["bottom"], box


@pytest.mark.parametrize(("path", "formula", "canonical"), [
    ("race", "x**4/40-x**2/2%2By**2/3", "x**4/40 - x**2/2 + y**2/3"),
    ("sweep", "x**4/40-x**2/2%2By**2/3", "x**4/40 - x**2/2 + y**2/3"),
    ("stability", "x**2/10%2By**2%2Bx*y/2", "x**2/10 + y**2 + x*y/2"),
    ("basins", "x**4/40-x**2/2%2By**2/3", "x**4/40 - x**2/2 + y**2/3"),
])
def test_a_students_own_function_on_every_page(page: Page, path, formula, canonical):
    page.goto(f"/{path}?surface=custom&custom.text={formula}&opt=adam&adam.lr=0.1&steps=100&sweep_n=20&basin_n=40")
    if path == "race":
        page.frame_locator('iframe[title="lab.raceview.raceview"]').locator(".rv-map .main-svg").first.wait_for(
            timeout=RENDER_MS)
    else:
        chart_ready(page)
    page.wait_for_timeout(1000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert query(page)["custom.text"] == canonical
    if path == "stability":
        expect(page.get_by_text("condition number")).to_be_visible()
    shot(page, f"custom_{path}")


def test_a_hostile_formula_is_refused_with_a_message_and_nothing_runs(page: Page):
    page.goto("/?surface=custom&opt=sgd")
    page.frame_locator('iframe[title="lab.raceview.raceview"]').locator(".rv-map .main-svg").first.wait_for(
        timeout=RENDER_MS)
    box = page.get_by_role("textbox", name="f(x, y) =")
    box.fill("__import__('os').system('touch /tmp/pwned')")
    box.press("Enter")
    expect(page.locator('[data-testid="stSidebar"] [data-testid="stAlert"]')).to_contain_text("not allowed")
    assert "custom.text" not in query(page)  # still the default formula: nothing from the text was used
    shot(page, "custom_refused")


def test_the_downloads_hold_the_race(page: Page, tmp_path):
    page.goto("/?surface=ravine&opt=sgd,momentum&sgd.lr=0.9&momentum.lr=1&momentum.momentum=0.5&steps=60")
    page.frame_locator('iframe[title="lab.raceview.raceview"]').locator(".rv-map .main-svg").first.wait_for(
        timeout=RENDER_MS)
    files = {}
    for label in ("Trajectories (CSV)", "Settings (JSON)", "Python snippet"):
        with page.expect_download() as download:
            page.get_by_role("button", name=label).click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        files[label] = target.read_text()
    rows = list(csv.DictReader(io.StringIO(files["Trajectories (CSV)"])))
    assert len(rows) == 2 * 61 and {row["racer"] for row in rows} == {"sgd", "momentum"}
    settings = json.loads(files["Settings (JSON)"])
    assert settings["query"]["momentum.momentum"] == "0.5"
    assert "runs['SGD, lr = 0.9'] = run(" in files["Python snippet"]
