"""End-to-end: the race page as a person uses it, in headless Chromium against a real server.

Each test saves a screenshot to ``test-artifacts/screenshots/<test>.png``;
``UPDATE_DOCS_SCREENSHOT=1 python -m pytest -k readme_screenshot`` also refreshes
``docs/screenshot.png``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from lab.codec import encode
from lab.lessons import LESSONS
from landscapes import SURFACES
from tests.e2e.conftest import ROOT, SCREENSHOTS, short_timeouts

pytestmark = pytest.mark.browser

RACE_VIEW = 'iframe[title="lab.raceview.raceview"]'
RENDER_MS = 30_000


# ---------------------------------------------------------------------------------------------
# Helpers


def race_frame(page: Page) -> Frame:
    handle = page.locator(RACE_VIEW).element_handle(timeout=RENDER_MS)
    frame = handle.content_frame()
    assert frame is not None
    return frame


def open_race(page: Page, query: dict | str = "") -> Frame:
    """Open the app (a query dict or string) and wait until the map and its player are drawn."""
    text = urlencode(query, safe=",") if isinstance(query, dict) else query
    page.goto("/" + (f"?{text}" if text else ""))
    return drawn(page)


def drawn(page: Page, previous_spec: str | None = None) -> Frame:
    """The race view's frame once it shows a race (a new one, when ``previous_spec`` is given)."""
    page.locator(RACE_VIEW).wait_for(timeout=RENDER_MS)
    frame = race_frame(page)
    frame.wait_for_function(
        "(old) => { const r = document.getElementById('raceview');"
        " return r && r.dataset.spec && r.dataset.spec !== old && document.querySelector('.rv-map .main-svg'); }",
        arg=previous_spec or "", timeout=RENDER_MS)
    return frame


def spec_id(frame: Frame) -> str:
    return frame.evaluate("() => document.getElementById('raceview').dataset.spec")


def query(page: Page) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(page.url).query).items()}


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def map_axes(frame: Frame) -> dict:
    return frame.evaluate("""() => { const fl = document.querySelector('.rv-map')._fullLayout;
        return {x0: fl.xaxis._offset, y0: fl.yaxis._offset, w: fl.xaxis._length, h: fl.yaxis._length,
                xr: fl.xaxis.range, yr: fl.yaxis.range}; }""")


def click_map(page: Page, frame: Frame, x: float, y: float) -> None:
    """Click the map at data point (x, y)."""
    box = page.locator(RACE_VIEW).bounding_box()
    offset = frame.evaluate("""([x, y]) => { const gd = document.querySelector('.rv-map'); const fl = gd._fullLayout;
        const r = gd.getBoundingClientRect();
        return [r.left + fl.xaxis._offset + fl.xaxis.c2p(x), r.top + fl.yaxis._offset + fl.yaxis.c2p(y)]; }""", [x, y])
    page.mouse.click(box["x"] + offset[0], box["y"] + offset[1])


def step_to(frame: Frame, step: int) -> None:
    frame.evaluate("(k) => document.getElementById('raceview').raceView.show(k)", step)


def heads(frame: Frame) -> dict:
    """Where every racer's marker is on the map, the 3-D view and the loss curve."""
    return frame.evaluate("""() => {
        const roles = (gd) => gd.data;
        const map = document.querySelector('.rv-map'), sheet = document.querySelector('.rv-sheet'),
              curves = document.querySelector('.rv-curves');
        const pick = (gd, name) => gd.data.filter(t => t.name === name);
        return {map: pick(map, 'now').map(t => [Array.from(t.x), Array.from(t.y)]),
                sheet: pick(sheet, 'now').map(t => [Array.from(t.x), Array.from(t.y)]),
                curves: pick(curves, 'now').map(t => [Array.from(t.x), Array.from(t.y)])}; }""")


@pytest.fixture
def sized(browser: Browser, browser_context_args: dict) -> Iterator:
    """Pages in a fresh context of a given size (and a phone), closed after the test."""
    contexts = []

    def make(width: int, height: int, **extra) -> Page:
        context = short_timeouts(browser.new_context(**{**browser_context_args, "viewport": {"width": width,
                                                                                              "height": height},
                                                        **extra}))
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# ---------------------------------------------------------------------------------------------
# 1. The player: every step, the contour stays, all three views in step, no server round trip.


def test_the_player_visits_every_step_keeps_the_contour_and_moves_all_three_views(page: Page):
    sent: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    frame = open_race(page)
    assert frame.evaluate("() => document.querySelector('.rv-step').textContent") == "step 60 of 60"
    frame.locator("[data-testid=rv-first]").click()
    seen = []
    for _ in range(60):
        seen.append(int(frame.evaluate("() => document.getElementById('raceview').dataset.step")))
        frame.locator("[data-testid=rv-forward]").click()
    seen.append(int(frame.evaluate("() => document.getElementById('raceview').dataset.step")))
    assert seen == list(range(61))  # the zig-zag lesson's every bounce

    for step in (0, 7, 31, 60):
        step_to(frame, step)
        where = heads(frame)
        (mx, my), (sx, sy) = where["map"][0], where["sheet"][0]
        assert (mx, my) == (sx, sy)
        assert all(curve[0] == [step] for curve in where["curves"])

    frame.locator("[data-testid=rv-first]").click()
    page.wait_for_timeout(500)
    before = len(sent)
    frame.locator("[data-testid=rv-play]").click()
    frame.wait_for_function("() => document.getElementById('raceview').dataset.step === '60'", timeout=60_000)
    contour = frame.evaluate("""() => { const gd = document.querySelector('.rv-map');
        return [gd.data[0].type, !!gd.data[0].z, document.querySelectorAll('.rv-map .contourlayer path').length]; }""")
    assert contour[0] == "contour" and contour[1] and contour[2] > 20
    assert before > 0 and len(sent) == before  # the page did talk to the server; playing did not
    shot(page, "player_after_play")


def test_arrows_and_inspect_this_step(page: Page):
    frame = open_race(page, encode(LESSONS["momentum"].state()))
    step_to(frame, 5)
    for kind in ("gradient", "step"):
        frame.locator(f"[data-testid=rv-arrow-{kind}]").check()
    assert frame.evaluate("() => (document.querySelector('.rv-map').layout.annotations || []).length") == 4
    # The velocity needs the optimizer's state: the first tick asks the server for it once.
    frame.locator("[data-testid=rv-arrow-velocity]").check()
    frame.wait_for_function("() => (document.querySelector('.rv-map').layout.annotations || []).length === 5",
                            timeout=20_000)  # −∇f and step for both racers; velocity for momentum only
    shot(page, "arrows")
    frame.locator("[data-testid=rv-inspect]").click()
    expect(page).to_have_url(re.compile(r"istep=5"))
    expect(page.locator(".st-key-istep input[type=range]")).to_have_value("5")


# ---------------------------------------------------------------------------------------------
# 2. Drawn to scale and big enough on a projector.


def test_the_map_is_to_scale_and_big_enough_at_1024x768(sized):
    page = sized(1024, 768)
    frame = open_race(page)
    axes = map_axes(frame)
    units_x = axes["w"] / (axes["xr"][1] - axes["xr"][0])
    units_y = axes["h"] / (axes["yr"][1] - axes["yr"][0])
    assert units_x == pytest.approx(units_y, rel=0.02)
    content = page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    assert axes["w"] >= 400
    assert axes["w"] >= 0.6 * (content["width"] - 2 * 16) or axes["w"] >= 0.6 * content["width"] - 60
    shot(page, "map_1024")


# ---------------------------------------------------------------------------------------------
# 3. Surfaces bring their settings.


@pytest.mark.parametrize("surface", [name for name in SURFACES if name != "ravine"])
def test_switching_surface_applies_settings_that_do_not_diverge(page: Page, surface):
    frame = open_race(page)
    before = spec_id(frame)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=SURFACES[surface].label).click()
    expect(page).to_have_url(re.compile(f"surface={surface}"))
    frame = drawn(page, before)
    assert frame.locator(".rv-badge").count() == 0
    expect(page.get_by_text("applied its recommended settings")).to_be_visible()
    expect(page.get_by_role("button", name="Undo")).to_be_visible()
    assert "diverged at step" not in page.inner_text("body")


# ---------------------------------------------------------------------------------------------
# 4. A second click on the same point.


def start_is(page: Page, x: float, y: float, tolerance: float) -> None:
    """Wait until the URL's start is within ``tolerance`` of (x, y) (a click lands on a pixel)."""
    page.wait_for_function(
        """([x, y, tol]) => { const s = new URLSearchParams(location.search).get('start');
           if (!s) return false; const [a, b] = s.split(',').map(Number);
           return Math.abs(a - x) <= tol && Math.abs(b - y) <= tol; }""", arg=[x, y, tolerance], timeout=15_000)


def test_a_second_click_on_the_same_point_moves_the_start_again(page: Page):
    frame = open_race(page)
    click_map(page, frame, 5, -2)
    start_is(page, 5, -2, 0.1)
    box = page.get_by_role("spinbutton", name="Start x")
    box.fill("-9")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"start=-9(,|%2C)"))
    frame = race_frame(page)
    click_map(page, frame, 5, -2)
    start_is(page, 5, -2, 0.1)
    page.get_by_role("radio", name="Saddle", exact=True).click()
    expect(page).to_have_url(re.compile(r"surface=saddle"))
    frame = drawn(page)
    click_map(page, frame, 1, 1)
    start_is(page, 1, 1, 0.05)
    box = page.get_by_role("spinbutton", name="Start x")
    box.fill("-1")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"start=-1(,|%2C)"))
    click_map(page, race_frame(page), 1, 1)
    start_is(page, 1, 1, 0.05)


# ---------------------------------------------------------------------------------------------
# 5. Back and Forward.


def test_back_and_forward_show_what_the_address_bar_says(page: Page):
    frame = open_race(page, {"surface": "himmelblau", "opt": "adam", "adam.lr": "0.1"})
    before = spec_id(frame)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=SURFACES["beale"].label).click()
    expect(page).to_have_url(re.compile("surface=beale"))
    frame = drawn(page, before)
    beale = spec_id(frame)
    page.go_back()
    expect(page).to_have_url(re.compile("surface=himmelblau"))
    frame = drawn(page, beale)
    expect(page.locator("h4").first).to_contain_text("Himmelblau")
    page.go_forward()
    expect(page).to_have_url(re.compile("surface=beale"))
    expect(page.locator("h4").first).to_contain_text("Beale")


# ---------------------------------------------------------------------------------------------
# 6. Notices.


@pytest.mark.parametrize("link", ["surface=rosenbrock&opt=sgd,momentum,adam&adam.lr=0.05", "present=1",
                                  "surface=ravine&opt=sgd,sgd-2&sgd.lr=0.01&sgd-2.lr=0.1"])
def test_a_handwritten_link_opens_without_a_notice(page: Page, link):
    open_race(page, link)
    assert page.locator('[data-testid="stAlert"]').filter(has_text="could not be used").count() == 0


def test_a_bad_link_gets_one_notice_naming_every_bad_value(page: Page):
    open_race(page, "surface=rosenbrock&opt=sgd,bogus&steps=x&sgd.lr=-1&start=9,9&seed=-4&zz=1")
    notices = page.locator('[data-testid="stAlert"]').filter(has_text="could not be used")
    expect(notices).to_have_count(1)
    text = notices.inner_text()
    for fragment in ("bogus", "steps='x'", "sgd.lr='-1'", "start='9,9'", "seed='-4'", "zz"):
        assert fragment in text
    shot(page, "bad_link")


def test_racing_sgd_against_itself_names_what_differs(page: Page):
    frame = open_race(page, "surface=ravine&opt=sgd,sgd-2&sgd.lr=0.01&sgd-2.lr=0.1")
    chips = frame.locator("[data-testid=rv-chip]").all_inner_texts()
    assert [chip.strip() for chip in chips] == ["SGD, lr = 0.01", "SGD, lr = 0.1"]


# ---------------------------------------------------------------------------------------------
# 7. Presentation mode on a projector.


@pytest.mark.parametrize("lesson", ["zigzag", "valley"])
def test_presentation_mode_fits_map_and_lesson_text_in_1024x768(sized, lesson):
    page = sized(1024, 768)
    frame = open_race(page, {**encode(LESSONS[lesson].state()), "present": "1"})
    card = page.locator(".st-key-lesson_card")
    expect(card).to_contain_text(LESSONS[lesson].topic)
    assert card.bounding_box()["y"] + card.bounding_box()["height"] <= 768
    frame_box = page.locator(RACE_VIEW).bounding_box()
    axes = map_axes(frame)
    assert frame_box["y"] + axes["y0"] + axes["h"] <= 768
    sheet = frame.locator(".rv-sheet").bounding_box()
    curves = frame.locator(".rv-curves").bounding_box()
    assert curves["y"] - (sheet["y"] + sheet["height"]) < 120  # the 3-D view does not float in blank space
    shot(page, f"present_{lesson}_1024")


# ---------------------------------------------------------------------------------------------
# 8. No text cut at 1024 px and wider.


@pytest.mark.parametrize("width,height", [(1024, 768), (1440, 900)])
def test_no_formula_rule_or_number_is_cut(sized, width, height):
    page = sized(width, height)
    for surface in SURFACES:
        open_race(page, {"surface": surface, "opt": "swats,nadam"})
        formula = page.locator(".formula .katex").first
        box, main = formula.bounding_box(), page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
        assert box["x"] + box["width"] <= main["x"] + main["width"] + 1, surface
    page.get_by_text("Step inspector").click()
    for racer in ("SWATS", "NAdam"):
        box = page.get_by_test_id("stMainBlockContainer").get_by_role("combobox", name="Racer")
        box.click()
        box.fill(racer)
        box.press("Enter")
        expect(page.get_by_test_id("stMainBlockContainer").get_by_role("combobox", name="Racer")).to_have_value(
            re.compile(racer))
        page.wait_for_timeout(500)
        for element in page.locator(".katex-display").all():
            # KaTeX rounds widths to the pixel: a 1-3 px difference is rounding, not a cut.
            cut = element.evaluate("(e) => e.scrollWidth > e.clientWidth + 3")
            assert not cut, f"{racer}'s update rule is cut at {width}px"
    table = page.locator('[data-testid="stMarkdownContainer"] table').last
    assert not table.evaluate("(t) => t.scrollWidth > t.parentElement.clientWidth + 1")
    shot(page, f"inspector_{width}")


# ---------------------------------------------------------------------------------------------
# 9. Lessons.


def test_every_lesson_loads_in_one_click(page: Page):
    frame = open_race(page)
    for lesson_id, lesson in LESSONS.items():
        before = spec_id(frame)
        page.get_by_role("radio", name=lesson.title, exact=True).click()
        expect(page.locator(".st-key-lesson_card")).to_contain_text(lesson.topic)
        frame = drawn(page, before) if lesson_id != "zigzag" else race_frame(page)
        shot(page, f"lesson_{lesson_id}")


def test_the_saddle_lesson_shows_escape_on_a_log_axis_and_the_line_fit_names_its_axes(page: Page):
    frame = open_race(page, encode(LESSONS["saddle"].state()))
    layout = frame.evaluate("() => document.querySelector('.rv-curves').layout")
    assert layout["yaxis2"]["type"] == "log" and "saddle" in layout["yaxis2"]["title"]["text"]
    frame = open_race(page, encode(LESSONS["minibatch"].state()))
    titles = frame.evaluate("() => { const l = document.querySelector('.rv-map').layout;"
                            " return [l.xaxis.title.text, l.yaxis.title.text]; }")
    assert titles == ["slope a", "intercept b"]


# ---------------------------------------------------------------------------------------------
# 10. The smaller ones.


def test_a_diverged_racer_is_marked_at_the_step_that_blew_up_and_warned_about_once(page: Page):
    frame = open_race(page, "surface=rosenbrock&opt=sgd&sgd.lr=0.05&steps=30")
    diverged_at = frame.evaluate("() => document.getElementById('raceview').raceView && "
                                 "JSON.parse(JSON.stringify(document.querySelector('[data-testid=rv-chip]').textContent))")
    at = int(re.search(r"diverged at step (\d+)", diverged_at).group(1))
    step_to(frame, at - 1)
    assert frame.evaluate("() => document.querySelector('.rv-map').data.find(t => t.name === 'now').marker.symbol[0]") \
        == "circle"
    step_to(frame, at)
    assert frame.evaluate("() => document.querySelector('.rv-map').data.find(t => t.name === 'now').marker.symbol[0]") \
        == "x"
    assert page.get_by_text(f"diverged at step {at}: try a smaller learning rate").count() == 1


def test_on_a_phone_the_sidebar_starts_closed_and_the_map_is_visible(sized):
    page = sized(390, 844, is_mobile=True, has_touch=True)
    frame = open_race(page)
    assert not page.locator('[data-testid="stSidebar"]').is_visible() or \
        page.locator('[data-testid="stSidebar"]').get_attribute("aria-expanded") == "false"
    box = page.locator(RACE_VIEW).bounding_box()
    assert box["width"] <= 390 and box["width"] > 300
    assert map_axes(frame)["w"] > 250
    shot(page, "phone")


def test_eight_racers_get_eight_distinct_looks_in_two_rows(sized):
    page = sized(1440, 900)
    keys = "sgd,sgd-2,momentum,nesterov,adam,rmsprop,adagrad,adamw"
    frame = open_race(page, f"surface=rosenbrock&opt={keys}&steps=200")
    looks = frame.evaluate("() => document.querySelector('.rv-map').data.filter(t => t.legendgroup)"
                           ".map(t => t.line.color + '/' + t.line.dash)")
    assert len(looks) == 8 and len(set(looks)) == 8
    tops = {round(chip["y"]) for chip in (c.bounding_box() for c in frame.locator("[data-testid=rv-chip]").all())}
    assert len(tops) <= 2
    shot(page, "eight_racers")


def test_a_copied_link_reproduces_the_same_race(page: Page, new_tab):
    frame = open_race(page, encode(LESSONS["valley"].state()))
    trails = frame.evaluate("() => document.querySelector('.rv-map').data.filter(t => t.legendgroup)"
                            ".map(t => Array.from(t.x).slice(-3))")
    other = new_tab()
    other_frame = open_race(other, urlsplit(page.url).query)
    again = other_frame.evaluate("() => document.querySelector('.rv-map').data.filter(t => t.legendgroup)"
                                 ".map(t => Array.from(t.x).slice(-3))")
    assert again == trails


def test_the_downloaded_page_plays_offline(page: Page, tmp_path):
    open_race(page, encode(LESSONS["momentum"].state()))
    with page.expect_download() as download:
        page.get_by_role("button", name="Interactive page (HTML)").click()
    saved = tmp_path / "race.html"
    download.value.save_as(saved)
    page.goto(saved.as_uri())
    page.locator(".rv-map .main-svg").first.wait_for(timeout=RENDER_MS)
    page.locator("[data-testid=rv-first]").click()
    page.locator("[data-testid=rv-forward]").click()
    total = LESSONS["momentum"].state()["steps"]
    assert page.locator("[data-testid=rv-step]").inner_text() == f"step 1 of {total}"
    shot(page, "export_html")


def test_readme_screenshot(sized):
    page = sized(1440, 900)
    open_race(page, encode(LESSONS["valley"].state()))
    page.wait_for_timeout(1500)
    shot(page, "readme")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        shutil.copyfile(SCREENSHOTS / "readme.png", ROOT / "docs" / "screenshot.png")
