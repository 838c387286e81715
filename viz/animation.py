"""The race as an animation that plays in the browser: Plotly frames, play/pause, a step slider."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from landscapes import Surface
from viz.contour import _contour_trace, map_layout
from viz.grid import surface_grid
from viz.paths import PathView, round_sig

MAX_FRAMES = 60  # frames x paths x points grows quadratically: this keeps it to a few hundred kB
ANIMATION_GRID = 60
FRAME_MS = 90


def frame_steps(total_steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The step numbers shown by the frames: every step for short runs, otherwise a mix of
    evenly spaced and early steps (most of the action happens in the first few dozen)."""
    if total_steps + 1 <= max_frames:
        return np.arange(total_steps + 1)
    half = max_frames // 2
    even = np.linspace(0, total_steps, half)
    early = np.geomspace(1, total_steps, max_frames - half)
    steps = np.unique(np.concatenate([[0], even, early]).round().astype(int))
    return steps[steps <= total_steps]


def animation_figure(surface: Surface, paths: Sequence[PathView], start: Sequence[float], total_steps: int,
                     *, height: int = 520, uirevision: str | None = None) -> go.Figure:
    """A map whose paths grow step by step when ``Play`` is pressed.

    The full paths sit underneath, faint, so the slider can be dragged to any step and the
    frames only carry the growing part, sampled at the frame steps, plus a head marker.
    """
    grid = surface_grid(surface, ANIMATION_GRID)
    contour = _contour_trace(grid)
    contour.showscale = False
    shown = frame_steps(total_steps)
    # Each path is sampled at the frame steps it reached; a finished path holds its end.
    sampled = []
    for path in paths:
        rows = np.searchsorted(path.steps, shown, side="right") - 1
        sampled.append(np.clip(rows, 0, len(path.steps) - 1))
    traces: list = [contour]
    for path in paths:
        every = max(1, len(path.xy) // 400)
        traces.append(go.Scatter(
            x=round_sig(path.xy[::every, 0]), y=round_sig(path.xy[::every, 1]),
            mode="lines", line=dict(color=path.color, width=1), opacity=0.35, hoverinfo="skip",
            showlegend=False, name=f"{path.label} (whole path)",
        ))
    first = len(traces)
    for path, rows in zip(paths, sampled, strict=True):
        traces.append(go.Scatter(
            x=round_sig(path.xy[rows[:1], 0], 4), y=round_sig(path.xy[rows[:1], 1], 4), mode="lines",
            line=dict(color=path.color, width=2.5, dash=path.dash), name=path.label, legendgroup=path.name,
            hoverinfo="skip",
        ))
    heads = _heads(paths, sampled, 0)
    traces.append(go.Scatter(
        x=heads["x"], y=heads["y"], mode="markers", name="now", showlegend=False, hoverinfo="skip",
        marker=dict(color=[p.color for p in paths], size=12, symbol=heads["marker"]["symbol"],
                    line=dict(width=1, color="white")),
    ))
    traces.append(go.Scatter(x=[float(start[0])], y=[float(start[1])], mode="markers", name="start",
                             marker=dict(symbol="circle-open", size=14, color="#111", line=dict(width=3)),
                             hoverinfo="skip", showlegend=False))
    animated = list(range(first, first + len(paths) + 1))
    # Frames carry only what changes (x, y, the head symbols) as plain dicts: building
    # hundreds of validated trace objects would cost more than every other figure together.
    frames = []
    for index, step in enumerate(shown):
        data: list[dict] = []
        for path, rows in zip(paths, sampled, strict=True):
            upto = np.unique(rows[: index + 1])  # a finished path repeats its last row
            data.append(dict(type="scatter", x=round_sig(path.xy[upto, 0], 4), y=round_sig(path.xy[upto, 1], 4)))
        data.append(_heads(paths, sampled, index))
        frames.append(dict(data=data, traces=animated, name=str(int(step))))
    layout = map_layout(surface, height, uirevision or f"{surface.name}-animation")
    layout.update(
        updatemenus=[dict(
            type="buttons", direction="left", x=0.0, y=-0.12, xanchor="left", yanchor="top", showactive=False,
            buttons=[
                dict(label="▶ Play", method="animate",
                     args=[None, dict(frame=dict(duration=FRAME_MS, redraw=False), fromcurrent=True,
                                      transition=dict(duration=0), mode="immediate")]),
                dict(label="❚❚ Pause", method="animate",
                     args=[[None], dict(frame=dict(duration=0, redraw=False), transition=dict(duration=0),
                                        mode="immediate")]),
            ],
        )],
        sliders=[dict(
            active=0, x=0.3, y=-0.08, len=0.7, xanchor="left", yanchor="top",
            currentvalue=dict(prefix="step ", visible=True), pad=dict(t=10),
            steps=[dict(label=str(int(step)), method="animate",
                        args=[[str(int(step))], dict(mode="immediate", frame=dict(duration=0, redraw=False),
                                                     transition=dict(duration=0))])
                   for step in shown],
        )],
        margin=dict(l=50, r=10, t=30, b=110),
    )
    return go.Figure(data=traces, frames=frames, layout=layout)


def _heads(paths: Sequence[PathView], sampled: Sequence[np.ndarray], index: int) -> dict:
    """Where every racer is at frame ``index``; a racer that blew up shows an ✕."""
    rows = [int(r[index]) for r in sampled]
    return dict(
        type="scatter",
        x=[round(float(p.xy[r, 0]), 6) for p, r in zip(paths, rows, strict=True)],
        y=[round(float(p.xy[r, 1]), 6) for p, r in zip(paths, rows, strict=True)],
        marker=dict(symbol=["x" if p.diverged and r == len(p.steps) - 1 else "circle" for p, r in zip(paths, rows, strict=True)]),
    )
