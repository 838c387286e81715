"""Frozen starts leave the batch: the numbers of every start stay those of its run alone."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import optimizers.runner as runner
from optimizers import OPTIMIZERS, run
from optimizers.runner import run_ends

STARTS = np.array([[-7.0, 2.0], [-7.0, 2.0], [3.0, -1.0], [0.5, 1e-3], [4.0, 4.0]])
RATES = np.array([0.3, 1.2, 0.5, 1.05, 0.9])
# Momentum 0.5 on the ravine (λmax = 2) diverges for lr > 1.5: rows 1 and 3 blow up, at steps 19 and 50.
MOMENTUM_RATES = np.array([0.45, 2.5, 0.75, 1.8, 1.35])


def _each_alone(name: str, starts: np.ndarray, per_start: dict, **kwargs) -> list:
    return [run(name, "ravine", start=start, **{k: v[row] for k, v in per_start.items()}, **kwargs)
            for row, start in enumerate(starts)]


def _assert_rows_equal(batch, alone: list) -> None:
    for row, single in enumerate(alone):
        np.testing.assert_array_equal(batch.xy[:, row], single.xy)
        np.testing.assert_array_equal(batch.loss[:, row], single.loss)
        assert batch.diverged_at[row] == single.diverged_at and batch.stopped_at[row] == single.stopped_at


@pytest.mark.parametrize("every, keep", [(1, "path"), (7, "path"), (1, "final"), (7, "final")])
def test_rows_that_blow_up_leave_and_the_rest_are_untouched(every, keep):
    batch = run("momentum", "ravine", start=STARTS, steps=60, lr=MOMENTUM_RATES, momentum=0.5, every=every,
                keep=keep)
    assert batch.diverged_at.tolist() == [-1, 19, -1, 50, -1]
    alone = _each_alone("momentum", STARTS, {"lr": MOMENTUM_RATES}, steps=60, momentum=0.5, every=every, keep=keep)
    _assert_rows_equal(batch, alone)


def test_arrived_rows_hold_their_place_in_every_later_row():
    batch = run("adam", "ravine", start=STARTS, steps=300, lr=0.2, stop_distance=0.05)
    assert (batch.stopped_at > 0).sum() >= 3
    _assert_rows_equal(batch, _each_alone("adam", STARTS, {}, steps=300, lr=0.2, stop_distance=0.05))
    row = int(np.argmin(np.where(batch.stopped_at > 0, batch.stopped_at, 10**9)))
    np.testing.assert_array_equal(batch.xy[batch.stopped_at[row]:, row],
                                  np.repeat(batch.xy[-1:, row], 301 - batch.stopped_at[row], axis=0))


def test_a_run_ends_early_when_every_start_is_frozen(monkeypatch):
    steps_taken = []
    spec = OPTIMIZERS["sgd"]

    def counting(grad, state, params, hp, lr, t):
        steps_taken.append(t)
        return spec.update(grad, state, params, hp, lr, t)

    monkeypatch.setattr(runner, "get_optimizer", lambda name: dataclasses.replace(spec, update=counting))
    traj = run("sgd", "ravine", start=STARTS[:2], steps=10_000, lr=np.array([0.9, 1.5]), stop_distance=0.01)
    last = max(traj.stopped_at[0], traj.diverged_at[1])
    assert traj.stopped_at[0] > 0 and traj.diverged_at[1] > 0 and last < 100
    assert max(steps_taken) == last
    assert traj.xy.shape == (10_001, 2, 2) and np.isfinite(traj.loss).all()
    np.testing.assert_array_equal(traj.loss[-1], traj.loss[last])
    np.testing.assert_array_equal(traj.xy[-1], traj.xy[last])


def test_noise_of_the_remaining_starts_does_not_depend_on_who_left():
    starts = np.array([[-7.0, 2.0], [3.0, 1.0]])
    leaves = run("sgd", "ravine", start=starts, steps=80, lr=np.array([1.3, 0.1]), grad_noise=0.5, seed=3)
    stays = run("sgd", "ravine", start=starts, steps=80, lr=np.array([0.2, 0.1]), grad_noise=0.5, seed=3)
    assert leaves.diverged_at[0] > 0 and stays.diverged_at[0] < 0
    np.testing.assert_array_equal(leaves.xy[:, 1], stays.xy[:, 1])


def test_events_of_a_start_that_left_are_kept():
    # The first start switches to SGD at step 2 and arrives at step 787; the second never switches.
    starts, tols = np.array([[-7.0, 2.0], [-300.0, 100.0]]), np.array([1e-3, 1e-12])
    batch = run("swats", "ravine", start=starts, steps=800, lr=0.1, switch_tol=tols, stop_distance=0.2)
    assert batch.stopped_at.tolist() == [787, -1] and batch.switched_at.tolist() == [2, -1]
    for row, start in enumerate(starts):
        alone = run("swats", "ravine", start=start, steps=800, lr=0.1, switch_tol=tols[row], stop_distance=0.2)
        assert alone.switched_at == batch.switched_at[row]
        np.testing.assert_array_equal(alone.xy, batch.xy[:, row])


@pytest.mark.parametrize("name, hyper", [
    ("lookahead", {"inner": "adam", "alpha": np.array([0.3, 0.5, 0.7, 0.9, 0.4])}),
    ("nadam", {"betas": np.array([[0.5, 0.9], [0.9, 0.99], [0.8, 0.9], [0.9, 0.5], [0.0, 0.9]])}),
    ("swats", {"switch_tol": np.full(5, 1e-3)}),
])
def test_per_start_state_and_settings_of_every_shape_are_compacted(name, hyper):
    kwargs = dict(steps=50, lr=RATES * 2, stop_distance=0.3)
    batch = run(name, "ravine", start=STARTS, **kwargs, **hyper)
    assert (batch.stopped_at >= 0).any()
    for row, start in enumerate(STARTS):
        mine = {k: (tuple(v[row]) if k == "betas" else v[row]) if isinstance(v, np.ndarray) else v
                for k, v in hyper.items()}
        alone = run(name, "ravine", start=start, **{**kwargs, "lr": RATES[row] * 2}, **mine)
        np.testing.assert_allclose(batch.xy[:, row], alone.xy, rtol=1e-12, atol=1e-15)
        assert batch.stopped_at[row] == alone.stopped_at


def test_per_start_cosine_floors_are_compacted_with_their_starts():
    schedule = {"kind": "cosine", "eta_min": 0.05, "warmup_steps": 3}
    rates = np.array([0.6, 4.0, 1.0, 3.0, 1.8])
    batch = run("sgd", "ravine", start=STARTS, steps=40, lr=rates, schedule=schedule)
    assert batch.diverged_at[1] > 0
    alone = _each_alone("sgd", STARTS, {"lr": rates}, steps=40, schedule=schedule)
    _assert_rows_equal(batch, alone)
    np.testing.assert_array_equal(batch.lr, np.stack([single.lr for single in alone], axis=1))


def test_run_ends_is_the_last_row_of_run():
    ends = run_ends("momentum", "ravine", start=STARTS, steps=60, lr=MOMENTUM_RATES, momentum=0.5, stop_distance=0.1)
    full = run("momentum", "ravine", start=STARTS, steps=60, lr=MOMENTUM_RATES, momentum=0.5, stop_distance=0.1)
    assert (full.diverged_at > 0).any() and (full.stopped_at > 0).any()
    np.testing.assert_array_equal(ends.final_xy, full.final_xy)
    np.testing.assert_array_equal(ends.final_loss, full.final_loss)
    np.testing.assert_array_equal(ends.diverged_at, full.diverged_at)
    np.testing.assert_array_equal(ends.stopped_at, full.stopped_at)


def test_one_rate_per_start_keeps_no_steps_by_starts_copy_of_a_constant_curve():
    traj = run("sgd", "ravine", start=STARTS, steps=1000, lr=RATES / 10)
    assert traj.lr.shape == (1000, 5) and traj.lr.base is not None and traj.lr.strides[0] == 0
    np.testing.assert_array_equal(traj.lr[-1], RATES / 10)


def test_leaving_keeps_a_column_by_column_batch_column_by_column():
    # Sweeps step column by column; were the batch returned point by point after its blown-up
    # cells leave, every later step would mix layouts (several times slower), as it once did.
    batch = np.asfortranarray(np.arange(20.0).reshape(10, 2))
    stay = np.array([True, False] * 5)
    kept = runner._rows(batch, stay)
    np.testing.assert_array_equal(kept, batch[stay])
    assert kept.flags.f_contiguous and not kept.flags.c_contiguous
    by_point = np.arange(20.0).reshape(10, 2)
    assert runner._rows(by_point, stay).flags.c_contiguous
    np.testing.assert_array_equal(runner._rows(np.arange(10.0), stay), np.arange(10.0)[stay])
