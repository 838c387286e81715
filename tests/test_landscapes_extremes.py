"""Numerical extremes on every surface: starts at the divergence limit, the largest learning
rates the engine takes, every optimizer. The output is always finite, and a blow-up is reported
in ``diverged_at`` with the path frozen at its last point inside the limit."""

from __future__ import annotations

import itertools
import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from landscapes import SURFACES, Surface
from optimizers import DIVERGENCE_LIMIT, MAX_STEPS, OPTIMIZERS, Schedule, Trajectory, run
from optimizers.hyper import KnobInfo
from optimizers.limits import MAX_NOISE
from optimizers.schedules import KINDS, MAX_WARMUP

EXTREMES = settings(max_examples=20, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

LIMIT = DIVERGENCE_LIMIT
INSIDE_LIMIT = float(np.nextafter(LIMIT, 0.0))
# Coordinates a start may take: zero, the smallest subnormal, ordinary, large, and the limit itself.
COORDINATES = (0.0, 5e-324, -5e-324, 1.0, -1.0, 1e5, -1e5, 0.9e10, -0.9e10, INSIDE_LIMIT, -INSIDE_LIMIT, LIMIT, -LIMIT)
INNER_CHOICES = tuple(name for name, spec in OPTIMIZERS.items() if not spec.wraps_inner)


def lr_ceiling(optimizer: str) -> float:
    """The largest learning rate the engine takes for ``optimizer`` (its inner one's, for a wrapper)."""
    spec = OPTIMIZERS[optimizer]
    if spec.wraps_inner:
        spec = OPTIMIZERS[spec.defaults()["inner"]]
    return float(spec.knobs()["lr"][1].high)


def assert_finite_and_frozen(trajectory: Trajectory, surface: Surface) -> None:
    """Every number finite; every point within the limit; a start that blew up holds its last point."""
    assert np.all(np.isfinite(trajectory.xy)) and np.all(np.isfinite(trajectory.loss))
    assert np.all(np.isfinite(trajectory.lr))
    for name, values in (trajectory.records or {}).items():
        assert np.all(np.isfinite(values)), name
    assert np.all(np.abs(trajectory.xy) <= LIMIT)
    xy = trajectory.xy if trajectory.n_starts else trajectory.xy[:, None]
    loss = trajectory.loss if trajectory.n_starts else trajectory.loss[:, None]
    for start, blew_up_at in enumerate(np.atleast_1d(trajectory.diverged_at)):
        if blew_up_at < 0:
            continue
        assert 1 <= blew_up_at <= trajectory.steps
        held = xy[trajectory.xy_step_index >= blew_up_at, start]
        if len(held):
            assert np.all(held == held[0]), f"start {start} moved after it blew up at step {blew_up_at}"
            frozen_loss = surface.value_and_grad(held[0])[0]  # the runner's own evaluation, bit for bit
            assert np.all(loss[trajectory.step_index >= blew_up_at, start] == frozen_loss)
        before = trajectory.xy_step_index == blew_up_at - 1
        if before.any() and len(held):
            assert np.array_equal(xy[before, start][0], held[0]), "frozen somewhere other than its last point"


# ---------------------------------------------------------------------------------------------
# The surfaces themselves at the far edge of where a start may be


@pytest.mark.parametrize("surface", list(SURFACES.values()), ids=list(SURFACES))
def test_value_and_gradient_are_finite_wherever_a_start_may_be(surface: Surface) -> None:
    # The runner checks every point it steps to, but not the start: there the surface itself
    # must give a finite loss. Raising on overflow also shows no intermediate term overflows.
    points = np.array(list(itertools.product(COORDINATES, repeat=2)))
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, grad = surface.value_and_grad(points)
        assert np.all(np.isfinite(surface.value(points))) and np.all(np.isfinite(loss))
        assert np.all(np.isfinite(surface.grad(points))) and np.all(np.isfinite(grad))
        if surface.has_data:
            batch = np.arange(min(7, surface.n_points))
            assert np.all(np.isfinite(surface.batch_grad(points, batch)))
    assert loss.shape == (len(points),) and grad.shape == (len(points), 2)


# ---------------------------------------------------------------------------------------------
# Every optimizer at its largest learning rate, from starts at the limit

STARTS_AT_THE_EDGE = np.array([[0.9e10, 0.9e10], [-LIMIT, LIMIT], [INSIDE_LIMIT, 0.0], [5e-324, -5e-324], [0.0, 0.0],
                               [1e5, -1e5]])


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_optimizer_at_its_largest_rate_from_the_limit(optimizer: str) -> None:
    for surface in SURFACES.values():
        starts = np.vstack([STARTS_AT_THE_EDGE, [surface.start]])
        trajectory = run(optimizer, surface, start=starts, steps=30, lr=lr_ceiling(optimizer), record_state=True)
        assert_finite_and_frozen(trajectory, surface)


def test_a_blow_up_is_reported_at_the_step_it_crosses_the_limit() -> None:
    # SGD on x²/20 + y² with lr 100: x ← (1 - 100/10)·x = -9x, y ← (1 - 200)·y = -199y.
    # From (1, 1): y = 199⁴ = 1.57e9 after 4 steps, 199⁵ = 3.1e11 > 1e10 at step 5.
    trajectory = run("sgd", "ravine", start=[1.0, 1.0], steps=8, lr=100.0)
    assert trajectory.diverged_at == 5
    assert np.allclose(trajectory.xy[4], [6561.0, 199.0**4], rtol=1e-12)  # lr·x/10 is inexact in binary
    assert np.all(trajectory.xy[5:] == trajectory.xy[4])
    assert np.allclose(trajectory.loss[5:], 6561.0**2 / 20 + 199.0**8, rtol=1e-12)
    # From the limit the first step is already out: frozen at the start, diverged at step 1.
    trajectory = run("sgd", "ravine", start=[0.0, -LIMIT], steps=3, lr=100.0)
    assert trajectory.diverged_at == 1 and np.all(trajectory.xy == [0.0, -LIMIT])


def test_a_nan_gradient_counts_as_a_blow_up() -> None:
    # A slope of -1 along x whose gradient is nan from x = 3 on: SGD with lr 1 walks 0, 1, 2, 3;
    # the fourth step is nan, so the start freezes at x = 3 and diverged_at says step 4.
    def value(xy: np.ndarray) -> np.ndarray:
        return -np.asarray(xy, dtype=float)[..., 0]

    def grad(xy: np.ndarray) -> np.ndarray:
        x = np.asarray(xy, dtype=float)[..., 0]
        return np.stack([np.where(x < 3.0, -1.0, math.nan), np.zeros_like(x)], axis=-1)

    cliff = Surface(name="cliff", label="cliff", latex="-x", value=value, grad=grad, x_range=(0.0, 5.0),
                    y_range=(-1.0, 1.0), start=(0.0, 0.0))
    trajectory = run("sgd", cliff, steps=6, lr=1.0, record_state=True)
    assert trajectory.diverged_at == 4
    assert np.array_equal(trajectory.xy[:, 0], [0.0, 1.0, 2.0, 3.0, 3.0, 3.0, 3.0])
    assert np.array_equal(trajectory.loss, [0.0, -1.0, -2.0, -3.0, -3.0, -3.0, -3.0])
    assert np.all(np.isfinite(trajectory.records["grad"]))


# ---------------------------------------------------------------------------------------------
# Random settings from the whole of every range the engine accepts


def inside(info: KnobInfo) -> tuple[float, float]:
    low = float(np.nextafter(info.low, math.inf)) if info.low_open else float(info.low)
    high = float(np.nextafter(info.high, -math.inf)) if info.high_open else float(info.high)
    return low, high


def knob_value(info: KnobInfo, n_starts: int) -> st.SearchStrategy:
    """Any value the engine accepts for a knob: its extremes often, one per start sometimes."""
    if info.kind == "bool":
        return st.booleans()
    if info.kind == "optimizer":
        return st.sampled_from(INNER_CHOICES)
    low, high = inside(info)
    if info.kind == "int":
        return st.integers(int(math.ceil(low)), int(high))
    number = st.one_of(st.sampled_from([low, high]), st.floats(low, high),
                       st.floats(-300.0, math.log10(high)).map(lambda e: min(max(10.0**e, low), high)))
    one = st.tuples(number, number) if info.kind == "betas" else number
    per_start = st.lists(number, min_size=n_starts, max_size=n_starts)
    if info.kind == "betas":
        per_start = st.tuples(per_start, per_start).map(lambda pair: np.array(pair).T)
    return st.one_of(one, per_start)


schedules = st.builds(
    Schedule, kind=st.sampled_from(KINDS), step_size=st.integers(1, MAX_WARMUP),
    gamma=st.one_of(st.just(5e-324), st.floats(0.0, 1.0, exclude_min=True)),
    t_max=st.one_of(st.none(), st.integers(1, MAX_WARMUP)), eta_min=st.floats(0.0, 100.0),
    warmup_steps=st.integers(0, MAX_WARMUP), warmup_start_factor=st.floats(0.0, 1.0, exclude_min=True),
)
coordinates = st.one_of(st.sampled_from(COORDINATES), st.floats(-LIMIT, LIMIT))


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@EXTREMES
@given(data=st.data())
def test_any_accepted_settings_give_finite_output(optimizer: str, data: st.DataObject) -> None:
    surface = data.draw(st.sampled_from(list(SURFACES.values())), label="surface")
    n_starts = data.draw(st.integers(1, 3), label="n_starts")
    start = data.draw(st.lists(st.tuples(coordinates, coordinates), min_size=n_starts, max_size=n_starts))
    spec = OPTIMIZERS[optimizer]
    chosen = {name: data.draw(knob_value(info, n_starts), label=name)
              for name, (_, info) in spec.knobs().items() if name != "inner_hyper"}
    if spec.wraps_inner:
        inner = OPTIMIZERS[chosen["inner"]]
        chosen.update({name: data.draw(knob_value(info, n_starts), label=name)
                       for name, (_, info) in inner.knobs().items()})
    kwargs: dict[str, Any] = {
        "steps": data.draw(st.integers(1, 25), label="steps"),
        "every": data.draw(st.integers(1, 5), label="every"),
        "keep": data.draw(st.sampled_from(["path", "final"]), label="keep"),
        "schedule": data.draw(schedules, label="schedule"),
        "grad_noise": data.draw(st.one_of(st.just(0.0), st.just(MAX_NOISE), st.floats(0.0, MAX_NOISE))),
        "noise_decay": data.draw(st.floats(0.0, 10.0), label="noise_decay"),
        "seed": data.draw(st.integers(0, 2**32 - 1), label="seed"),
        "record_state": data.draw(st.booleans(), label="record_state"),
    }
    if surface.has_data and data.draw(st.booleans(), label="minibatch"):
        kwargs["batch_size"] = data.draw(st.integers(1, surface.n_points), label="batch_size")
    try:
        trajectory = run(optimizer, surface, start=np.array(start), **kwargs, **chosen)
    except ValueError as refused:
        # The one refusal of values each inside its range: a cosine floor eta_min / lr past 1e308.
        assert re.search(r"eta_min / lr", str(refused)), refused
        event("refused: cosine floor")
        return
    event(f"starts that blew up: {int(np.sum(np.atleast_1d(trajectory.diverged_at) >= 0))}")
    assert_finite_and_frozen(trajectory, surface)
    assert trajectory.steps <= MAX_STEPS
