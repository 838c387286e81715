"""Every surface brings settings that suit every optimizer: at them, from the surface's start and
within its run length, each optimizer reaches the surface's goal without blowing up, and the
surface's lesson shows (bench/tune_recommended.py finds the settings)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from landscapes import SURFACES, make_regression
from landscapes.base import GOALS, Surface
from landscapes.goals import reached, steps_to_goal
from optimizers import OPTIMIZERS, run

CASES = [(surface, optimizer) for surface in SURFACES for optimizer in OPTIMIZERS]
MAX_RUN_LENGTH = 5000  # the longest race the app runs


def knobs_of(optimizer: str) -> dict:
    """Every keyword the optimizer takes: a wrapper takes its inner optimizer's too."""
    spec = OPTIMIZERS[optimizer]
    knobs = dict(spec.knobs())
    if spec.wraps_inner:
        knobs.update(OPTIMIZERS[spec.defaults()["inner"]].knobs())
    return knobs


def run_at_recommended(surface: Surface, optimizer: str):
    return run(optimizer, surface, steps=surface.steps, **surface.recommended[optimizer])


@cache
def recommended_run(surface: str, optimizer: str):
    """A registered surface's run at its recommended settings, shared by the tests below."""
    return run_at_recommended(SURFACES[surface], optimizer)


@pytest.mark.parametrize("surface", list(SURFACES))
def test_a_surface_recommends_settings_for_every_optimizer_a_run_length_and_a_goal(surface):
    s = SURFACES[surface]
    assert set(s.recommended) == set(OPTIMIZERS)
    assert s.goal in GOALS
    assert isinstance(s.steps, int) and 1 <= s.steps <= MAX_RUN_LENGTH


@pytest.mark.parametrize(("surface", "optimizer"), CASES)
def test_recommended_knobs_are_real_readable_and_inside_the_widgets_range(surface, optimizer):
    settings = SURFACES[surface].recommended[optimizer]
    knobs = knobs_of(optimizer)
    assert "lr" in settings
    for name, value in settings.items():
        assert name in knobs, f"{optimizer} has no knob {name!r}"
        info = knobs[name][1]
        if info.kind == "optimizer":
            assert value in OPTIMIZERS and not OPTIMIZERS[value].wraps_inner
            continue
        if info.kind == "bool":
            assert isinstance(value, bool)
            continue
        for number in np.ravel(value):
            assert info.ui_low <= number <= info.ui_high, f"{optimizer} {name}={number} outside the widget's range"
            # A decay rate reads by its distance from 1 (0.999), every other number by itself.
            shown = round(1.0 - number, 12) if info.kind == "betas" else number
            assert float(f"{shown:.2g}") == shown, f"{optimizer} {name}={number}: not a round number"


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_an_optimizer_names_the_same_knobs_on_every_surface(optimizer):
    # The app merges a surface's settings over a racer's: the same knobs everywhere means a switch
    # of surface always lands on the settings tested here, whatever the previous surface set.
    named = {surface: set(s.recommended[optimizer]) for surface, s in SURFACES.items()}
    assert len({frozenset(knobs) for knobs in named.values()}) == 1, named


@pytest.mark.parametrize(("surface", "optimizer"), CASES)
def test_at_its_recommended_settings_an_optimizer_reaches_the_surfaces_goal(surface, optimizer):
    s = SURFACES[surface]
    trajectory = recommended_run(surface, optimizer)
    assert trajectory.diverged_at < 0, f"{optimizer} on {surface} blew up at step {trajectory.diverged_at}"
    assert steps_to_goal(s, trajectory.xy, trajectory.diverged_at) >= 0, (
        f"{optimizer} on {surface} ends at {trajectory.final_xy} ({s.goal}, tol {s.goal_tol})")


@pytest.mark.parametrize("surface", list(SURFACES))
def test_the_goal_fits_the_window_and_the_start_is_not_already_there(surface):
    s = SURFACES[surface]
    start = np.array([s.start])
    assert not reached(s, start)[0]
    if s.goal == "minimum":
        assert 0 < s.goal_tol <= 0.025 * (s.x_range[1] - s.x_range[0])
    elif s.goal == "escape":
        assert s.goal_tol < 0 < s.value(start)[0] - s.goal_tol
    else:
        assert s.goal_tol > 0


@pytest.mark.parametrize("noise", [0.0, 5.0, 30.0])
def test_the_line_fit_recommends_the_same_settings_for_any_noise_and_they_work(noise):
    s = make_regression(noise=noise)
    assert s.recommended == SURFACES["regression"].recommended and s.steps == SURFACES["regression"].steps
    for optimizer in OPTIMIZERS:
        trajectory = run_at_recommended(s, optimizer)
        assert steps_to_goal(s, trajectory.xy, trajectory.diverged_at) >= 0, (optimizer, noise)


def test_on_the_ravine_sgd_zigzags_a_little_and_adam_does_not():
    sgd = recommended_run("ravine", "sgd").xy[:6, 1]
    assert np.all(np.diff(np.sign(sgd)) != 0)  # across the valley floor on every step ...
    assert np.all(np.abs(sgd[1:]) < np.abs(sgd[:-1]))  # ... and a little less each time
    adam = recommended_run("ravine", "adam").xy[:30, 1]
    assert np.sum(np.diff(np.sign(adam)) != 0) <= 1


def test_in_rosenbrocks_valley_adam_walks_along_the_floor_and_sgd_first_bounces_off_the_walls():
    def off_floor(optimizer: str) -> tuple[int, np.ndarray]:
        xy = recommended_run("rosenbrock", optimizer).xy
        off = np.abs(xy[:, 1] - xy[:, 0] ** 2)
        return int(np.argmax(off < 0.05)), off

    on_floor, off = off_floor("adam")
    assert on_floor <= 10 and off[on_floor:].max() < 0.2
    on_floor, off = off_floor("sgd")
    assert off[:on_floor].max() > 1.0


def test_at_the_saddle_sgd_lingers():
    saddle = SURFACES["saddle"]
    near, escape = {}, {}
    for optimizer in OPTIMIZERS:
        trajectory = recommended_run("saddle", optimizer)
        near[optimizer] = int(np.sum(np.linalg.norm(trajectory.xy, axis=1) < 0.5))
        escape[optimizer] = int(np.argmax(trajectory.loss <= saddle.goal_tol))
    others = [name for name in OPTIMIZERS if name != "sgd"]
    assert near["sgd"] >= 2 * max(near[name] for name in others)
    assert escape["sgd"] >= 1.5 * max(escape[name] for name in others)


@pytest.mark.parametrize(("surface", "where"), [("rastrigin", (2.98, 1.99)), ("himmelblau", (-2.81, 3.13))])
def test_from_the_default_start_every_optimizer_ends_where_the_description_says(surface, where):
    for optimizer in OPTIMIZERS:
        end = recommended_run(surface, optimizer).final_xy
        assert np.linalg.norm(end - np.array(where)) < 0.02, (optimizer, end)
    assert f"{where}".replace(" ", "") in SURFACES[surface].description.replace(" ", "")


def test_goals_mean_what_they_say():
    ravine, saddle, rastrigin = SURFACES["ravine"], SURFACES["saddle"], SURFACES["rastrigin"]
    assert reached(ravine, np.array([[0.01, 0.0], [1.0, 0.0]])).tolist() == [True, False]
    assert reached(saddle, np.array([[0.0, 1.5], [2.0, 0.5]])).tolist() == [False, True]  # f = y² − x²
    assert reached(rastrigin, np.array([[0.0, 0.0], [0.5, 0.5], [0.9949586, 0.0]])).tolist() == [True, False, True]
    # A path that passes the minimum and leaves has not arrived; one that blew up never does.
    path = np.array([[1.0, 0.0], [0.0, 0.0], [2.0, 0.0], [0.01, 0.0], [0.0, 0.0]])
    assert steps_to_goal(ravine, path, -1) == 3
    assert steps_to_goal(ravine, path, 4) == -1


@pytest.mark.parametrize(("signs", "is_minimum"), [((1, 1), True), ((1, -1), False), ((-1, -1), False)])
def test_a_flat_point_is_a_local_minimum_only_where_the_surface_curves_up(signs, is_minimum):
    a, b = signs

    def grad(xy):
        xy = np.asarray(xy, dtype=float)
        return np.stack([2 * a * xy[..., 0], 2 * b * xy[..., 1]], axis=-1)

    bowl = Surface(name="flat", label="", latex="", value=lambda xy: a * xy[..., 0] ** 2 + b * xy[..., 1] ** 2,
                   grad=grad, x_range=(-1.0, 1.0), y_range=(-1.0, 1.0), start=(0.5, 0.5), goal="local", goal_tol=0.1)
    assert reached(bowl, np.array([[0.0, 0.0], [0.5, 0.5]])).tolist() == [is_minimum, False]


def test_quadratic_surfaces_declare_their_constant_hessian():
    for name, surface in SURFACES.items():
        if surface.hessian is None:
            continue
        point, h = np.array([0.3, -0.7]), 1e-5
        numeric = np.array([(surface.grad(point + h * e) - surface.grad(point - h * e)) / (2 * h) for e in np.eye(2)])
        np.testing.assert_allclose(numeric, np.array(surface.hessian), atol=1e-6, err_msg=name)
    assert {name for name, s in SURFACES.items() if s.hessian is not None} == {"ravine", "saddle", "regression"}
    assert SURFACES["ravine"].hessian == ((0.1, 0.0), (0.0, 2.0))
    assert SURFACES["saddle"].hessian == ((-2.0, 0.0), (0.0, 2.0))
