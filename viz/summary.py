"""The race's summary table as plain rows (the app hands them to st.dataframe)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from viz.paths import PathView


def reached_at(path: PathView, tolerance: float) -> int | None:
    """The first step at which ``path`` is within ``tolerance`` of a known minimum, or None."""
    if path.distance is None:
        return None
    hits = np.flatnonzero(path.distance <= tolerance)
    return int(path.steps[hits[0]]) if len(hits) else None


def status_text(path: PathView) -> str:
    if path.diverged:
        return f"diverged at step {path.diverged_at}"
    if path.stopped_at >= 0:
        return f"stopped at step {path.stopped_at}"
    return "ran all steps"


def summary_rows(paths: Sequence[PathView], tolerance: float) -> list[dict[str, Any]]:
    """One row per path: final loss and point, when it came within ``tolerance``, what happened."""
    rows = []
    for path in paths:
        hit = reached_at(path, tolerance)
        x, y = path.xy[-1]
        rows.append({
            "optimizer": path.label,
            "final loss": f"{float(path.loss[-1]):.4g}",
            "final point": f"({x:.4g}, {y:.4g})",
            f"within {tolerance:g} of a minimum at step": "—" if hit is None else str(hit),
            "diverged": "yes" if path.diverged else "no",
            "status": status_text(path),
        })
    return rows
