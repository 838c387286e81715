"""The one time loop of the engine: steps a batch of start points and records what was asked."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from landscapes import Surface, get_surface
from optimizers.checks import finite_number, whole_number
from optimizers.hyper import as_plain, build, resolve
from optimizers.registry import OPTIMIZERS, get_optimizer
from optimizers.schedules import Schedule, as_schedule
from optimizers.spec import OptimizerSpec
from optimizers.trajectory import Trajectory

MAX_STEPS = 100_000
MAX_STARTS = 1_000_000
DEFAULT_STEPS = 100
DIVERGENCE_LIMIT = 1e10  # a coordinate beyond this is far outside any view window: the start has blown up
MAX_RECORDED_BYTES = 4 * 2**30
MAX_NOISE = 1e6
MAX_EPOCHS = 100_000
KEEP_CHOICES = ("path", "final")


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
        when an argument is out of range.
    """
    spec = get_optimizer(optimizer)
    surf = get_surface(surface)
    points, single = _start_points(surf, start)
    n_starts = points.shape[0]
    plan = _plan(surf, steps, every, keep, batch_size, epochs, grad_noise, noise_decay, seed,
                 stop_distance, stop_grad, n_starts)
    hp, plain_hyper = _hyperparameters(spec, hyper, n_starts)
    sched = as_schedule(schedule)
    base_lr = _base_lr(hp)
    # Factors differ between starts only through cosine's absolute eta_min; otherwise one
    # column serves every start (an (steps, N, 2) array would cost memory and page faults).
    per_start = np.ndim(base_lr) and sched.kind == "cosine" and sched.eta_min != 0
    factors = sched.factors(plan.steps, base_lr=base_lr[:, :1] if per_start else 1.0 if np.ndim(base_lr) else base_lr)
    _check_memory(plan, n_starts, record_state)
    with np.errstate(all="ignore"):
        result = _loop(spec, surf, points, hp, base_lr, factors, plan, record_state)
    xy, loss, step_index, xy_step_index, diverged_at, stopped_at, events, records = result
    # One rate per start is stored once per coordinate (see hyper._numeric): keep one column.
    if np.ndim(base_lr):
        column = base_lr[:, 0]
        lr_curve = factors[..., 0] * column if per_start else factors[:, None] * column
    else:
        lr_curve = factors * base_lr
    settings = {
        "steps": plan.steps, "every": plan.every, "keep": plan.keep, "seed": plan.seed,
        "schedule": sched.__dict__.copy(), "schedule_text": sched.describe(),
        "grad_noise": plan.grad_noise, "noise_decay": plan.noise_decay,
        "batch_size": plan.batch_size, "epochs": plan.epochs,
        "stop_distance": plan.stop_distance, "stop_grad": plan.stop_grad,
    }
    if single:
        xy, loss = xy[:, 0], loss[:, 0]
        diverged_at, stopped_at = int(diverged_at[0]), int(stopped_at[0])
        events = {name: int(value[0]) for name, value in events.items()}
        if records is not None:
            records = {name: value[:, 0] for name, value in records.items()}
    return Trajectory(
        optimizer=spec.name, surface=surf.name, xy=xy, loss=loss, step_index=step_index,
        xy_step_index=xy_step_index, diverged_at=diverged_at, stopped_at=stopped_at, lr=lr_curve,
        hyper=plain_hyper, settings=settings, events=events, records=records,
    )


# ---------------------------------------------------------------------------------------------
# Validation


def _start_points(surface: Surface, start: Any) -> tuple[np.ndarray, bool]:
    if start is None:
        start = surface.start
    try:
        points = np.array(start, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"Invalid start: {start!r}. start must be a point (x, y) or an array of shape (N, 2).") from None
    if points.ndim == 1 and points.shape == (2,):
        single, points = True, points.reshape(1, 2)
    elif points.ndim == 2 and points.shape[1] == 2 and points.shape[0] >= 1:
        single = False
    else:
        raise ValueError(
            f"Invalid start: shape {points.shape}. start must be a point (x, y) or an array of shape (N, 2)."
        )
    if points.shape[0] > MAX_STARTS:
        raise ValueError(f"Invalid start: {points.shape[0]} points. At most {MAX_STARTS} starts per run.")
    if not np.all(np.isfinite(points)) or np.any(np.abs(points) > DIVERGENCE_LIMIT):
        raise ValueError(
            f"Invalid start: every coordinate must be a finite number between {-DIVERGENCE_LIMIT:g} "
            f"and {DIVERGENCE_LIMIT:g}."
        )
    return points, single


def _plan(surface: Surface, steps: Any, every: Any, keep: Any, batch_size: Any, epochs: Any,
          grad_noise: Any, noise_decay: Any, seed: Any, stop_distance: Any, stop_grad: Any,
          n_starts: int) -> _Plan:
    if keep not in KEEP_CHOICES:
        raise ValueError(f"Invalid keep: {keep!r}. keep must be one of {', '.join(KEEP_CHOICES)}.")
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
                f"at most {MAX_STEPS} steps are allowed. Use fewer epochs or a larger batch_size."
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
        raise ValueError(f"Invalid inner: {inner_name!r}. inner must be one of {', '.join(inner_choices)}.")
    inner_spec = OPTIMIZERS[inner_name]
    inner_hp = resolve(build(inner_spec.hyper, rest, f"{spec.name} (inner {inner_name})"), n_starts)
    hp = dataclasses.replace(resolve(wrapper, n_starts), inner_hyper=inner_hp)
    plain = as_plain(hp)
    plain.update(as_plain(inner_hp))
    return hp, plain


def _base_lr(hp: Any) -> float | np.ndarray:
    source = hp.inner_hyper if getattr(hp, "inner_hyper", None) is not None else hp
    return source.lr


def _check_memory(plan: _Plan, n_starts: int, record_state: bool) -> None:
    rows = plan.steps // plan.every + 2
    per_row = n_starts * 8 * (1 + (2 if plan.keep == "path" else 0) + (24 if record_state else 0))
    if rows * per_row > MAX_RECORDED_BYTES:
        raise ValueError(
            f"This run would keep about {rows * per_row / 2**30:.1f} GiB of results "
            f"({n_starts} starts x {rows} rows); the limit is {MAX_RECORDED_BYTES / 2**30:.0f} GiB. "
            "Keep fewer rows with every=k, keep='final', or fewer starts."
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


def _loop(spec: OptimizerSpec, surface: Surface, start: np.ndarray, hp: Any, base_lr: Any,
          factors: np.ndarray, plan: _Plan, record_state: bool) -> tuple:
    n_starts, steps = start.shape[0], plan.steps
    kept = _kept_steps(steps, plan.every)
    keep_path = plan.keep == "path"
    every_row = keep_path and plan.every == 1
    loss_out = np.empty((len(kept), n_starts))
    xy_steps = kept if keep_path else np.array([0, steps])
    xy_out = np.empty((len(xy_steps), n_starts, 2))
    xy_out[0] = start
    # Writing each new point straight into its row of the path saves a copy per step.
    spare = None if every_row else [start.copy(), np.empty_like(start)]
    params = xy_out[0] if every_row else spare[0]

    noise_seed, batch_seed = np.random.SeedSequence(plan.seed).spawn(2)
    noise_rng = np.random.default_rng(noise_seed)
    batches = None
    if plan.batch_size is not None and plan.batch_size < surface.n_points:
        batches = _minibatches(surface.n_points, plan.batch_size, np.random.default_rng(batch_seed))

    state = spec.init(params, hp)
    diverged_at = np.full(n_starts, -1, dtype=np.int64)
    stopped_at = np.full(n_starts, -1, dtype=np.int64)
    frozen = np.zeros(n_starts, dtype=bool)
    any_frozen = False
    records: dict[str, list[np.ndarray]] | None = {} if record_state else None
    next_kept = 1

    loss, grad = surface.value_and_grad(params)
    loss_out[0] = loss
    for t in range(1, steps + 1):
        if batches is not None:
            grad = surface.batch_grad(params, next(batches))
        if plan.grad_noise:
            sigma = plan.grad_noise / (1.0 + t) ** (plan.noise_decay / 2.0)
            grad = grad + sigma * noise_rng.standard_normal(grad.shape)
        lr = base_lr * factors[t - 1]
        used_grad = grad
        step = spec.update(grad, state, params, hp, lr, t)
        if every_row:
            new = xy_out[t]
        else:
            new = spare[1] if params is spare[0] else spare[0]
        np.add(params, step, out=new)
        if any_frozen:
            np.copyto(new, params, where=frozen[:, None])
        if not (new.max() <= DIVERGENCE_LIMIT and new.min() >= -DIVERGENCE_LIMIT):
            blown = ~(np.all(np.abs(new) <= DIVERGENCE_LIMIT, axis=1)) & ~frozen
            new[blown] = params[blown]
            diverged_at[blown] = t
            frozen |= blown
            any_frozen = True
        previous, params = params, new
        loss, grad = surface.value_and_grad(params)
        if not math.isfinite(loss.sum()):
            blown = ~np.isfinite(loss) & ~frozen
            if blown.any():
                params[blown] = previous[blown]
                diverged_at[blown] = t
                frozen |= blown
                any_frozen = True
                loss, grad = surface.value_and_grad(params)
        if plan.stop_distance is not None or plan.stop_grad is not None:
            done = _stop_rule(surface, params, grad, plan) & ~frozen
            if done.any():
                stopped_at[done] = t
                frozen |= done
                any_frozen = True
        if t == kept[next_kept]:
            loss_out[next_kept] = loss
            if keep_path and not every_row:
                xy_out[next_kept] = params
            if records is not None:
                _record(records, spec, state, hp, used_grad, lr, params - previous, t, n_starts)
            next_kept += 1
    if not keep_path:
        xy_out[1] = params
    events = {name: np.array(value, copy=True) for name, value in spec.events(state, hp).items()}
    stacked = None
    if records is not None:
        stacked = _sanitise({name: np.stack(rows) for name, rows in records.items()}, kept, diverged_at)
    return xy_out, loss_out, kept, xy_steps, diverged_at, stopped_at, events, stacked


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
