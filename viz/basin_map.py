"""Basin maps: every start of a grid coloured by where it ends, how low, how fast, or which way
it escapes. Plain functions from a :class:`optimizers.Basins` to Plotly figures."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from optimizers import Basins
from viz.colors import MINIMUM_COLOR
from viz.heatmap import DIVERGED_COLOR, NO_PADDING, category_key, category_map, cell_range, click_grid, sweep_heatmap

# Okabe & Ito first, then Tol's muted: distinguishable, and enough for Rastrigin's dimples.
CATEGORY_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#332288",
                   "#88CCEE", "#44AA99", "#117733", "#999933")
ELSEWHERE_COLOR = "#C8CCD2"
MAX_PLACES = len(CATEGORY_COLORS)

# The server never learns the column's width; a projector's (1024 px) main column gives a map
# about this many pixels across. A fixed 520 px figure left a wide window (the ravine, 20 x 8)
# a strip of map between two bands of white.
EXPECTED_MAP_WIDTH = 480
MAP_HEIGHTS = (200, 460)  # the plot area's, least and most, in pixels
# Above and below the plot area, as Streamlit's theme draws the figure: its ticks and axis
# title push the margins a figure asks for (10 and 45 px) to about 16 and 64.
FRAME_HEIGHT = 80
# A colour bar beside a map at one scale stood far from it on a wide screen, where the map is
# narrower than the column: under the map, centred, it stays with it at any width.
COLOR_BAR = dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0.5, xanchor="center",
                 lenmode="pixels", len=300, thickness=10)
COLOR_BAR_HEIGHT = 50  # the bar and its title, under the x axis's title


def settle_categories(b: Basins) -> tuple[np.ndarray, list[str], list[str]]:
    """Codes ``(H, W)`` naming where each start settled, with the names and colours of the codes.

    The surface's known minima come first. A start that ended within ``tol`` of a local minimum
    the surface does not list (Rastrigin's dimples), by Newton's estimate of that minimum,
    "settles near" it, rounded to one decimal; one that is flat enough and heading for a known
    minimum without being within ``tol`` of it yet is "approaching" it. With many places
    (Rastrigin has dozens in view) the colours repeat, arranged so that neighbouring places
    differ; the rest is "elsewhere, or still moving", and blown-up starts are "diverged".
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
        ends = b.final_xy[unplaced]
        step, at_a_minimum = b.surface.newton_step(ends)
        # Newton's estimate of the local minimum each end is near names its place: a creeping
        # start on a flat floor (the ravine's) is on its way to the floor's minimum, not at a
        # place of its own where its gradient happens to be small.
        rounded = np.round(np.where(at_a_minimum[:, None], ends - step, 0.0), 1) + 0.0  # + 0.0: no "-0"
        known = np.round(b.surface.minima_array(), 1) + 0.0
        heading_to_known = (rounded[:, None, :] == known[None, :, :]).all(axis=-1).any(axis=-1)
        flat = b.final_grad_norm[unplaced] < max(b.tol * 10, 1e-3)
        # Still creeping in: flat enough, not yet within tol of a known minimum. Elsewhere, a
        # place counts once the end is within tol of it, as a known minimum does.
        creeping = at_a_minimum & heading_to_known & flat
        settled = creeping | (at_a_minimum & ~heading_to_known & (np.hypot(*step.T) < b.tol))
        places, which = np.unique(rounded[settled], axis=0, return_inverse=True)
        # Rank the places' x and y so that a colour index steps by 7 (or 2) and by 3 between
        # neighbours, neither a multiple of the palette's length: neighbouring basins never share
        # a colour. The known minima's colours are left out, so no place looks like one of them.
        palette = [color for color in CATEGORY_COLORS if color not in colors] or list(CATEGORY_COLORS)
        step_x, step_y = (7 if len(palette) % 7 else 2), 3
        x_rank = np.unique(places[:, 0], return_inverse=True)[1]
        y_rank = np.unique(places[:, 1], return_inverse=True)[1]
        first = len(names)
        codes.ravel()[np.flatnonzero(unplaced.ravel())[settled]] = first + which.ravel()
        known_places = {tuple(place) for place in known.tolist()}
        for place, rx, ry in zip(places, x_rank, y_rank, strict=True):
            kind = "approaching" if tuple(place.tolist()) in known_places else "settles near"
            names.append(f"{kind} ({place[0]:.3g}, {place[1]:.3g})")
            colors.append(palette[(step_x * int(rx) + step_y * int(ry)) % len(palette)])
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


def fitted_height(xs: np.ndarray, ys: np.ndarray) -> int:
    """The figure height that gives a map at one scale on both axes its window's shape at the
    expected width, within :data:`MAP_HEIGHTS`. A wider column shows white at the map's sides,
    a narrower one (a phone) above it: the map stays on its axis, its key and its caption."""
    width, height = np.ptp(cell_range(xs)), np.ptp(cell_range(ys))
    least, most = MAP_HEIGHTS
    return FRAME_HEIGHT + int(np.clip(EXPECTED_MAP_WIDTH * height / width, least, most))


def basin_view(b: Basins, colour_by: str, *, start: tuple[float, float] | None = None,
               axis_titles: tuple[str, str] = ("x", "y"), height: int | None = None) -> tuple[go.Figure, str]:
    """The map of starts, coloured as asked ("where it settles", "final loss", "steps to
    arrive", "escape direction"), with the known minima starred and the race's start ringed;
    and HTML naming its colours where they are categories (where each start settles), for the
    page to set under it ("" with a colour bar, which the figure holds).

    Both axes have one scale, so a basin's shape is its true shape; the height follows the
    window's (:func:`fitted_height`) unless given, and a colour bar adds its own room under it.
    """
    height = fitted_height(b.xs, b.ys) if height is None else height
    diverged = b.minimum == -2
    key = ""
    if colour_by == "where it settles":
        codes, names, colors = settle_categories(b)  # once: Rastrigin's take 35 ms at 200 x 200
        figure = category_map(b.xs, b.ys, codes, names, colors, x_title=axis_titles[0], y_title=axis_titles[1],
                              height=height)
        key = category_key(names, colors)
    elif colour_by == "escape direction":
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
    if colour_by != "where it settles":
        figure.update_traces(colorbar=COLOR_BAR, colorbar_title_side="bottom", selector=dict(type="heatmap"))
        figure.update_layout(height=figure.layout.height + COLOR_BAR_HEIGHT,
                             margin_b=figure.layout.margin.b + COLOR_BAR_HEIGHT)
    for trace in _marks(b, start):
        figure.add_trace(trace)
    # Any room the column leaves goes above the map, which keeps to its key and caption below.
    figure.update_layout(yaxis=dict(scaleanchor="x", constrain="domain", constraintoward="bottom"),
                         xaxis=dict(constrain="domain"))
    return figure, key


def basin_figure(b: Basins, colour_by: str, **view: Any) -> go.Figure:
    """:func:`basin_view`'s figure alone."""
    return basin_view(b, colour_by, **view)[0]


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
