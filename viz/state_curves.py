"""The step inspector's curves: the effective step size and the optimizer's state over the run."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from optimizers import Trajectory
from viz.paths import round_sig, thin_index

MAX_POINTS = 600
COORDINATES = (("x", "solid"), ("y", "dash"))
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#7F4F24")
ALWAYS = ("grad", "lr", "update")  # recorded for every optimizer: not its state


def state_names(trajectory: Trajectory) -> list[str]:
    """The optimizer's own recorded numbers (its state), in the engine's order."""
    return [name for name in (trajectory.records or {}) if name not in ALWAYS and name != "effective_lr"]


def state_figure(trajectory: Trajectory, step: int, *, height: int = 420) -> go.Figure:
    """Up to three panels against the step: the effective per-coordinate step size (log), the
    state that is never negative (sums and averages of squared gradients, log), and the signed
    state (momentum buffers, first moments, linear). A dotted line marks ``step``."""
    records = trajectory.records or {}
    steps = np.asarray(trajectory.step_index[1:])
    rows = thin_index(len(steps), MAX_POINTS)
    effective = records.get("effective_lr")
    if effective is None:
        effective = np.broadcast_to(np.asarray(records["lr"]), (len(steps), 2))
    positive = [n for n in state_names(trajectory) if np.all(np.asarray(records[n]) >= 0)]
    signed = [n for n in state_names(trajectory) if n not in positive]
    panels = [("effective step size (log)", {"effective step size": effective}, "log")]
    if positive:
        panels.append(("state ≥ 0 (log)", {n: records[n] for n in positive}, "log"))
    if signed:
        panels.append(("signed state", {n: records[n] for n in signed}, "linear"))
    fig = go.Figure()
    gap = 0.08
    size = (1 - gap * (len(panels) - 1)) / len(panels)
    layout: dict = dict(height=height, margin=dict(l=64, r=10, t=10, b=36), hovermode="x unified",
                        legend=dict(orientation="h", yanchor="top", y=-0.12, x=0, font=dict(size=11)),
                        plot_bgcolor="white", font=dict(size=11))
    for index, (title, series, scale) in enumerate(panels):
        axis = "" if index == 0 else str(index + 1)
        top = 1 - index * (size + gap)
        layout[f"yaxis{axis}"] = dict(domain=[round(max(top - size, 0.0), 6), round(min(top, 1.0), 6)], type=scale, title=dict(text=title, font=dict(size=11)),
                                      exponentformat="power", showgrid=True, gridcolor="#eef1f4")
        last = index == len(panels) - 1
        layout[f"xaxis{axis}"] = dict(anchor=f"y{axis}", showticklabels=last, **({"matches": "x"} if axis else {}),
                                      **({"title": dict(text="step")} if last else {}))
        for number, (name, values) in enumerate(series.items()):
            values = np.asarray(values, dtype=float)
            for column, (coordinate, dash) in enumerate(COORDINATES[: values.shape[-1] if values.ndim > 1 else 1]):
                y = values[rows, column] if values.ndim > 1 else values[rows]
                if scale == "log":
                    # Zeros (a state not yet filled, SWATS before its switch) leave a gap: a floor
                    # of 1e-300 would stretch the axis over three hundred decades.
                    y = np.where(y > 0, y, np.nan)
                label = f"{name} ({coordinate})" if values.ndim > 1 and values.shape[-1] == 2 else name
                fig.add_trace(go.Scatter(
                    x=steps[rows], y=round_sig(y), mode="lines", name=label, xaxis=f"x{axis}", yaxis=f"y{axis}",
                    line=dict(color=COLORS[(number + 2 * index) % len(COLORS)], width=2, dash=dash),
                    hovertemplate="%{y:.4g}",
                ))
    layout["shapes"] = [dict(type="line", xref="x", yref="paper", x0=step, x1=step, y0=0, y1=1,
                             line=dict(color="#555", width=1, dash="dot"))]
    fig.update_layout(**layout)
    return fig
