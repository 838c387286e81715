"""A fair race: every racer tuned by one batched sweep of its learning rate."""

from __future__ import annotations

import numpy as np

from lab.engine_pool import execute
from lab.page_state import page, racer
from lab.request import request_for
from lab.tune import apply, best_rate, candidate_rates, late_score, tune
from optimizers import run


def test_candidates_span_the_slider_on_a_log_scale_with_readable_values():
    rates = candidate_rates(1e-5, 10.0)
    assert rates[0] == 1e-5 and rates[-1] == 10.0 and len(rates) == 41
    assert np.all(np.diff(np.log10(rates)) > 0.1)
    assert all(float(f"{r:.2g}") == r for r in rates)


def test_sgd_on_the_ravine_gets_a_rate_near_the_theoretical_optimum():
    # f = x²/20 + y²: curvatures 0.1 and 2. SGD converges for lr < 1 and is fastest at 2/(0.1 + 2) ≈ 0.95.
    (tuning,) = tune(page("ravine", (racer("sgd"),), steps=100))
    assert 0.5 <= tuning.chosen < 1.0
    blown = tuning.rates > 1.0
    assert np.all(np.isinf(tuning.final_loss[blown]) | (tuning.final_loss[blown] > 1.0))


def test_each_sweep_row_is_the_run_of_that_rate_alone():
    state = page("rosenbrock", (racer("adam"),), steps=60)
    (tuning,) = tune(state)
    for index in (5, 20, 33):
        alone = run("adam", "rosenbrock", start=(-1.5, 2.0), steps=60, lr=float(tuning.rates[index]))
        expected = np.inf if alone.diverged_at >= 0 else alone.final_loss
        assert tuning.final_loss[index] == expected


def test_a_tuned_race_is_fair_and_nobody_diverges():
    state = page("rosenbrock", (racer("sgd"), racer("momentum"), racer("adam"), racer("adagrad")), steps=400)
    tuned = apply(state, tune(state))
    for r in tuned.racers:
        trajectory = execute(request_for(tuned, r)).trajectory
        assert trajectory.diverged_at < 0, r.key
    assert [r.hyper["lr"] for r in tuned.racers] != [r.hyper["lr"] for r in state.racers]


def test_the_score_prefers_a_run_that_stays_low_over_one_that_bounces():
    steady = np.geomspace(1.0, 1e-4, 100)
    bouncing = np.geomspace(1.0, 1e-8, 100)
    bouncing[-5] = 0.5
    score = late_score(np.column_stack([steady, bouncing]))
    assert score[0] < score[1]
    assert best_rate(np.array([0.1, 1.0]), score) == 0.1
    assert best_rate(np.array([0.1, 0.2, 0.3]), np.array([1.0, 1.0, 1.0])) == 0.2  # a tie: the middle
    assert best_rate(np.array([0.1, 0.2]), np.array([np.inf, np.inf])) == 0.1
