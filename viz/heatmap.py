"""Heatmaps over a grid of two settings: a sweep's final loss or steps to arrive, with the
diverged cells marked, theory's boundary and optimum drawn over it, and a cell to click.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np
import plotly.graph_objects as go

from viz.paths import round_sig

DIVERGED_COLOR = "#B2182B"
# Plotly reports clicks on markers, not on heatmap cells: invisible markers at up to this many
# cells per axis catch them (more would make the figure heavy for little gain in aim).
MAX_TARGETS = 64
MAX_LISTED = 14  # categories named in the key under a map; beyond that the hover says which
LOSS_SCALE = "Viridis"
STEPS_SCALE = "Cividis"


# Streamlit's chart theme pads the plot area by 8 px on every side, painted in the plot's
# background colour. The maps use that colour to mean something (grey: never arrived; red:
# diverged), so they take no padding, and their axes end at the outer cells' edges.
NO_PADDING = dict(pad=0)


def cell_range(values: np.ndarray, log: bool = False) -> list[float]:
    """The axis range from the first cell's outer edge to the last one's, in the axis's own
    units (log10 on a log axis), so that no background shows around the cells."""
    points = np.log10(np.asarray(values, dtype=float)) if log else np.asarray(values, dtype=float)
    if len(points) == 1:
        return [float(points[0] - 0.5), float(points[0] + 0.5)]
    return [float(points[0] - (points[1] - points[0]) / 2), float(points[-1] + (points[-1] - points[-2]) / 2)]


def sweep_heatmap(
    x_name: str, x_values: np.ndarray, y_name: str, y_values: np.ndarray, values: np.ndarray, diverged: np.ndarray,
    *, metric: str, log_color: bool, log_x: bool, log_y: bool, height: int = 460,
    boundary: tuple[np.ndarray, np.ndarray] | None = None, optimum: tuple[float, float] | None = None,
    optimum_label: str = "theory's optimum", marked: tuple[float, float] | None = None,
) -> go.Figure:
    """``values[i, j]`` belongs to ``x_values[i]`` and ``y_values[j]`` (axis 0 is the x setting).

    ``values`` should be finite where a cell did not diverge; ``log_color`` shows them on a
    log10 colour scale. A second layer paints the diverged cells in one colour, and invisible
    markers at the cell centres make every cell clickable.
    """
    values = np.asarray(values, dtype=float)
    diverged = np.asarray(diverged, dtype=bool)
    shown = np.where(diverged | ~np.isfinite(values), np.nan, values)
    if log_color:
        with np.errstate(divide="ignore", invalid="ignore"):
            shown = np.where(shown > 0, np.log10(np.where(shown > 0, shown, 1.0)), np.nan)
    finite = shown[np.isfinite(shown)]
    traces: list = [go.Heatmap(
        x=_axis(x_values), y=_axis(y_values), z=round_sig(shown.T, 4), colorscale=LOSS_SCALE if log_color else STEPS_SCALE,
        zmin=float(finite.min()) if finite.size else None, zmax=float(finite.max()) if finite.size else None,
        colorbar=dict(title=dict(text=("log₁₀ " if log_color else "") + metric, side="right"), thickness=10),
        hovertemplate=f"{x_name} %{{x:.3g}}<br>{y_name} %{{y:.3g}}<br>{metric} %{{customdata}}<extra></extra>",
        customdata=_labels(values.T, diverged.T, log_color), hoverongaps=False, name=metric,
    )]
    if diverged.any():
        traces.append(go.Heatmap(
            x=_axis(x_values), y=_axis(y_values), z=np.where(diverged.T, 1.0, np.nan), showscale=False,
            colorscale=[[0, DIVERGED_COLOR], [1, DIVERGED_COLOR]], hoverinfo="skip", name="diverged",
        ))
    gx, gy = click_grid(x_values, y_values)
    traces.append(go.Scatter(
        x=gx, y=gy, mode="markers", name="cells",
        marker=dict(size=max(5, int(420 / min(max(len(x_values), len(y_values)), MAX_TARGETS))), opacity=0),
        showlegend=False,
        hovertemplate=f"{x_name} %{{x:.3g}}<br>{y_name} %{{y:.3g}}<br>click: race at these settings<extra></extra>",
        selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0)),
    ))
    if boundary is not None:
        bx, by = boundary
        traces.append(go.Scatter(x=bx, y=by, mode="lines", name="theory: convergence boundary",
                                 line=dict(color="white", width=3, dash="dash"), hoverinfo="skip"))
    if optimum is not None:
        traces.append(go.Scatter(x=[optimum[0]], y=[optimum[1]], mode="markers", name=optimum_label,
                                 marker=dict(symbol="star", size=18, color="#FFD700", line=dict(width=1.5, color="#111")),
                                 hovertemplate=f"{optimum_label}: {x_name} %{{x:.3g}}, {y_name} %{{y:.3g}}<extra></extra>"))
    if marked is not None:
        traces.append(go.Scatter(x=[marked[0]], y=[marked[1]], mode="markers", name="the race's setting",
                                 showlegend=False,
                                 marker=dict(symbol="circle-open", size=16, color="white", line=dict(width=3)),
                                 hovertemplate="the race's setting<extra></extra>"))
    fig = go.Figure(data=traces)
    fig.update_layout(
        # No grid: over the grey of cells that never arrived its lines would read as cells' edges.
        height=height, margin=dict(l=60, r=10, t=10, b=50, **NO_PADDING), plot_bgcolor="#dddddd",
        clickmode="event+select",
        xaxis=dict(title=x_name + (" (log)" if log_x else ""), type="log" if log_x else "linear", exponentformat="power",
                   range=cell_range(x_values, log_x), showgrid=False),
        yaxis=dict(title=y_name + (" (log)" if log_y else ""), type="log" if log_y else "linear", exponentformat="power",
                   range=cell_range(y_values, log_y), showgrid=False),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0), dragmode=False,
    )
    return fig


def click_grid(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Marker positions at real cells, at most ``MAX_TARGETS`` per axis, evenly spread.

    Arrays, as :func:`_names_at`'s labels: Plotly's validator walks lists element by element,
    which cost a basin page's rerun some 70 ms for these 4,096 markers."""
    def pick(values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype=float)
        if len(values) <= MAX_TARGETS:
            return values
        return values[np.unique(np.linspace(0, len(values) - 1, MAX_TARGETS).round().astype(int))]

    gx, gy = np.meshgrid(pick(xs), pick(ys))
    return np.asarray(_axis(gx.ravel())), np.asarray(_axis(gy.ravel()))


def _names_at(xs: np.ndarray, ys: np.ndarray, codes: np.ndarray, names: Sequence[str], gx: np.ndarray,
              gy: np.ndarray) -> np.ndarray:
    columns = np.abs(np.asarray(xs)[None, :] - gx[:, None]).argmin(axis=1)
    rows = np.abs(np.asarray(ys)[None, :] - gy[:, None]).argmin(axis=1)
    return np.asarray(names)[np.asarray(codes)[rows, columns]]


def _axis(values: np.ndarray) -> list[float]:
    return [float(f"{v:.6g}") for v in np.asarray(values, dtype=float)]


def _labels(values: np.ndarray, diverged: np.ndarray, log_color: bool) -> np.ndarray:
    # An array, not nested lists: Plotly's validator walks lists element by element, which took
    # 110 ms of a basin page's rerun at 200 x 200 starts; an array it takes whole.
    return np.where(diverged, "diverged", np.where(np.isfinite(values),
                                                   np.char.mod("%.3g", np.nan_to_num(values)), "never"))


def category_map(xs: np.ndarray, ys: np.ndarray, codes: np.ndarray, names: Sequence[str], colors: Sequence[str], *,
                 x_title: str = "x", y_title: str = "y", height: int = 460) -> go.Figure:
    """A map of start points coloured by a category: ``codes[i, j]`` indexes ``names``/``colors``
    for the start at ``(xs[j], ys[i])``. A click on a pixel returns its point. The map has no
    legend of its own: :func:`category_key` names the categories under it.
    """
    k = len(names)
    scale = []
    for index, color in enumerate(colors):
        scale += [[index / k, color], [(index + 1) / k, color]]
    gx, gy = click_grid(xs, ys)
    fig = go.Figure(data=[
        go.Heatmap(x=_axis(xs), y=_axis(ys), z=np.asarray(codes, dtype=np.int16), zmin=-0.5, zmax=k - 0.5,
                   colorscale=scale, showscale=False, name="basin", hoverinfo="skip"),
        go.Scatter(x=gx, y=gy, mode="markers", opacity=0, customdata=_names_at(xs, ys, codes, names, gx, gy),
                   marker=dict(size=max(5, int(420 / min(len(xs), MAX_TARGETS))), opacity=0), showlegend=False,
                   name="cells",
                   hovertemplate="start (%{x:.3g}, %{y:.3g})<br>%{customdata}<br>click: race from here<extra></extra>",
                   selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0))),
    ])
    fig.update_layout(height=height, margin=dict(l=55, r=10, t=10, b=45, **NO_PADDING), clickmode="event+select",
                      dragmode=False, xaxis=dict(title=x_title, range=cell_range(xs), constrain="domain"),
                      yaxis=dict(title=y_title, range=cell_range(ys), scaleanchor="x",
                                 constrain="domain"), showlegend=False)
    return fig


def category_key(names: Sequence[str], colors: Sequence[str]) -> str:
    """HTML naming a category map's categories, a swatch and a name each, in code order; beyond
    :data:`MAX_LISTED`, a line saying that the colours repeat and the hover names a pixel's.

    Page markup rather than a Plotly legend: it wraps to any column's width and stays just under
    the map. A legend inside the figure needed room the server cannot size without knowing the
    column's width; under the map it drifted away from it, over the map the mode bar covered it
    on a phone, and as a colour bar its labels took half a phone's width.
    """
    style = "font-size:0.85rem;line-height:1.8;margin-top:-0.5rem"
    if len(names) > MAX_LISTED:
        return (f'<div class="category-key" style="{style}">{len(names)} categories, too many to name here, so '
                f'the colours repeat: point at a pixel to see its own.</div>')
    items = "".join(
        f'<span style="display:inline-flex;align-items:center;gap:0.35em;margin-right:1.2em;white-space:nowrap">'
        f'<span style="width:0.9em;height:0.9em;background:{escape(color)};border:1px solid #555;'
        f'display:inline-block"></span>{escape(name)}</span>'
        for name, color in zip(names, colors, strict=True))
    return f'<div class="category-key" style="{style}">{items}</div>'

