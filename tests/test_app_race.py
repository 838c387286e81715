"""AppTest: the race page driven widget by widget, without a browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lab.codec import encode
from lab.lessons import DEFAULT_LESSON, LESSONS
from landscapes import SURFACES

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def fresh(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return ok(at.run())


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def url(at: AppTest) -> dict[str, str]:
    return {key: (value[-1] if isinstance(value, list) else value) for key, value in at.query_params.items()}


def race_view(at: AppTest):
    (element,) = [e for e in at.get("component_instance") if getattr(e, "key", None) == "raceview"] or \
        [e for e in at.main if getattr(e, "key", None) == "raceview"]
    return element


def test_first_load_shows_the_first_lesson_and_writes_it_to_the_url():
    at = fresh()
    assert url(at) == encode(LESSONS[DEFAULT_LESSON].state())
    assert any(LESSONS[DEFAULT_LESSON].topic in md.value for md in at.markdown)
    assert not at.warning  # no notice on a clean page
    assert at.session_state["lesson_pick"] == DEFAULT_LESSON


def test_a_handwritten_link_opens_without_a_notice_and_a_bad_one_with_one_naming_every_bad_value():
    at = fresh({"surface": "rosenbrock", "opt": "sgd,momentum,adam", "adam.lr": "0.05"})
    assert not at.warning
    assert url(at)["adam.lr"] == "0.05" and url(at)["surface"] == "rosenbrock"
    at = fresh({"surface": "rosenbrock", "opt": "sgd,bogus", "steps": "x", "sgd.lr": "-1", "zzz": "1"})
    (warning,) = at.warning
    for fragment in ("bogus", "steps='x'", "sgd.lr='-1'", "zzz"):
        assert fragment in warning.value
    assert url(at)["surface"] == "rosenbrock"


@pytest.mark.parametrize("surface", [name for name in SURFACES if name != "ravine"])
def test_switching_surface_applies_its_recommended_settings_with_an_undo(surface):
    at = fresh()
    at.sidebar.selectbox(key="surface").set_value(surface).run()
    ok(at)
    recommended = SURFACES[surface].recommended.get("sgd", {})
    state = at.session_state["page_state"]
    assert state.surface == surface and state["start"] == tuple(SURFACES[surface].start)
    for name, value in recommended.items():
        assert state.racers[0].hyper[name] == value
    if recommended:
        assert any("recommended settings" in info.value for info in at.info)
        at.button(key="undo_surface").click().run()
        ok(at)
        assert at.session_state["page_state"].racers[0].hyper["lr"] == 0.9
        assert at.session_state["page_state"].surface == surface


def test_an_optimizer_can_race_itself():
    at = fresh({"surface": "ravine", "opt": "sgd", "sgd.lr": "0.01"})
    at.button(key="sgd.copy").click().run()
    ok(at)
    assert url(at)["opt"] == "sgd,sgd-2"
    at.sidebar.select_slider(key="sgd-2.lr").set_value(0.1).run()
    ok(at)
    assert url(at)["sgd-2.lr"] == "0.1" and url(at)["sgd.lr"] == "0.01"
    at.sidebar.selectbox(key="add_racer").set_value("adam")
    at.button(key="add_racer_button").click().run()
    ok(at)
    assert url(at)["opt"] == "sgd,sgd-2,adam"
    at.button(key="sgd.remove").click().run()
    ok(at)
    assert url(at)["opt"] == "sgd-2,adam"


@pytest.mark.parametrize("lesson", list(LESSONS))
def test_every_lesson_loads_in_one_click_and_its_next_step_in_another(lesson):
    at = fresh({"surface": "saddle"})
    at.pills(key="lesson_pick").set_value(lesson).run()
    ok(at)
    assert at.session_state["page_state"] == LESSONS[lesson].state()
    assert any(LESSONS[lesson].topic in md.value for md in at.markdown)
    if LESSONS[lesson].try_next is not None:
        at.button(key="try_next").click().run()
        ok(at)
        assert LESSONS[lesson].stage(at.session_state["page_state"]) == "next"
        assert any(LESSONS[lesson].try_next.text in md.value for md in at.markdown)


def test_a_click_on_the_map_moves_the_start_even_to_the_same_point_twice():
    at = fresh()
    at.session_state["raceview"] = {"kind": "start", "x": 5.0, "y": -2.0, "nonce": 1}
    ok(at.run())
    assert url(at)["start"] == "5,-2"
    at.number_input(key="start#0").set_value(-9.0).run()
    ok(at)
    assert url(at)["start"] == "-9,-2"
    at.session_state["raceview"] = {"kind": "start", "x": 5.0, "y": -2.0, "nonce": 2}
    ok(at.run())
    assert url(at)["start"] == "5,-2"


def test_back_and_forward_show_what_the_address_bar_says():
    at = fresh({"surface": "himmelblau", "opt": "adam"})
    at.sidebar.selectbox(key="surface").set_value("beale").run()
    assert url(at)["surface"] == "beale"
    # The browser's Back button: Streamlit reruns the page with the previous address.
    at.query_params.clear()
    at.query_params.update({"surface": "himmelblau", "opt": "adam"})
    ok(at.run())
    assert at.session_state["page_state"].surface == "himmelblau"
    assert at.sidebar.selectbox(key="surface").value == "himmelblau"


def test_the_race_at_slash_race_is_the_same_race_with_every_widget_kept():
    # "/" and "/race" serve the same page file under two addresses; Streamlit forgets the
    # widgets' values when one gives way to the other, so the page must seed them again.
    link = {"surface": "rosenbrock", "opt": "sgd,adam", "adam.lr": "0.05", "steps": "700", "start": "-1.2,1.5"}
    at = fresh(link)
    before = url(at)
    at.switch_page("app_pages/race.py")  # AppTest picks the page whose address matches the file: "/race"
    ok(at.run())
    assert url(at) == before
    assert at.sidebar.selectbox(key="surface").value == "rosenbrock"
    assert at.sidebar.number_input(key="start#0").value == -1.2
    assert at.session_state["page_state"]["steps"] == 700


def test_presentation_mode_hides_the_controls_but_keeps_the_lesson():
    at = fresh({**encode(LESSONS["momentum"].state()), "present": "1"})
    assert len(at.sidebar.selectbox) == 0
    assert any(LESSONS["momentum"].topic in md.value for md in at.markdown)
    at.button(key="leave_present").click().run()
    ok(at)
    assert url(at).get("present") is None and len(at.sidebar.selectbox) > 0


def test_a_folded_inspector_costs_nothing_and_inspect_this_step_opens_it():
    at = fresh()
    assert not at.get("plotly_chart") and "istep" not in [s.key for s in at.slider]
    at.session_state["raceview"] = {"kind": "inspect", "step": 5, "nonce": 3}
    ok(at.run())
    assert at.session_state["inspector_open"] is True and at.slider(key="istep").value == 5
    assert len(at.get("plotly_chart")) == 1


def test_the_inspector_follows_the_player_and_writes_its_step_to_the_url():
    at = fresh()
    at.session_state["raceview"] = {"kind": "inspect", "step": 12, "nonce": 7}
    ok(at.run())
    assert at.slider(key="istep").value == 12 and url(at)["istep"] == "12"
    at.slider(key="istep").set_value(30).run()
    ok(at)
    assert url(at)["istep"] == "30"
    assert any("SGD" in md.value for md in at.markdown)


def test_picking_a_racer_in_the_inspector_shows_its_rule_and_numbers_and_writes_it_to_the_url():
    at = fresh({"surface": "ravine", "opt": "sgd,rmsprop", "inspect": "sgd"})
    at.session_state["inspector_open"] = True
    ok(at.run())
    picker = at.selectbox(key="inspect")
    assert picker.value == "sgd" and picker.options == ["SGD, lr = 0.001", "RMSprop, lr = 0.01"]
    picker.select("rmsprop").run()
    ok(at)
    assert url(at)["inspect"] == "rmsprop"
    assert any(md.value.startswith("**RMSprop**: Adagrad with a fading memory") for md in at.markdown)
    # Its state after step 1 from (-7, 2), where g = (x/10, 2y) = (-0.7, 4): square_avg = (1 - 0.99) g²,
    # and the update -lr g / sqrt(square_avg) is 0.01 x 10 per coordinate, against the slope.
    table = at.markdown[-1].value
    assert "| square\\_avg | 0.0049 | 0.16 |" in table and "| update | 0.1 | -0.1 |" in table


def test_tuning_gives_every_racer_its_best_rate_and_shows_the_curves():
    at = fresh({"surface": "ravine", "opt": "sgd,momentum", "steps": "80"})
    at.button(key="tune").click().run()
    ok(at)
    assert url(at)["sgd.lr"] != "0.001" and "momentum.lr" in url(at)
    (message,) = at.success
    assert "SGD → lr" in message.value
    assert len(at.get("plotly_chart")) == 1


def test_a_students_own_function_is_drawn_and_a_bad_one_is_explained_without_losing_the_last_good_one():
    at = fresh({"surface": "custom", "custom.text": "x^2 + 3*y^2", "opt": "adam"})
    assert not at.warning
    assert url(at)["custom.text"] == "x**2 + 3*y**2"
    at.sidebar.text_input(key="custom.text").set_value("x + z").run()
    assert not at.exception
    (error,) = at.sidebar.error
    assert "unknown name 'z' at column 5" in error.value
    assert url(at)["custom.text"] == "x**2 + 3*y**2"  # the page keeps the last formula that worked
    at.sidebar.text_input(key="custom.text").set_value("__import__('os').system('ls')").run()
    assert not at.exception and "not allowed" in at.sidebar.error[0].value
    at.sidebar.text_input(key="custom.text").set_value("sin(x) + y**2").run()
    ok(at)
    assert url(at)["custom.text"] == "sin(x) + y**2"


def test_a_link_with_a_bad_formula_names_it_and_draws_the_default_function():
    at = fresh({"surface": "custom", "custom.text": "x +* y", "opt": "sgd"})
    (warning,) = at.warning
    assert "custom.text=" in warning.value and "Invalid formula" in warning.value
    assert at.session_state["page_state"].surface_params["text"] == "x**4/40 - x**2/2 + y**2/4"


def test_the_surface_note_and_its_undo_leave_with_the_surface_when_back_returns_to_the_earlier_link():
    # Seen in Chromium: after Back from Himmelblau the ravine's page still said "Switched to
    # Himmelblau ... Undo". The note belongs to the surface it switched to, and returns with Forward.
    at = fresh()
    before = url(at)
    at.sidebar.selectbox(key="surface").set_value("himmelblau").run()
    ok(at)
    after = url(at)
    assert any(info.value.startswith("Switched to Himmelblau") for info in at.info)
    for link, surface, noted in ((before, "ravine", False), (after, "himmelblau", True)):
        at.query_params.clear()
        for key, value in link.items():
            at.query_params[key] = value
        ok(at.run())
        assert at.session_state["page_state"].surface == surface
        assert any(info.value.startswith("Switched to") for info in at.info) is noted
        assert any(getattr(button, "key", None) == "undo_surface" for button in at.button) is noted
