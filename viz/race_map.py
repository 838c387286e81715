"""The contour map of the race view: the surface, one trail per racer, their heads, start, minima.

Returns a plain figure dict (the race view draws it with plotly.js) and the indices of the
traces the player moves. The trails start out as whole paths; the player cuts them at the
step it shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from landscapes import Surface
from viz.colors import MINIMUM_COLOR, START_COLOR, SURFACE_SCALE
from viz.grid import surface_grid
from viz.paths import PathView
from viz.typed import typed

GRID_SIZE = 120  # contour resolution: smooth on a wide screen, about 60 kB as float32
# A log floor soft enough that a narrow valley floor (Rosenbrock's) draws as a line, not beads.
SOFTNESS = 1e-4
HOVER = ("<b>%{fullData.name}</b><br>step %{customdata[0]}<br>(%{x:.4g}, %{y:.4g})"
         "<br>loss %{customdata[1]:.4g}<br>|∇f| %{customdata[2]:.3g}<extra></extra>")


def contour_trace(surface: Surface, size: int = GRID_SIZE, *, showscale: bool = True) -> dict[str, Any]:
    grid = surface_grid(surface, size, softness=SOFTNESS)
    return dict(
        type="contour", x=typed(grid.x), y=typed(grid.y), z=typed(grid.height, gaps=True), name="surface",
        colorscale=SURFACE_SCALE, ncontours=28 if grid.log else 24, showscale=showscale,
        colorbar=dict(title=dict(text=grid.height_label, side="right", font=dict(size=11)), thickness=8, len=0.9,
                      tickfont=dict(size=10)),
        contours=dict(coloring="fill", showlines=True), line=dict(width=0.6, color="rgba(60,60,60,0.35)"),
        hoverinfo="skip", showlegend=False,
    )


def map_figure(surface: Surface, paths: Sequence[PathView], start: Sequence[float], *,
               axis_titles: tuple[str, str] = ("x", "y"), uirevision: str = "") -> tuple[dict, dict]:
    """The map figure and the roles of its moving traces.

    Roles: ``map_trails`` (one trace per path, in order), ``map_heads`` (one trace, a point
    per path), ``map_start``.
    """
    data: list[dict] = [contour_trace(surface)]
    trails = []
    for path in paths:
        trails.append(len(data))
        data.append(dict(
            type="scatter", mode="lines+markers", name=path.label, legendgroup=path.name,
            x=[], y=[], customdata=[], hovertemplate=HOVER,
            line=dict(color=path.color, width=2.2, dash=path.dash),
            marker=dict(color=path.color, size=4 if len(path.steps) <= 300 else 2.5),
        ))
    minima = surface.minima_array()
    if len(minima):
        data.append(dict(
            type="scatter", mode="markers", x=minima[:, 0].tolist(), y=minima[:, 1].tolist(), name="minimum",
            marker=dict(symbol="star", size=15, color=MINIMUM_COLOR, line=dict(width=1, color="#333")),
            hovertemplate="minimum (%{x:.4g}, %{y:.4g})<extra></extra>", showlegend=False,
        ))
    start_index = len(data)
    data.append(dict(
        type="scatter", mode="markers", x=[float(start[0])], y=[float(start[1])], name="start", showlegend=False,
        marker=dict(symbol="circle-open", size=14, color=START_COLOR, line=dict(width=3)),
        hovertemplate="start (%{x:.4g}, %{y:.4g})<extra></extra>",
    ))
    heads_index = len(data)
    data.append(dict(
        type="scatter", mode="markers", x=[], y=[], name="now", showlegend=False, hoverinfo="skip",
        marker=dict(size=12, color=[p.color for p in paths], line=dict(width=1.5, color="white")),
    ))
    aspect = _aspect(surface)
    layout = dict(
        margin=dict(l=52, r=8, t=8, b=42),
        xaxis=dict(range=list(surface.x_range), title=dict(text=axis_titles[0], standoff=4), autorange=False,
                   showgrid=False, zeroline=False, constrain="domain"),
        yaxis=dict(range=list(surface.y_range), title=dict(text=axis_titles[1], standoff=4), autorange=False,
                   showgrid=False, zeroline=False, scaleanchor="x", scaleratio=aspect["scaleratio"],
                   constrain="domain"),
        showlegend=False, hovermode="closest", dragmode=False, plot_bgcolor="white",
        uirevision=uirevision or surface.name, font=dict(size=12),
    )
    roles = {"map_trails": trails, "map_heads": heads_index, "map_start": start_index}
    return {"data": data, "layout": layout}, roles


def _aspect(surface: Surface) -> dict[str, float]:
    """One unit of x as long as one of y, unless that would make the map a sliver.

    A window more than three times as wide as tall (or tall as wide) is stretched to 3:1, and
    the axis ratio says so; the ravine (20 x 8) is drawn to scale.
    """
    width = surface.x_range[1] - surface.x_range[0]
    height = surface.y_range[1] - surface.y_range[0]
    ratio = height / width
    scaleratio = 1.0
    if ratio < 1 / 3:
        scaleratio = (1 / 3) / ratio
    elif ratio > 3:
        scaleratio = 3 / ratio
    return {"ratio": ratio * scaleratio, "scaleratio": scaleratio}


def display_aspect(surface: Surface) -> float:
    """Height / width of the drawn plot area."""
    return _aspect(surface)["ratio"]


def trail_rows(path: PathView, steps: np.ndarray) -> np.ndarray:
    """The row of ``path`` shown at each of ``steps`` (a finished path holds its last row)."""
    rows = np.searchsorted(path.steps, steps, side="right") - 1
    return np.clip(rows, 0, len(path.steps) - 1)
