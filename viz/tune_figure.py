"""The curves a fair race's learning rates were chosen from: final loss against learning rate."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.colors import path_color, path_dash


def tune_figure(rates: Sequence[np.ndarray], losses: Sequence[np.ndarray], chosen: Sequence[float],
                labels: Sequence[str], *, height: int = 300) -> go.Figure:
    """One curve per racer (gaps where the run diverged), its chosen rate starred."""
    finite = [loss[np.isfinite(loss)] for loss in losses]
    positive = all(len(f) == 0 or f.min() > 0 for f in finite)
    fig = go.Figure()
    for index, (rate, loss, best, label) in enumerate(zip(rates, losses, chosen, labels, strict=True)):
        shown = np.where(np.isfinite(loss), loss, np.nan)
        color, dash = path_color(index), path_dash(index)
        fig.add_trace(go.Scatter(x=rate, y=shown, mode="lines+markers", name=label, line=dict(color=color, dash=dash),
                                 marker=dict(size=4), connectgaps=False,
                                 hovertemplate="lr %{x:.3g}<br>final loss %{y:.4g}<extra>" + label + "</extra>"))
        row = int(np.argmin(np.abs(np.log(rate) - np.log(best))))
        if np.isfinite(loss[row]):
            fig.add_trace(go.Scatter(x=[best], y=[loss[row]], mode="markers", showlegend=False, name=f"{label} chosen",
                                     marker=dict(symbol="star", size=15, color=color, line=dict(width=1, color="#222")),
                                     hovertemplate=f"chosen: lr {best:g}<extra>{label}</extra>"))
    fig.update_layout(
        height=height, margin=dict(l=60, r=10, t=10, b=40), plot_bgcolor="white", hovermode="closest",
        xaxis=dict(type="log", title="learning rate (log)", exponentformat="power", gridcolor="#eef1f4"),
        yaxis=dict(type="log" if positive else "linear", title="final loss" + (" (log)" if positive else ""),
                   exponentformat="power", gridcolor="#eef1f4"),
        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0),
    )
    return fig
