"""The step inspector's table: the numbers behind one step of a recorded run."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimizers import Trajectory

# Plain-language names for the records every optimizer keeps; the rest are its own state.
DESCRIPTIONS = {
    "grad": "gradient g used at this step",
    "lr": "learning rate in force",
    "update": "update applied to (x, y)",
    "effective_lr": "effective per-coordinate step size",
}


def _text(value: float) -> str:
    return f"{value:.6g}" if np.isfinite(value) else "—"


def step_table(trajectory: Trajectory, step: int) -> list[dict[str, Any]]:
    """Rows (quantity, x, y, meaning) for ``step`` (1-based), with the point before and after."""
    step = int(min(max(step, 1), trajectory.steps))
    records = trajectory.step_records(step)
    rows = []
    index = np.flatnonzero(trajectory.xy_step_index == step)
    if len(index):
        before, after = trajectory.xy[index[0] - 1], trajectory.xy[index[0]]
        rows.append({"quantity": "point before", "x": _text(before[0]), "y": _text(before[1]), "meaning": "θ before the step"})
        rows.append({"quantity": "point after", "x": _text(after[0]), "y": _text(after[1]), "meaning": "θ after the step"})
    for name, value in records.items():
        value = np.ravel(np.asarray(value, dtype=float))
        first = _text(value[0])
        second = _text(value[1]) if len(value) > 1 else first
        rows.append({"quantity": name, "x": first, "y": second,
                     "meaning": DESCRIPTIONS.get(name, "optimizer state after the step")})
    return rows
