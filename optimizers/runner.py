"""The one time loop of the engine: steps a batch of start points and records what was asked."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from landscapes import Surface, get_surface
from optimizers.checks import finite_number, real_array, shown, whole_number
from optimizers.hyper import as_plain, build, resolve
from optimizers.limits import MAX_EPOCHS, MAX_NOISE, MAX_RECORDED_BYTES, MAX_STARTS, MAX_STEPS, check_work
from optimizers.registry import OPTIMIZERS, get_optimizer
from optimizers.schedules import Schedule, as_schedule
from optimizers.spec import OptimizerSpec
from optimizers.trajectory import Trajectory

DEFAULT_STEPS = 100
DIVERGENCE_LIMIT = 1e10  # a coordinate beyond this is far outside any view window: the start has blown up
KEEP_CHOICES = ("path", "final")
# Frozen starts (blown up or stopped) leave the batch once they are this fraction of it. Until
# then they ride along and their rows are put back after each step: copying every per-start
# array costs about half a step, too much to pay on every step at which a few starts arrive.
COMPACT_FRACTION = 1 / 16
# ... unless they have been held this many steps: then leaving costs less than the slow path
# (a separate array for the new points) that a held start imposes on every step.
HOLD_STEPS = 32
# A batch whose norm stays below half the limit is inside it; the other half leaves room for
# rounding in the norm's running bound.
SAFE_NORM = DIVERGENCE_LIMIT / 2
# OpenBLAS spreads a dot product of more entries than this over threads of its own, which fight
# the sweeps' threads and the server's engine processes for the cores (and spin while idle).
BLAS_ONE_THREAD = 10_000

__all__ = ["run", "run_ends", "planned_steps", "Ends", "DIVERGENCE_LIMIT", "DEFAULT_STEPS", "MAX_STEPS", "MAX_STARTS",
           "MAX_EPOCHS", "MAX_NOISE", "MAX_RECORDED_BYTES"]


@dataclass(frozen=True)
class _Plan:
    """Validated, derived settings for one run."""

    steps: int
    every: int
    keep: str
    batch_size: int | None
    epochs: int | None
    grad_noise: float
    noise_decay: float
    seed: int
    stop_distance: float | None
    stop_grad: float | None


@dataclass(frozen=True)
class _Job:
    """A validated request: everything the loop needs, shared by run() and run_ends()."""

    spec: OptimizerSpec
    surface: Surface
    points: np.ndarray  # (N, 2) starts
    single: bool  # one start given as (2,): results lose the start axis
    plan: _Plan
    hp: Any  # resolved hyperparameters: floats, or (N, 2) arrays with one value per start
    plain_hyper: dict[str, Any]
    schedule: Schedule
    base_lr: float | np.ndarray
    factors: np.ndarray  # (steps,) the lr factor in force at steps 1..steps (see cosine_floor)
    cosine_floor: np.ndarray | None  # (N, 1) eta_min / lr when each start has its own cosine floor
    warm: int  # warm-up steps, whose factors need no floor
    constant_lr: bool  # every factor is 1: the loop passes base_lr itself


class Ends(NamedTuple):
    """Where each start of a batch ended: what a sweep or a basin map reads, and nothing more."""

    final_xy: np.ndarray  # (N, 2); a blown-up start keeps its last point inside the limit
    final_loss: np.ndarray  # (N,) at final_xy, finite
    diverged_at: np.ndarray  # (N,) step at which the start blew up and froze, -1 if never
    stopped_at: np.ndarray  # (N,) step at which the stop rule froze it, -1 if never


def run(
    optimizer: str,
    surface: str | Surface,
    start: Sequence[float] | np.ndarray | None = None,
    steps: int | None = None,
    *,
    schedule: str | Schedule | dict | None = None,
    grad_noise: float = 0.0,
    noise_decay: float = 0.0,
    seed: int = 0,
    batch_size: int | None = None,
    epochs: int | None = None,
    every: int = 1,
    keep: str = "path",
    record_state: bool = False,
    stop_distance: float | None = None,
    stop_grad: float | None = None,
    **hyper: Any,
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` from one start ``(2,)`` or many ``(N, 2)``.

    Args:
        optimizer: a name from ``OPTIMIZERS`` ("adam", "sgd", ...).
        surface: a name from ``landscapes.SURFACES`` or a Surface object.
        start: start point(s); the surface's default start when omitted.
        steps: number of steps, 1 to ``MAX_STEPS`` (default 100, or derived from ``epochs``).
        schedule: learning-rate schedule (see :class:`optimizers.schedules.Schedule`).
        grad_noise: standard deviation σ of Gaussian noise added to every gradient.
        noise_decay: γ in σ_t = σ / (1 + t)^(γ/2) (annealed noise, Neelakantan et al. 2015).
        seed: seeds the gradient noise and the mini-batch shuffling.
        batch_size: on a surface with data, the mini-batch size (default: the full data set).
        epochs: on a surface with data, run this many passes over the data instead of ``steps``.
        every: keep every ``every``-th row (the last step is always kept).
        keep: "path" keeps the points of the kept rows; "final" keeps only the start and end
            points (the loss curve is still kept every ``every`` steps).
        record_state: also keep, for each kept step, the gradient used, the learning rate, the
            update applied and the optimizer's internal state (see ``Trajectory.step_records``).
        stop_distance: freeze a start once it is this close to a known minimum.
        stop_grad: freeze a start once its gradient norm falls below this.
        **hyper: the optimizer's hyperparameters, with PyTorch's names; each may be a number or
            an array with one value per start. For "lookahead", ``inner``, ``k`` and ``alpha``
            are its own and every other keyword goes to the inner optimizer.

    Returns:
        A :class:`Trajectory`. Raises ``ValueError`` naming the parameter and the allowed range
        when an argument is out of range, or the cap when the call asks for more work than
        :mod:`optimizers.limits` allows (starts x steps).
    """
    job = _prepare(optimizer, surface, start, steps, schedule, grad_noise, noise_decay, seed, batch_size,
                   epochs, every, keep, stop_distance, stop_grad, hyper, record_state)
    with np.errstate(all="ignore"):
        xy, loss, step_index, xy_step_index, diverged_at, stopped_at, events, records = _loop(job, record_state)
    plan = job.plan
    settings = {
        "steps": plan.steps, "every": plan.every, "keep": plan.keep, "seed": plan.seed,
        "schedule": job.schedule.__dict__.copy(), "schedule_text": job.schedule.describe(),
        "grad_noise": plan.grad_noise, "noise_decay": plan.noise_decay,
        "batch_size": plan.batch_size, "epochs": plan.epochs,
        "stop_distance": plan.stop_distance, "stop_grad": plan.stop_grad,
    }
    if job.single:
        xy, loss = xy[:, 0], loss[:, 0]
        diverged_at, stopped_at = int(diverged_at[0]), int(stopped_at[0])
        events = {name: int(value[0]) for name, value in events.items()}
        if records is not None:
            records = {name: value[:, 0] for name, value in records.items()}
    return Trajectory(
        optimizer=job.spec.name, surface=job.surface.name, xy=xy, loss=loss, step_index=step_index,
        xy_step_index=xy_step_index, diverged_at=diverged_at, stopped_at=stopped_at, lr=_lr_curve(job),
        hyper=job.plain_hyper, settings=settings, events=events, records=records,
    )


def run_ends(
    optimizer: str,
    surface: str | Surface,
    start: Sequence[float] | np.ndarray | None = None,
    steps: int | None = None,
    *,
    schedule: str | Schedule | dict | None = None,
    grad_noise: float = 0.0,
    noise_decay: float = 0.0,
    seed: int = 0,
    batch_size: int | None = None,
    epochs: int | None = None,
    stop_distance: float | None = None,
    stop_grad: float | None = None,
    **hyper: Any,
) -> Ends:
    """:func:`run` for many starts when only the ends matter (sweeps, basin maps).

    The same loop with the same arguments, so each start ends exactly where ``run()`` puts
    it; it keeps no path, no loss curve and no learning-rate curve (which for one rate per
    start would be a steps x starts array).
    """
    job = _prepare(optimizer, surface, start, steps, schedule, grad_noise, noise_decay, seed, batch_size,
                   epochs, None, "final", stop_distance, stop_grad, hyper, False)
    with np.errstate(all="ignore"):
        xy, loss, _, _, diverged_at, stopped_at, _, _ = _loop(job, False)
    return Ends(xy[-1], loss[-1], diverged_at, stopped_at)


def planned_steps(
    optimizer: str,
    surface: str | Surface,
    start: Sequence[float] | np.ndarray | None = None,
    steps: int | None = None,
    **kwargs: Any,
) -> int:
    """Validate a :func:`run` request without running it; return the number of steps it takes
    (``steps``, or what ``epochs`` and ``batch_size`` make). Raises what run() would raise."""
    settings = {name: kwargs.pop(name) for name in _RUN_SETTINGS if name in kwargs}
    record_state = settings.pop("record_state", False)  # checked by _prepare, like run()
    job = _prepare(optimizer, surface, start, steps, settings.get("schedule"), settings.get("grad_noise", 0.0),
                   settings.get("noise_decay", 0.0), settings.get("seed", 0), settings.get("batch_size"),
                   settings.get("epochs"), settings.get("every", 1), settings.get("keep", "path"),
                   settings.get("stop_distance"), settings.get("stop_grad"), kwargs, record_state)
    return job.plan.steps


_RUN_SETTINGS = ("schedule", "grad_noise", "noise_decay", "seed", "batch_size", "epochs", "every", "keep",
                 "record_state", "stop_distance", "stop_grad")


def _lr_curve(job: _Job) -> np.ndarray:
    """The learning rate in force at steps 1..steps: ``(steps,)``, or ``(steps, N)`` per start."""
    if not np.ndim(job.base_lr):
        return job.factors * job.base_lr
    # One rate per start is stored once per coordinate (see hyper._numeric): keep one column.
    column = job.base_lr[:, 0]
    if job.constant_lr:
        return np.broadcast_to(column, (job.plan.steps, column.shape[0]))  # a view: no steps x N copy
    if job.cosine_floor is not None:
        return _floored(job.factors[:, None], job.cosine_floor[:, 0], job.warm) * column
    return job.factors[:, None] * column


# ---------------------------------------------------------------------------------------------
# Validation


def _prepare(optimizer: str, surface: str | Surface, start: Any, steps: Any, schedule: Any, grad_noise: Any,
             noise_decay: Any, seed: Any, batch_size: Any, epochs: Any, every: Any, keep: Any,
             stop_distance: Any, stop_grad: Any, hyper: dict[str, Any], record_state: bool) -> _Job:
    """Validate a request; ``every=None`` keeps only the first and last rows."""
    if not isinstance(record_state, (bool, np.bool_)):
        raise ValueError(f"Invalid record_state: {shown(record_state)}. record_state must be True or False.")
    spec = get_optimizer(optimizer)
    surf = get_surface(surface)
    points, single = _start_points(surf, start)
    n_starts = points.shape[0]
    plan = _plan(surf, steps, 1 if every is None else every, keep, batch_size, epochs, grad_noise, noise_decay,
                 seed, stop_distance, stop_grad)
    if every is None:
        plan = dataclasses.replace(plan, every=plan.steps)
    hp, plain_hyper = _hyperparameters(spec, hyper, n_starts)
    sched = as_schedule(schedule)
    base_lr = _base_lr(hp)
    # Factors differ between starts only through cosine's absolute eta_min. Then each step's
    # factors are made from the floor eta_min / lr and the half-wave, the arithmetic of
    # Schedule.factors, rather than kept as a steps x starts table.
    per_start = bool(np.ndim(base_lr)) and sched.kind == "cosine" and sched.eta_min != 0
    floor = None
    if per_start:
        sched.factors(1, base_lr=base_lr[:, :1])  # refuses a floor that overflows, by name
        floor = sched.eta_min / base_lr[:, :1]
        factors = dataclasses.replace(sched, eta_min=0.0).factors(plan.steps)  # warm-up, then the half-wave
    else:
        factors = sched.factors(plan.steps, base_lr=1.0 if np.ndim(base_lr) else base_lr)
    constant = not per_start and bool(np.all(factors == 1.0))
    _check_memory(plan, n_starts, record_state, per_start_lr=bool(np.ndim(base_lr)) and not constant)
    minibatch = plan.batch_size if plan.batch_size is not None and plan.batch_size < surf.n_points else None
    check_work(n_starts, plan.steps, minibatch)
    return _Job(spec, surf, points, single, plan, hp, plain_hyper, sched, base_lr, factors, floor,
                min(sched.warmup_steps, plan.steps), constant)


def _start_points(surface: Surface, start: Any) -> tuple[np.ndarray, bool]:
    if start is None:
        start = surface.start
    points = real_array(start)
    if points is None:
        raise ValueError(f"Invalid start: {shown(start)}. start must be a point (x, y) or an array of shape (N, 2).")
    if points.ndim == 1 and points.shape == (2,):
        single, points = True, points.reshape(1, 2)
    elif points.ndim == 2 and points.shape[1] == 2 and points.shape[0] >= 1:
        single = False
    else:
        raise ValueError(
            f"Invalid start: shape {points.shape}. start must be a point (x, y) or an array of shape (N, 2)."
        )
    if points.shape[0] > MAX_STARTS:
        raise ValueError(f"Invalid start: {points.shape[0]} points. At most {MAX_STARTS} starts (MAX_STARTS) per run.")
    if not np.all(np.isfinite(points)) or np.any(np.abs(points) > DIVERGENCE_LIMIT):
        raise ValueError(
            f"Invalid start: every coordinate must be a finite number between {-DIVERGENCE_LIMIT:g} "
            f"and {DIVERGENCE_LIMIT:g}."
        )
    return points, single


def _plan(surface: Surface, steps: Any, every: Any, keep: Any, batch_size: Any, epochs: Any,
          grad_noise: Any, noise_decay: Any, seed: Any, stop_distance: Any, stop_grad: Any) -> _Plan:
    if not isinstance(keep, str) or keep not in KEEP_CHOICES:
        raise ValueError(f"Invalid keep: {shown(keep)}. keep must be one of {', '.join(KEEP_CHOICES)}.")
    if (batch_size is not None or epochs is not None) and not surface.has_data:
        raise ValueError(
            f"batch_size and epochs need a surface with data; {surface.name!r} has none. "
            "Use the 'regression' surface, or gradient noise (grad_noise) to imitate stochastic gradients."
        )
    if batch_size is not None:
        batch_size = whole_number("batch_size", batch_size, 1, surface.n_points, integral_float=True)
    if epochs is not None:
        epochs = whole_number("epochs", epochs, 1, MAX_EPOCHS, integral_float=True)
        if steps is not None:
            raise ValueError("Give either steps or epochs, not both: with epochs the number of steps follows from the batch size.")
        per_epoch = math.ceil(surface.n_points / (batch_size or surface.n_points))
        steps = epochs * per_epoch
        if steps > MAX_STEPS:
            raise ValueError(
                f"Invalid epochs: {epochs} epochs of {per_epoch} mini-batches make {steps} steps; "
                f"at most {MAX_STEPS} steps (MAX_STEPS) are allowed. Use fewer epochs or a larger batch_size."
            )
    steps = DEFAULT_STEPS if steps is None else whole_number("steps", steps, 1, MAX_STEPS, integral_float=True)
    every = whole_number("every", every, 1, MAX_STEPS, integral_float=True)
    grad_noise = finite_number("grad_noise", grad_noise, 0.0, MAX_NOISE)
    noise_decay = finite_number("noise_decay", noise_decay, 0.0, 10.0)
    seed = whole_number("seed", seed, 0, 2**32 - 1, integral_float=True)
    if stop_distance is not None:
        stop_distance = finite_number("stop_distance", stop_distance, 0.0, 1e6, low_open=True)
    if stop_grad is not None:
        stop_grad = finite_number("stop_grad", stop_grad, 0.0, 1e6, low_open=True)
    return _Plan(steps, every, keep, batch_size, epochs, grad_noise, noise_decay, seed, stop_distance, stop_grad)


def _hyperparameters(spec: OptimizerSpec, given: dict[str, Any], n_starts: int) -> tuple[Any, dict[str, Any]]:
    if not spec.wraps_inner:
        hp = resolve(build(spec.hyper, given, spec.name), n_starts)
        return hp, as_plain(hp)
    own_names = set(spec.knobs()) - {"inner_hyper"}
    own = {name: value for name, value in given.items() if name in own_names}
    rest = {name: value for name, value in given.items() if name not in own_names}
    wrapper = build(spec.hyper, own, spec.name)
    inner_name = wrapper.inner
    inner_choices = [name for name, other in OPTIMIZERS.items() if not other.wraps_inner]
    if inner_name not in inner_choices:
        raise ValueError(f"Invalid inner: {shown(inner_name)}. inner must be one of {', '.join(inner_choices)}.")
    inner_spec = OPTIMIZERS[inner_name]
    inner_hp = resolve(build(inner_spec.hyper, rest, f"{spec.name} (inner {inner_name})"), n_starts)
    hp = dataclasses.replace(resolve(wrapper, n_starts), inner_hyper=inner_hp)
    plain = as_plain(hp)
    plain.update(as_plain(inner_hp))
    return hp, plain


def _base_lr(hp: Any) -> float | np.ndarray:
    source = hp.inner_hyper if getattr(hp, "inner_hyper", None) is not None else hp
    return source.lr


def _check_memory(plan: _Plan, n_starts: int, record_state: bool, *, per_start_lr: bool = False) -> None:
    rows = plan.steps // plan.every + 2
    per_row = n_starts * 8 * (1 + (2 if plan.keep == "path" else 0) + (24 if record_state else 0))
    # A learning rate per start that changes over the run is kept for every step and start.
    curves = plan.steps * n_starts * 8 * int(per_start_lr)
    if rows * per_row + curves > MAX_RECORDED_BYTES:
        raise ValueError(
            f"This run would keep about {(rows * per_row + curves) / 2**30:.1f} GiB of results "
            f"({n_starts} starts x {rows} rows); the limit is {MAX_RECORDED_BYTES / 2**30:.0f} GiB "
            "(MAX_RECORDED_BYTES). Keep fewer rows with every=k, keep='final', or fewer starts."
        )


def _kept_steps(steps: int, every: int) -> np.ndarray:
    kept = np.arange(0, steps + 1, every)
    if kept[-1] != steps:
        kept = np.append(kept, steps)
    return kept


def _minibatches(n_points: int, batch_size: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """Index arrays of successive mini-batches, reshuffling the data at every epoch."""
    while True:
        order = rng.permutation(n_points)
        for first in range(0, n_points, batch_size):
            yield order[first:first + batch_size]


# ---------------------------------------------------------------------------------------------
# The loop


def _loop(job: _Job, record_state: bool) -> tuple:
    """Step every start; a start that blows up or meets a stop rule freezes where it is.

    A start blows up when a coordinate leaves ``±DIVERGENCE_LIMIT`` or, on a surface that does
    not promise ``loss_finite_in_limit``, when its loss stops being finite; it freezes at its
    last point inside. On a surface that makes the promise the loop is lean: the loss is
    evaluated only at kept steps, and a batch whose norm provably stays inside the limit
    steps in place, column by column. Its numbers are bit for bit those of the full checks.

    Frozen starts leave the batch (their per-start arrays are compacted away) once they are
    ``COMPACT_FRACTION`` of it or have been held ``HOLD_STEPS``, so diverged cells of a sweep
    and arrived starts of a basin map stop costing work, and the run ends when every start is
    frozen. Every array a frozen start still owns (its path rows, its loss) is filled in as it
    leaves. With ``record_state`` the batch is never compacted: the records hold every start at
    every recorded step.
    """
    spec, surface, plan, hp = job.spec, job.surface, job.plan, job.hp
    base_lr, factors, floor = job.base_lr, job.factors, job.cosine_floor
    start = job.points
    n_starts, steps = start.shape[0], plan.steps
    kept = _kept_steps(steps, plan.every)
    keep_path = plan.keep == "path"
    every_row = keep_path and plan.every == 1
    loss_out = np.empty((len(kept), n_starts))
    xy_steps = kept if keep_path else np.array([0, steps])
    xy_out = np.empty((len(xy_steps), n_starts, 2))
    xy_out[0] = start
    # While the batch holds every start and every row is kept, each new point is written
    # straight into its row of the path, which saves a copy per step.
    params = xy_out[0] if every_row else start.copy()

    noise_seed, batch_seed = np.random.SeedSequence(plan.seed).spawn(2)
    noise_rng = np.random.default_rng(noise_seed)
    batches = None
    if plan.batch_size is not None and plan.batch_size < surface.n_points:
        batches = _minibatches(surface.n_points, plan.batch_size, np.random.default_rng(batch_seed))
    stop_rule = plan.stop_distance is not None or plan.stop_grad is not None
    grad_noise, constant_lr, warm = plan.grad_noise, job.constant_lr, job.warm
    kept_steps = kept.tolist()  # Python ints: the per-step comparison is then cheap
    update, subtract = spec.update, np.subtract
    largest, smallest, total = np.maximum.reduce, np.minimum.reduce, np.add.reduce  # no method wrappers
    value_and_grad = surface.value_and_grad
    if surface.value_and_grad_fn is not None and type(surface).value_and_grad is Surface.value_and_grad:
        value_and_grad = surface.value_and_grad_fn  # one call less per step
    # Where the loss cannot overflow inside the limit, the limit check alone catches every
    # blow-up, so steps whose loss is not kept evaluate the gradient only (a sweep keeps one
    # row in a thousand: the last). Mini-batch steps take their gradient from batch_grad either way.
    gradient_only = surface.grad if surface.loss_finite_in_limit and batches is None else None

    diverged_at = np.full(n_starts, -1, dtype=np.int64)
    stopped_at = np.full(n_starts, -1, dtype=np.int64)
    rows: np.ndarray | None = None  # the batch's starts (indices), None while it holds them all
    frozen: np.ndarray | None = None  # (batch,) bool: frozen starts still in the batch
    held = np.zeros(0, dtype=np.intp)  # their positions in the batch
    held_since = 0  # the step at which the first of them froze
    events_out: dict[str, np.ndarray] | None = None  # events of the starts that have left
    records: dict[str, list[np.ndarray]] | None = {} if record_state else None
    # Such a batch can also step in place while a running bound on its norm (the last exact
    # norm plus the norms of the steps since) proves every point inside the limit: no second
    # array of points, no check per coordinate. Records need the previous points, and a path
    # kept at every step takes each new point straight into its row instead.
    in_place = gradient_only is not None and records is None and not every_row
    radius = math.inf
    if in_place:
        radius = _norm(params)
        if not grad_noise:
            # Column by column, each coordinate is a contiguous array for the surface's
            # arithmetic. Every per-start array follows, since mixing layouts is slow; noise
            # is drawn point by point, so a noisy run keeps that layout.
            params = np.asfortranarray(params)
            hp = _per_start(hp, n_starts, np.asfortranarray)
            base_lr = _base_lr(hp)
    spare = np.empty_like(params)
    state = spec.init(params, hp)
    next_kept = 1

    def freeze(mask: np.ndarray, at: np.ndarray, t: int) -> None:
        nonlocal frozen, held, held_since
        if not len(held):
            held_since = t
        at[mask.nonzero()[0] if rows is None else rows[mask]] = t
        frozen = mask.copy() if frozen is None else frozen | mask
        held = np.flatnonzero(frozen)

    loss, grad = value_and_grad(params)
    loss_out[0] = loss
    for t in range(1, steps + 1):
        if batches is not None:
            grad = surface.batch_grad(params, next(batches))
        if grad_noise:
            sigma = grad_noise / (1.0 + t) ** (plan.noise_decay / 2.0)
            # Drawn for every start, so a start's noise does not depend on which others remain.
            draw = noise_rng.standard_normal((n_starts, 2))
            grad = grad + sigma * (draw if rows is None else draw[rows])
        if constant_lr:
            lr = base_lr
        elif floor is None or t <= warm:
            lr = base_lr * factors[t - 1]
        else:
            lr = base_lr * _floored(factors[t - 1], floor, 0)
        used_grad = grad
        step = update(grad, state, params, hp, lr, t)
        reach = math.inf
        if in_place and not len(held):
            reach = radius + _norm(step)
        if reach <= SAFE_NORM:
            subtract(params, step, out=params)
            radius = reach
        else:
            new = xy_out[t] if every_row and rows is None else spare
            subtract(params, step, out=new)
            if len(held):
                new[held] = params[held]
            if not (largest(new, None) <= DIVERGENCE_LIMIT and smallest(new, None) >= -DIVERGENCE_LIMIT):
                blown = ~np.all(np.abs(new) <= DIVERGENCE_LIMIT, axis=1)
                if frozen is not None:
                    blown &= ~frozen
                new[blown] = params[blown]
                freeze(blown, diverged_at, t)
            spare, previous, params = params, params, new
            if in_place:
                radius = _norm(params)
        keeping = t == kept_steps[next_kept]
        if gradient_only is None:
            loss, grad = value_and_grad(params)
            if not math.isfinite(total(loss, None)):
                blown = ~np.isfinite(loss)
                if frozen is not None:
                    blown &= ~frozen
                if blown.any():
                    params[blown] = previous[blown]
                    freeze(blown, diverged_at, t)
                    loss, grad = value_and_grad(params)
        elif keeping:
            loss, grad = value_and_grad(params)  # finite: the surface promises it inside the limit
        else:
            grad, loss = gradient_only(params), None
        if stop_rule:
            done = _stop_rule(surface, params, grad, plan)
            if frozen is not None:
                done &= ~frozen
            if done.any():
                freeze(done, stopped_at, t)
        if keeping:
            if rows is None:
                loss_out[next_kept] = loss
                if keep_path and not every_row:
                    xy_out[next_kept] = params
            else:
                loss_out[next_kept, rows] = loss
                if keep_path:
                    xy_out[next_kept, rows] = params
            if records is not None:
                _record(records, spec, state, hp, used_grad, lr, params - previous, t, n_starts)
            next_kept += 1
        if (records is None and len(held) and t < steps
                and (len(held) >= COMPACT_FRACTION * len(params) or t - held_since >= HOLD_STEPS)):
            # The frozen starts leave: fill in what they still own, then drop their rows.
            gone = held if rows is None else rows[held]
            loss_out[next_kept:, gone] = value_and_grad(params[held])[0] if loss is None else loss[held]
            xy_out[next_kept if keep_path else 1:, gone] = params[held]
            leaving = spec.events(state, hp)
            if events_out is None:
                events_out = {name: np.array(value, copy=True) for name, value in leaving.items()}
            else:
                for name, value in leaving.items():
                    events_out[name][gone] = value[held]
            stay = ~frozen
            rows = np.flatnonzero(stay) if rows is None else rows[stay]
            count = len(params)
            params, grad = _rows(params, stay), _rows(grad, stay)
            loss = None if loss is None else loss[stay]
            state, hp = _take(state, stay, count), _take(hp, stay, count)
            if np.ndim(base_lr):
                base_lr = _rows(base_lr, stay)
            if floor is not None:
                floor = floor[stay]
            spare = np.empty_like(params)
            frozen, held = None, held[:0]
            if in_place:
                radius = _norm(params)
            if not len(rows):
                break  # every start is frozen and filled in: nothing left to step
    if not keep_path:
        xy_out[1 if rows is None else (1, rows)] = params
    events = {name: np.array(value, copy=True) for name, value in spec.events(state, hp).items()}
    if events_out is not None:
        for name, value in events.items():
            events_out[name][rows] = value
        events = events_out
    stacked = None
    if records is not None:
        stacked = _sanitise({name: np.stack(values) for name, values in records.items()}, kept, diverged_at)
    return xy_out, loss_out, kept, xy_steps, diverged_at, stopped_at, events, stacked


def _norm(points: np.ndarray) -> float:
    """The Euclidean norm of a whole batch as a Python float: inf or NaN if any entry is."""
    flat = points.ravel(order="K")  # a view, whichever way the batch is laid out
    if flat.size <= BLAS_ONE_THREAD:
        return math.sqrt(np.dot(flat, flat))
    squares = 0.0
    for first in range(0, flat.size, BLAS_ONE_THREAD):
        block = flat[first:first + BLAS_ONE_THREAD]
        squares += np.dot(block, block)
    return math.sqrt(squares)


def _floored(half_wave: Any, floor: np.ndarray, warm: int) -> np.ndarray:
    """Cosine factors above a per-start floor, as Schedule.factors computes them:
    floor + (1 - floor) * half_wave, except in the first ``warm`` rows (warm-up, no floor)."""
    floored = floor + (1.0 - floor) * half_wave
    if warm:
        floored[:warm] = np.broadcast_to(half_wave[:warm], floored[:warm].shape)
    return floored


def _take(value: Any, keep: np.ndarray, count: int) -> Any:
    """``value`` with only the ``keep`` starts (see :func:`_per_start`)."""
    return _per_start(value, count, lambda array: _rows(array, keep))


def _rows(array: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """``array[keep]`` (``keep`` a boolean mask) laid out as ``array`` is: a batch stepping
    column by column stays so after its frozen starts leave (indexing, even of the transpose,
    would return it point by point)."""
    if array.ndim == 2 and array.flags.f_contiguous and not array.flags.c_contiguous:
        return array.T.compress(keep, axis=1).T
    return array[keep]


def _per_start(value: Any, count: int, change: Callable[[np.ndarray], np.ndarray]) -> Any:
    """``value`` with ``change`` applied to every array whose first axis is the batch (``count``
    long) inside an optimizer's state or hyperparameters, found through tuples, named tuples and
    dataclasses. Update rules keep per-start arrays start-first (spec.py)."""
    if isinstance(value, np.ndarray):
        return change(value) if value.ndim and value.shape[0] == count else value
    if isinstance(value, tuple):
        items = [_per_start(item, count, change) for item in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _per_start(getattr(value, f.name), count, change)
                   for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value


def _stop_rule(surface: Surface, params: np.ndarray, grad: np.ndarray, plan: _Plan) -> np.ndarray:
    done = np.zeros(params.shape[0], dtype=bool)
    if plan.stop_distance is not None:
        distance = surface.distance_to_nearest_minimum(params)
        if distance is not None:
            done |= distance < plan.stop_distance
    if plan.stop_grad is not None:
        done |= np.sqrt(np.sum(grad * grad, axis=1)) < plan.stop_grad
    return done


def _record(records: dict[str, list[np.ndarray]], spec: OptimizerSpec, state: Any, hp: Any,
            used_grad: np.ndarray, lr: Any, update: np.ndarray, t: int, n_starts: int) -> None:
    """Copy the numbers behind step ``t``; every entry is (N, 2) or (N, 1)."""
    numbers = {"grad": used_grad, "lr": lr, "update": update, **spec.inspect(state, hp, lr, t)}
    for name, value in numbers.items():
        value = np.asarray(value, dtype=float)
        width = 2 if value.ndim and value.shape[-1] == 2 else 1
        records.setdefault(name, []).append(np.array(np.broadcast_to(value, (n_starts, width))))


def _sanitise(records: dict[str, np.ndarray], kept: np.ndarray, diverged_at: np.ndarray) -> dict[str, np.ndarray]:
    """Hold each blown-up start's numbers at their last finite values, so no NaN leaves the engine."""
    recorded_steps = kept[1:]
    blew_up = diverged_at >= 0
    # For every (recorded step, start): the row whose numbers to show there.
    last_good = np.searchsorted(recorded_steps, np.where(blew_up, diverged_at, 0)) - 1
    after = blew_up[None, :] & (recorded_steps[:, None] >= diverged_at[None, :])
    source = np.where(after, np.maximum(last_good, 0)[None, :], np.arange(len(recorded_steps))[:, None])
    nothing_good = after & (last_good < 0)[None, :]
    for name, values in records.items():
        held = np.take_along_axis(values, source[:, :, None], axis=0)
        held[nothing_good] = 0.0
        records[name] = np.nan_to_num(held, nan=0.0, posinf=0.0, neginf=0.0)
    return records
