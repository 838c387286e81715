"""The 2-D map: the surface's contours with every path, the start and the known minima."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from landscapes import Surface
from viz.colors import MINIMUM_COLOR, START_COLOR, SURFACE_SCALE
from viz.grid import surface_grid
from viz.paths import PathView, round_sig, thin_index

GRID_SIZE = 80  # contour resolution: smooth enough, about 50 kB of JSON
CLICK_GRID = 25  # invisible targets a click on the map lands on, to set the start point
MAX_POINTS_PER_PATH = 1000

HOVER = (
    "<b>%{fullData.name}</b><br>step %{customdata[0]}<br>(x, y) = (%{x:.4g}, %{y:.4g})"
    "<br>loss %{customdata[1]:.4g}<br>|∇f| %{customdata[2]:.3g}<extra></extra>"
)


def contour_figure(
    surface: Surface,
    paths: Sequence[PathView],
    start: Sequence[float],
    *,
    height: int = 520,
    clickable: bool = True,
    uirevision: str | None = None,
) -> go.Figure:
    """Contour map of ``surface`` with ``paths`` drawn on it.

    The first trace is always the contour; each path is one trace named with its label, a
    diverged path gets an ✕ at its last finite point, and the axes stay on the surface's
    window whatever the paths do. With ``clickable``, an invisible grid of points catches
    clicks so the app can move the start point there.
    """
    grid = surface_grid(surface, GRID_SIZE)
    traces: list = [_contour_trace(grid)]
    if clickable:
        traces.append(_click_targets(surface))
    for path in paths:
        traces.extend(path_traces(path))
    # End points go on top of every line: a short path hidden under a long one still shows
    # where it got to.
    traces.extend(end_marker(path) for path in paths if not path.diverged)
    traces.append(go.Scatter(
        x=[float(start[0])], y=[float(start[1])], mode="markers", name="start", showlegend=False,
        marker=dict(symbol="circle-open", size=14, color=START_COLOR, line=dict(width=3)),
        hovertemplate="start (%{x:.4g}, %{y:.4g})<extra></extra>",
    ))
    minima = surface.minima_array()
    if len(minima):
        traces.append(go.Scatter(
            x=minima[:, 0], y=minima[:, 1], mode="markers", name="minimum", showlegend=False,
            marker=dict(symbol="star", size=16, color=MINIMUM_COLOR, line=dict(width=1, color="#333")),
            hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>",
        ))
    fig = go.Figure(data=traces)
    fig.update_layout(map_layout(surface, height, uirevision))
    return fig


def map_layout(surface: Surface, height: int, uirevision: str | None) -> dict:
    """Axes pinned to the surface window, equal-ish framing, legend above the map."""
    return dict(
        height=height,
        margin=dict(l=50, r=10, t=30, b=40),
        xaxis=dict(range=list(surface.x_range), title="x", autorange=False, showgrid=False, zeroline=False),
        yaxis=dict(range=list(surface.y_range), title="y", autorange=False, showgrid=False, zeroline=False),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="left", x=0.0),
        hovermode="closest",
        uirevision=uirevision or surface.name,
        plot_bgcolor="white",
    )


def _contour_trace(grid) -> go.Contour:
    return go.Contour(
        x=grid.x, y=grid.y, z=grid.height.astype(np.float32), name="surface",
        colorscale=SURFACE_SCALE, ncontours=28 if grid.log else 24, showscale=True,
        # The title sits on top, not beside, so a narrow column keeps its width for the map.
        colorbar=dict(title=dict(text=grid.height_label, side="top", font=dict(size=11)), thickness=10),
        contours=dict(coloring="fill", showlines=True), line=dict(width=0.6, color="rgba(60,60,60,0.35)"),
        hoverinfo="skip", showlegend=False,
    )


def _click_targets(surface: Surface) -> go.Scatter:
    x = np.linspace(*surface.x_range, CLICK_GRID)
    y = np.linspace(*surface.y_range, CLICK_GRID)
    gx, gy = np.meshgrid(x, y)
    return go.Scatter(
        x=round_sig(gx.ravel(), 4), y=round_sig(gy.ravel(), 4), mode="markers", name="click to start here",
        marker=dict(size=14, opacity=0), showlegend=False,
        selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0)),
        hovertemplate="click: start here (%{x:.3g}, %{y:.3g})<extra></extra>",
    )


def end_marker(path: PathView) -> go.Scatter:
    x, y = path.xy[-1]
    return go.Scatter(
        x=[float(x)], y=[float(y)], mode="markers", name=f"{path.label} end", legendgroup=path.name,
        showlegend=False, marker=dict(color=path.color, size=11, line=dict(width=2, color="white")),
        customdata=[[path.last_step, float(path.loss[-1]), float(path.grad_norm[-1])]], hovertemplate=HOVER,
    )


def path_traces(path: PathView, max_points: int = MAX_POINTS_PER_PATH) -> list[go.Scatter]:
    """The path as one line-with-markers trace, plus an ✕ where it blew up."""
    rows = thin_index(len(path.steps), max_points)
    custom = np.column_stack([path.steps[rows], round_sig(path.loss[rows]), round_sig(path.grad_norm[rows], 3)])
    size = 5 if len(rows) <= 200 else 3
    traces = [go.Scatter(
        x=round_sig(path.xy[rows, 0]), y=round_sig(path.xy[rows, 1]), mode="lines+markers", name=path.label,
        legendgroup=path.name, line=dict(color=path.color, width=2, dash=path.dash),
        marker=dict(color=path.color, size=size), customdata=custom, hovertemplate=HOVER,
        unselected=dict(marker=dict(opacity=1)),
    )]
    end = path.xy[-1]
    if path.diverged:
        traces.append(go.Scatter(
            x=[float(end[0])], y=[float(end[1])], mode="markers", name=f"{path.label} diverged",
            legendgroup=path.name, showlegend=False,
            marker=dict(symbol="x", size=16, color=path.color, line=dict(width=2, color="white")),
            hovertemplate=f"<b>{path.label}</b> diverged at step {path.diverged_at}<extra></extra>",
        ))
    return traces
