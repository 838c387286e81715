"""AppTest: the sweep, stability and basin pages, and a student's own function on every page."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from landscapes import SURFACES
from optimizers.theory import quadratic

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ("app_pages/race.py", "app_pages/sweep.py", "app_pages/stability.py", "app_pages/basins.py")


def opened(page: str, params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def click(at: AppTest, key: str, x: float, y: float) -> AppTest:
    at.session_state[key] = {"selection": {"points": [{"x": x, "y": y}], "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def url(at: AppTest) -> dict[str, str]:
    return {key: (value[-1] if isinstance(value, list) else value) for key, value in at.query_params.items()}


def numbers(value) -> np.ndarray:
    """A figure's array: a plain list, or Plotly's base64 typed array."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value, dtype=float)


def figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def test_a_sweep_maps_two_settings_and_a_click_races_at_a_cell():
    at = opened("app_pages/sweep.py", {"surface": "ravine", "opt": "momentum", "steps": "100", "sweep_x": "lr",
                                       "sweep_y": "momentum", "sweep_x_range": "0.001,1", "sweep_y_range": "0,0.99",
                                       "sweep_n": "20"})
    spec = figure(at)
    heat = next(t for t in spec["data"] if t["type"] == "heatmap")
    assert len(heat["x"]) == 20 and len(heat["y"]) == 20
    assert url(at)["sweep_y"] == "momentum" and url(at)["sweep_n"] == "20"
    click(at, "sweep_map", 0.3, 0.5)
    assert url(at)["momentum.lr"] == "0.3" and url(at)["momentum.momentum"] == "0.5"
    assert "sweep_n" not in url(at)  # back on the race page, whose link is its own


@pytest.mark.parametrize(("optimizer", "side"), [("momentum", "momentum"), ("adam", "betas[0]"), ("rmsprop", "alpha"),
                                                ("sgd", "weight_decay")])
def test_a_sweep_varies_the_optimizers_own_setting_up_the_side_unless_told(optimizer, side):
    at = opened("app_pages/sweep.py", {"surface": "ravine", "opt": optimizer, "steps": "50", "sweep_n": "8"})
    assert url(at)["sweep_y"] == side
    assert figure(at)["layout"]["yaxis"]["title"]["text"] == side


def test_a_sweep_of_adams_beta1_races_at_the_clicked_pair():
    at = opened("app_pages/sweep.py", {"surface": "rosenbrock", "opt": "adam", "steps": "100", "sweep_n": "10",
                                       "adam.betas": "0.9,0.99"})
    ys = numbers(next(t for t in figure(at)["data"] if t["type"] == "heatmap")["y"])
    assert ys.max() < 1 and ys.min() == 0
    click(at, "sweep_map", 0.01, 0.5)
    assert url(at)["adam.lr"] == "0.01" and url(at)["adam.betas"] == "0.5,0.99"


def test_a_sweep_over_the_budget_is_coarser_and_says_so():
    at = opened("app_pages/sweep.py", {"surface": "ravine", "opt": "sgd", "steps": "5000", "sweep_n": "100"})
    (note,) = at.info
    assert "per axis" in note.value
    heat = next(t for t in figure(at)["data"] if t["type"] == "heatmap")
    assert len(heat["x"]) == int((20_000_000 / 5000) ** 0.5)


def test_stability_on_the_ravine_states_theory_and_races_at_its_best():
    at = opened("app_pages/stability.py", {"surface": "ravine", "opt": "sgd", "steps": "200", "sweep_n": "20"})
    text = " ".join(m.value for m in at.markdown)
    assert "0.1 and 2" in text and "20" in text and "1.336" in text and "0.4026" in text
    spec = figure(at, 1)
    boundary = next(t for t in spec["data"] if t.get("name") == "theory: convergence boundary")
    lr, momentum = numbers(boundary["x"]), numbers(boundary["y"])
    np.testing.assert_allclose(lr, quadratic(SURFACES["ravine"].hessian).momentum_max_lr(momentum))
    assert lr[0] == pytest.approx(1.0)  # lr < 2 (1 + 0) / 2 without momentum
    star = next(t for t in spec["data"] if t.get("name") == "theory's optimum")
    assert star["x"][0] == pytest.approx(1.3364, rel=1e-3) and star["y"][0] == pytest.approx(0.4024, rel=1e-3)
    at.button(key="race_best").click().run()
    assert not at.exception
    assert url(at)["opt"] == "sgd,momentum" and url(at)["momentum.lr"] == "1.336"


def test_stability_needs_a_quadratic_and_offers_one():
    at = opened("app_pages/stability.py", {"surface": "rosenbrock", "opt": "adam"})
    assert "quadratic" in at.info[0].value
    at.button(key="to_custom").click().run()
    assert not at.exception
    assert url(at)["surface"] == "custom" and url(at)["custom.text"] == "x**2/20 + y**2"
    assert len(at.get("plotly_chart")) == 2  # the eigen-directions and the map


@pytest.mark.parametrize("colour", ["where it settles", "final loss", "steps to arrive", "escape direction"])
def test_basins_of_himmelblau_in_every_colouring(colour):
    at = opened("app_pages/basins.py", {"surface": "himmelblau", "opt": "sgd", "sgd.lr": "0.01", "steps": "200",
                                        "basin_n": "30", "basin_color": colour})
    assert len(at.get("plotly_chart")) == 1
    keys = [html.proto.body for html in at.get("html") if "category-key" in html.proto.body]
    if colour == "where it settles":  # named in a key under the map; the other colourings have a colour bar
        assert len(keys) == 1 and keys[0].count("minimum (") == 4
    else:
        assert not keys


def test_a_click_on_a_basin_map_races_from_that_start():
    at = opened("app_pages/basins.py", {"surface": "himmelblau", "opt": "sgd", "sgd.lr": "0.01", "basin_n": "20"})
    click(at, "basin_map", 2.5, -1.5)
    assert url(at)["start"] == "2.5,-1.5" and "basin_n" not in url(at)


@pytest.mark.parametrize("page", PAGES)
def test_a_students_own_function_works_on_every_page(page):
    at = opened(page, {"surface": "custom", "custom.text": "x**2/20 + y**2 + sin(x)", "opt": "adam", "steps": "100",
                       "sweep_n": "10", "basin_n": "20"})
    assert not at.error
    assert url(at)["custom.text"] == "x**2/20 + y**2 + sin(x)"


def test_the_sweeps_caption_names_the_best_cell_by_what_the_map_shows():
    params = {"surface": "ravine", "opt": "momentum", "steps": "100", "sweep_x": "lr", "sweep_y": "momentum",
              "sweep_x_range": "0.01,1", "sweep_y_range": "0,0.9", "sweep_n": "10"}
    at = opened("app_pages/sweep.py", {**params, "sweep_metric": "steps to arrive"})
    heat = next(t for t in figure(at)["data"] if t["type"] == "heatmap")
    steps = numbers(heat["z"]).reshape(10, 10)  # z is (y, x)
    fewest = int(np.nanmin(steps))
    row, column = np.argwhere(steps == fewest)[0]
    caption = next(c.value for c in at.caption if "Red cells" in c.value)
    assert f"The fewest steps to arrive, {fewest}, are at lr = {numbers(heat['x'])[column]:.3g}" in caption
    # Rates from 4 to 10 where the steep side (curvature 2) allows under (1 + momentum): all diverge.
    at = opened("app_pages/sweep.py", {**params, "sweep_x_range": "4,10", "sweep_y_range": "0,0.5"})
    caption = next(c.value for c in at.caption if "Red cells" in c.value)
    assert "Every setting diverged." in caption and "inf" not in caption


def test_a_link_naming_an_axis_without_its_range_sweeps_that_settings_own_range():
    # Before, the range defaulted to (0, 0.5) whatever the axis, and momentum was cut at 0.4995.
    at = opened("app_pages/sweep.py", {"surface": "ravine", "opt": "momentum", "steps": "50", "sweep_x": "lr",
                                       "sweep_y": "momentum", "sweep_n": "10"})
    heat = next(t for t in figure(at)["data"] if t["type"] == "heatmap")
    momenta = numbers(heat["y"])
    assert momenta[0] == 0 and momenta[-1] > 0.95
    low, high = (float(v) for v in url(at)["sweep_y_range"].split(","))  # the link now holds it
    assert low == 0 and high == pytest.approx(momenta[-1], rel=1e-3)
