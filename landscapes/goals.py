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
            return np.sqrt(np.sum(gradient * gradient, axis=-1)) <= surface.goal_tol
        if surface.goal == "escape":
            return surface.value(xy) <= surface.goal_tol
    raise ValueError(f"unknown goal {surface.goal!r}")


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
