"""The race view's spec: three figures, the racers, and every racer's position at every frame.

The frames carry only what moves (each racer's point, loss and height at each step shown),
as float32 arrays, so the contour and the sheet are sent once and stay drawn while the race
plays. Every step is a frame for runs of up to ``max_frames`` steps; a longer run shows an
evenly spaced sample that always includes the first and last step, and says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from landscapes import Surface
from viz.curves import curves_figure, goal_distance
from viz.paths import PathView
from viz.race_map import display_aspect, map_figure, trail_rows
from viz.surface3d import heights, sheet_figure
from viz.typed import packed

ARROW_SHARE = 0.16  # the longest gradient (or velocity) arrow: this share of the window's diagonal


def frame_steps(total_steps: int, max_frames: int) -> tuple[np.ndarray, str]:
    """The steps the player shows, and a note when they are a sample."""
    if total_steps + 1 <= max_frames + 1:
        return np.arange(total_steps + 1), ""
    every = int(np.ceil(total_steps / max_frames))
    steps = np.arange(0, total_steps + 1, every)
    if steps[-1] != total_steps:
        steps = np.append(steps, total_steps)
    return steps, f"The player shows every {every}th step of {total_steps:,} (hover the curves for any step)."


def race_spec(
    surface: Surface,
    paths: Sequence[PathView],
    start: Sequence[float],
    *,
    total_steps: int,
    max_frames: int = 1000,
    velocities: Mapping[str, np.ndarray] | None = None,
    axis_titles: tuple[str, str] = ("x", "y"),
    present: bool = False,
    revision: str = "",
    velocity_possible: bool = False,
) -> dict[str, Any]:
    """Everything the race view draws, as JSON-ready data.

    ``velocities`` maps a path's ``name`` to its optimizer's velocity after each step
    (``(steps + 1, 2)``, row 0 zero), for the optional velocity arrows.
    """
    steps, note = frame_steps(total_steps, max_frames)
    map_fig, roles = map_figure(surface, paths, start, axis_titles=axis_titles, uirevision=revision)
    sheet_fig, sheet_heads = sheet_figure(surface, paths, axis_titles=axis_titles, uirevision=revision)
    curves_fig, curve_heads = curves_figure(surface, paths, uirevision=revision)
    roles.update(sheet_heads=sheet_heads, curve_heads=curve_heads)

    fields: dict[str, list[np.ndarray]] = {name: [] for name in ("x", "y", "loss", "gnorm", "z", "dist")}
    gradients, moves, velocity_arrows = [], [], []
    for path in paths:
        rows = trail_rows(path, steps)
        xy = path.xy[rows]
        fields["x"].append(xy[:, 0])
        fields["y"].append(xy[:, 1])
        fields["loss"].append(path.loss[rows])
        fields["gnorm"].append(path.grad_norm[rows])
        fields["z"].append(heights(surface, path.loss[rows], xy))
        distance = goal_distance(surface, xy)[0]
        fields["dist"].append(np.zeros(len(rows)) if distance is None else np.maximum(distance, 1e-300))
        gradients.append(_negative_gradient(surface, xy))
        moves.append(_next_move(path, rows))
        velocity = (velocities or {}).get(path.name)
        velocity_arrows.append(None if velocity is None else np.asarray(velocity, dtype=float)[
            np.clip(path.steps[rows], 0, len(velocity) - 1)])
    arrows = {
        "gradient": packed(_fit(np.stack(gradients), surface)) if paths else None,
        "step": packed(np.stack(moves)) if paths else None,
    }
    if paths and any(v is not None for v in velocity_arrows):
        filled = [np.zeros((len(steps), 2)) if v is None else v for v in velocity_arrows]
        arrows["velocity"] = packed(_fit(np.stack(filled), surface))
    racers = [{
        "key": path.name, "label": path.label, "color": path.color, "dash": path.dash,
        "diverged_at": int(path.diverged_at), "last_step": int(path.last_step), "status": _status(path),
    } for path in paths]
    spec = {
        "map": map_fig, "sheet": sheet_fig, "curves": curves_fig, "roles": roles, "racers": racers,
        "frames": {"steps": steps.tolist(), "note": note,
                   "fields": {name: packed(np.stack(values)) if values else "" for name, values in fields.items()}},
        "arrows": {name: value for name, value in arrows.items() if value is not None} or None,
        "aspect": display_aspect(surface), "present": bool(present), "clickable": True,
        "velocity_possible": bool(velocity_possible or "velocity" in arrows),
        "max_map_height": 640, "max_map_height_present": 540,
        "marks": "○ start   ★ minimum   ✕ diverged" if len(surface.minima) else "○ start   ✕ diverged",
    }
    spec["id"] = _digest(spec)
    spec["run_id"] = revision
    return spec


def spec_json(spec: Mapping[str, Any]) -> str:
    return json.dumps(spec, separators=(",", ":"), allow_nan=False)


def _digest(spec: Mapping[str, Any]) -> str:
    content = json.dumps([spec["frames"], spec["racers"]], sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(content.encode()).hexdigest()[:16]


def _status(path: PathView) -> str:
    if path.diverged:
        return f"diverged at step {path.diverged_at}"
    if path.stopped_at >= 0:
        return f"stopped at step {path.stopped_at}"
    return f"ran {path.last_step} steps"


def _negative_gradient(surface: Surface, xy: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.nan_to_num(-surface.grad(xy), nan=0.0, posinf=0.0, neginf=0.0)


def _next_move(path: PathView, rows: np.ndarray) -> np.ndarray:
    """The step taken from each shown point: the next row of the path minus this one."""
    following = np.minimum(rows + 1, len(path.steps) - 1)
    return path.xy[following] - path.xy[rows]


def _fit(vectors: np.ndarray, surface: Surface) -> np.ndarray:
    """Scale arrows so the longest is ``ARROW_SHARE`` of the window, on a square-root scale:
    directions stay exact and a longer arrow still means a larger vector, without the steep
    first steps shrinking every later arrow to nothing."""
    diagonal = float(np.hypot(np.ptp(surface.x_range), np.ptp(surface.y_range)))
    length = np.sqrt(np.sum(vectors * vectors, axis=-1, keepdims=True))
    longest = float(length.max()) if length.size else 0.0
    if longest <= 0 or not np.isfinite(longest):
        return np.zeros_like(vectors)
    with np.errstate(all="ignore"):
        shown = ARROW_SHARE * diagonal * np.sqrt(length / longest)
        return np.where(length > 0, vectors / np.where(length > 0, length, 1.0) * shown, 0.0)
