"""Whether, and when, a path reaches its surface's goal (see ``landscapes.base.GOALS``)."""

from __future__ import annotations

import numpy as np

from landscapes.base import Surface


def reached(surface: Surface, xy: np.ndarray) -> np.ndarray:
    """True where points ``(..., 2)`` satisfy the surface's goal."""
    xy = np.asarray(xy, dtype=float)
    with np.errstate(all="ignore"):
        if surface.goal == "minimum":
            distance = surface.distance_to_nearest_minimum(xy)
            if distance is None:
                raise ValueError(f"surface {surface.name!r} has goal 'minimum' but no known minimum")
            return distance <= surface.goal_tol
        if surface.goal == "local":
            gradient = surface.grad(xy)
            flat = np.sqrt(np.sum(gradient * gradient, axis=-1)) <= surface.goal_tol
            # A flat point is a local minimum only where the surface curves up in every direction;
            # a saddle or a maximum is flat too.
            return flat & curves_up(surface, xy)
        if surface.goal == "escape":
            return surface.value(xy) <= surface.goal_tol
    raise ValueError(f"unknown goal {surface.goal!r}")


def curves_up(surface: Surface, xy: np.ndarray) -> np.ndarray:
    """True where the Hessian at points ``(..., 2)`` is positive definite (central differences
    of the analytic gradient, so any surface qualifies, not only those with a constant Hessian)."""
    xy = np.asarray(xy, dtype=float)
    h = 1e-5 * np.maximum(1.0, np.abs(xy))  # (..., 2): a step relative to the coordinate's size
    columns = []
    for axis in range(2):
        step = np.zeros_like(xy)
        step[..., axis] = h[..., axis]
        columns.append((surface.grad(xy + step) - surface.grad(xy - step)) / (2.0 * h[..., axis : axis + 1]))
    h_xx, h_yx = columns[0][..., 0], columns[0][..., 1]
    h_xy, h_yy = columns[1][..., 0], columns[1][..., 1]
    off_diagonal = 0.5 * (h_xy + h_yx)
    return (h_xx > 0) & (h_xx * h_yy - off_diagonal * off_diagonal > 0)


def steps_to_goal(surface: Surface, xy: np.ndarray, diverged_at: np.ndarray | int) -> np.ndarray:
    """For a path ``(R, 2)`` or a batch ``(R, N, 2)`` kept at every step: the first step at which
    the goal holds and keeps holding to the end of the run, or -1 (never, or diverged)."""
    xy = np.asarray(xy, dtype=float)
    single = xy.ndim == 2
    batch = xy[:, None, :] if single else xy
    hit = reached(surface, batch)  # (R, N)
    # The goal must hold from that step on: a path that passes by and leaves has not arrived.
    holds = np.flip(np.logical_and.accumulate(np.flip(hit, axis=0), axis=0), axis=0)
    first = np.where(holds.any(axis=0), holds.argmax(axis=0), -1)
    first = np.where(np.atleast_1d(np.asarray(diverged_at)) >= 0, -1, first)
    return first[0] if single else first
