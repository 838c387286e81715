"""The loss curves of the race view: loss, and distance to the goal, against the step."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from landscapes import Surface
from viz import race_map
from viz.grid import surface_grid
from viz.paths import PathView, round_sig, thin_index

MAX_POINTS_PER_CURVE = 600
TINY = 1e-300  # a log axis cannot show 0: a distance of exactly 0 sits at the floor


def goal_distance(surface: Surface, xy: np.ndarray) -> tuple[np.ndarray | None, str]:
    """What the second panel shows: distance to the nearest minimum, or, on a surface whose
    goal is to escape (its only critical point is the saddle at the origin), the distance
    from that saddle point, whose exponential growth is a straight line on a log axis."""
    distance = surface.distance_to_nearest_minimum(xy)
    if distance is not None:
        return distance, "distance to nearest minimum"
    if surface.goal == "escape":
        return np.sqrt(np.sum(np.asarray(xy, dtype=float) ** 2, axis=-1)), "distance from the saddle point (0, 0)"
    return None, ""


def curves_figure(surface: Surface, paths: Sequence[PathView], *, uirevision: str = "") -> tuple[dict, list[dict]]:
    """The figure and its heads: ``[{"trace": i, "field": "loss"}, {"trace": j, "field": "dist"}]``."""
    losses = [p.loss for p in paths if len(p.loss)]
    log_loss = bool(losses) and min(float(loss.min()) for loss in losses) > 0
    second = goal_distance(surface, np.zeros((1, 2)))[1]
    data: list[dict] = []
    distances: list[np.ndarray] = []  # as drawn, for the panel's ticks
    for path in paths:
        rows = thin_index(len(path.steps), MAX_POINTS_PER_CURVE)
        common = dict(type="scatter", mode="lines", legendgroup=path.name, name=path.label,
                      line=dict(color=path.color, width=2, dash=path.dash))
        data.append(dict(x=path.steps[rows].tolist(), y=round_sig(path.loss[rows]).tolist(), xaxis="x", yaxis="y",
                         hovertemplate=f"<b>{path.label}</b><br>step %{{x}}<br>loss %{{y:.4g}}<extra></extra>",
                         **common))
        if second:
            distance = goal_distance(surface, path.xy[rows])[0]
            distances.append(distance)
            data.append(dict(x=path.steps[rows].tolist(), y=round_sig(np.maximum(distance, TINY)).tolist(),
                             xaxis="x2", yaxis="y2",
                             hovertemplate=f"<b>{path.label}</b><br>step %{{x}}<br>distance %{{y:.3g}}<extra></extra>",
                             **common))
        if path.diverged:
            # The ✕ sits at the step that blew up, at the last finite value before it.
            data.append(dict(type="scatter", mode="markers", x=[int(path.diverged_at)], y=[float(path.loss[-1])],
                             xaxis="x", yaxis="y", legendgroup=path.name, name=path.label, showlegend=False,
                             marker=dict(symbol="x", size=11, color=path.color),
                             hovertemplate=f"<b>{path.label}</b> diverged at step {path.diverged_at}<extra></extra>"))
    heads = []
    colors = [p.color for p in paths]
    for axis, field in (("", "loss"), ("2", "dist")):
        if field == "dist" and not second:
            continue
        heads.append({"trace": len(data), "field": field})
        data.append(dict(type="scatter", mode="markers", x=[], y=[], xaxis=f"x{axis}", yaxis=f"y{axis}",
                         hoverinfo="skip", showlegend=False, name="now",
                         marker=dict(size=9, color=colors, line=dict(width=1, color="white"))))
    loss_title = "loss (log)" if log_loss else "loss"
    clipped = None if log_loss else _window_range(surface, losses)
    if clipped is not None:
        loss_title = "loss (map's range)"
    layout = dict(
        margin=dict(l=56, r=8, t=8, b=38), uirevision=uirevision or "curves", showlegend=False,
        hovermode="closest", font=dict(size=11),
        xaxis=dict(title=dict(text="step", standoff=2), rangemode="nonnegative", domain=[0, 1], anchor="y"),
        yaxis=dict(type="log" if log_loss else "linear", title=dict(text=loss_title), exponentformat="power", nticks=5,
                   domain=[0.56, 1.0] if second else [0, 1]),
    )
    if clipped is not None:
        layout["yaxis"]["range"] = clipped
    if log_loss:
        layout["yaxis"].update(_decade_ticks(losses))
    if second:
        layout["xaxis"]["showticklabels"] = False
        layout["xaxis"]["title"] = None
        layout["xaxis2"] = dict(title=dict(text="step", standoff=2), rangemode="nonnegative", anchor="y2",
                                matches="x")
        layout["yaxis2"] = dict(type="log", title=dict(text=_short(second)), exponentformat="power", nticks=5,
                                domain=[0, 0.44], anchor="x2",
                                **_decade_ticks(distances))
    return {"data": data, "layout": layout}, heads


def _decade_ticks(series: Sequence[np.ndarray]) -> dict:
    """Ticks a short log panel (about 120 px high) can label without overlap: whole decades
    once the values span two or more, else 1, 2 and 5 of each decade, or a few even steps
    where those are too sparse, each labelled in full. Left to itself, Plotly labels every
    digit between the decades, and the labels run into each other; its "D2" ticks label 0.5
    as "5", which on the panel read as five below one."""
    values = np.concatenate([np.ravel(v) for v in series]) if len(series) else np.zeros(0)
    values = values[np.isfinite(values) & (values > TINY)]
    if not values.size:
        return {}
    low, high = float(values.min()), float(values.max())
    decades = math.log10(high) - math.log10(low)
    if decades >= 2:
        return {"dtick": max(1, math.ceil(decades / 4))}
    exponents = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    ticks = [digit * 10.0 ** exponent for exponent in exponents for digit in (1, 2, 5)
             if low <= digit * 10.0 ** exponent <= high]
    if len(ticks) < 2:  # a narrow span: three or four even steps (4.5, 5, 5.5) instead
        ticks = _even_ticks(low, high)
    if len(ticks) < 2:
        return {}
    return {"tickvals": ticks, "ticktext": [_tick_label(tick) for tick in ticks]}


def _even_ticks(low: float, high: float) -> list[float]:
    """Ticks at a round step within [low, high]: the coarsest step giving three, else two."""
    unit = 10.0 ** math.floor(math.log10(high - low)) if high > low else 0.0
    if not unit:
        return []
    candidates = []
    for step in (5 * unit, 2 * unit, unit, unit / 2, unit / 5, unit / 10):
        first = math.ceil(low / step - 1e-9) * step
        candidates.append([float(f"{first + k * step:.12g}") for k in range(int((high - first) / step + 1e-9) + 1)])
    return next((ticks for ticks in candidates if len(ticks) >= 3), next((t for t in candidates if len(t) >= 2), []))


def _tick_label(value: float) -> str:
    """0.5, 20 or 2×10⁻⁵: plain within 0.001 to 10,000, a power of ten beyond, as Plotly's
    "power" exponent format writes whole decades."""
    if 1e-3 <= value < 1e4:
        return f"{value:g}"
    mantissa, exponent = f"{value:.2e}".split("e")
    mantissa = f"{float(mantissa):g}"
    power = f"10<sup>{int(exponent)}</sup>".replace("-", "\u2212")
    return power if mantissa == "1" else f"{mantissa}×{power}"


def _window_range(surface: Surface, losses: Sequence[np.ndarray]) -> list[float] | None:
    """A linear loss axis held to the values the map shows, when a path has run far below them.

    On a surface unbounded below (the saddles) an escaping path's loss keeps falling, to -4e4
    on the saddle lesson, and a linear axis fitted to it flattens every other curve into the
    zero line. Held to the map's range, each curve shows its escape as the drop out of the
    bottom of the panel (hover still gives every value). None when no path leaves that range.
    """
    if not losses:
        return None
    grid = surface_grid(surface, race_map.GRID_SIZE, softness=race_map.SOFTNESS)
    finite = grid.z[np.isfinite(grid.z)]
    if not finite.size:
        return None
    low, high = float(finite.min()), float(finite.max())
    lowest = min(float(loss.min()) for loss in losses)
    if lowest >= low - 0.5 * (high - low):
        return None
    top = max(max(float(loss.max()) for loss in losses), low)
    top = min(top, high)
    pad = 0.05 * (top - low or 1.0)
    return [low - pad, top + pad]


def _short(title: str) -> str:
    return {"distance to nearest minimum": "distance (log)",
            "distance from the saddle point (0, 0)": "from saddle (log)"}.get(title, title)
