"""Every surface brings settings that suit every optimizer: at them, the goal is reached."""

from __future__ import annotations

import numpy as np
import pytest

from landscapes import SURFACES
from landscapes.base import GOALS
from landscapes.goals import reached, steps_to_goal
from optimizers import OPTIMIZERS, run

CASES = [(surface, optimizer) for surface in SURFACES for optimizer in OPTIMIZERS]


def knobs_of(optimizer: str) -> dict:
    spec = OPTIMIZERS[optimizer]
    knobs = dict(spec.knobs())
    if spec.wraps_inner:
        knobs.update(OPTIMIZERS[knobs["inner"][0]].knobs())
    return knobs


@pytest.mark.parametrize("surface", list(SURFACES))
def test_every_optimizer_has_valid_recommended_settings(surface):
    s = SURFACES[surface]
    assert set(s.recommended) == set(OPTIMIZERS), "a surface recommends settings for every optimizer"
    assert s.goal in GOALS and 1 <= s.steps <= 5000
    for optimizer, settings in s.recommended.items():
        knobs = knobs_of(optimizer)
        assert "lr" in settings
        for name, value in settings.items():
            assert name in knobs, (optimizer, name)
            info = knobs[name][1]
            for number in np.ravel(value):
                assert info.ui_low <= number <= (info.ui_high if info.kind != "betas" else 1.0), (optimizer, name)


@pytest.mark.parametrize(("surface", "optimizer"), CASES)
def test_at_its_recommended_settings_an_optimizer_reaches_the_surfaces_goal(surface, optimizer):
    s = SURFACES[surface]
    trajectory = run(optimizer, s, steps=s.steps, **s.recommended[optimizer])
    assert trajectory.diverged_at < 0
    assert steps_to_goal(s, trajectory.xy, trajectory.diverged_at) >= 0, (
        f"{optimizer} on {surface} ends at {trajectory.final_xy} ({s.goal}, tol {s.goal_tol})")


def test_goals_mean_what_they_say():
    ravine, saddle, rastrigin = SURFACES["ravine"], SURFACES["saddle"], SURFACES["rastrigin"]
    assert reached(ravine, np.array([[0.01, 0.0], [1.0, 0.0]])).tolist() == [True, False]
    assert reached(saddle, np.array([[0.0, 1.5], [2.0, 0.5]])).tolist() == [False, True]  # f = y² − x²
    assert reached(rastrigin, np.array([[0.0, 0.0], [0.5, 0.5]])).tolist() == [True, False]
    # A path that passes the minimum and leaves has not arrived; one that blew up never does.
    path = np.array([[1.0, 0.0], [0.0, 0.0], [2.0, 0.0], [0.01, 0.0], [0.0, 0.0]])
    assert steps_to_goal(ravine, path, -1) == 3
    assert steps_to_goal(ravine, path, 4) == -1


def test_quadratic_surfaces_declare_their_constant_hessian():
    for name, surface in SURFACES.items():
        if surface.hessian is None:
            continue
        point, h = np.array([0.3, -0.7]), 1e-5
        numeric = np.array([(surface.grad(point + h * e) - surface.grad(point - h * e)) / (2 * h) for e in np.eye(2)])
        np.testing.assert_allclose(numeric, np.array(surface.hessian), atol=1e-6, err_msg=name)
    assert {name for name, s in SURFACES.items() if s.hessian is not None} == {"ravine", "saddle", "regression"}
