"""The 3-D view: the surface as a sheet, every path lying on it, and a head per racer."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from landscapes import Surface
from viz.colors import MINIMUM_COLOR, SHEET_SCALE
from viz.grid import Grid, surface_grid
from viz.paths import PathView, round_sig, thin_index
from viz.race_map import HOVER
from viz.typed import typed

GRID_SIZE = 70  # enough samples that a narrow valley floor (Rosenbrock's) shows no beads
SOFTNESS = 1e-2  # a softer log floor for the sheet: a smooth valley instead of a sharp crease
MAX_POINTS_PER_PATH = 400
TICKS = dict(size=9)


def sheet_grid(surface: Surface) -> Grid:
    return surface_grid(surface, GRID_SIZE, softness=SOFTNESS)


def lift(grid: Grid) -> float:
    """How far above the sheet the paths float, so they are not hidden inside it."""
    return 0.012 * float((np.nanmax(grid.height) - np.nanmin(grid.height)) or 1.0)


def heights(surface: Surface, loss: np.ndarray, xy: np.ndarray | None = None) -> np.ndarray:
    """The 3-D height of points with these losses: on the sheet's scale, clipped, lifted.

    With ``xy``, a point is also kept above the sheet as drawn: a coarse sheet bridges a valley
    narrower than its cells (Rosenbrock's floor), and a path on the true floor would vanish
    under it.
    """
    grid = sheet_grid(surface)
    height = np.clip(grid.to_height(loss), np.nanmin(grid.height), np.nanmax(grid.height))
    if xy is not None:
        height = np.maximum(height, _sheet_at(grid, np.asarray(xy, dtype=float)))
    return height + lift(grid)


def _sheet_at(grid: Grid, xy: np.ndarray) -> np.ndarray:
    """The drawn sheet's height at ``xy`` (bilinear between grid points; the edge outside)."""
    def locate(axis: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        index = np.clip(np.searchsorted(axis, values) - 1, 0, len(axis) - 2)
        fraction = np.clip((values - axis[index]) / (axis[index + 1] - axis[index]), 0.0, 1.0)
        return index, fraction

    column, fx = locate(grid.x, xy[..., 0])
    row, fy = locate(grid.y, xy[..., 1])
    h = grid.height
    low = h[row, column] * (1 - fx) + h[row, column + 1] * fx
    high = h[row + 1, column] * (1 - fx) + h[row + 1, column + 1] * fx
    return np.nan_to_num(low * (1 - fy) + high * fy, nan=-np.inf)


def sheet_figure(surface: Surface, paths: Sequence[PathView], *, axis_titles: tuple[str, str] = ("x", "y"),
                 uirevision: str = "") -> tuple[dict, int]:
    """The 3-D figure and the index of its heads trace (one point per path)."""
    grid = sheet_grid(surface)
    data: list[dict] = [dict(
        type="surface", x=typed(grid.x), y=typed(grid.y), z=typed(grid.height, gaps=True), colorscale=SHEET_SCALE,
        showscale=False, opacity=1.0, name="surface", hoverinfo="skip",
        lighting=dict(ambient=0.65, diffuse=0.6, specular=0.05, roughness=0.95),
        contours=dict(z=dict(show=False)),
    )]
    for path in paths:
        trace = _path_trace(path, surface)
        if trace is not None:
            data.append(trace)
    minima = surface.minima_array()
    if len(minima):
        data.append(dict(
            type="scatter3d", x=minima[:, 0].tolist(), y=minima[:, 1].tolist(),
            z=heights(surface, surface.value(minima), minima).tolist(), mode="markers", name="minimum",
            marker=dict(symbol="diamond", size=5, color=MINIMUM_COLOR, line=dict(width=1, color="#333")),
            hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
        ))
    heads_index = len(data)
    data.append(dict(
        type="scatter3d", mode="markers", x=[], y=[], z=[], name="now", hoverinfo="skip",
        marker=dict(size=6, color=[p.color for p in paths], line=dict(width=1, color="white")),
    ))
    revision = uirevision or surface.name
    top = float(np.nanmax(grid.height)) + 2 * lift(grid)
    layout = dict(
        margin=dict(l=0, r=0, t=0, b=0), uirevision=revision, showlegend=False,
        scene=dict(
            uirevision=revision,
            xaxis=dict(title=dict(text=axis_titles[0]), range=list(surface.x_range), tickfont=TICKS, nticks=5),
            yaxis=dict(title=dict(text=axis_titles[1]), range=list(surface.y_range), tickfont=TICKS, nticks=5),
            zaxis=dict(title=dict(text="log₁₀ f" if grid.log else "f"), range=[float(np.nanmin(grid.height)), top],
                       tickfont=TICKS, nticks=4),
            camera=dict(eye=dict(x=-0.75, y=-1.35, z=1.45)),
            aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.6),
        ),
    )
    return {"data": data, "layout": layout}, heads_index


def _path_trace(path: PathView, surface: Surface) -> dict | None:
    rows = thin_index(len(path.steps), MAX_POINTS_PER_PATH)
    xy = path.xy[rows]
    inside = ((xy[:, 0] >= surface.x_range[0]) & (xy[:, 0] <= surface.x_range[1])
              & (xy[:, 1] >= surface.y_range[0]) & (xy[:, 1] <= surface.y_range[1]))
    rows, xy = rows[inside], xy[inside]
    if len(rows) == 0:
        return None
    custom = np.column_stack([path.steps[rows], round_sig(path.loss[rows]), round_sig(path.grad_norm[rows], 3)])
    return dict(
        type="scatter3d", x=round_sig(xy[:, 0]).tolist(), y=round_sig(xy[:, 1]).tolist(),
        z=round_sig(heights(surface, path.loss[rows], xy)).tolist(), mode="lines", name=path.label,
        legendgroup=path.name, line=dict(color=path.color, width=5), customdata=custom.tolist(),
        hovertemplate=HOVER,
    )
