"""The 3-D view: the surface as a sheet with every path lying on it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from landscapes import Surface
from viz.colors import MINIMUM_COLOR, SHEET_SCALE
from viz.contour import HOVER
from viz.grid import Grid, surface_grid
from viz.paths import PathView, round_sig, thin_index

GRID_SIZE = 45  # a 3-D sheet needs far fewer samples than a contour map to look smooth
MAX_POINTS_PER_PATH = 600


def surface_figure(
    surface: Surface,
    paths: Sequence[PathView],
    *,
    height: int = 520,
    uirevision: str | None = None,
) -> go.Figure:
    """3-D surface of ``surface`` with ``paths`` drawn just above it.

    Heights use the same scale as the contour map (log on steep surfaces). Points of a path
    outside the surface's window are left out, so a path that runs away does not stretch
    the box. ``uirevision`` keeps the camera where the person left it across reruns.
    """
    grid = surface_grid(surface, GRID_SIZE, softness=2e-3)
    lift = 0.01 * float(np.ptp(grid.height) or 1.0)  # float the paths just clear of the sheet
    traces: list = [go.Surface(
        x=grid.x, y=grid.y, z=grid.height.astype(np.float32), colorscale=SHEET_SCALE, showscale=False,
        opacity=0.85, lighting=dict(ambient=0.6, diffuse=0.6, specular=0.1, roughness=0.9), name="surface", hoverinfo="skip",
        contours=dict(z=dict(show=False)),
    )]
    for path in paths:
        trace = _path_trace(path, surface, grid, lift)
        if trace is not None:
            traces.append(trace)
    minima = surface.minima_array()
    if len(minima):
        traces.append(go.Scatter3d(
            x=minima[:, 0], y=minima[:, 1], z=grid.to_height(surface.value(minima)) + lift,
            mode="markers", name="minimum", marker=dict(symbol="diamond", size=5, color=MINIMUM_COLOR,
                                                        line=dict(width=1, color="#333")),
            hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
        ))
    revision = uirevision or surface.name
    fig = go.Figure(data=traces)
    fig.update_layout(
        height=height, margin=dict(l=0, r=0, t=30, b=0), uirevision=revision, showlegend=False,
        scene=dict(
            uirevision=revision,
            xaxis=dict(title="x", range=list(surface.x_range)),
            yaxis=dict(title="y", range=list(surface.y_range)),
            zaxis=dict(title=grid.height_label, range=[float(grid.height.min()), float(grid.height.max()) + 2 * lift]),
            camera=dict(eye=dict(x=-1.3, y=-1.6, z=1.4)),
            aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.6),
        ),
    )
    return fig


def _path_trace(path: PathView, surface: Surface, grid: Grid, lift: float) -> go.Scatter3d | None:
    rows = thin_index(len(path.steps), MAX_POINTS_PER_PATH)
    xy = path.xy[rows]
    inside = ((xy[:, 0] >= surface.x_range[0]) & (xy[:, 0] <= surface.x_range[1])
              & (xy[:, 1] >= surface.y_range[0]) & (xy[:, 1] <= surface.y_range[1]))
    rows, xy = rows[inside], xy[inside]
    if len(rows) == 0:
        return None
    z = np.clip(grid.to_height(path.loss[rows]), grid.height.min(), grid.height.max()) + lift
    custom = np.column_stack([path.steps[rows], round_sig(path.loss[rows]), round_sig(path.grad_norm[rows], 3)])
    return go.Scatter3d(
        x=round_sig(xy[:, 0]), y=round_sig(xy[:, 1]), z=round_sig(z), mode="lines+markers", name=path.label,
        line=dict(color=path.color, width=5, dash=path.dash),
        marker=dict(color=path.color, size=2), customdata=custom, hovertemplate=HOVER,
    )
