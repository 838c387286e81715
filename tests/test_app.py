"""AppTest: the app driven widget by widget, without a browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lab.presets import PRESETS
from landscapes import SURFACES
from optimizers import OPTIMIZERS

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def fresh(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def qp(at: AppTest) -> dict:
    return {key: (value[-1] if isinstance(value, list) else value) for key, value in at.query_params.items()}


@pytest.fixture(scope="module")
def app() -> AppTest:
    return ok(fresh())


def test_first_load_draws_the_lesson_and_puts_everything_in_the_url(app):
    specs = figures(app)
    assert len(specs) == 4
    contour = specs[0]
    assert contour["data"][0]["type"] == "contour"
    names = {trace.get("name") for trace in contour["data"]}
    assert {"SGD", "SGD + momentum"} <= names
    params = qp(app)
    for name in ("surface", "opt", "start", "steps", "seed", "present", "sgd.lr", "momentum.momentum"):
        assert name in params
    assert params["opt"] == "sgd,momentum" and params["sgd.lr"] == "0.9"
    assert any("Engine" in caption.value and "seed 0" in caption.value for caption in app.caption)


@pytest.mark.parametrize("surface", list(SURFACES))
def test_every_surface_renders(surface):
    at = fresh()
    ok(at.selectbox(key="surface").set_value(surface).run())
    assert qp(at)["surface"] == surface
    start = tuple(float(v) for v in qp(at)["start"].split(","))
    s = SURFACES[surface]
    if surface != "regression":
        assert start == pytest.approx(s.start)
    assert figures(at)[0]["data"][0]["type"] == "contour"


def test_race_of_eight_with_every_optimizers_controls():
    at = fresh()
    names = list(OPTIMIZERS)
    for first in (0, 6):
        race = names[first:first + 8]
        ok(at.multiselect(key="optimizers").set_value(race).run())
        assert qp(at)["opt"] == ",".join(race)
        contour_names = {trace.get("name") for trace in figures(at)[0]["data"]}
        assert {OPTIMIZERS[name].label for name in race} <= contour_names
        # Every hyperparameter widget of every racer exists and writes its URL parameter.
        for name in race:
            assert f"{name}.lr" in qp(at)
            ok(at.select_slider(key=f"hp.{name}.lr").set_value(0.02).run())
            assert qp(at)[f"{name}.lr"] == "0.02"


def test_hyperparameter_widgets_write_the_url_and_reset_restores_pytorch_defaults():
    at = fresh({"surface": "rosenbrock", "opt": "adam"})
    ok(at.select_slider(key="hp.adam.lr").set_value(0.05).run())
    ok(at.select_slider(key="hp.adam.betas.0").set_value(0.8).run())
    ok(at.checkbox(key="hp.adam.amsgrad").check().run())
    ok(at.slider(key="hp.adam.weight_decay").set_value(0.01).run())
    ok(at.select_slider(key="hp.adam.eps").set_value(1e-6).run())
    params = qp(at)
    assert params["adam.lr"] == "0.05" and params["adam.betas"] == "0.8,0.999"
    assert params["adam.amsgrad"] == "1" and params["adam.weight_decay"] == "0.01" and params["adam.eps"] == "1e-06"
    ok(at.button(key="reset.adam").click().run())
    params = qp(at)
    assert params["adam.lr"] == "0.001" and params["adam.betas"] == "0.9,0.999" and params["adam.amsgrad"] == "0"
    assert at.select_slider(key="hp.adam.lr").value == 0.001


def test_lookahead_inner_optimizer_switch():
    at = fresh({"surface": "ravine", "opt": "lookahead"})
    ok(at.selectbox(key="hp.lookahead.inner").set_value("sgd").run())
    params = qp(at)
    assert params["lookahead.inner"] == "sgd" and "lookahead.betas" not in params
    ok(at.slider(key="hp.lookahead.k").set_value(10).run())
    ok(at.slider(key="hp.lookahead.alpha").set_value(0.8).run())
    assert qp(at)["lookahead.k"] == "10" and qp(at)["lookahead.alpha"] == "0.8"


def test_run_settings_widgets():
    at = fresh({"surface": "rosenbrock", "opt": "adam,sgd"})
    ok(at.slider(key="steps").set_value(250).run())
    ok(at.number_input(key="seed").set_value(42).run())
    ok(at.selectbox(key="schedule").set_value("step").run())
    ok(at.select_slider(key="gamma").set_value(0.9).run())
    ok(at.slider(key="step_size").set_value(50).run())
    ok(at.slider(key="warmup").set_value(20).run())
    ok(at.select_slider(key="noise").set_value(0.1).run())
    ok(at.select_slider(key="tol").set_value(0.05).run())
    ok(at.checkbox(key="stop").check().run())
    ok(at.select_slider(key="gtol").set_value(1e-4).run())
    params = qp(at)
    expected = {"steps": "250", "seed": "42", "schedule": "step", "gamma": "0.9", "step_size": "50",
                "warmup": "20", "noise": "0.1", "tol": "0.05", "stop": "1", "gtol": "0.0001"}
    assert {key: params[key] for key in expected} == expected
    assert any("seed 42" in caption.value for caption in at.caption)
    loss = figures(at)[2]
    assert max(max(trace["x"]) if isinstance(trace["x"], list) else 0 for trace in loss["data"]) <= 250


def test_start_point_by_typing_and_by_clicking_the_map():
    at = fresh({"surface": "rosenbrock", "opt": "adam"})
    ok(at.number_input(key="start_x").set_value(0.5).run())
    ok(at.number_input(key="start_y").set_value(-0.5).run())
    assert qp(at)["start"] == "0.5,-0.5"
    at.session_state["contour"] = {"selection": {"points": [{"x": -1.0, "y": 2.5, "curve_number": 1}],
                                                 "point_indices": [0], "box": [], "lasso": []}}
    ok(at.run())
    assert qp(at)["start"] == "-1,2.5"
    adam = next(t for t in figures(at)[0]["data"] if t.get("name") == "Adam")
    assert at.number_input(key="start_x").value == -1.0 and adam["type"] == "scatter"


def test_minibatch_controls_on_the_line_fit():
    at = fresh()
    ok(at.selectbox(key="surface").set_value("regression").run())
    ok(at.slider(key="batch").set_value(10).run())
    ok(at.slider(key="epochs").set_value(3).run())
    ok(at.slider(key="data_noise").set_value(2.5).run())
    params = qp(at)
    assert params["batch"] == "10" and params["epochs"] == "3" and params["data_noise"] == "2.5"
    names = [trace.get("name") for trace in figures(at)[0]["data"]]
    assert "SGD (full batch)" in names and "SGD" in names
    fit = next(fig for fig in figures(at) if any(t.get("name") == "data" for t in fig["data"]))
    fit_names = [trace.get("name") for trace in fit["data"]]
    assert "least-squares fit" in fit_names
    assert any(name.startswith("SGD at step") for name in fit_names)
    # the data chart only belongs to the surface that has data
    ok(at.selectbox(key="surface").set_value("ravine").run())
    assert not any(any(t.get("name") == "data" for t in fig["data"]) for fig in figures(at))


@pytest.mark.parametrize("preset_id", list(PRESETS))
def test_preset_buttons_load_their_lesson(preset_id):
    at = fresh()
    ok(at.button(key=f"preset_{preset_id}").click().run())
    preset = PRESETS[preset_id]
    params = qp(at)
    assert params["surface"] == preset.surface
    assert params["opt"] == ",".join(name for name, _ in preset.optimizers)
    assert not at.warning, [w.value for w in at.warning]  # no lesson diverges by accident
    assert any(preset.blurb[:40] in s.value for s in at.success)
    for name, values in preset.optimizers:
        for knob, value in values.items():
            assert float(params[f"{name}.{knob}"]) == pytest.approx(value)


def test_step_inspector_shows_the_numbers_and_the_update_rule():
    at = fresh({"surface": "rosenbrock", "opt": "adam,sgd", "steps": "100"})
    ok(at.selectbox(key="inspect").set_value("adam").run())
    ok(at.slider(key="istep").set_value(10).run())
    assert qp(at)["inspect"] == "adam" and qp(at)["istep"] == "10"
    table = at.dataframe[-1].value
    assert {"grad", "lr", "update", "exp_avg", "v_hat"} <= set(table["quantity"])
    assert any(OPTIMIZERS["adam"].update_rule in latex.value for latex in at.latex)


def test_divergence_is_reported_beside_the_optimizer():
    at = fresh({"surface": "rosenbrock", "opt": "sgd", "sgd.lr": "0.9"})
    assert not at.exception
    messages = [w.value for w in at.warning]
    assert any("diverged at step" in m and "smaller learning rate" in m for m in messages)
    assert any("diverged at step" in m for m in (w.value for w in at.sidebar.warning))
    assert figures(at)[0]["layout"]["xaxis"]["range"] == list(SURFACES["rosenbrock"].x_range)


def test_malformed_url_gives_notices_not_an_error_page():
    at = ok(fresh({"surface": "atlantis", "opt": "adam,warp", "steps": "-5", "adam.lr": "banana",
                   "start": "nan,nan", "zzz": "1"}))
    notices = " ".join(info.value for info in at.info)
    for fragment in ("Unknown surface", "Unknown optimizer", "steps=", "adam.lr=", "start=", "Ignored unknown"):
        assert fragment in notices
    params = qp(at)
    assert params["surface"] == "ravine" and params["opt"] == "adam" and params["adam.lr"] == "0.001"
    assert len(figures(at)) == 4


def test_shared_url_restores_the_same_view():
    first = fresh()
    ok(first.button(key="preset_saddle").click().run())
    ok(first.select_slider(key="hp.adam.lr").set_value(0.1).run())
    shared = qp(first)
    second = ok(fresh(shared))
    assert qp(second) == shared
    assert not second.info  # a link the app wrote needs no notice
    strip = lambda spec: [(t.get("name"), t.get("x"), t.get("y")) for t in spec["data"]]  # noqa: E731
    assert strip(figures(second)[0]) == strip(figures(first)[0])


def test_presentation_mode_hides_controls_and_enlarges_charts():
    at = ok(fresh({"surface": "rosenbrock", "opt": "adam", "present": "1"}))
    assert not at.sidebar.selectbox and not at.sidebar.multiselect
    assert figures(at)[0]["layout"]["height"] > 600
    assert qp(at)["present"] == "1"
    ok(at.button(key="exit_present").click().run())
    assert qp(at)["present"] == "0" and at.sidebar.selectbox(key="surface").value == "rosenbrock"
    ok(at.checkbox(key="present").check().run())
    assert qp(at)["present"] == "1"


def test_empty_race_asks_for_an_optimizer():
    at = fresh()
    ok(at.multiselect(key="optimizers").set_value([]).run())
    assert any("at least one optimizer" in w.value for w in at.warning)
