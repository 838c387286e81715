"""End-to-end: the race page as a person uses it, in headless Chromium against a real server.

Each test guards a defect someone reported on an earlier version of the page, and saves a
screenshot to ``test-artifacts/screenshots/<name>.png`` for a human to look at.
``UPDATE_DOCS_SCREENSHOT=1 python -m pytest -m browser -k readme_screenshot tests/e2e`` also
refreshes ``docs/screenshot.png``.

The race view is our own component (``lab/raceview_assets``) in an iframe: its three charts are
Plotly graph divs whose ``data``/``layout``/``_fullLayout`` the tests read, and its root
``#raceview`` says which race is drawn (``data-spec``) and which step is shown (``data-step``).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import numpy as np
import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect

from lab.codec import decode, encode
from lab.engine_pool import execute
from lab.lessons import LESSONS
from lab.page_state import Racer
from lab.request import request_for
from lab.tables import plain
from landscapes import SURFACES
from optimizers import OPTIMIZERS
from tests.e2e.conftest import ROOT, SCREENSHOTS, short_timeouts

pytestmark = pytest.mark.browser

RACE_VIEW = 'iframe[title="lab.raceview.raceview"]'
RENDER_MS = 30_000  # a page load on a busy two-core machine; a healthy one takes 2-4 s
SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMainBlockContainer"]'
README_LINK = "surface=rosenbrock&opt=sgd,momentum,adam&adam.lr=0.05"


# ---------------------------------------------------------------------------------------------
# Helpers: open a race, wait for it, read it.


def race_frame(page: Page) -> Frame:
    frame = page.locator(RACE_VIEW).element_handle(timeout=RENDER_MS).content_frame()
    assert frame is not None
    return frame


def open_race(page: Page, link: dict | str = "") -> Frame:
    """Open the race page at a link (a query dict or string) and wait until its race is drawn."""
    text = urlencode(link, safe=",") if isinstance(link, dict) else link
    page.goto("/" + (f"?{text}" if text else ""))
    return drawn(page)


def drawn(page: Page, previous_spec: str | None = None) -> Frame:
    """The race view's frame once it shows a race (another one than ``previous_spec``, if given)."""
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
    """The map's plot area in the frame's pixels, and its axis ranges."""
    return frame.evaluate("""() => { const gd = document.querySelector('.rv-map'), fl = gd._fullLayout;
        const r = gd.getBoundingClientRect();
        return {left: r.left + fl.xaxis._offset, top: r.top + fl.yaxis._offset, w: fl.xaxis._length,
                h: fl.yaxis._length, xr: fl.xaxis.range, yr: fl.yaxis.range,
                scaleratio: (gd.layout.yaxis || {}).scaleratio}; }""")


def click_map(page: Page, frame: Frame, x: float, y: float) -> None:
    """Click the map at data point (x, y): data -> plot pixels -> frame -> page."""
    box = page.locator(RACE_VIEW).bounding_box()
    at = frame.evaluate("""([x, y]) => { const gd = document.querySelector('.rv-map'), fl = gd._fullLayout;
        const r = gd.getBoundingClientRect();
        return [r.left + fl.xaxis._offset + fl.xaxis.c2p(x), r.top + fl.yaxis._offset + fl.yaxis.c2p(y)]; }""", [x, y])
    page.mouse.click(box["x"] + at[0], box["y"] + at[1])


def shown_step(frame: Frame) -> tuple[str, int, int]:
    """The player's label, the view's own step and the root's data-step."""
    text, own, data = frame.evaluate("""() => { const r = document.getElementById('raceview');
        return [document.querySelector('[data-testid=rv-step]').textContent, r.raceView.step, r.dataset.step]; }""")
    return text, int(own), int(data)


def slide_to(frame: Frame, index: int) -> None:
    """Drag the player's slider to frame ``index`` (sets it and fires its input event, as a drag does)."""
    frame.evaluate("""(k) => { const s = document.querySelector('[data-testid=rv-slider]');
        s.value = String(k); s.dispatchEvent(new Event('input', {bubbles: true})); }""", index)


def heads(frame: Frame) -> dict:
    """Where every racer's head marker is on the map, the 3-D view and the loss curves, and the
    loss the map's trail reports at its end (its hover data: step, loss, gradient norm)."""
    return frame.evaluate("""() => {
        const gd = (s) => document.querySelector(s);
        const now = (g) => g.data.filter(t => t.name === 'now').map(t => ({x: Array.from(t.x), y: Array.from(t.y),
                                                                           z: t.z ? Array.from(t.z) : null}));
        const roles = gd('.rv-map').data.filter(t => t.legendgroup);
        return {map: now(gd('.rv-map'))[0], sheet: now(gd('.rv-sheet'))[0], curves: now(gd('.rv-curves')),
                trail_end: roles.map(t => { const c = t.customdata; return c[c.length - 1]; })}; }""")


def contour_state(frame: Frame) -> dict:
    return frame.evaluate("""() => { const gd = document.querySelector('.rv-map'), first = gd.data[0];
        const z = first.z; const filled = !!z && ((z.bdata && z.bdata.length > 0) || z.length > 0);
        return {type: first.type, z: filled, fills: gd.querySelectorAll('.contourlayer .contourfill path').length}; }""")


def contour_fingerprint(frame: Frame) -> str:
    """Which surface the map's contour shows: its z data, shortened."""
    return frame.evaluate("""() => { const z = document.querySelector('.rv-map').data[0].z;
        const text = z.bdata ? z.bdata : JSON.stringify(Array.from(z, r => Array.from(r)));
        return text.length + ':' + text.slice(0, 400); }""")


def pick_surface(page: Page, name: str) -> None:
    page.locator(f"{SIDEBAR} .st-key-surface").click()
    page.get_by_role("option", name=plain(SURFACES[name].label)).click()
    expect(page).to_have_url(re.compile(f"surface={name}(&|$)"))


def alerts(page: Page, kind: str) -> list[str]:
    """The text of Streamlit's notices of one kind (Warning, Info, Error, Success)."""
    return page.locator(f'[data-testid="stAlert"]:has([data-testid="stAlertContent{kind}"])').all_inner_texts()


def overflow(element) -> float:
    """How many pixels of an element are cut: its content beyond its box, or its right edge
    beyond the main column's."""
    return element.evaluate("""(e) => { const main = document.querySelector('[data-testid=stMainBlockContainer]');
        const inner = e.querySelector('.katex-html') || e;
        const right = inner.getBoundingClientRect().right - main.getBoundingClientRect().right;
        return Math.max(e.scrollWidth - e.clientWidth, right); }""")


@pytest.fixture
def sized(shared_context: BrowserContext, browser: Browser, browser_context_args: dict) -> Iterator[Callable]:
    """A tab of a given size; with device options (a phone), a context of its own."""
    tabs: list[Page] = []
    contexts: list[BrowserContext] = []

    def make(width: int, height: int, **device) -> Page:
        if device:
            contexts.append(short_timeouts(browser.new_context(
                **{**browser_context_args, "viewport": {"width": width, "height": height}, **device})))
            tabs.append(contexts[-1].new_page())
        else:
            tabs.append(shared_context.new_page())
            tabs[-1].set_viewport_size({"width": width, "height": height})
        return tabs[-1]

    yield make
    for tab in tabs:
        tab.close()
    for context in contexts:
        context.close()


# ---------------------------------------------------------------------------------------------
# 1. The player: every step, the contour kept, the three views in step, no server round trip.


def test_the_player_visits_every_step_keeps_the_contour_and_plays_in_the_browser(page: Page):
    sent: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    frame = open_race(page)  # the default page: the Zig-zag lesson
    last = int(LESSONS["zigzag"].state()["steps"])  # 60 when written
    assert shown_step(frame) == (f"step {last} of {last}", last, last)

    frame.locator("[data-testid=rv-first]").click()
    seen = [shown_step(frame)]
    for _ in range(last):
        frame.locator("[data-testid=rv-forward]").click()
        seen.append(shown_step(frame))
    assert seen == [(f"step {k} of {last}", k, k) for k in range(last + 1)]  # every bounce, none skipped

    for step in (0, 7, last // 2 + 1, last):
        slide_to(frame, step)
        where = heads(frame)
        assert where["sheet"]["x"] == where["map"]["x"] and where["sheet"]["y"] == where["map"]["y"], step
        loss_head, *_ = where["curves"]
        assert all(curve["x"] == [step] for curve in where["curves"]), step
        assert loss_head["y"] == pytest.approx([end[1] for end in where["trail_end"]], rel=1e-6), step
        assert all(end[0] == step for end in where["trail_end"]), step

    # Play from the start: sample the map on every animation frame while it plays.
    messages_before = len(sent)
    frame.locator("[data-testid=rv-first]").click()
    frame.evaluate("""() => { window.samples = []; const gd = document.querySelector('.rv-map');
        const tick = () => { if (document.querySelector('[data-testid=rv-play]').textContent.includes('Pause')) {
            const z = gd.data[0].z; window.samples.push({step: +document.getElementById('raceview').dataset.step,
              type: gd.data[0].type, z: !!z && ((z.bdata && z.bdata.length > 0) || z.length > 0),
              fills: gd.querySelectorAll('.contourlayer .contourfill path').length}); }
          if (window.samples.length < 20000) requestAnimationFrame(tick); };
        requestAnimationFrame(tick); }""")
    frame.locator("[data-testid=rv-play]").click()
    frame.wait_for_function("(last) => document.getElementById('raceview').dataset.step === String(last)"
                            " && document.querySelector('[data-testid=rv-play]').textContent.includes('Play')",
                            arg=last, timeout=90_000)  # about 6 s at 1x; software WebGL here is slower
    samples = frame.evaluate("() => window.samples")
    steps = [sample["step"] for sample in samples]
    assert len(set(steps)) >= 5 and steps == sorted(steps) and steps[-1] >= last - 5, steps
    lost = [sample for sample in samples if sample["type"] != "contour" or not sample["z"] or sample["fills"] == 0]
    assert not lost, f"the contour went missing while playing: {lost[:3]}"
    assert contour_state(frame)["fills"] > 5
    assert len(sent) == messages_before, "playing sent messages to the server: it should run in the browser"
    shot(page, "player_after_play")


def test_arrows_and_inspect_this_step(page: Page):
    frame = open_race(page, encode(LESSONS["momentum"].state()))
    racers = frame.locator("[data-testid=rv-chip]").count()
    slide_to(frame, 5)
    assert shown_step(frame)[1] == 5
    for kind in ("gradient", "step"):
        frame.locator(f"[data-testid=rv-arrow-{kind}]").check()
    annotations = "() => (document.querySelector('.rv-map').layout.annotations || []).length"
    assert frame.evaluate(annotations) == 2 * racers  # −∇f and the step, for every racer
    # The velocity needs the optimizer's state: the first tick asks the server for it once.
    frame.locator("[data-testid=rv-arrow-velocity]").check()
    frame.wait_for_function(f"() => ({annotations})() > {2 * racers}", timeout=RENDER_MS)
    shot(page, "arrows")
    frame.locator("[data-testid=rv-inspect]").click()
    expect(page).to_have_url(re.compile(r"[?&]istep=5(&|$)"))
    expect(page.locator(".st-key-istep input[type=range]")).to_have_value("5")


# ---------------------------------------------------------------------------------------------
# 2. Drawn to scale and big enough on a projector.


def test_the_map_is_to_scale_and_big_enough_at_1024x768(sized):
    page = sized(1024, 768)
    frame = open_race(page)
    axes = map_axes(frame)
    x_pixels_per_unit = axes["w"] / (axes["xr"][1] - axes["xr"][0])
    y_pixels_per_unit = axes["h"] / (axes["yr"][1] - axes["yr"][0])
    ratio = axes["scaleratio"] or 1
    assert y_pixels_per_unit == pytest.approx(ratio * x_pixels_per_unit, rel=0.02)
    content = page.locator(MAIN).bounding_box()
    assert axes["w"] >= 400
    assert axes["w"] >= 0.6 * content["width"], (axes["w"], content["width"])
    shot(page, "map_1024")


# ---------------------------------------------------------------------------------------------
# 3. Surfaces bring their settings.


@pytest.mark.parametrize("surface", [name for name in SURFACES if name != "ravine"])
def test_switching_surface_applies_settings_that_do_not_diverge(page: Page, surface):
    frame = open_race(page)
    before = spec_id(frame)
    pick_surface(page, surface)
    frame = drawn(page, before)
    badges = frame.locator(".rv-badge").all_inner_texts()
    assert badges == [], f"{surface}: {badges}"
    assert "diverged at step" not in page.locator(MAIN).inner_text()
    notes = alerts(page, "Info")
    assert any("recommended settings" in note for note in notes), notes
    expect(page.get_by_role("button", name="Undo")).to_be_enabled()
    shot(page, f"surface_{surface}")


# ---------------------------------------------------------------------------------------------
# 4. A second click on the same point.


def start_is(page: Page, x: float, y: float, tolerance: float) -> None:
    """Wait until the URL's start is within ``tolerance`` of (x, y) (a click lands on a pixel)."""
    page.wait_for_function(
        """([x, y, tol]) => { const s = new URLSearchParams(location.search).get('start');
           if (!s) return false; const [a, b] = s.split(',').map(Number);
           return Math.abs(a - x) <= tol && Math.abs(b - y) <= tol; }""", arg=[x, y, tolerance], timeout=15_000)


def type_start_x(page: Page, value: str) -> None:
    box = page.get_by_role("spinbutton", name="Start x")
    box.fill(value)
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"start={re.escape(value)}(,|%2C)"))


def test_a_second_click_on_the_same_point_moves_the_start_again(page: Page):
    frame = open_race(page)  # the ravine
    click_map(page, frame, 5, -2)
    start_is(page, 5, -2, 0.1)
    type_start_x(page, "-9")
    click_map(page, race_frame(page), 5, -2)
    start_is(page, 5, -2, 0.1)

    page.get_by_role("radio", name="Saddle", exact=True).click()
    expect(page).to_have_url(re.compile(r"surface=saddle"))
    frame = drawn(page)
    click_map(page, frame, 1, 1)
    start_is(page, 1, 1, 0.05)
    type_start_x(page, "-1")
    click_map(page, race_frame(page), 1, 1)
    start_is(page, 1, 1, 0.05)
    shot(page, "second_click")


# ---------------------------------------------------------------------------------------------
# 5. Back and Forward.


def shows_surface(page: Page, frame: Frame, name: str, contour: str) -> None:
    label = plain(SURFACES[name].label)
    expect(page.locator(f"{SIDEBAR} .st-key-surface input")).to_have_value(label)
    expect(page.locator(f"{MAIN} h4").first).to_contain_text(label.split("  ")[0])
    assert contour_fingerprint(frame) == contour, f"the map does not show {name}'s contour"


def test_back_and_forward_show_what_the_address_bar_says(page: Page):
    frame = open_race(page)
    for name in ("himmelblau", "beale"):
        before = spec_id(frame)
        pick_surface(page, name)
        frame = drawn(page, before)
        if name == "himmelblau":
            himmelblau = contour_fingerprint(frame)
    beale, beale_spec = contour_fingerprint(frame), spec_id(frame)
    assert himmelblau != beale

    page.go_back()
    expect(page).to_have_url(re.compile("surface=himmelblau"))
    frame = drawn(page, beale_spec)
    shows_surface(page, frame, "himmelblau", himmelblau)
    shot(page, "back_himmelblau")

    before = spec_id(frame)
    page.go_forward()
    expect(page).to_have_url(re.compile("surface=beale"))
    frame = drawn(page, before)
    shows_surface(page, frame, "beale", beale)


# ---------------------------------------------------------------------------------------------
# 6. Notices.


@pytest.mark.parametrize("link", [README_LINK, "present=1"], ids=["readme", "present"])
def test_a_handwritten_link_opens_without_a_notice(page: Page, link):
    open_race(page, link)
    assert alerts(page, "Warning") == []
    assert alerts(page, "Error") == []
    shot(page, f"link_{'present' if 'present' in link else 'readme'}")


def test_a_link_to_slash_race_typed_by_hand_opens_the_race(page: Page):
    # The other pages live at /sweep, /stability and /basins, so a visitor types /race too.
    page.goto("/race?" + README_LINK)
    frame = drawn(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert alerts(page, "Warning") == []
    assert query(page)["surface"] == "rosenbrock" and query(page)["adam.lr"] == "0.05"
    assert len(heads(frame)["map"]["x"]) == 3  # all three racers are on the map
    expect(page.get_by_text("Rosenbrock's valley").first).to_be_visible()


def test_a_bad_link_gets_one_notice_naming_every_bad_value(page: Page):
    open_race(page, "surface=rosenbrock&opt=sgd,bogus&steps=x&sgd.lr=-1&start=9,9&seed=-4&zz=1")
    notices = page.locator('[data-testid="stAlert"]').filter(has_text="could not be used")
    expect(notices).to_have_count(1)
    assert len(alerts(page, "Warning")) == 1
    text = notices.inner_text()
    for fragment in ("bogus", "steps='x'", "sgd.lr='-1'", "start='9,9'", "seed='-4'", "zz"):
        assert fragment in text, fragment
    shot(page, "bad_link")


def test_racing_sgd_against_itself_names_what_differs(page: Page):
    frame = open_race(page, "surface=ravine&opt=sgd,sgd-2&sgd.lr=0.01&sgd-2.lr=0.1")
    chips = frame.locator("[data-testid=rv-chip]").all_inner_texts()
    assert [chip.strip() for chip in chips] == ["SGD, lr = 0.01", "SGD, lr = 0.1"]
    assert alerts(page, "Warning") == []
    shot(page, "sgd_against_itself")


# ---------------------------------------------------------------------------------------------
# 7. Presentation mode on a projector.


@pytest.mark.parametrize("lesson,link", [("zigzag", "present=1"),
                                         ("valley", urlencode({**encode(LESSONS["valley"].state()), "present": "1"},
                                                              safe=","))],
                         ids=["default", "valley"])
def test_presentation_mode_fits_map_and_lesson_text_in_1024x768(sized, lesson, link):
    page = sized(1024, 768)
    frame = open_race(page, link)
    assert page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop") == 0
    frame_box = page.locator(RACE_VIEW).bounding_box()
    axes = map_axes(frame)
    top, left = frame_box["y"] + axes["top"], frame_box["x"] + axes["left"]
    assert top >= 0 and left >= 0 and top + axes["h"] <= 768 and left + axes["w"] <= 1024, axes

    card = page.locator(".st-key-lesson_card")
    expect(card).to_contain_text(LESSONS[lesson].topic)
    card_box = card.bounding_box()
    assert card_box["y"] >= 0 and card_box["y"] + card_box["height"] <= 768, card_box

    # The 3-D view sits against its neighbours: no blank band around it.
    boxes = frame.evaluate("""() => Object.fromEntries(['.rv-legend', '.rv-map', '.rv-sheet', '.rv-curves'].map(s => {
        const r = document.querySelector(s).getBoundingClientRect();
        return [s.slice(4), {left: r.left, right: r.right, top: r.top, bottom: r.bottom}]; }))""")
    sheet, curves, drawing, legend = boxes["sheet"], boxes["curves"], boxes["map"], boxes["legend"]
    if sheet["left"] >= drawing["right"]:  # side by side: the 3-D view above the curves, right of the map
        assert curves["top"] - sheet["bottom"] < 120, boxes
        assert sheet["top"] - legend["bottom"] < 120, boxes
        assert sheet["left"] - drawing["right"] < 120, boxes
    else:  # stacked
        assert abs(curves["top"] - sheet["bottom"]) < 120 or abs(sheet["top"] - curves["bottom"]) < 120, boxes

    # Streamlit ends a label too long for its button with an ellipsis: one pixel over cuts a word.
    cut = page.locator(MAIN).evaluate("""(main) => Array.from(main.querySelectorAll('button'))
        .filter(b => Array.from(b.querySelectorAll('*')).some(e => e.scrollWidth > e.clientWidth))
        .map(b => b.innerText)""")
    assert cut == [], f"button labels cut short: {cut}"
    shot(page, f"present_{lesson}_1024")


# ---------------------------------------------------------------------------------------------
# 8. No text cut at 1024 px and wider.


def test_no_surface_formula_is_cut(sized):
    page = sized(1440, 900)
    frame = open_race(page)
    for name in SURFACES:
        if name != "ravine":
            before = spec_id(frame)
            pick_surface(page, name)
            frame = drawn(page, before)
        formula = page.locator(f"{MAIN} h4 .formula .katex").first
        expect(formula).to_be_visible()
        for width, height in ((1440, 900), (1024, 768)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(100)
            assert overflow(formula) <= 1, f"{name}'s formula is cut at {width} px"
            heading = page.locator(f"{MAIN} h4").first
            assert heading.evaluate("(h) => h.scrollWidth <= h.clientWidth + 1"), f"{name}'s title is cut at {width}"
        page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, "formula_monkey_saddle_1440")


def check_rule(page: Page, racer: Racer, problems: list[str]) -> None:
    """Measure the inspector's update rule and numbers table for the racer it shows."""
    spec = OPTIMIZERS[racer.optimizer]
    inspector = page.locator(".st-key-inspector_open")
    expect(inspector).to_contain_text(spec.summary)
    rule = inspector.locator(".katex-display").first
    expect(rule).to_be_visible()
    table = inspector.locator('[data-testid="stMarkdownContainer"] table').first
    expect(table).to_be_visible()
    for width, height in ((1440, 900), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        # KaTeX rounds its widths to the pixel: 2 px over is rounding, not a cut.
        if overflow(rule) > 2:
            problems.append(f"{spec.label}'s update rule is cut by {overflow(rule):.0f} px at {width} px")
        if overflow(table) > 1:
            problems.append(f"{spec.label}'s numbers table is cut by {overflow(table):.0f} px at {width} px")
    page.set_viewport_size({"width": 1440, "height": 900})


def test_no_update_rule_or_inspector_number_is_cut(sized):
    page = sized(1440, 900)
    problems: list[str] = []
    names = list(OPTIMIZERS)
    # Each racer opened from a link (inspect=key): picking it in the inspector's box is the
    # AppTest's part, and Playwright's typing into that combobox was unreliable.
    for group in (names[:8], names[8:]):
        link = {"surface": "ravine", "opt": ",".join(group)}
        state, _ = decode(link)
        for racer in state.racers:
            open_race(page, {**link, "inspect": racer.key})
            page.get_by_text("Step inspector").click()
            check_rule(page, racer, problems)
    page.set_viewport_size({"width": 1024, "height": 768})
    page.locator(".st-key-inspector_open .katex-display").first.scroll_into_view_if_needed()
    shot(page, "inspector_1024")

    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# 9. Lessons.


def test_every_lesson_loads_its_race_in_one_click(page: Page):
    frame = open_race(page)
    problems: list[str] = []
    # The Zig-zag is the page's opening lesson (its pill is already on): the others first.
    order = [lid for lid in LESSONS if lid != "zigzag"] + ["zigzag"]
    for lesson_id in order:
        lesson = LESSONS[lesson_id]
        before = spec_id(frame)
        page.get_by_role("radio", name=lesson.title, exact=True).click()
        expect(page.locator(".st-key-lesson_card")).to_contain_text(lesson.topic)
        frame = drawn(page, before)
        wanted = encode(lesson.state())
        expect(page).to_have_url(re.compile(f"surface={wanted['surface']}&"))
        shown = query(page)
        if (shown["surface"], shown["opt"]) != (wanted["surface"], wanted["opt"]):
            problems.append(f"{lesson_id}: the page races {shown['opt']} on {shown['surface']}")
        if lesson_id == "saddle":
            problems += saddle_problems(frame)
        if lesson_id == "minibatch":
            titles = frame.evaluate("() => { const l = document.querySelector('.rv-map')._fullLayout;"
                                    " return [l.xaxis.title.text, l.yaxis.title.text]; }")
            if titles != ["slope a", "intercept b"]:
                problems.append(f"the line fit's map axes say {titles}")
        shot(page, f"lesson_{lesson_id}")
    assert not problems, "\n".join(problems)


def saddle_problems(frame: Frame) -> list[str]:
    """Both loss panels show every escape: the lower on a log scale (distance from the saddle),
    the upper held to the map's values, so SGD's and Adam's curves do not lie flat on zero."""
    panels = frame.evaluate("""() => { const gd = document.querySelector('.rv-curves'), fl = gd._fullLayout;
        const panel = (name, axis) => { if (!axis) return null;
            const spans = gd.data.filter(t => t.yaxis === name && t.legendgroup).map(t => {
                const px = Array.from(t.y).filter(v => axis.type !== 'log' || v > 0)
                    .map(v => Math.min(Math.max(axis.c2p(v), 0), axis._length));
                return [t.legendgroup, px.length ? (Math.max(...px) - Math.min(...px)) / axis._length : 0]; });
            return {type: axis.type, title: axis.title.text, spans: Object.fromEntries(spans)}; };
        return {loss: panel('y', fl.yaxis), distance: panel('y2', fl.yaxis2)}; }""")
    if panels["distance"] is None:
        return ["the saddle's loss chart has no lower panel"]
    problems = []
    if panels["distance"]["type"] != "log" or "from saddle (log)" not in panels["distance"]["title"]:
        problems.append(f"the saddle's lower panel is {panels['distance']['type']} titled "
                        f"{panels['distance']['title']!r}")
    for name, panel in panels.items():
        flat = {key: span for key, span in panel["spans"].items() if span < 0.2}
        if not {"sgd", "adam"} <= set(panel["spans"]) or flat:
            problems.append(f"{name} curves that use less than a fifth of the panel's height: {panel['spans']}")
    return problems


# ---------------------------------------------------------------------------------------------
# 10. The smaller ones.


def test_a_diverged_racer_is_marked_at_the_step_that_blew_up_and_warned_about_once(page: Page):
    link = {"surface": "rosenbrock", "opt": "sgd", "sgd.lr": "0.05", "steps": "30"}
    state, _ = decode(link)
    at = int(np.ravel(execute(request_for(state, state.racers[0])).trajectory.diverged_at)[0])
    assert 1 <= at < 30
    frame = open_race(page, link)
    expect(frame.locator(".rv-badge")).to_have_text(f"✕ diverged at step {at}")
    head = "() => document.querySelector('.rv-map').data.find(t => t.name === 'now').marker.symbol[0]"
    frame.locator("[data-testid=rv-first]").click()
    while shown_step(frame)[1] < at - 1:
        frame.locator("[data-testid=rv-forward]").click()
    assert shown_step(frame)[1] == at - 1 and frame.evaluate(head) == "circle"
    frame.locator("[data-testid=rv-forward]").click()
    assert shown_step(frame)[1] == at and frame.evaluate(head) == "x"
    expect(page.get_by_text(f"diverged at step {at}: try a smaller learning rate")).to_have_count(1)
    assert len([text for text in alerts(page, "Warning") if "diverged" in text]) == 1
    shot(page, "diverged")


def test_on_a_phone_the_sidebar_starts_closed_and_the_charts_are_visible(sized):
    page = sized(390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)
    frame = open_race(page)
    sidebar = page.locator(SIDEBAR)
    box = sidebar.bounding_box()
    assert sidebar.get_attribute("aria-expanded") == "false" or box is None or box["x"] + box["width"] <= 1, box
    frame_box = page.locator(RACE_VIEW).bounding_box()
    assert frame_box["x"] >= 0 and frame_box["x"] + frame_box["width"] <= 390, frame_box
    charts = frame.evaluate("""() => ['.rv-map', '.rv-sheet', '.rv-curves'].map(s => {
        const r = document.querySelector(s).getBoundingClientRect();
        return {chart: s, width: r.width, height: r.height, right: r.right,
                drawn: !!document.querySelector(s + ' .main-svg')}; })""")
    for chart in charts:
        assert chart["drawn"] and chart["width"] > 250 and chart["height"] > 150, chart
        assert chart["right"] <= frame_box["width"] + 1, chart
    assert map_axes(frame)["w"] > 250
    page.locator(RACE_VIEW).scroll_into_view_if_needed()
    shot(page, "phone")


def test_eight_racers_get_eight_distinct_looks_in_two_rows(sized):
    page = sized(1440, 900)
    keys = "sgd,sgd-2,momentum,nesterov,adam,rmsprop,adagrad,adamw"
    frame = open_race(page, f"surface=rosenbrock&opt={keys}&steps=200")
    looks = frame.evaluate("() => document.querySelector('.rv-map').data.filter(t => t.legendgroup)"
                           ".map(t => t.line.color + ' ' + (t.line.dash || 'solid'))")
    assert len(looks) == 8 and len(set(looks)) == 8, looks
    chips = frame.locator("[data-testid=rv-chip]")
    expect(chips).to_have_count(8)
    rows = {round(chip.bounding_box()["y"]) for chip in chips.all()}
    assert len(rows) <= 2, rows
    shot(page, "eight_racers")


def trails(frame: Frame) -> list:
    return frame.evaluate("() => document.querySelector('.rv-map').data.filter(t => t.legendgroup)"
                          ".map(t => [t.legendgroup, Array.from(t.x), Array.from(t.y)])")


def test_a_copied_link_reproduces_the_same_race(page: Page, new_tab):
    frame = open_race(page, encode(LESSONS["valley"].state()))
    before = spec_id(frame)
    click_map(page, frame, -1, 2.5)  # a start of the visitor's own, so the link is not the lesson's
    start_is(page, -1, 2.5, 0.1)
    mine = trails(drawn(page, before))
    other = new_tab()
    again = trails(open_race(other, urlsplit(page.url).query))
    assert [key for key, *_ in again] == [key for key, *_ in mine]
    for (key, x, y), (_, x_again, y_again) in zip(mine, again, strict=True):
        assert len(x_again) == len(x), key
        # The link carries the start to ten digits: the same race, to within a hair of a pixel.
        gap = float(np.max(np.abs(np.subtract([x, y], [x_again, y_again]))))
        assert gap < 1e-4, f"{key}'s trail from the copied link is {gap:.3g} away from the original"
    shot(other, "copied_link")


def test_the_downloaded_page_plays_offline(page: Page, tmp_path):
    frame = open_race(page, encode(LESSONS["momentum"].state()))
    total = shown_step(frame)[1]
    with page.expect_download() as download:
        page.get_by_role("button", name="Interactive page (HTML)").click()
    saved = tmp_path / "race.html"
    download.value.save_as(saved)
    page.goto(saved.as_uri())
    page.locator(".rv-map .main-svg").first.wait_for(timeout=RENDER_MS)
    page.locator("[data-testid=rv-first]").click()
    page.locator("[data-testid=rv-forward]").click()
    assert page.locator("[data-testid=rv-step]").inner_text() == f"step 1 of {total}"
    shot(page, "export_html")


def test_readme_screenshot(sized):
    page = sized(1440, 900)
    open_race(page, encode(LESSONS["valley"].state()))
    page.wait_for_timeout(1500)  # the 3-D view paints last
    shot(page, "readme")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        shutil.copyfile(SCREENSHOTS / "readme.png", ROOT / "docs" / "screenshot.png")
