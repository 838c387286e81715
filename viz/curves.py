"""Loss and distance to the nearest minimum against the step, side by side."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.paths import PathView, round_sig, thin_index

MAX_POINTS_PER_CURVE = 800
TINY = 1e-300  # a log axis cannot show 0; a distance of exactly 0 is drawn at the floor


def curves_figure(paths: Sequence[PathView], *, height: int = 340, has_minima: bool = True,
                  uirevision: str | None = None) -> go.Figure:
    """Two panels: loss (log scale when every loss is positive) and distance to a minimum.

    A surface that is unbounded below (saddle, monkey saddle) has losses <= 0, which a log
    axis cannot show: the loss panel then switches to a linear axis and says so in its title.
    """
    losses = [p.loss for p in paths if len(p.loss)]
    log_loss = bool(losses) and min(float(loss.min()) for loss in losses) > 0
    traces: list = []
    for path in paths:
        rows = thin_index(len(path.steps), MAX_POINTS_PER_CURVE)
        common = dict(mode="lines", legendgroup=path.name, line=dict(color=path.color, width=2, dash=path.dash))
        traces.append(go.Scatter(
            x=path.steps[rows], y=round_sig(path.loss[rows]), name=path.label, xaxis="x", yaxis="y", **common,
            hovertemplate=f"<b>{path.label}</b><br>step %{{x}}<br>loss %{{y:.4g}}<extra></extra>",
        ))
        if has_minima and path.distance is not None:
            traces.append(go.Scatter(
                x=path.steps[rows], y=round_sig(np.maximum(path.distance[rows], TINY)), name=path.label,
                xaxis="x2", yaxis="y2", showlegend=False, **common,
                hovertemplate=f"<b>{path.label}</b><br>step %{{x}}<br>distance %{{y:.3g}}<extra></extra>",
            ))
        if path.diverged:
            for axis, values in (("y", path.loss), ("y2", path.distance)):
                if values is None or (axis == "y2" and not has_minima):
                    continue
                traces.append(go.Scatter(
                    x=[path.last_step], y=[float(max(values[-1], TINY) if axis == "y2" else values[-1])],
                    mode="markers", xaxis="x" if axis == "y" else "x2", yaxis=axis, showlegend=False,
                    name=f"{path.label} diverged", legendgroup=path.name,
                    marker=dict(symbol="x", size=12, color=path.color),
                    hovertemplate=f"<b>{path.label}</b> diverged at step {path.diverged_at}<extra></extra>",
                ))
    loss_title = "loss (log scale)" if log_loss else "loss (linear: it reaches ≤ 0)"
    layout = dict(
        height=height, margin=dict(l=60, r=10, t=40, b=40), uirevision=uirevision or "curves",
        legend=dict(orientation="h", yanchor="bottom", y=1.08, xanchor="left", x=0.0),
        # rangemode keeps the step axis from starting before 0 when a diverged ✕ pads the range
        xaxis=dict(domain=[0.0, 0.46], title="step", rangemode="nonnegative"),
        yaxis=dict(type="log" if log_loss else "linear", title=loss_title, exponentformat="power"),
        xaxis2=dict(domain=[0.56, 1.0], title="step", anchor="y2", rangemode="nonnegative"),
        yaxis2=dict(type="log", title="distance to nearest minimum", anchor="x2", exponentformat="power"),
        hovermode="closest",
    )
    if not has_minima:
        # Without a minimum there is no distance to draw: the loss panel takes the whole width.
        del layout["xaxis2"], layout["yaxis2"]
        layout["xaxis"] = dict(domain=[0.0, 1.0], title="step (no known minimum: no distance panel)",
                               rangemode="nonnegative")
    fig = go.Figure(data=traces)
    fig.update_layout(layout)
    return fig
