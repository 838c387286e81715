"""Many runs at once: a sweep over a grid of settings, and the basins of attraction of a surface.

Both are batched engine work: the cells of a sweep are one batch of starts with one value of
each swept hyperparameter per start, the pixels of a basin map one batch of starts, so no
Python loop runs over cells, and each cell ends exactly where ``run()`` of that cell alone
ends (for runs without gradient noise). Large batches are cut into chunks that several threads
run at once: NumPy releases the GIL inside its array operations.

>>> import numpy as np
>>> s = sweep("momentum", "ravine", start=(-7, 2), steps=200,
...           grid={"lr": np.geomspace(1e-3, 2, 4), "momentum": np.linspace(0, 0.9, 3)})
>>> s.final_loss.shape
(4, 3)
>>> b = basins("sgd", "himmelblau", resolution=20, steps=300, lr=0.01)
>>> sorted(set(b.minimum.ravel().tolist()))
[0, 1, 2, 3]

Choices worth knowing:

- Grid keys are the optimizer's real-valued hyperparameters (:func:`grid_keys`); Adam's pair
  is swept one member at a time as ``"betas[0]"`` / ``"betas[1]"``, the other member taken from
  a fixed ``betas=`` keyword or the default. For Lookahead, the keys are its ``alpha`` and the
  inner optimizer's (``inner=`` keyword, Adam by default). Whole numbers (Lookahead's ``k``)
  and switches (``amsgrad``) are not swept: they change the algorithm, not a rate.
- ``Sweep.steps_to(tol)`` runs the sweep once more with the runner's stop rule at ``tol``
  (each cell freezes at its first step within ``tol`` of a known minimum, and leaves the batch).
  That is exact, keeps no per-step array (memory stays one row per cell, whatever the number
  of steps) and costs nothing until asked; the answer is cached per ``tol``. Recording a float32
  distance per cell and step instead would cost 4 bytes per point-step (40 MB for 100 x 100 x
  1,000) and a distance computation in every step of every sweep, to answer a question the
  page may not ask, and could round a distance across ``tol``.
- How the cells are cut into chunks depends on their number alone, not on the machine; with
  gradient noise, a cell's noise depends on its place in its chunk (same statistics as
  ``run()`` alone, other draws), so a noisy sweep gives the same numbers on any machine.
- Cells that blow up, or (with a stop rule) arrive, leave their batch (see the runner), so
  they stop costing work: a map with a large diverged region is cheaper than a calm one.
- Basins: a start ends in a listed minimum (``surface.minima``) when it comes within ``tol`` of
  it (the run stops it there). Surfaces have more attractors than they list (Rastrigin lists
  only its global minimum): :meth:`Basins.attractors` groups the end points where the gradient
  vanished, so a page can colour every local minimum's basin; ``final_xy`` is there too. On a
  surface without minima (the saddles), :attr:`Basins.escape_angle` says which way each start
  left the critical point at the origin.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from landscapes import Surface, get_surface
from optimizers.hyper import KnobInfo
from optimizers.limits import MAX_CELLS, MAX_RESOLUTION, check_work
from optimizers.registry import OPTIMIZERS, get_optimizer
from optimizers.runner import Ends, planned_steps, run, run_ends
from optimizers.trajectory import Trajectory

# Starts per chunk, by measurement (bench/bench_explore.py --chunks, 2 cores, 100,000 Adam
# starts x 200 steps). On one thread the chunk size hardly matters from 8,192 starts up (0.31-
# 0.38 s up to 65,536); below it Python's per-call overhead shows (2,048: 0.40 s), and a
# 100 x 100 sweep costs 0.07 s in one chunk against 0.15 s in two of 5,000. On two
# threads short NumPy calls fight over the GIL: chunks of 8,192 ran 0.81x one thread, 32,768
# 1.39x, 65,536 1.71x. So a batch runs on one thread in chunks of CHUNK (which a progress bar
# can follow), and only a batch with room for two shares of at least PARALLEL_SHARE starts is
# split over the cores, in an even number of chunks of up to PARALLEL_CHUNK.
CHUNK = 16_384
PARALLEL_SHARE = 32_768
PARALLEL_CHUNK = 65_536
DEFAULT_TOL = 1e-3
NO_ESCAPE = -10.0  # escape_angle where a start did not leave the critical point (angles are in [-pi, pi])
UNSETTLED, DIVERGED = -1, -2  # labels of Basins.minimum and Basins.attractors

Progress = Callable[[float], None]


def grid_keys(optimizer: str, inner: str | None = None) -> tuple[str, ...]:
    """The hyperparameters a sweep may vary for ``optimizer``: its real-valued ones, Adam-style
    pairs as ``"betas[0]"`` and ``"betas[1]"``, and for a wrapper those of its ``inner``
    optimizer (by default the wrapper's default inner optimizer)."""
    return tuple(_sweepable(optimizer, inner))


def pair_member(key: str) -> tuple[str, int] | None:
    """``("betas", 0)`` for the grid key ``"betas[0]"``; None for a key that is a whole
    hyperparameter."""
    if key.endswith("]") and key[-3:-2] == "[" and key[-2] in "01":
        return key[:-3], int(key[-2])
    return None


def _sweepable(optimizer: str, inner: str | None) -> dict[str, tuple[str, KnobInfo, Any]]:
    """grid key -> (the run() keyword it feeds, its knob, its default)."""
    spec = get_optimizer(optimizer)
    knobs = dict(spec.knobs())
    if spec.wraps_inner:
        inner = knobs["inner"][0] if inner is None else inner
        if not isinstance(inner, str) or inner not in OPTIMIZERS or OPTIMIZERS[inner].wraps_inner:
            choices = [name for name, other in OPTIMIZERS.items() if not other.wraps_inner]
            raise ValueError(f"Invalid inner: {inner!r}. inner must be one of {', '.join(choices)}.")
        knobs.update({name: knob for name, knob in OPTIMIZERS[inner].knobs().items() if name not in knobs})
    keys: dict[str, tuple[str, KnobInfo, Any]] = {}
    for name, (default, info) in knobs.items():
        if info.kind == "float":
            keys[name] = (name, info, default)
        elif info.kind == "betas":
            for index in (0, 1):
                keys[f"{name}[{index}]"] = (name, info, default)
    return keys


@dataclass(frozen=True, eq=False)
class Sweep:
    """The result of :func:`sweep`: arrays indexed ``[i, j]`` by the grid's first and second key."""

    optimizer: str
    surface: Surface
    axes: dict[str, np.ndarray]  # grid key -> its values, in grid order
    final_loss: np.ndarray  # +inf where the cell diverged, never NaN
    diverged: np.ndarray  # bool
    diverged_at: np.ndarray  # int: the step at which the cell blew up, -1 if never
    stopped_at: np.ndarray  # int: the step at which a stop rule froze the cell, -1 if never
    final_xy: np.ndarray  # (..., 2): where each cell ended (a diverged cell: its last point in bounds)
    steps: int
    start: tuple[float, float]
    settings: dict[str, Any]  # the fixed run() keywords every cell shares
    _arrivals: Callable[[float], np.ndarray] = field(repr=False)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.final_loss.shape

    def steps_to(self, tol: float) -> np.ndarray:
        """First step at which each cell is within ``tol`` of one of the surface's minima; -1 if
        it never is (or blows up first). A surface without known minima gives -1 everywhere.

        Runs the sweep again with the runner's stop rule (see the module notes), once per ``tol``.
        """
        tol = _positive("tol", tol)
        if not len(self.surface.minima):
            return np.full(self.shape, -1, dtype=np.int64)
        return self._arrivals(tol).copy()

    def cell(self, *index: int) -> dict[str, float]:
        """The grid values of one cell, e.g. ``{"lr": 0.01, "momentum": 0.9}``."""
        if len(index) != len(self.axes):
            raise ValueError(f"Invalid cell: give {len(self.axes)} indices, one per grid key ({', '.join(self.axes)}).")
        return {name: float(values[i]) for (name, values), i in zip(self.axes.items(), index, strict=True)}

    def trajectory(self, *index: int, **run_kwargs: Any) -> Trajectory:
        """The whole run of one cell (``run()`` of that cell alone): its path and loss curve."""
        values = self.cell(*index)
        hyper = _cell_hyper(self.optimizer, self.settings, {name: np.array([v]) for name, v in values.items()})
        hyper = {name: value[0] if isinstance(value, np.ndarray) else _scalar_pair(value)
                 for name, value in hyper.items()}
        return run(self.optimizer, self.surface, start=self.start, steps=self.steps,
                   **{**self.settings, **hyper, **run_kwargs})


@dataclass(frozen=True, eq=False)
class Basins:
    """The result of :func:`basins`: arrays indexed ``[i, j]`` for the start ``(xs[j], ys[i])``."""

    optimizer: str
    surface: Surface
    xs: np.ndarray  # (W,)
    ys: np.ndarray  # (H,)
    final_xy: np.ndarray  # (H, W, 2)
    final_loss: np.ndarray  # (H, W), +inf where diverged
    final_grad_norm: np.ndarray  # (H, W) gradient norm at final_xy (finite)
    minimum: np.ndarray  # (H, W) index into surface.minima reached within tol; -1 none; -2 diverged
    steps_to: np.ndarray  # (H, W) first step within tol of a minimum, -1 never
    diverged_at: np.ndarray  # (H, W) step at which the start blew up, -1 never
    tol: float
    steps: int
    settings: dict[str, Any]  # the run() keywords every start shared

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_at >= 0

    @property
    def escaped(self) -> np.ndarray:
        """(H, W) bool: the start ended farther than ``tol`` from the origin, where the saddles
        have their critical point (blown-up starts escaped too)."""
        return np.hypot(self.final_xy[..., 0], self.final_xy[..., 1]) >= self.tol

    @property
    def escape_angle(self) -> np.ndarray:
        """(H, W) direction in radians (-pi..pi, 0 along +x) of each end point seen from the
        origin: which way each start left a saddle. ``NO_ESCAPE`` (-10) where it did not
        (see ``escaped``); never NaN."""
        angle = np.arctan2(self.final_xy[..., 1], self.final_xy[..., 0])
        return np.where(self.escaped, angle, NO_ESCAPE)

    def attractors(self, grad_tol: float = 1e-3, radius: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The distinct points where starts settled, and which one each start settled in.

        A start settled if it did not blow up and its gradient norm at the end is below
        ``grad_tol`` (or it reached a listed minimum). End points closer than ``radius``
        (default: 1/40 of the window's smaller side) are one attractor. Returns ``(centres,
        label)``: centres ``(M, 2)`` sorted by x then y, label ``(H, W)`` an index into centres,
        ``-1`` (``UNSETTLED``) or ``-2`` (``DIVERGED``). On Rastrigin, every local minimum a
        start found is a centre; on Himmelblau, the four minima.
        """
        grad_tol = _positive("grad_tol", grad_tol)
        if radius is None:
            radius = min(np.ptp(self.xs), np.ptp(self.ys)) / 40 or 1.0
        radius = _positive("radius", radius)
        settled = ~self.diverged & ((self.final_grad_norm < grad_tol) | (self.minimum >= 0))
        centres, labels = _group(self.final_xy[settled], radius)
        label = np.where(self.diverged, DIVERGED, UNSETTLED)
        label[settled] = labels
        return centres, label

    def trajectory(self, i: int, j: int, **run_kwargs: Any) -> Trajectory:
        """The whole run from the start ``(xs[j], ys[i])`` alone (it stops where the map's did)."""
        return run(self.optimizer, self.surface, start=(float(self.xs[j]), float(self.ys[i])), steps=self.steps,
                   **{**self.settings, **run_kwargs})


def sweep(
    optimizer: str,
    surface: str | Surface,
    *,
    grid: Mapping[str, Any],
    start: Any = None,
    steps: int | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    **kwargs: Any,
) -> Sweep:
    """Run ``optimizer`` from one start for every combination of ``grid``'s values.

    Args:
        optimizer, surface: as for :func:`optimizers.run`.
        grid: one or two grid keys (see :func:`grid_keys`), each mapped to a 1-D array of
            values; axis 0 of every result is the first key. At most ``MAX_CELLS`` cells, and
            cells x steps at most ``MAX_POINT_STEPS``.
        start: the start point (the surface's default when omitted).
        steps: steps per cell (default 100).
        progress: called with the fraction of chunks done, from the calling thread.
        workers: threads to use (default: one per core).
        **kwargs: any other keyword of ``run()``: fixed hyperparameters, schedule, grad_noise,
            seed, stop rules, ...

    Returns:
        A :class:`Sweep`. Raises ValueError naming the key, value or cap that is wrong.
    """
    spec = get_optimizer(optimizer)
    surf = get_surface(surface)
    allowed = _sweepable(spec.name, kwargs.get("inner"))
    if not isinstance(grid, Mapping) or not 1 <= len(grid) <= 2:
        raise ValueError(f"Invalid grid: give one or two hyperparameters, each with an array of values; "
                         f"{spec.name} can sweep {', '.join(allowed)}.")
    if "start" in kwargs or "keep" in kwargs or "every" in kwargs or "record_state" in kwargs:
        raise ValueError("Invalid keyword for a sweep: keep, every and record_state are the sweep's own choice.")
    axes: dict[str, np.ndarray] = {}
    for name, values in grid.items():
        if name not in allowed:
            raise ValueError(f"Invalid grid key {name!r}: {spec.name} can sweep {', '.join(allowed)}.")
        if name in kwargs:
            raise ValueError(f"Invalid grid key {name!r}: it is also given as a fixed value.")
        axes[name] = _axis(name, values, allowed[name][1])
    shape = tuple(len(values) for values in axes.values())
    cells = math.prod(shape)
    if cells > MAX_CELLS:
        raise ValueError(f"Invalid grid: {' x '.join(map(str, shape))} = {cells:,} cells; at most {MAX_CELLS:,} "
                         "(MAX_CELLS).")
    point = np.asarray(surf.start if start is None else start, dtype=float)
    if point.shape != (2,):
        raise ValueError(f"Invalid start: {start!r}. A sweep runs from one point (x, y).")
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    columns = {name: values.ravel() for name, values in zip(axes, mesh, strict=True)}
    # One cell through the runner's checks first: a bad fixed keyword fails here, in this thread.
    first = _cell_hyper(spec.name, kwargs, {name: values[:1] for name, values in columns.items()})
    steps = planned_steps(spec.name, surf, np.array([point]), steps, **{**kwargs, **first})
    check_work(cells, steps, _minibatch(surf, kwargs), what="cells")
    starts = np.broadcast_to(point, (cells, 2))

    def batch(rows: slice, extra: dict[str, Any]) -> Ends:
        hyper = _cell_hyper(spec.name, kwargs, {name: values[rows] for name, values in columns.items()})
        return run_ends(spec.name, surf, start=starts[rows], steps=steps, **{**kwargs, **hyper, **extra})

    ends = _gather(_chunked(cells, lambda rows: batch(rows, {}), progress, workers), shape)
    final_loss = np.where(ends.diverged_at >= 0, np.inf, ends.final_loss)

    @lru_cache(maxsize=8)
    def arrivals(tol: float) -> np.ndarray:
        stopped = _gather(_chunked(cells, lambda rows: batch(rows, {"stop_distance": tol}), None, workers), shape)
        return np.where(stopped.diverged_at >= 0, -1, stopped.stopped_at)

    return Sweep(spec.name, surf, axes, final_loss, ends.diverged_at >= 0, ends.diverged_at, ends.stopped_at,
                 ends.final_xy, steps, (float(point[0]), float(point[1])), dict(kwargs), arrivals)


def basins(
    optimizer: str,
    surface: str | Surface,
    *,
    resolution: int = 100,
    steps: int | None = None,
    tol: float = DEFAULT_TOL,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    **kwargs: Any,
) -> Basins:
    """Run ``optimizer`` from every point of a ``resolution`` x ``resolution`` grid of starts
    over the surface's view window (or ``x_range`` x ``y_range``) and say where each ends:
    which known minimum it reaches within ``tol`` (the run stops a start as it arrives), in
    how many steps, or whether it blew up. Every other keyword is one of ``run()``'s
    (hyperparameters, schedule, noise, seed, ...). ``progress`` and ``workers`` as for
    :func:`sweep`.
    """
    spec = get_optimizer(optimizer)
    surf = get_surface(surface)
    for name in ("start", "stop_distance", "keep", "every", "record_state"):
        if name in kwargs:
            hint = " (use tol)" if name == "stop_distance" else ""
            raise ValueError(f"Invalid keyword for a basin map: {name} is the map's own choice{hint}.")
    if (isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer))
            or not 2 <= resolution <= MAX_RESOLUTION):
        raise ValueError(f"Invalid resolution: {resolution!r}. resolution must be a whole number from 2 to "
                         f"{MAX_RESOLUTION} (MAX_RESOLUTION).")
    resolution = int(resolution)
    tol = _positive("tol", tol)
    xs = np.linspace(*_window("x_range", x_range, surf.x_range), resolution)
    ys = np.linspace(*_window("y_range", y_range, surf.y_range), resolution)
    stop = {"stop_distance": tol} if len(surf.minima) else {}
    steps = planned_steps(spec.name, surf, np.array([[xs[0], ys[0]]]), steps, **kwargs, **stop)
    check_work(resolution * resolution, steps, _minibatch(surf, kwargs))
    starts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)

    def batch(rows: slice) -> Ends:
        return run_ends(spec.name, surf, start=starts[rows], steps=steps, **kwargs, **stop)

    shape = (resolution, resolution)
    ends = _gather(_chunked(len(starts), batch, progress, workers), shape)
    diverged = ends.diverged_at >= 0
    minimum = np.full(shape, UNSETTLED, dtype=np.int64)
    minima = surf.minima_array()
    if len(minima):
        gaps = np.hypot(ends.final_xy[..., None, 0] - minima[:, 0], ends.final_xy[..., None, 1] - minima[:, 1])
        minimum = np.where(gaps.min(axis=-1) < tol, gaps.argmin(axis=-1), UNSETTLED)
    minimum = np.where(diverged, DIVERGED, minimum)
    with np.errstate(all="ignore"):
        gradient = surf.grad(ends.final_xy)
        grad_norm = np.hypot(gradient[..., 0], gradient[..., 1])
    grad_norm = np.where(np.isfinite(grad_norm), grad_norm, np.finfo(float).max)
    return Basins(spec.name, surf, xs, ys, ends.final_xy, np.where(diverged, np.inf, ends.final_loss), grad_norm,
                  minimum, np.where(diverged, -1, ends.stopped_at), ends.diverged_at, tol, steps,
                  {**kwargs, **stop})


# ---------------------------------------------------------------------------------------------


def _cell_hyper(optimizer: str, fixed: Mapping[str, Any], columns: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """run() keywords for a batch of cells: each swept hyperparameter as one value per cell;
    a swept member of a pair is joined with the other member (swept, fixed or default)."""
    allowed = _sweepable(optimizer, fixed.get("inner"))
    hyper: dict[str, Any] = {}
    for name, values in columns.items():
        target, _, default = allowed[name]
        if target == name:
            hyper[name] = values
            continue
        pair = list(hyper.get(target, fixed.get(target, default)))
        pair[pair_member(name)[1]] = values
        hyper[target] = tuple(pair)
    return hyper


def _scalar_pair(value: Any) -> Any:
    """One cell's pair from a pair of one-element arrays (or fixed numbers)."""
    return tuple(float(item[0]) if isinstance(item, np.ndarray) else item for item in value)


def _axis(name: str, values: Any, info: KnobInfo) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        array = np.zeros(0)
    if array.ndim != 1 or array.size == 0 or array.size > MAX_CELLS:
        raise ValueError(f"Invalid grid values for {name}: give a 1-D array of 1 to {MAX_CELLS:,} numbers.")
    bad = ~np.isfinite(array)
    if info.low is not None:
        bad |= array <= info.low if info.low_open else array < info.low
    if info.high is not None:
        bad |= array >= info.high if info.high_open else array > info.high
    if bad.any():
        raise ValueError(f"Invalid grid value for {name}: {float(array[bad][0])!r}. {name} must be {info.describe()}.")
    return array


def _window(name: str, given: Any, default: tuple[float, float]) -> tuple[float, float]:
    if given is None:
        return float(default[0]), float(default[1])
    try:
        low, high = (float(v) for v in given)
    except (TypeError, ValueError):
        low = high = math.nan
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"Invalid {name}: {given!r}. {name} must be a pair (low, high) of finite numbers, low < high.")
    return low, high


def _minibatch(surface: Surface, kwargs: Mapping[str, Any]) -> int | None:
    size = kwargs.get("batch_size")
    return int(size) if size is not None and surface.has_data and int(size) < surface.n_points else None


def _group(points: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """Cluster ``points`` (K, 2): points within ``radius`` of each other (through a chain of
    grid cells of side ``radius``) share a label. Returns centres (M, 2) and labels (K,)."""
    if not len(points):
        return np.zeros((0, 2)), np.zeros(0, dtype=np.int64)
    cells, first_label = np.unique(np.round(points / radius).astype(np.int64), axis=0, return_inverse=True)
    first_label = first_label.ravel()
    # Points settled at one attractor may straddle a cell border: join neighbouring cells.
    # (One pass over the occupied cells, which are few: one or two per attractor.)
    parent = np.arange(len(cells))
    index = {tuple(cell): k for k, cell in enumerate(cells.tolist())}

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for k, (cx, cy) in enumerate(cells.tolist()):
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                other = index.get((cx + dx, cy + dy))
                if other is not None:
                    a, b = root(k), root(other)
                    if a != b:
                        parent[max(a, b)] = min(a, b)
    roots = np.array([root(k) for k in range(len(cells))])
    groups, label = np.unique(roots[first_label], return_inverse=True)
    count = np.bincount(label, minlength=len(groups))
    centres = np.stack([np.bincount(label, points[:, axis], len(groups)) / count for axis in (0, 1)], axis=1)
    order = np.lexsort((centres[:, 1], centres[:, 0]))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return centres[order], rank[label]


def _chunk_slices(count: int) -> list[slice]:
    """Consecutive slices of ``count`` rows of equal length (to one row): none longer than
    ``CHUNK``, or, for a batch with room for two shares of ``PARALLEL_SHARE``, an even number none longer
    than ``PARALLEL_CHUNK``, so two cores get equal shares. It depends on ``count`` alone, never on the
    machine: a cell's chunk, and so its noise, is the same everywhere."""
    if _parallel(count):
        pieces = math.ceil(count / PARALLEL_CHUNK)
        pieces += pieces % 2
    else:
        pieces = math.ceil(count / CHUNK)
    bounds = [piece * count // pieces for piece in range(pieces + 1)]
    return [slice(first, last) for first, last in zip(bounds[:-1], bounds[1:], strict=True) if last > first]


def _parallel(count: int) -> bool:
    return count >= 2 * PARALLEL_SHARE


def _chunked(count: int, work: Callable[[slice], Any], progress: Progress | None, workers: int | None) -> list:
    """``work`` over the slices of :func:`_chunk_slices`, results in order: on a thread pool
    for a batch large enough to gain from it, else in this thread."""
    slices = _chunk_slices(count)
    workers = min(max(1, workers or os.cpu_count() or 1), len(slices)) if _parallel(count) else 1
    results: list = [None] * len(slices)
    if workers == 1:
        for index, rows in enumerate(slices):
            results[index] = work(rows)
            if progress is not None:
                progress((index + 1) / len(slices))
        return results
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(work, rows): index for index, rows in enumerate(slices)}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress is not None:
                progress(done / len(slices))
    return results


def _gather(parts: list[Ends], shape: tuple[int, ...]) -> Ends:
    return Ends(*(np.concatenate([getattr(part, name) for part in parts]).reshape(shape + extra)
                  for name, extra in zip(Ends._fields, ((2,), (), (), ()), strict=True)))


def _positive(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not (math.isfinite(number) and number > 0):
        raise ValueError(f"Invalid {name}: {value!r}. {name} must be a finite number > 0.")
    return number
