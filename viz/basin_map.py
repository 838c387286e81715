"""Basin maps: every start of a grid coloured by where it ends, how low, how fast, or which way
it escapes. Plain functions from a :class:`optimizers.Basins` to Plotly figures."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from optimizers import Basins
from viz.colors import MINIMUM_COLOR
from viz.heatmap import DIVERGED_COLOR, NO_PADDING, category_map, cell_range, click_grid, sweep_heatmap

# Okabe & Ito first, then Tol's muted: distinguishable, and enough for Rastrigin's dimples.
CATEGORY_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#332288",
                   "#88CCEE", "#44AA99", "#117733", "#999933")
ELSEWHERE_COLOR = "#C8CCD2"
MAX_PLACES = len(CATEGORY_COLORS)


def settle_categories(b: Basins) -> tuple[np.ndarray, list[str], list[str]]:
    """Codes ``(H, W)`` naming where each start settled, with the names and colours of the codes.

    The surface's known minima come first; starts that settled somewhere else (a local minimum
    the surface does not list, such as Rastrigin's dimples) are grouped by their end point
    rounded to one decimal. With many such places (Rastrigin has dozens in view) the colours
    repeat, arranged so that neighbouring places differ; the rest is "elsewhere or still
    moving", and blown-up starts are "diverged".
    """
    names: list[str] = []
    colors: list[str] = []
    codes = np.full(b.minimum.shape, -1, dtype=np.int64)
    for index, (x, y) in enumerate(b.surface.minima):
        codes[b.minimum == index] = len(names)
        names.append(f"minimum ({x:.3g}, {y:.3g})")
        colors.append(CATEGORY_COLORS[index % MAX_PLACES])
    unplaced = (codes < 0) & (b.minimum != -2)
    if unplaced.any():
        with np.errstate(all="ignore"):
            gradient = b.surface.grad(b.final_xy[unplaced])
        settled = np.sqrt(np.sum(gradient * gradient, axis=-1)) < max(b.tol * 10, 1e-3)
        rounded = np.round(b.final_xy[unplaced][settled], 1) + 0.0  # + 0.0: -0.0 would read "-0"
        known = {tuple(place) for place in (np.round(b.surface.minima_array(), 1) + 0.0).tolist()}
        places, which = np.unique(rounded, axis=0, return_inverse=True)
        # Rank the places' x and y so that a colour index steps by 7 and by 3 between neighbours
        # (both coprime with the palette's 12): neighbouring basins never share a colour.
        x_rank = np.unique(places[:, 0], return_inverse=True)[1]
        y_rank = np.unique(places[:, 1], return_inverse=True)[1]
        first = len(names)
        codes.ravel()[np.flatnonzero(unplaced.ravel())[settled]] = first + which.ravel()
        for place, rx, ry in zip(places, x_rank, y_rank, strict=True):
            if tuple(place.tolist()) in known:  # rounded as the end points are
                # Still creeping in: flat enough to count as settled, not yet within tol. A short
                # name, as the colour bar's labels take their width from the map.
                names.append(f"approaching ({place[0]:.3g}, {place[1]:.3g})")
            else:
                names.append(f"settles near ({place[0]:.3g}, {place[1]:.3g})")
            colors.append(CATEGORY_COLORS[(len(b.surface.minima) + 7 * int(rx) + 3 * int(ry)) % MAX_PLACES])
    rest = (codes < 0) & (b.minimum != -2)
    if rest.any():
        codes[rest] = len(names)
        names.append("elsewhere, or still moving")
        colors.append(ELSEWHERE_COLOR)
    if (b.minimum == -2).any():
        codes[b.minimum == -2] = len(names)
        names.append("diverged")
        colors.append(DIVERGED_COLOR)
    return codes, names, colors


def basin_figure(b: Basins, colour_by: str, *, start: tuple[float, float] | None = None,
                 axis_titles: tuple[str, str] = ("x", "y"), height: int = 520) -> go.Figure:
    """The map of starts, coloured as asked ("where it settles", "final loss", "steps to
    arrive", "escape direction"), with the known minima starred and the race's start ringed."""
    overlay = _marks(b, start)
    if colour_by == "where it settles":
        codes, names, colors = settle_categories(b)
        return category_map(b.xs, b.ys, codes, names, colors, x_title=axis_titles[0], y_title=axis_titles[1],
                            height=height, overlay=overlay)
    diverged = b.minimum == -2
    if colour_by == "escape direction":
        figure = _angle_map(b, diverged, height, axis_titles)
    else:
        steps = colour_by == "steps to arrive"
        values = np.where(b.steps_to < 0, np.nan, b.steps_to).astype(float) if steps else b.final_loss
        positive = not steps and np.nanmin(np.where(diverged, np.nan, values)) > 0 if (~diverged).any() else True
        figure = sweep_heatmap(axis_titles[0], b.xs, axis_titles[1], b.ys, values.T, diverged.T,
                               metric="steps to arrive" if steps else "final loss", log_color=positive and not steps,
                               log_x=False, log_y=False, height=height)
        figure.update_traces(hovertemplate="start (%{x:.3g}, %{y:.3g})<br>%{customdata}<extra></extra>",
                             selector=dict(type="heatmap", name="final loss" if not steps else "steps to arrive"))
        figure.update_traces(hovertemplate="start (%{x:.3g}, %{y:.3g})<br>click: race from here<extra></extra>",
                             selector=dict(name="cells"))
    for trace in overlay:
        figure.add_trace(trace)
    figure.update_layout(yaxis=dict(scaleanchor="x", constrain="domain"), xaxis=dict(constrain="domain"))
    return figure


def _angle_map(b: Basins, diverged: np.ndarray, height: int, axis_titles: tuple[str, str]) -> go.Figure:
    degrees = np.degrees(b.escape_angle)
    shown = np.where(diverged, np.nan, degrees)
    gx, gy = click_grid(b.xs, b.ys)
    figure = go.Figure([
        go.Heatmap(x=b.xs, y=b.ys, z=np.round(shown, 1), zmin=-180, zmax=180, colorscale="Twilight",
                   colorbar=dict(title=dict(text="escape direction (°)", side="right"), thickness=10,
                                 tickvals=[-180, -90, 0, 90, 180]), name="escape direction",
                   hovertemplate="start (%{x:.3g}, %{y:.3g})<br>escapes towards %{z:.0f}°<extra></extra>"),
        go.Scatter(x=gx, y=gy, mode="markers", marker=dict(size=6, opacity=0), showlegend=False, name="cells",
                   hovertemplate="start (%{x:.3g}, %{y:.3g})<br>click: race from here<extra></extra>",
                   selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0))),
    ])
    # Diverged starts have no direction: they show as gaps, on the colour that marks divergence.
    figure.update_layout(height=height, margin=dict(l=55, r=10, t=10, b=45, **NO_PADDING), clickmode="event+select",
                         dragmode=False, plot_bgcolor=DIVERGED_COLOR,
                         xaxis=dict(title=axis_titles[0], range=cell_range(b.xs), showgrid=False),
                         yaxis=dict(title=axis_titles[1], range=cell_range(b.ys), showgrid=False))
    return figure


def _marks(b: Basins, start: tuple[float, float] | None) -> list[go.Scatter]:
    marks = []
    minima = b.surface.minima_array()
    if len(minima):
        marks.append(go.Scatter(x=minima[:, 0], y=minima[:, 1], mode="markers", name="known minimum",
                                marker=dict(symbol="star", size=15, color=MINIMUM_COLOR, line=dict(width=1, color="#222")),
                                hovertemplate="minimum (%{x:.3g}, %{y:.3g})<extra></extra>", showlegend=False))
    if start is not None:
        marks.append(go.Scatter(x=[start[0]], y=[start[1]], mode="markers", name="the race's start", showlegend=False,
                                marker=dict(symbol="circle-open", size=15, color="#111", line=dict(width=3)),
                                hovertemplate="the race's start<extra></extra>"))
    return marks
