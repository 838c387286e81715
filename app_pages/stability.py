"""Stability: momentum on a quadratic, measured over (lr, momentum) and set against theory.

As in Distill's "Why Momentum Really Works": on a quadratic the Hessian's eigenvalues decide
everything. The map is a sweep of the engine's momentum (PyTorch's heavy ball) over the two
settings; theory's convergence boundary and its best settings are drawn over it.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from lab import state as io
from lab.explore import GridRequest, Progress, cached_sweep, race_with, within_budget
from lab.lessons import default_state
from lab.page_state import page, racer
from lab.request import request_for
from lab.settings import GLOBAL_SETTINGS
from lab.surfaces import surface_for
from lab.tables import markdown_table, plain
from lab.widgets import draw, seed
from optimizers.theory import quadratic
from viz.colors import SURFACE_SCALE
from viz.grid import surface_grid
from viz.heatmap import sweep_heatmap

CLICK = "stability_map"
HANDLED = "stability_click_handled"
QUADRATIC_EXAMPLE = "x**2/20 + y**2"

state = io.load(default_state, page="stability")
force = io.forced()
surface = surface_for(state.surface, state.surface_params)

st.markdown(f"#### Stability of momentum on {plain(surface.label)}")
if surface.hessian is None:
    st.info("Theory needs a quadratic surface, whose Hessian is the same everywhere: the ravine, the line fit, the "
            "saddle, or a quadratic you type.")
    left, right = st.columns(2)
    if left.button("Use the ravine x²/20 + y²", key="to_ravine"):
        io.replace(page("ravine", state.racers or (racer("momentum"),)))
        st.rerun()
    if right.button(f"Type a quadratic ({QUADRATIC_EXAMPLE})", key="to_custom"):
        io.replace(page("custom", state.racers, surface_params={"text": QUADRATIC_EXAMPLE}))
        st.rerun()
    io.publish(state, page="stability")
    st.stop()

q = quadratic(surface.hessian)
selection = ((st.session_state.get(CLICK) or {}).get("selection") or {}).get("points") or []
if selection and repr(selection) != st.session_state.get(HANDLED):
    st.session_state[HANDLED] = repr(selection)
    point = selection[0]
    if "x" in point and "y" in point:
        race_with(state, racers=(racer("momentum", lr=float(point["x"]), momentum=float(point["y"])),))

sb = st.sidebar
sb.subheader("Stability")
values = {}
for name in ("sweep_n", "sweep_metric", "steps", "tol"):
    seed(name, GLOBAL_SETTINGS[name], state[name], force=force)
    values[name] = draw(name, GLOBAL_SETTINGS[name], container=sb)
state = state.with_values(**values)

# ---------------------------------------------------------------------------------------------
# What theory says.

low, high = q.eigenvalues
rows = [{"": "Hessian eigenvalues λ", "value": f"{low:.4g} and {high:.4g}"},
        {"": "condition number κ = λmax / λmin", "value": f"{q.condition_number:.4g}" if q.positive_definite
         else "none: a negative eigenvalue (no minimum)"}]
best = q.momentum_best
if q.positive_definite:
    rows += [
        {"": "SGD converges for", "value": f"lr < 2 / λmax = {q.sgd_max_lr:.4g}"},
        {"": "SGD's best", "value": f"lr = 2 / (λmin + λmax) = {q.sgd_best_lr:.4g}, error × {q.sgd_best_rate:.3f} "
                                    "per step"},
        {"": "momentum converges for", "value": "0 ≤ μ < 1 and lr < 2 (1 + μ) / λmax"},
        {"": "momentum's best", "value": f"lr = {best[0]:.4g}, μ = {best[1]:.4g}, error × {np.sqrt(best[1]):.3f} "
                                         "per step"},
    ]
info, eigen = st.columns([3, 2])
with info:
    st.markdown(markdown_table(rows))
    if q.positive_definite:
        st.caption("The error shrinks by the factor shown at every step, in the worst direction: momentum's best "
                   f"needs about {np.log(0.01) / np.log(np.sqrt(best[1])):.0f} steps per factor 100, SGD's best "
                   f"about {np.log(0.01) / np.log(q.sgd_best_rate):.0f}.")
        if st.button("Race at theory's best settings", key="race_best", type="primary",
                     help="SGD at its best learning rate against momentum at its best pair."):
            race_with(state, racers=(racer("sgd", lr=float(f"{q.sgd_best_lr:.4g}")),
                                     racer("momentum", lr=float(f"{best[0]:.4g}"), momentum=float(f"{best[1]:.4g}"))))
    else:
        st.caption("Along the negative eigenvalue's direction every learning rate moves away from the saddle point: "
                   "there is no stable setting, only faster or slower escapes.")
with eigen:
    grid = surface_grid(surface, 60)
    minimum = np.array(surface.minima[0]) if surface.minima else np.zeros(2)
    span = min(np.ptp(surface.x_range), np.ptp(surface.y_range)) * 0.35
    figure = go.Figure(go.Contour(x=grid.x, y=grid.y, z=grid.height, colorscale=SURFACE_SCALE, showscale=False,
                                  contours=dict(coloring="fill"), line=dict(width=0.5), hoverinfo="skip"))
    for index, eigenvalue in enumerate(q.eigenvalues):
        direction = q.eigenvectors[:, index] * span
        label = f"λ = {eigenvalue:.3g}: {'steep' if index == 1 else 'gentle'}"
        tip = minimum + direction
        color = "#D55E00" if index == 1 else "#0072B2"
        figure.add_annotation(x=tip[0], y=tip[1], ax=minimum[0], ay=minimum[1], xref="x", yref="y", axref="x",
                              ayref="y", showarrow=True, arrowhead=2, arrowwidth=2.5, arrowcolor=color, text="")
        figure.add_annotation(x=tip[0], y=tip[1], text=label, showarrow=False, xanchor="left", yanchor="bottom",
                              font=dict(color=color, size=12), bgcolor="rgba(255,255,255,0.75)")
    figure.update_layout(height=300, margin=dict(l=40, r=10, t=10, b=30), showlegend=False,
                         xaxis=dict(range=list(surface.x_range), constrain="domain"),
                         yaxis=dict(range=list(surface.y_range), scaleanchor="x", constrain="domain"))
    st.plotly_chart(figure, key="eigen_map", config={"displaylogo": False, "staticPlot": True})
    st.caption("The Hessian's eigen-directions from the minimum: the steep one limits the learning rate, the "
               "gentle one sets the pace.")

# ---------------------------------------------------------------------------------------------
# The measured map, with theory's boundary and optimum.

cells, budget_note = within_budget(int(state["sweep_n"]), 2, int(state["steps"]))
if budget_note:
    st.info(budget_note, icon="⏱️")
top = 4.5 / max(high, 1e-12) if q.positive_definite else 10.0
lr_values = np.geomspace(top * 1e-3, min(top, 100.0), cells)
momentum_values = np.linspace(0.0, 0.99, cells)
sweeper = racer("momentum")
request = request_for(state, sweeper)
progress = Progress(f"Running {cells * cells:,} races of {state['steps']:,} steps…")
result = cached_sweep(GridRequest(request, (("lr", tuple(lr_values)), ("momentum", tuple(momentum_values)))),
                      progress)
progress.done()
if isinstance(result, str):
    st.error(result)
else:
    steps_metric = state["sweep_metric"] == "steps to arrive" and len(surface.minima) > 0
    shown = np.where(result.steps_to(state["tol"]) < 0, np.nan, result.steps_to(state["tol"])).astype(float) \
        if steps_metric else result.final_loss
    boundary = None
    if q.positive_definite:
        line = np.linspace(0.0, 0.99, 100)
        boundary = (q.momentum_max_lr(line), line)
    figure = sweep_heatmap("lr", lr_values, "momentum", momentum_values, shown, result.diverged,
                           metric="steps to arrive" if steps_metric else "final loss", log_color=not steps_metric,
                           log_x=True, log_y=False, boundary=boundary, optimum=best, height=480)
    st.plotly_chart(figure, key=CLICK, on_select="rerun", selection_mode="points",
                    config={"displaylogo": False, "scrollZoom": False})
    st.caption(f"Each cell: momentum (PyTorch's SGD with momentum, dampening 0) for {state['steps']:,} steps from "
               f"({state['start'][0]:g}, {state['start'][1]:g}). Red cells diverged. The dashed line is theory's "
               "boundary, lr = 2 (1 + μ) / λmax; the star its best pair. Click a cell to race there.")

io.publish(state, page="stability")
