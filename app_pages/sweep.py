"""Sweep: one racer's final loss (or steps to arrive) over a grid of two of its settings.

Reads top to bottom: page state -> a clicked cell (it opens the race at those settings) ->
widgets -> one cached, batched sweep -> heatmap -> the URL.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import streamlit as st

from lab import state as io
from lab.explore import (
    Progress,
    axis_setting,
    axis_values,
    cached_sweep,
    default_range,
    grid_request,
    hyper_value,
    is_log,
    race_with,
    racer_choice,
    racer_setting,
    sweepable,
    with_axis_values,
    within_budget,
)
from lab.lessons import default_state
from lab.settings import GLOBAL_SETTINGS
from lab.share import share_text
from lab.surfaces import surface_for
from lab.tables import plain
from lab.widgets import draw, seed
from viz.heatmap import sweep_heatmap

CLICK = "sweep_map"
HANDLED = "sweep_click_handled"

state = io.load(default_state, page="sweep")
force = io.forced()
racer = racer_choice(state, "sweep_racer")
keys = sweepable(racer)

# A click on a cell races at that cell's settings.
selection = ((st.session_state.get(CLICK) or {}).get("selection") or {}).get("points") or []
if selection and repr(selection) != st.session_state.get(HANDLED):
    st.session_state[HANDLED] = repr(selection)
    x_name, y_name = state["sweep_x"], state["sweep_y"]
    point = selection[0]
    if x_name in keys and y_name in keys and "x" in point and "y" in point:
        hyper = with_axis_values(racer, {x_name: float(point["x"]), y_name: float(point["y"])})
        racers = tuple(replace(r, hyper=hyper).complete() if r.key == racer.key else r for r in state.racers)
        race_with(state, racers=racers, inspect=racer.key)


def range_widget(name: str, key: str, span: tuple[float, float], log: bool) -> tuple[float, float]:
    """A range slider over the setting's stops (log-spaced for a log setting)."""
    setting = axis_setting(racer, name)
    if log:
        stops = tuple(value for value in setting.stops() if value > 0)
    else:
        stops = setting.options or tuple(float(f"{v:.4g}") for v in np.linspace(setting.low, setting.high, 21))
    snap = tuple(min(stops, key=lambda s, v=v: abs(np.log(s / v)) if log and v > 0 else abs(s - v)) for v in span)
    if snap[0] >= snap[1]:
        snap = (stops[0], stops[-1])
    current = st.session_state.get(key)
    if force or not (isinstance(current, tuple) and len(current) == 2 and set(current) <= set(stops)):
        st.session_state[key] = snap
    low, high = st.sidebar.select_slider(GLOBAL_SETTINGS[key].label.replace("x", name).replace("y", name),
                                         stops, key=key, format_func=lambda v: f"{v:g}",
                                         help=f"The range of {name} across the map.")
    return (low, high) if low < high else snap


def axis_widgets(axis: str, options: tuple[str, ...]) -> tuple[str, tuple[float, float]]:
    """One axis of the sweep (``sweep_x`` or ``sweep_y``): which hyperparameter, and its range.
    A range kept in the page state belongs to the hyperparameter it was set for; unset, the
    hyperparameter's own range is swept."""
    setting = replace(GLOBAL_SETTINGS[axis], kind="choice", options=options)
    seed(axis, setting, state[axis] if state[axis] in options else options[0], force=force)
    name = draw(axis, setting, container=sb)
    kept = state[f"{axis}_range"]
    span = kept if state[axis] == name and kept is not None else default_range(racer, name)
    return name, range_widget(name, f"{axis}_range", span, is_log(racer, name))


# ---------------------------------------------------------------------------------------------
# Widgets.

sb = st.sidebar
sb.subheader("Sweep")
seed("sweep_racer", racer_setting(state, "sweep_racer"), racer.key, force=force)
racer = state.racer(draw("sweep_racer", racer_setting(state, "sweep_racer"), container=sb))
keys = sweepable(racer)
if len(keys) < 2:
    st.warning(f"{state.racer_label(racer)} has fewer than two settings a sweep can vary.")
    st.stop()
x_name, x_span = axis_widgets("sweep_x", keys)
y_name, y_span = axis_widgets("sweep_y", tuple(k for k in keys if k != x_name))
values = {}
for name in ("sweep_n", "sweep_metric", "steps", "tol"):
    seed(name, GLOBAL_SETTINGS[name], state[name], force=force)
    values[name] = draw(name, GLOBAL_SETTINGS[name], container=sb)
state = state.with_values(sweep_racer=racer.key, sweep_x=x_name, sweep_x_range=x_span, sweep_y=y_name,
                          sweep_y_range=y_span, **values)

# ---------------------------------------------------------------------------------------------
# Engine (cached, batched) and figure.

surface = surface_for(state.surface, state.surface_params)
cells, budget_note = within_budget(state["sweep_n"], 2, state["steps"])
axes = {x_name: axis_values(racer, x_name, x_span, cells), y_name: axis_values(racer, y_name, y_span, cells)}
progress = Progress(f"Running {cells * cells:,} races of {state['steps']:,} steps…")
result = cached_sweep(grid_request(state, racer, axes), progress)
progress.done()

st.markdown(f"#### Sweep: {plain(state.racer_label(racer).split(',')[0])} on {plain(surface.label)}")
st.caption(f"Every cell is a whole race of {state['steps']:,} steps from ({state['start'][0]:g}, "
           f"{state['start'][1]:g}) at those two settings, the others as in the race. Click a cell to race "
           "there.")
if budget_note:
    st.info(budget_note, icon="⏱️")
if isinstance(result, str):
    st.error(result)
else:
    steps_metric = state["sweep_metric"] == "steps to arrive" and len(surface.minima) > 0
    shown = result.steps_to(state["tol"]).astype(float) if steps_metric else result.final_loss
    if steps_metric:
        shown = np.where(shown < 0, np.nan, shown)
    marked = (hyper_value(racer, x_name), hyper_value(racer, y_name))
    figure = sweep_heatmap(
        x_name, axes[x_name], y_name, axes[y_name], shown, result.diverged,
        metric="steps to arrive" if steps_metric else "final loss", log_color=not steps_metric,
        log_x=is_log(racer, x_name), log_y=is_log(racer, y_name), marked=marked,
    )
    st.plotly_chart(figure, key=CLICK, on_select="rerun", selection_mode="points",
                    config={"displaylogo": False, "scrollZoom": False})
    # The best cell by what the map shows: the fewest steps when it shows steps, else the lowest loss.
    ranked = np.where(np.isnan(shown), np.inf, shown) if steps_metric else np.where(result.diverged, np.inf, shown)
    best = np.unravel_index(np.argmin(ranked), ranked.shape)
    where = f"{x_name} = {axes[x_name][best[0]]:.3g}, {y_name} = {axes[y_name][best[1]]:.3g}"
    if not np.isfinite(ranked[best]):
        best_text = (f"No setting comes within {state['tol']:g} of a minimum in {state['steps']:,} steps."
                     if steps_metric else "Every setting diverged.")
    elif steps_metric:
        best_text = f"The fewest steps to arrive, {int(ranked[best]):,}, are at {where}."
    else:
        best_text = f"The lowest final loss, {ranked[best]:.3g}, is at {where}."
    st.caption(f"Red cells diverged ({share_text(result.diverged.mean())} of the grid); grey ones never arrived. "
               f"{best_text} The white ring is the race's current setting.")

io.publish(state, page="sweep")
