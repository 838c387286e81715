"""The race view's spec: roles that point at the right traces, frames that match the runs, no NaN."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

from landscapes import SURFACES
from optimizers import run
from viz.curves import _decade_ticks, curves_figure
from viz.paths import path_view
from viz.player import frame_steps, race_spec, spec_json
from viz.race_map import display_aspect


def unpack(b64: str, racers: int) -> np.ndarray:
    return np.frombuffer(base64.b64decode(b64), dtype="<f4").reshape(racers, -1)


def views(surface="rosenbrock", steps=50):
    s = SURFACES[surface]
    adam = path_view(run("adam", s, steps=steps, lr=0.05), s, "Adam", "#D55E00", name="adam")
    sgd = path_view(run("sgd", s, steps=steps, lr=0.001), s, "SGD", "#0072B2", name="sgd", dash="dash")
    return s, [adam, sgd]


def test_every_step_is_a_frame_up_to_the_cap_then_an_even_sample_with_a_note():
    steps, note = frame_steps(60, 1000)
    assert steps.tolist() == list(range(61)) and note == ""
    steps, note = frame_steps(1000, 1000)
    assert len(steps) == 1001 and note == ""
    steps, note = frame_steps(5000, 1000)
    assert steps[0] == 0 and steps[-1] == 5000 and len(steps) <= 1001 and np.all(np.diff(steps) == 5)
    assert "every 5th step of 5,000" in note


def test_roles_point_at_the_traces_the_player_moves():
    s, paths = views()
    spec = race_spec(s, paths, s.start, total_steps=50)
    roles = spec["roles"]
    map_data = spec["map"]["data"]
    assert map_data[0]["type"] == "contour"
    assert [map_data[i]["legendgroup"] for i in roles["map_trails"]] == ["adam", "sgd"]
    assert map_data[roles["map_heads"]]["name"] == "now" and map_data[roles["map_start"]]["name"] == "start"
    assert spec["sheet"]["data"][roles["sheet_heads"]]["type"] == "scatter3d"
    assert [spec["curves"]["data"][h["trace"]]["name"] for h in roles["curve_heads"]] == ["now", "now"]
    assert {h["field"] for h in roles["curve_heads"]} == {"loss", "dist"}


def test_frames_hold_each_racers_point_at_each_step_exactly_as_the_engine_gave_it():
    s, paths = views()
    spec = race_spec(s, paths, s.start, total_steps=50)
    x = unpack(spec["frames"]["fields"]["x"], 2)
    loss = unpack(spec["frames"]["fields"]["loss"], 2)
    assert x.shape == (2, 51)
    np.testing.assert_allclose(x[0], paths[0].xy[:, 0], rtol=1e-6)
    np.testing.assert_allclose(loss[1], paths[1].loss, rtol=1e-6)
    step = unpack(spec["arrows"]["step"], 2).reshape(2, 51, 2)
    np.testing.assert_allclose(step[0, :-1], np.diff(paths[0].xy, axis=0), rtol=1e-5, atol=1e-7)
    assert np.all(step[0, -1] == 0)


def test_a_diverged_racer_holds_its_last_finite_point():
    s = SURFACES["rosenbrock"]
    blown = path_view(run("sgd", s, steps=30, lr=0.05), s, "SGD", "#000", name="sgd")
    assert blown.diverged
    spec = race_spec(s, [blown], s.start, total_steps=30)
    (racer,) = spec["racers"]
    assert racer["diverged_at"] == blown.diverged_at and racer["last_step"] == blown.diverged_at - 1
    x = unpack(spec["frames"]["fields"]["x"], 1)[0]
    assert np.all(x[blown.diverged_at:] == x[blown.diverged_at - 1])
    assert "diverged at step" in racer["status"]


@pytest.mark.parametrize("surface", list(SURFACES))
def test_the_spec_is_finite_json_on_every_surface(surface):
    s, paths = views(surface, steps=20)
    text = spec_json(race_spec(s, paths, s.start, total_steps=20))
    json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in the spec"))
    spec = json.loads(text)
    for name, b64 in spec["frames"]["fields"].items():
        assert np.all(np.isfinite(unpack(b64, 2))), name


def test_the_map_is_drawn_to_scale_unless_the_window_is_a_sliver():
    assert display_aspect(SURFACES["ravine"]) == pytest.approx(8 / 20)
    assert display_aspect(SURFACES["rosenbrock"]) == pytest.approx(1.0)


def test_an_escape_far_below_the_map_keeps_the_other_loss_curves_readable():
    saddle = SURFACES["saddle"]  # f = y² - x² on [-2, 2]²: the map shows f from -4 to 4
    near = path_view(run("sgd", saddle, start=(0.03, 0.5), steps=40, lr=0.05), saddle, "SGD", "#000", name="sgd")
    far = path_view(run("momentum", saddle, start=(0.03, 0.5), steps=40, lr=0.05), saddle, "Momentum", "#111",
                    name="momentum")
    assert far.loss.min() < -1000 and near.loss.min() > -4  # one runs far off the map, one stays on it
    layout = curves_figure(saddle, [near, far])[0]["layout"]["yaxis"]
    low, high = layout["range"]
    assert layout["type"] == "linear" and layout["title"]["text"] == "loss (map's range)"
    # From the map's lowest value (-4 on its 120 x 120 grid, to 3e-4) to the highest loss (the
    # start's 0.2491), with 5 % of that span either side.
    assert low == pytest.approx(-4 - 0.05 * 4.2491, abs=1e-3) and high == pytest.approx(0.2491 + 0.05 * 4.2491, abs=1e-3)
    # While every path stays within the map's values, the axis fits them as Plotly likes.
    assert "range" not in curves_figure(saddle, [near])[0]["layout"]["yaxis"]
    ravine = SURFACES["ravine"]
    positive = path_view(run("sgd", ravine, steps=20, lr=0.1), ravine, "SGD", "#000", name="sgd")
    assert curves_figure(ravine, [positive])[0]["layout"]["yaxis"]["type"] == "log"


def test_log_panels_label_whole_decades_once_they_span_two():
    ravine = SURFACES["ravine"]
    # SGD at lr 0.9 from (-7, 2): x shrinks by 1 - 0.9/10 = 0.91 a step (y faster), so over 60
    # steps the distance spans 60 log10(1/0.91) = 2.5 decades and the loss, 0.91² a step, 5.
    long = path_view(run("sgd", ravine, start=(-7, 2), steps=60, lr=0.9), ravine, "SGD", "#000", name="sgd")
    layout = curves_figure(ravine, [long])[0]["layout"]
    assert layout["yaxis"]["dtick"] == 2 and layout["yaxis2"]["dtick"] == 1
    # 5 steps: the loss spans 0.67 decades and the distance 0.2: 1, 2 and 5, then even steps.
    short = path_view(run("sgd", ravine, start=(-7, 2), steps=5, lr=0.9), ravine, "SGD", "#000", name="sgd")
    layout = curves_figure(ravine, [short])[0]["layout"]
    low, high = min(short.loss), max(short.loss)
    assert all(low <= tick <= high for tick in layout["yaxis"]["tickvals"])
    assert {round(tick / 10 ** math.floor(math.log10(tick))) for tick in layout["yaxis"]["tickvals"]} <= {1, 2, 5}
    distances = layout["yaxis2"]["tickvals"]
    assert 3 <= len(distances) <= 5 and len(set(np.round(np.diff(distances), 9))) == 1  # even steps
    assert layout["yaxis2"]["ticktext"] == [f"{tick:g}" for tick in distances]


def test_ticks_between_decades_are_labelled_in_full():
    # Plotly's "D2" labelled 0.5 as "5", which on the panel read as five below one.
    assert _decade_ticks([np.array([0.3, 3.0])]) == {"tickvals": [0.5, 1.0, 2.0], "ticktext": ["0.5", "1", "2"]}
    assert _decade_ticks([np.array([2e-5, 1e-4])])["ticktext"] == ["2×10<sup>−5</sup>", "5×10<sup>−5</sup>",
                                                                   "10<sup>−4</sup>"]
    # Between 0.11 and 0.26 only 0.2 is a 1, 2 or 5: even steps, then; the same far below 1.
    assert _decade_ticks([np.array([0.11, 0.26])]) == {"tickvals": [0.15, 0.2, 0.25], "ticktext": ["0.15", "0.2", "0.25"]}
    assert _decade_ticks([np.array([4.4, 7.3])]) == {"tickvals": [5.0, 6.0, 7.0], "ticktext": ["5", "6", "7"]}
    assert _decade_ticks([np.array([1.1e-5, 2.6e-5])])["ticktext"] == ["1.5×10<sup>−5</sup>", "2×10<sup>−5</sup>",
                                                                      "2.5×10<sup>−5</sup>"]
