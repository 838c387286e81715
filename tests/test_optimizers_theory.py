"""Theory on the quadratic: hand-worked numbers on the ravine, and the engine agreeing with them."""

from __future__ import annotations

import numpy as np
import pytest

from landscapes import SURFACES
from optimizers import run
from optimizers.theory import quadratic

RAVINE = quadratic(SURFACES["ravine"].hessian)  # diag(0.1, 2)


def test_the_ravine_by_hand():
    np.testing.assert_allclose(RAVINE.eigenvalues, [0.1, 2.0])
    assert RAVINE.condition_number == pytest.approx(20.0)
    assert RAVINE.sgd_max_lr == pytest.approx(1.0)  # 2 / 2
    assert RAVINE.sgd_best_lr == pytest.approx(2 / 2.1)
    assert RAVINE.sgd_best_rate == pytest.approx(19 / 21)
    lr, mu = RAVINE.momentum_best
    assert lr == pytest.approx((2 / (np.sqrt(0.1) + np.sqrt(2))) ** 2)  # 1.3364
    assert mu == pytest.approx(((np.sqrt(20) - 1) / (np.sqrt(20) + 1)) ** 2)  # 0.4024
    assert RAVINE.momentum_rate(lr, mu) == pytest.approx(np.sqrt(mu))
    np.testing.assert_allclose(RAVINE.momentum_max_lr([0.0, 0.5, 0.9]), [1.0, 1.5, 1.9])


def test_plain_descent_rate_is_the_larger_of_one_minus_lr_lambda():
    lr = np.array([0.1, 0.5, 0.9, 1.1])
    expected = np.maximum(np.abs(1 - lr * 0.1), np.abs(1 - lr * 2.0))
    np.testing.assert_allclose(RAVINE.momentum_rate(lr, 0.0), expected)


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_the_engine_converges_just_inside_the_boundary_and_diverges_just_outside(momentum):
    edge = float(RAVINE.momentum_max_lr(momentum))
    inside = run("momentum", "ravine", start=(-7.0, 2.0), steps=4000, lr=edge * 0.97, momentum=momentum)
    outside = run("momentum", "ravine", start=(-7.0, 2.0), steps=4000, lr=edge * 1.03, momentum=momentum)
    assert inside.diverged_at < 0 and np.linalg.norm(inside.final_xy) < 1e-3
    assert outside.diverged_at >= 0


def test_the_measured_rate_matches_theory():
    lr, mu = 0.5, 0.6
    trajectory = run("momentum", "ravine", start=(-7.0, 2.0), steps=300, lr=lr, momentum=mu)
    norms = np.linalg.norm(trajectory.xy, axis=1)
    measured = (norms[250] / norms[150]) ** (1 / 100)
    assert measured == pytest.approx(float(RAVINE.momentum_rate(lr, mu)), rel=0.02)


def test_a_saddle_has_no_convergence_region():
    saddle = quadratic(SURFACES["saddle"].hessian)
    assert not saddle.positive_definite and saddle.condition_number == float("inf")
    assert saddle.momentum_best is None and saddle.sgd_max_lr is None and saddle.momentum_max_lr(0.5) is None
    assert np.all(saddle.momentum_rate(np.geomspace(1e-3, 1, 5), 0.5) > 1)


def test_bad_hessians_are_refused():
    for bad in ([[1, 2], [3, 4]], [[1, 0]], [[np.nan, 0], [0, 1]], "hessian"):
        with pytest.raises(ValueError, match="symmetric 2x2"):
            quadratic(bad)
