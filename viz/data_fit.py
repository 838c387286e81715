"""The data behind the line-fit surface, with the line each optimizer has fitted so far."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from landscapes import DataSurface
from viz.paths import PathView, round_sig


def data_fit_figure(surface: DataSurface, paths: Sequence[PathView], *, height: int = 340,
                    uirevision: str | None = None) -> go.Figure:
    """Scatter of the data set and, per path, the line y = a·x + b at its final (a, b).

    Ties the abstract (a, b) plane back to what is being fitted: a point of the contour map is
    a line through these points, and the least-squares line is the minimum.
    """
    x_span = np.array([float(surface.data_x.min()), float(surface.data_x.max())])
    traces: list = [go.Scatter(
        x=round_sig(surface.data_x), y=round_sig(surface.data_y), mode="markers", name="data",
        marker=dict(size=6, color="rgba(90,90,90,0.55)"), hovertemplate="(%{x:.3g}, %{y:.3g})<extra>data</extra>",
    )]
    for slope, intercept in surface.minima_array():
        traces.append(go.Scatter(
            x=x_span, y=slope * x_span + intercept, mode="lines", name="least-squares fit",
            line=dict(color="#222", width=3, dash="dot"),
            hovertemplate=f"least squares: y = {slope:.3g}·x + {intercept:.3g}<extra></extra>",
        ))
    for path in paths:
        slope, intercept = (float(value) for value in path.xy[-1])
        traces.append(go.Scatter(
            x=x_span, y=slope * x_span + intercept, mode="lines", name=f"{path.label} at step {path.last_step}",
            legendgroup=path.name, line=dict(color=path.color, width=2, dash=path.dash),
            hovertemplate=f"<b>{path.label}</b>: y = {slope:.3g}·x + {intercept:.3g}<extra></extra>",
        ))
    fig = go.Figure(data=traces)
    fig.update_layout(
        height=height, margin=dict(l=50, r=10, t=40, b=40), uirevision=uirevision or "data",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0.0),
        xaxis=dict(title="x (feature)"), yaxis=dict(title="y (target)"), plot_bgcolor="white",
    )
    return fig
