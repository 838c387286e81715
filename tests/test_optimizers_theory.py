"""Theory on the quadratic: hand-worked numbers on the ravine, and the engine agreeing with them."""

from __future__ import annotations

import numpy as np
import pytest

from landscapes import SURFACES
from optimizers import run, sweep
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


def test_rates_per_eigen_direction_by_hand():
    # lr 0.5, μ 0.25. λ = 2: z² - 0.25 z + 0.25 has complex roots of modulus sqrt(0.25) = 0.5.
    # λ = 0.1: z² - 1.2 z + 0.25 has real roots (1.2 ± sqrt(0.44)) / 2, the larger 0.93166.
    rates = RAVINE.momentum_rates(0.5, 0.25)
    np.testing.assert_allclose(rates, [(1.2 + np.sqrt(0.44)) / 2, 0.5])
    assert RAVINE.momentum_rate(0.5, 0.25) == pytest.approx(0.931662, abs=1e-6)
    assert RAVINE.momentum_best_rate == pytest.approx((np.sqrt(20) - 1) / (np.sqrt(20) + 1))


def test_a_heatmap_of_rates_is_one_call_and_agrees_with_the_region():
    lr, mu = np.meshgrid(np.geomspace(1e-3, 3, 100), np.linspace(0, 0.99, 100), indexing="ij")
    rate = RAVINE.momentum_rate(lr, mu)
    assert rate.shape == (100, 100) and not np.isnan(rate).any()
    converges = RAVINE.momentum_converges(lr, mu)
    np.testing.assert_array_equal(converges, rate < 1)
    np.testing.assert_array_equal(converges, lr < 2 * (1 + mu) / 2.0)
    best_lr, best_mu = RAVINE.momentum_best
    assert rate.min() >= RAVINE.momentum_rate(best_lr, best_mu) - 1e-12


def test_plain_descent_rate_is_the_larger_of_one_minus_lr_lambda():
    lr = np.array([0.1, 0.5, 0.9, 1.1])
    expected = np.maximum(np.abs(1 - lr * 0.1), np.abs(1 - lr * 2.0))
    np.testing.assert_allclose(RAVINE.momentum_rate(lr, 0.0), expected)
    np.testing.assert_allclose(RAVINE.sgd_rate(lr), expected)
    assert RAVINE.sgd_rate(RAVINE.sgd_best_lr) == pytest.approx(RAVINE.sgd_best_rate)


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
    assert not saddle.momentum_converges(np.geomspace(1e-3, 1, 5), 0.5).any()
    flat = quadratic([[0.0, 0.0], [0.0, 1.0]])  # singular: no single minimum to converge to
    assert not flat.positive_definite and np.all(flat.momentum_rate([0.1, 1.0], 0.5) >= 1)


def test_bad_hessians_are_refused():
    for bad in ([[1, 2], [3, 4]], [[1, 0]], [[np.nan, 0], [0, 1]], "hessian"):
        with pytest.raises(ValueError, match="symmetric 2x2"):
            quadratic(bad)


def test_a_sweep_of_the_engine_draws_theorys_map():
    grid = {"lr": np.geomspace(0.05, 3.0, 30), "momentum": np.linspace(0.0, 0.95, 30)}
    s = sweep("momentum", "ravine", start=(-7.0, 2.0), steps=2000, grid=grid)
    rate = RAVINE.momentum_rate(*np.meshgrid(grid["lr"], grid["momentum"], indexing="ij"))
    # Away from the boundary (where 2,000 steps cannot tell), every cell does what theory says.
    assert np.all(s.diverged[rate > 1.02]) and (rate > 1.02).sum() > 100
    settled = rate < 0.99
    assert not s.diverged[settled].any() and settled.sum() > 300
    assert np.all(np.linalg.norm(s.final_xy[settled], axis=-1) < 1e-6)
