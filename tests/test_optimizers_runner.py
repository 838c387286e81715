"""The runner: validation, divergence, recording modes, schedules, noise, mini-batches, stop rules."""

import dataclasses
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from landscapes import SURFACES, get_surface, make_regression
from optimizers import MAX_STEPS, OPTIMIZERS, Schedule, run
from optimizers.runner import _minibatches, run_ends

# ---------------------------------------------------------------- validation

@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"lr": -1.0}, ["lr", "> 0"]),
        ({"lr": 0.0}, ["lr", "> 0"]),
        ({"lr": math.nan}, ["lr", "finite"]),
        ({"lr": math.inf}, ["lr", "finite"]),
        ({"lr": 101.0}, ["lr", "<= 100"]),
        ({"lr": "fast"}, ["lr"]),
        ({"lr": True}, ["lr"]),
        ({"lr": np.array([0.1, 0.2])}, ["lr", "one value per start"]),
        ({"betas": (1.0, 0.999)}, ["betas[0]", "< 1"]),
        ({"betas": (0.9, -0.1)}, ["betas[1]", ">= 0"]),
        ({"betas": (0.9,)}, ["betas"]),
        ({"eps": 0.0}, ["eps", "> 0"]),
        ({"weight_decay": -0.1}, ["weight_decay", ">= 0"]),
        ({"amsgrad": "yes"}, ["amsgrad", "True or False"]),
        ({"momentum": 0.9}, ["Unknown hyperparameter", "momentum", "lr, betas"]),
    ],
)
def test_bad_hyperparameters_name_the_parameter_and_range(kwargs: dict, words: list[str]) -> None:
    with pytest.raises(ValueError) as caught:
        run("adam", "ravine", steps=3, **kwargs)
    for word in words:
        assert word in str(caught.value)


def test_generous_ranges_are_accepted() -> None:
    run("sgd", "ravine", steps=2, lr=10.0)
    run("adam", "ravine", steps=2, lr=10.0, eps=1.0)
    run("momentum", "ravine", steps=2, lr=0.1, momentum=1.0)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"steps": 0}, ["steps", "1 to"]),
        ({"steps": MAX_STEPS + 1}, ["steps", str(MAX_STEPS)]),
        ({"steps": 2.5}, ["steps", "whole number"]),
        ({"start": (math.nan, 0.0)}, ["start", "finite"]),
        ({"start": (1e11, 0.0)}, ["start", "finite"]),
        ({"start": (1.0, 2.0, 3.0)}, ["start", "(N, 2)"]),
        ({"start": "here"}, ["start"]),
        ({"every": 0}, ["every"]),
        ({"keep": "all"}, ["keep", "path, final"]),
        ({"seed": -1}, ["seed"]),
        ({"grad_noise": -1.0}, ["grad_noise", ">= 0"]),
        ({"schedule": "linear"}, ["schedule", "constant, step, exponential, cosine"]),
        ({"schedule": {"kind": "step", "gamma": 0.0}}, ["gamma", "> 0"]),
        ({"schedule": {"kind": "step", "step_size": 0}}, ["step_size"]),
        ({"schedule": {"speed": 1}}, ["Unknown schedule setting", "speed"]),
        ({"batch_size": 10}, ["batch_size", "surface with data"]),
        ({"stop_distance": 0.0}, ["stop_distance", "> 0"]),
    ],
)
def test_bad_run_settings_name_the_parameter(kwargs: dict, words: list[str]) -> None:
    kwargs = {"steps": 3, **kwargs}
    with pytest.raises(ValueError) as caught:
        run("sgd", "ravine", **kwargs)
    for word in words:
        assert word in str(caught.value)


def test_unknown_names_list_the_known_ones() -> None:
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamm'.*adam"):
        run("adamm", "ravine")
    with pytest.raises(ValueError, match="Unknown surface: 'moon'.*rosenbrock"):
        run("adam", "moon")
    with pytest.raises(ValueError, match="inner must be one of"):
        run("lookahead", "ravine", inner="lookahead")
    with pytest.raises(ValueError, match="Unknown hyperparameter 'rho' for lookahead \\(inner adam\\)"):
        run("lookahead", "ravine", rho=0.5)


def test_mini_batch_settings_are_checked_against_the_data() -> None:
    with pytest.raises(ValueError, match="batch_size.*from 1 to 100"):
        run("sgd", "regression", batch_size=101)
    with pytest.raises(ValueError, match="either steps or epochs"):
        run("sgd", "regression", steps=10, epochs=2, batch_size=10)
    with pytest.raises(ValueError, match="at most"):
        run("sgd", "regression", epochs=100_000, batch_size=1)


def test_memory_guard_suggests_thinning() -> None:
    with pytest.raises(ValueError, match="every=k"):
        run("sgd", "ravine", start=np.zeros((1_000_000, 2)), steps=1000)


# ---------------------------------------------------------------- divergence

def test_divergence_freezes_the_row_and_reports_the_step() -> None:
    # SGD on the ravine is stable only for lr < 1: at lr = 1.5 the y-coordinate is multiplied
    # by (1 - 2·1.5) = -2 each step, so |y| = 2·2^t passes 1e10 at t = 33.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run("sgd", "ravine", start=[[-7.0, 2.0], [-7.0, 0.0]], steps=60, lr=1.5)
    assert traj.diverged_at.tolist() == [33, -1]
    assert np.all(np.isfinite(traj.xy)) and np.all(np.isfinite(traj.loss))
    assert abs(traj.xy[32, 0, 1]) == 2.0 * 2**32
    np.testing.assert_array_equal(traj.xy[33:, 0], np.repeat(traj.xy[32:33, 0], 28, axis=0))
    # the healthy row kept going
    assert abs(traj.xy[-1, 1, 0]) < abs(traj.xy[30, 1, 0])


def test_unbounded_surfaces_leave_no_nan_or_inf() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("sgd", "adam", "rmsprop", "adagrad", "nadam", "radam", "swats", "adadelta"):
            traj = run(name, "saddle", start=(0.5, 0.5), steps=3000, lr=1.0, record_state=True)
            assert np.all(np.isfinite(traj.xy)) and np.all(np.isfinite(traj.loss))
            for values in traj.records.values():
                assert np.all(np.isfinite(values))
            # adaptive methods walk away at about lr per step; SGD's steps grow geometrically and blow up
            assert traj.diverged_at > 0 if name == "sgd" else abs(traj.xy[-1, 0]) > 100


def test_divergence_with_keep_final_and_thinning() -> None:
    full = run("sgd", "ravine", start=[[-7.0, 2.0], [-7.0, 0.0]], steps=60, lr=1.5)
    thin = run("sgd", "ravine", start=[[-7.0, 2.0], [-7.0, 0.0]], steps=60, lr=1.5, keep="final", every=7)
    np.testing.assert_array_equal(thin.diverged_at, full.diverged_at)
    np.testing.assert_array_equal(thin.xy[-1], full.xy[-1])
    np.testing.assert_array_equal(thin.loss, full.loss[thin.step_index])


# ---------------------------------------------------------------- recording

def test_every_k_keeps_those_rows_and_the_last() -> None:
    full = run("adam", "rosenbrock", steps=50, lr=0.05)
    thin = run("adam", "rosenbrock", steps=50, lr=0.05, every=7)
    assert thin.step_index.tolist() == [0, 7, 14, 21, 28, 35, 42, 49, 50]
    np.testing.assert_array_equal(thin.xy, full.xy[thin.step_index])
    np.testing.assert_array_equal(thin.loss, full.loss[thin.step_index])


def test_keep_final_keeps_start_end_and_loss_curve() -> None:
    starts = np.random.default_rng(1).uniform(-2, 2, size=(300, 2))
    full = run("momentum", "himmelblau", start=starts, steps=40, lr=0.005)
    final = run("momentum", "himmelblau", start=starts, steps=40, lr=0.005, keep="final")
    assert final.xy.shape == (2, 300, 2)
    assert final.xy_step_index.tolist() == [0, 40]
    np.testing.assert_array_equal(final.xy[1], full.xy[-1])
    np.testing.assert_array_equal(final.loss, full.loss)


def test_single_start_has_no_start_axis() -> None:
    traj = run("adam", "rosenbrock", start=[-1.5, 2.0], steps=1000, lr=0.05)
    assert traj.xy.shape == (1001, 2) and traj.loss.shape == (1001,)
    assert isinstance(traj.diverged_at, int)
    np.testing.assert_array_equal(traj.xy[0], [-1.5, 2.0])
    np.testing.assert_allclose(traj.xy[-1], [1.0, 1.0], atol=0.05)
    many = run("adam", "rosenbrock", start=[[-1.5, 2.0]], steps=300, lr=0.05)
    assert many.xy.shape == (301, 1, 2) and many.diverged_at.shape == (1,)


def test_record_state_exposes_the_numbers_behind_a_step() -> None:
    traj = run("adam", "ravine", start=(-7.0, 2.0), steps=5, lr=0.1, record_state=True)
    first = traj.step_records(1)
    g1 = np.array([-0.7, 4.0])
    np.testing.assert_allclose(first["grad"], g1)
    np.testing.assert_allclose(first["exp_avg"], 0.1 * g1)
    np.testing.assert_allclose(first["exp_avg_sq"], 0.001 * g1**2)
    np.testing.assert_allclose(first["m_hat"], g1)
    np.testing.assert_allclose(first["v_hat"], g1**2)
    np.testing.assert_allclose(first["lr"], [0.1])
    np.testing.assert_allclose(first["update"], traj.xy[1] - traj.xy[0])
    np.testing.assert_allclose(first["effective_lr"], 0.1 / (np.abs(g1) + 1e-8))
    with pytest.raises(ValueError, match="not recorded"):
        traj.step_records(6)
    with pytest.raises(ValueError, match="record_state=True"):
        run("adam", "ravine", steps=2).step_records(1)


def test_plain_runs_keep_no_state() -> None:
    assert run("adam", "ravine", steps=5).records is None


# ---------------------------------------------------------------- schedules and noise

def test_schedule_sets_the_lr_in_force() -> None:
    sched = Schedule(kind="step", step_size=3, gamma=0.5)
    traj = run("sgd", "ravine", steps=7, lr=0.2, schedule=sched)
    np.testing.assert_allclose(traj.lr, 0.2 * np.array([1, 1, 1, 0.5, 0.5, 0.5, 0.25]))
    # the fourth step really used lr = 0.1: Δy = -0.1·2y
    y3 = traj.xy[3, 1]
    np.testing.assert_allclose(traj.xy[4, 1], y3 - 0.1 * 2 * y3)


def test_cosine_defaults_to_the_run_length_after_warmup() -> None:
    traj = run("sgd", "ravine", steps=14, lr=1.0 - 0.5, schedule={"kind": "cosine", "warmup_steps": 4})
    factors = traj.lr / 0.5
    np.testing.assert_allclose(factors[:4], [0.1, 0.325, 0.55, 0.775])
    assert factors[4] == 1.0
    np.testing.assert_allclose(factors[-1], (1 + math.cos(math.pi * 9 / 10)) / 2)


def test_gradient_noise_is_seeded() -> None:
    a = run("sgd", "ravine", steps=20, lr=0.1, grad_noise=0.5, seed=3)
    b = run("sgd", "ravine", steps=20, lr=0.1, grad_noise=0.5, seed=3)
    c = run("sgd", "ravine", steps=20, lr=0.1, grad_noise=0.5, seed=4)
    plain = run("sgd", "ravine", steps=20, lr=0.1)
    np.testing.assert_array_equal(a.xy, b.xy)
    assert not np.allclose(a.xy, c.xy)
    assert not np.allclose(a.xy, plain.xy)


def test_gradient_noise_has_the_asked_spread_and_decay() -> None:
    # On the saddle started at the origin the gradient is 0, so each SGD step is exactly −lr·noise.
    traj = run("sgd", "saddle", start=np.zeros((4000, 2)), steps=1, lr=1.0, grad_noise=2.0, seed=0)
    assert abs(np.std(traj.xy[1]) - 2.0) < 0.05
    decayed = run("sgd", "saddle", start=np.zeros((4000, 2)), steps=1, lr=1.0, grad_noise=2.0, noise_decay=2.0, seed=0)
    # σ_1 = 2 / (1 + 1)^(2/2) = 1
    np.testing.assert_allclose(decayed.xy[1], traj.xy[1] / 2.0)


def test_noise_lets_sgd_leave_the_saddle_point() -> None:
    stuck = run("sgd", "saddle", start=(0.0, 1.0), steps=200, lr=0.05)
    assert stuck.xy[-1, 0] == 0.0 and abs(stuck.xy[-1, 1]) < 1e-6
    escaped = run("sgd", "saddle", start=(0.0, 1.0), steps=200, lr=0.05, grad_noise=0.1, seed=1)
    assert abs(escaped.xy[-1, 0]) > 1.0


# ---------------------------------------------------------------- mini-batches

def test_minibatches_cover_every_point_once_per_epoch() -> None:
    batches = _minibatches(10, 4, np.random.default_rng(0))
    epoch_one = [next(batches) for _ in range(3)]
    epoch_two = [next(batches) for _ in range(3)]
    assert [len(b) for b in epoch_one] == [4, 4, 2]
    assert sorted(np.concatenate(epoch_one).tolist()) == list(range(10))
    assert sorted(np.concatenate(epoch_two).tolist()) == list(range(10))
    assert np.concatenate(epoch_one).tolist() != np.concatenate(epoch_two).tolist()


def test_epochs_set_the_number_of_steps() -> None:
    traj = run("sgd", "regression", epochs=3, batch_size=30, lr=0.05)
    assert traj.steps == 3 * 4  # 100 points in batches of 30: 30, 30, 30, 10


def test_full_batch_is_plain_gradient_descent() -> None:
    full = run("sgd", "regression", epochs=5, batch_size=100, lr=0.05)
    plain = run("sgd", "regression", steps=5, lr=0.05)
    np.testing.assert_allclose(full.xy, plain.xy, rtol=1e-12)


def test_one_minibatch_step_uses_only_that_batch() -> None:
    surface = make_regression(n=8, noise=0.5, seed=2)
    traj = run("sgd", surface, start=(0.0, 0.0), steps=1, lr=0.1, batch_size=3, seed=5)
    _, batch_seed = np.random.SeedSequence(5).spawn(2)
    batch = np.random.default_rng(batch_seed).permutation(8)[:3]
    x, y = surface.data_x[batch], surface.data_y[batch]
    # at (a, b) = (0, 0): dL/da = −2 mean(x·y), dL/db = −2 mean(y)
    grad = np.array([-2 * np.mean(x * y), -2 * np.mean(y)])
    np.testing.assert_allclose(traj.xy[1], -0.1 * grad, rtol=1e-12)


def test_minibatch_path_is_noisy_but_lands_near_the_fit() -> None:
    surface = make_regression(n=200, noise=1.0, seed=0)
    full = run("sgd", surface, epochs=100, lr=0.1)
    mini = run("sgd", surface, epochs=100, batch_size=10, lr=0.1, seed=0)
    assert np.linalg.norm(full.xy[-1] - surface.minima[0]) < 1e-3
    assert 1e-3 < np.linalg.norm(mini.xy[-1] - surface.minima[0]) < 0.3
    # the stochastic loss curve goes up at least sometimes; the full-batch one never does
    assert np.any(np.diff(mini.loss) > 0)
    assert np.all(np.diff(full.loss) <= 1e-12)


# ---------------------------------------------------------------- stop rules and events

def test_stop_rule_freezes_rows_near_a_minimum() -> None:
    traj = run("adam", "ravine", start=[[-7.0, 2.0], [0.05, 0.0]], steps=400, lr=0.1, stop_distance=0.1)
    assert traj.stopped_at[1] == 1
    stop = traj.stopped_at[0]
    assert 0 < stop < 400
    assert np.linalg.norm(traj.xy[stop, 0]) < 0.1 <= np.linalg.norm(traj.xy[stop - 1, 0])
    np.testing.assert_array_equal(traj.xy[-1, 0], traj.xy[stop, 0])


def test_stop_rule_on_a_tiny_gradient() -> None:
    traj = run("momentum", "ravine", steps=500, lr=0.1, stop_grad=1e-3)
    stop = traj.stopped_at
    g = np.array([traj.xy[stop, 0] / 10, 2 * traj.xy[stop, 1]])
    assert np.linalg.norm(g) < 1e-3


def test_swats_switches_and_then_follows_sgd_with_momentum() -> None:
    traj = run("swats", "ravine", start=(-7.0, 2.0), steps=6, lr=0.1, switch_tol=1e-3, record_state=True)
    switch = traj.switched_at
    assert switch == 2
    rate = traj.step_records(switch)["sgd_lr"][0]
    assert rate > 0
    # Step 3 is the first SGD step: v3 = g3 (velocity starts at 0), θ3 = θ2 − (1 − β1)·Λ·v3
    theta2 = traj.xy[2]
    g3 = np.array([theta2[0] / 10, 2 * theta2[1]])
    np.testing.assert_allclose(traj.xy[3], theta2 - 0.1 * rate * g3, rtol=1e-12)


def test_swats_reports_no_switch_with_the_papers_tolerance_on_a_short_run() -> None:
    traj = run("swats", "ravine", steps=5, lr=0.1)
    assert traj.switched_at == -1
    assert run("adam", "ravine", steps=5).switched_at is None


def test_lookahead_reports_its_inner_switch() -> None:
    traj = run("lookahead", "ravine", steps=6, inner="swats", lr=0.1, switch_tol=1e-3)
    assert traj.switched_at == 2


def test_recorded_numbers_of_a_blown_up_start_hold_their_last_finite_values() -> None:
    traj = run("sgd", "ravine", start=[[-7.0, 2.0], [-7.0, 0.0]], steps=40, lr=1.5, record_state=True)
    assert traj.diverged_at[0] == 33
    grads = traj.records["grad"]  # row i holds step i + 1
    np.testing.assert_array_equal(grads[32:, 0], np.repeat(grads[31:32, 0], 8, axis=0))
    # up to the blow-up the recorded gradient is the ravine's at the previous point
    np.testing.assert_allclose(grads[31, 0], [traj.xy[31, 0, 0] / 10, 2 * traj.xy[31, 0, 1]])
    # the healthy start is untouched by the holding
    np.testing.assert_allclose(grads[39, 1], [traj.xy[39, 1, 0] / 10, 0.0])


def test_cosine_floor_is_absolute_for_every_start_of_an_lr_sweep() -> None:
    rates = np.array([0.1, 0.4])
    sched = {"kind": "cosine", "eta_min": 0.05}
    sweep = run("sgd", "ravine", start=np.repeat([[-7.0, 2.0]], 2, axis=0), steps=11, lr=rates, schedule=sched)
    assert sweep.lr.shape == (11, 2)
    np.testing.assert_allclose(sweep.lr[0], rates)
    np.testing.assert_allclose(sweep.lr[-1], (0.05 + (rates - 0.05) * (1 + math.cos(math.pi * 10 / 11)) / 2))
    for row, rate in enumerate(rates):
        alone = run("sgd", "ravine", start=(-7.0, 2.0), steps=11, lr=float(rate), schedule=sched)
        np.testing.assert_allclose(sweep.lr[:, row], alone.lr, rtol=1e-14)
        np.testing.assert_allclose(sweep.xy[:, row], alone.xy, rtol=1e-13)


# ---------------------------------------------------------------- the lean loop
# On a surface that promises a finite loss inside the divergence limit, steps whose loss is not
# kept evaluate the gradient alone, and the batch steps in place, column by column, while a
# bound on its norm proves it inside the limit. The numbers must be those of the loop that
# evaluates and checks everything at every step.

def _checked_at_every_step(surface: str):
    return dataclasses.replace(get_surface(surface), loss_finite_in_limit=False)


def _starts(surface: str, count: int) -> np.ndarray:
    window = get_surface(surface)
    rng = np.random.default_rng(11)
    return rng.uniform([window.x_range[0], window.y_range[0]], [window.x_range[1], window.y_range[1]], (count, 2))


LEAN_CASES = {
    # a third of the cells blow up within a few steps, as on the sweep page
    "momentum sweep on rosenbrock": ("momentum", "rosenbrock", {"lr": np.geomspace(1e-4, 1e-2, 40), "momentum": 0.9}),
    # above lr = 1 plain descent on the ravine diverges slowly: blow-ups trickle in over the run
    "late blow-ups on the ravine": ("sgd", "ravine", {"lr": np.linspace(0.5, 1.1, 40)}),
    "arrivals on himmelblau": ("adam", "himmelblau", {"lr": np.geomspace(1e-3, 1.0, 40), "stop_distance": 0.05}),
    "noise on the saddle": ("rmsprop", "saddle", {"lr": np.geomspace(1e-3, 0.3, 40), "grad_noise": 0.2, "seed": 4}),
    "a wrapper on beale": ("lookahead", "beale", {"inner": "nesterov", "lr": np.geomspace(1e-4, 0.05, 40)}),
    "a schedule on rastrigin": ("adamw", "rastrigin", {"lr": np.geomspace(1e-3, 1.0, 40), "schedule": "cosine"}),
    "full batches of data": ("swats", "regression", {"lr": np.geomspace(1e-3, 1.0, 40)}),
}


@pytest.mark.parametrize("case", list(LEAN_CASES))
def test_the_lean_loop_gives_the_numbers_of_the_loop_that_checks_every_step(case: str) -> None:
    name, surface, kwargs = LEAN_CASES[case]
    starts = _starts(surface, 40)
    for mode in ({"keep": "final"}, {"keep": "path", "every": 9}, {"keep": "final", "every": 25}):
        lean = run(name, surface, start=starts, steps=400, **mode, **kwargs)
        checked = run(name, _checked_at_every_step(surface), start=starts, steps=400, **mode, **kwargs)
        np.testing.assert_array_equal(lean.xy, checked.xy)
        np.testing.assert_array_equal(lean.loss, checked.loss)
        np.testing.assert_array_equal(lean.diverged_at, checked.diverged_at)
        np.testing.assert_array_equal(lean.stopped_at, checked.stopped_at)
    ends = run_ends(name, surface, start=starts, steps=400, **kwargs)
    np.testing.assert_array_equal(ends.final_xy, checked.xy[-1])
    np.testing.assert_array_equal(ends.final_loss, checked.loss[-1])
    blown = checked.diverged_at[checked.diverged_at > 0]
    if case == "momentum sweep on rosenbrock":
        assert len(blown) >= 5
    if case == "late blow-ups on the ravine":
        assert len(blown) >= 5 and blown.max() - blown.min() > 100  # each held for a while, then leaving


def test_the_loss_is_evaluated_only_at_the_steps_kept() -> None:
    rosenbrock = get_surface("rosenbrock")
    sizes: list[int] = []

    def counted(xy: np.ndarray):
        sizes.append(len(xy))
        return rosenbrock.value_and_grad(xy)

    surface = dataclasses.replace(rosenbrock, value_and_grad_fn=counted)
    starts = np.repeat([rosenbrock.start], 6, axis=0)
    run_ends("momentum", surface, start=starts, steps=200, lr=1e-4)
    assert sizes == [6, 6]  # the start and the last step
    sizes.clear()
    run("momentum", surface, start=starts, steps=200, lr=1e-4, every=50, keep="final")
    assert sizes == [6] * 5  # steps 0, 50, 100, 150, 200
    sizes.clear()
    # Two starts blow up at once and leave: their loss is evaluated as they go.
    run_ends("momentum", surface, start=starts, steps=200, lr=np.array([1e-4] * 4 + [0.05] * 2))
    assert sizes[0] == 6 and 2 in sizes and sizes[-1] == 4 and len(sizes) == 3
    sizes.clear()
    run_ends("momentum", dataclasses.replace(surface, loss_finite_in_limit=False), start=starts, steps=200, lr=1e-4)
    assert len(sizes) == 201


def test_a_start_that_steps_past_the_limit_in_one_step_is_caught() -> None:
    # The in-place step trusts a bound on the batch's norm; one step that leaves the limit from
    # well inside it (the gradient at x = 1e3 on Rosenbrock is 4e11) must still freeze that start.
    starts = np.array([[1e3, 0.0], [-1.5, 2.0]])
    ends = run_ends("sgd", "rosenbrock", start=starts, steps=5, lr=np.array([1.0, 1e-4]))
    assert ends.diverged_at.tolist() == [1, -1]
    np.testing.assert_array_equal(ends.final_xy[0], starts[0])
    assert np.all(np.isfinite(ends.final_loss))


@settings(max_examples=40, derandomize=True, database=None, deadline=None)
@given(
    name=st.sampled_from(sorted(OPTIMIZERS)),
    surface=st.sampled_from(sorted(SURFACES)),
    log_rates=st.lists(st.floats(-4.0, 1.0), min_size=1, max_size=12),
    steps=st.integers(1, 120),
    every=st.integers(1, 40),
    keep=st.sampled_from(["path", "final"]),
    noise=st.sampled_from([0.0, 0.3]),
)
def test_any_run_on_a_lean_surface_equals_the_fully_checked_run(name, surface, log_rates, steps, every, keep, noise):
    kwargs = {"inner": "sgd"} if OPTIMIZERS[name].wraps_inner else {}
    rates = np.power(10.0, np.array(log_rates))
    starts = _starts(surface, len(rates))
    settings_ = dict(steps=steps, every=every, keep=keep, grad_noise=noise, lr=rates, **kwargs)
    lean = run(name, surface, start=starts, **settings_)
    checked = run(name, _checked_at_every_step(surface), start=starts, **settings_)
    np.testing.assert_array_equal(lean.xy, checked.xy)
    np.testing.assert_array_equal(lean.loss, checked.loss)
    np.testing.assert_array_equal(lean.diverged_at, checked.diverged_at)
