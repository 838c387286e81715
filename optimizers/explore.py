"""Many runs at once: a sweep over a grid of settings, and the basins of attraction of a surface.

Both are one batched :func:`optimizers.run` per chunk of cells (hyperparameters as one value
per start, or one start per pixel), never a Python loop over cells, so each cell equals
``run()`` of that cell alone (exactly, for runs without gradient noise). Large batches are cut
into cache-sized chunks that run on a thread pool: NumPy releases the GIL inside its array
operations, so the chunks use every core.

>>> import numpy as np
>>> s = sweep("momentum", "ravine", start=(-7, 2), steps=200,
...           grid={"lr": np.geomspace(1e-3, 2, 4), "momentum": np.linspace(0, 0.9, 3)})
>>> s.final_loss.shape
(4, 3)
>>> b = basins("sgd", "himmelblau", resolution=20, steps=300, lr=0.01)
>>> sorted(set(b.minimum.ravel().tolist()))
[0, 1, 2, 3]
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
from optimizers.registry import OPTIMIZERS, get_optimizer
from optimizers.runner import MAX_STEPS, run

MAX_CELLS = 10_000  # a sweep's grid: up to 100 x 100
MAX_RESOLUTION = 400  # a basin map: up to 400 x 400 starts
MAX_POINT_STEPS = 200_000_000  # cells (or starts) x steps in one call
# Starts per batch, by measurement (bench/bench_explore.py): small batches leave each NumPy call
# too short to release the GIL for long, so the threads queue on it instead of sharing cores.
CHUNK = 50_000
MIN_CHUNK = 1_024
DEFAULT_TOL = 1e-3

Progress = Callable[[float], None]


def grid_keys(optimizer: str) -> tuple[str, ...]:
    """The hyperparameters a sweep may vary: the optimizer's numeric ones that take one value
    per start (a wrapper's inner optimizer's too, for its default inner optimizer)."""
    spec = get_optimizer(optimizer)
    knobs = dict(spec.knobs())
    if spec.wraps_inner:
        inner = knobs["inner"][0]
        knobs.update({name: knob for name, knob in OPTIMIZERS[inner].knobs().items() if name not in knobs})
    return tuple(name for name, (_, info) in knobs.items() if info.kind == "float")


@dataclass(frozen=True, eq=False)
class Sweep:
    """The result of :func:`sweep`: arrays indexed ``[i, j]`` by the grid's first and second key."""

    optimizer: str
    surface: Surface
    axes: dict[str, np.ndarray]
    final_loss: np.ndarray  # +inf where the start diverged, never NaN
    diverged: np.ndarray  # bool
    diverged_at: np.ndarray  # int, -1 if never
    final_xy: np.ndarray  # (..., 2)
    steps: int
    _rerun: Callable[[float], np.ndarray] = field(repr=False)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.final_loss.shape

    def steps_to(self, tol: float) -> np.ndarray:
        """First step at which each cell is within ``tol`` of one of the surface's minima (-1 never).

        Computed by one more batched run that stops each cell as it arrives (the runner's stop
        rule), cached per ``tol``; a surface without known minima gives -1 everywhere.
        """
        tol = _positive("tol", tol)
        if not len(self.surface.minima):
            return np.full(self.shape, -1, dtype=np.int64)
        return self._rerun(tol).copy()


@dataclass(frozen=True, eq=False)
class Basins:
    """The result of :func:`basins`: arrays indexed ``[i, j]`` for the start ``(xs[j], ys[i])``."""

    optimizer: str
    surface: Surface
    xs: np.ndarray
    ys: np.ndarray
    final_xy: np.ndarray  # (H, W, 2)
    final_loss: np.ndarray  # (H, W), +inf where diverged
    minimum: np.ndarray  # (H, W) index into surface.minima reached within tol; -1 none; -2 diverged
    steps_to: np.ndarray  # (H, W) first step within tol of a minimum, -1 never
    diverged_at: np.ndarray  # (H, W)
    tol: float
    steps: int

    @property
    def escape_angle(self) -> np.ndarray:
        """Direction (radians, -pi..pi) of each final point seen from the origin: on a saddle,
        which way each start escaped. 0 where a start ended exactly at the origin."""
        return np.arctan2(self.final_xy[..., 1], self.final_xy[..., 0])


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

    ``grid`` maps one or two hyperparameter names (see :func:`grid_keys`) to 1-D arrays of
    values; every other keyword is one of ``run()``'s (fixed hyperparameters, schedule, noise,
    seed, ...). ``progress`` is called with the fraction done as chunks finish.
    """
    spec = get_optimizer(optimizer)
    surf = get_surface(surface)
    allowed = grid_keys(spec.name)
    if not isinstance(grid, Mapping) or not 1 <= len(grid) <= 2:
        raise ValueError(f"Invalid grid: give one or two hyperparameters, each with an array of values; "
                         f"{spec.name} allows {', '.join(allowed)}.")
    axes: dict[str, np.ndarray] = {}
    for name, values in grid.items():
        if name not in allowed:
            raise ValueError(f"Invalid grid key {name!r}: {spec.name} can sweep {', '.join(allowed)}.")
        if name in kwargs:
            raise ValueError(f"Invalid grid key {name!r}: it is also given as a fixed value.")
        array = np.asarray(values, dtype=float).ravel()
        if array.size == 0 or not np.all(np.isfinite(array)):
            raise ValueError(f"Invalid grid values for {name}: give a non-empty array of finite numbers.")
        axes[name] = array
    shape = tuple(len(values) for values in axes.values())
    cells = math.prod(shape)
    if cells > MAX_CELLS:
        raise ValueError(f"Invalid grid: {' x '.join(map(str, shape))} = {cells:,} cells; at most {MAX_CELLS:,}.")
    steps = _steps(steps)
    _check_work(cells, steps)
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    columns = {name: values.ravel() for name, values in zip(axes, mesh, strict=True)}
    point = np.asarray(surf.start if start is None else start, dtype=float)
    if point.shape != (2,):
        raise ValueError(f"Invalid start: {start!r}. A sweep runs from one point (x, y).")
    starts = np.broadcast_to(point, (cells, 2))

    def batch(rows: slice, extra: dict) -> Any:
        hyper = {name: values[rows] for name, values in columns.items()}
        # every=steps: only the first and last losses are kept; a row per step is work nobody reads.
        return run(spec.name, surf, start=starts[rows].copy(), steps=steps, keep="final", every=steps, **kwargs,
                   **hyper, **extra)

    results = _chunked(cells, lambda rows: batch(rows, {}), progress, workers)
    final_xy = np.concatenate([r.xy[-1] for r in results]).reshape(*shape, 2)
    diverged_at = np.concatenate([np.atleast_1d(r.diverged_at) for r in results]).reshape(shape)
    loss = np.concatenate([np.atleast_1d(r.final_loss) for r in results]).reshape(shape)
    final_loss = np.where(diverged_at >= 0, np.inf, loss)

    @lru_cache(maxsize=8)
    def arrivals(tol: float) -> np.ndarray:
        stopped = _chunked(cells, lambda rows: batch(rows, {"stop_distance": tol}), None, workers)
        first = np.concatenate([np.atleast_1d(r.stopped_at) for r in stopped]).reshape(shape)
        blown = np.concatenate([np.atleast_1d(r.diverged_at) for r in stopped]).reshape(shape)
        return np.where(blown >= 0, -1, first)

    return Sweep(spec.name, surf, axes, final_loss, diverged_at >= 0, diverged_at, final_xy, steps, arrivals)


def basins(
    optimizer: str,
    surface: str | Surface,
    *,
    resolution: int = 100,
    steps: int | None = None,
    tol: float = DEFAULT_TOL,
    progress: Progress | None = None,
    workers: int | None = None,
    **kwargs: Any,
) -> Basins:
    """Run ``optimizer`` from every point of a ``resolution`` x ``resolution`` grid over the
    surface's view window and say where each start ends: which known minimum it reaches within
    ``tol`` (the run stops a start as it arrives), in how many steps, or whether it diverged.
    Every other keyword is one of ``run()``'s.
    """
    spec = get_optimizer(optimizer)
    surf = get_surface(surface)
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or not 2 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"Invalid resolution: {resolution!r}. resolution must be a whole number from 2 to {MAX_RESOLUTION}.")
    tol = _positive("tol", tol)
    steps = _steps(steps)
    resolution = int(resolution)
    _check_work(resolution * resolution, steps)
    xs = np.linspace(*surf.x_range, resolution)
    ys = np.linspace(*surf.y_range, resolution)
    starts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    stop = {"stop_distance": tol} if len(surf.minima) else {}

    def batch(rows: slice) -> Any:
        return run(spec.name, surf, start=starts[rows].copy(), steps=steps, keep="final", every=steps, **stop,
                   **kwargs)

    results = _chunked(len(starts), batch, progress, workers)
    shape = (resolution, resolution)
    final_xy = np.concatenate([r.xy[-1] for r in results]).reshape(*shape, 2)
    diverged_at = np.concatenate([r.diverged_at for r in results]).reshape(shape)
    stopped_at = np.concatenate([r.stopped_at for r in results]).reshape(shape)
    loss = np.concatenate([r.final_loss for r in results]).reshape(shape)
    minimum = np.full(shape, -1, dtype=np.int64)
    minima = surf.minima_array()
    if len(minima):
        gaps = np.sqrt(np.sum((final_xy[..., None, :] - minima) ** 2, axis=-1))
        nearest = gaps.argmin(axis=-1)
        minimum = np.where(gaps.min(axis=-1) <= tol, nearest, -1)
    minimum = np.where(diverged_at >= 0, -2, minimum)
    return Basins(spec.name, surf, xs, ys, final_xy, np.where(diverged_at >= 0, np.inf, loss), minimum,
                  np.where(diverged_at >= 0, -1, stopped_at), diverged_at, tol, steps)


# ---------------------------------------------------------------------------------------------


def _chunked(count: int, work: Callable[[slice], Any], progress: Progress | None, workers: int | None) -> list:
    """``work`` over consecutive slices of ``count`` rows, on a thread pool, results in order."""
    workers = max(1, workers or os.cpu_count() or 1)
    size = max(MIN_CHUNK, min(CHUNK, math.ceil(count / workers)))
    slices = [slice(first, min(first + size, count)) for first in range(0, count, size)]
    workers = min(workers, len(slices))
    results: list = [None] * len(slices)
    if workers == 1:
        for index, rows in enumerate(slices):
            results[index] = work(rows)
            if progress is not None:
                progress((index + 1) / len(slices))
        return results
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(work, rows): index for index, rows in enumerate(slices)}
        done = 0
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            done += 1
            if progress is not None:
                progress(done / len(slices))
    return results


def _steps(steps: Any) -> int:
    if steps is None:
        return 100
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"Invalid steps: {steps!r}. steps must be a whole number from 1 to {MAX_STEPS}.")
    return int(steps)


def _positive(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not (math.isfinite(number) and number > 0):
        raise ValueError(f"Invalid {name}: {value!r}. {name} must be a finite number > 0.")
    return number


def _check_work(starts: int, steps: int) -> None:
    if starts * steps > MAX_POINT_STEPS:
        raise ValueError(f"Too much work: {starts:,} starts x {steps:,} steps = {starts * steps:,} point-steps; at most "
                         f"{MAX_POINT_STEPS:,} in one call. Use fewer cells or fewer steps.")
