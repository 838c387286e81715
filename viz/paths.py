"""What the figures draw of one run: the path up to its last finite point, and why it ended."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from landscapes import Surface
from optimizers import Trajectory


@dataclass(frozen=True, eq=False)
class PathView:
    """One run as drawn: every array is cut at the last point worth drawing.

    ``steps`` (R,) are step numbers, ``xy`` (R, 2), ``loss`` (R,), ``grad_norm`` (R,) and
    ``distance`` (R,) or None on a surface without known minima. ``diverged_at`` is the step
    at which the run blew up (-1: never); the path then ends at the step before it.
    """

    name: str
    label: str
    color: str
    steps: np.ndarray
    xy: np.ndarray
    loss: np.ndarray
    grad_norm: np.ndarray
    distance: np.ndarray | None
    diverged_at: int = -1
    stopped_at: int = -1
    dash: str = "solid"

    @property
    def diverged(self) -> bool:
        return self.diverged_at >= 0

    @property
    def last_step(self) -> int:
        return int(self.steps[-1])


def path_view(traj: Trajectory, surface: Surface, label: str, color: str, *,
              name: str | None = None, dash: str = "solid") -> PathView:
    """Cut ``traj`` (a single-start run that kept its whole path) for drawing."""
    steps = np.asarray(traj.xy_step_index)
    diverged_at, stopped_at = int(traj.diverged_at), int(traj.stopped_at)
    # The runner freezes a blown-up start at its previous point, so the rows from
    # ``diverged_at`` on repeat the last finite point; a stopped start repeats its last point.
    if diverged_at >= 0:
        keep = steps < diverged_at
    elif stopped_at >= 0:
        keep = steps <= stopped_at
    else:
        keep = np.ones(len(steps), dtype=bool)
    keep[0] = True
    xy = np.asarray(traj.xy)[keep]
    # The loss rows line up with the xy rows when the whole path is kept.
    loss = np.asarray(traj.loss)[keep] if len(traj.loss) == len(steps) else surface.value(xy)
    with np.errstate(all="ignore"):
        grad = surface.grad(xy)
        grad_norm = np.sqrt(np.sum(grad * grad, axis=-1))
        distance = surface.distance_to_nearest_minimum(xy)
    return PathView(
        name=name or traj.optimizer, label=label, color=color, steps=steps[keep], xy=_finite(xy),
        loss=_finite(loss), grad_norm=_finite(grad_norm),
        distance=None if distance is None else _finite(distance),
        diverged_at=diverged_at, stopped_at=stopped_at, dash=dash,
    )


def _finite(values: np.ndarray) -> np.ndarray:
    # The engine promises finite numbers; a figure must never carry NaN, so hold the line.
    values = np.asarray(values, dtype=float)
    if np.isfinite(values).all():  # the usual case: one pass, no copy
        return values
    return np.nan_to_num(values, nan=0.0, posinf=1e300, neginf=-1e300)


def thin_index(n: int, cap: int) -> np.ndarray:
    """At most ``cap`` row indices out of ``n``, evenly spread, always with the first and last."""
    if n <= cap:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(cap, 2)).round().astype(int))


def round_sig(values: np.ndarray, digits: int = 5) -> np.ndarray:
    """Round to ``digits`` significant digits: what a hover label shows, and no more bytes."""
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        magnitude = np.where(values == 0, 0, np.floor(np.log10(np.abs(values))))
        scale = 10.0 ** (digits - 1 - magnitude)
        rounded = np.round(values * scale) / scale
    return np.where(np.isfinite(rounded), rounded, values)
