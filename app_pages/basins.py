"""Basins: where one racer ends from every start of the map, how low, how fast, or which way.

Reads top to bottom: page state -> a clicked start (it opens the race from there) -> widgets ->
one cached, batched basin map -> figure -> the URL.
"""

from __future__ import annotations

import streamlit as st

from lab import state as io
from lab.explore import Progress, cached_basins, race_with, racer_choice, racer_setting, within_budget
from lab.lessons import default_state
from lab.request import request_for
from lab.settings import GLOBAL_SETTINGS
from lab.share import share_text
from lab.surfaces import surface_for
from lab.tables import plain
from lab.widgets import draw, seed
from viz.basin_map import basin_view

CLICK = "basin_map"
HANDLED = "basin_click_handled"
MAX_BASIN_STEPS = 2_000

state = io.load(default_state, page="basins")
force = io.forced()
racer = racer_choice(state, "basin_racer")

selection = ((st.session_state.get(CLICK) or {}).get("selection") or {}).get("points") or []
if selection and repr(selection) != st.session_state.get(HANDLED):
    st.session_state[HANDLED] = repr(selection)
    point = selection[0]
    if "x" in point and "y" in point:
        race_with(state, start=(float(point["x"]), float(point["y"])))

sb = st.sidebar
sb.subheader("Basins")
seed("basin_racer", racer_setting(state, "basin_racer"), racer.key, force=force)
racer = state.racer(draw("basin_racer", racer_setting(state, "basin_racer"), container=sb))
surface = surface_for(state.surface, state.surface_params)
colour_setting = GLOBAL_SETTINGS["basin_color"]
if not len(surface.minima) and state["basin_color"] not in ("escape direction", "final loss"):
    state = state.with_values(basin_color="escape direction")
values = {}
for name in ("basin_n", "basin_color", "steps", "tol"):
    seed(name, GLOBAL_SETTINGS[name], state[name], force=force)
    values[name] = draw(name, GLOBAL_SETTINGS[name], container=sb)
state = state.with_values(basin_racer=racer.key, **values)

st.markdown(f"#### Basins: {plain(state.racer_label(racer).split(',')[0])} on {plain(surface.label)}")
st.caption(f"Every pixel is a start: the racer runs {min(state['steps'], MAX_BASIN_STEPS):,} steps from it with its "
           "settings in the race. Click a pixel to race from there.")

steps = min(int(state["steps"]), MAX_BASIN_STEPS)
resolution, budget_note = within_budget(int(state["basin_n"]), 2, steps)
if budget_note:
    st.info(budget_note, icon="⏱️")
if steps < int(state["steps"]):
    st.info(f"A basin map runs at most {MAX_BASIN_STEPS:,} steps per start.", icon="⏱️")
request = request_for(state.with_values(steps=steps), racer)
progress = Progress(f"Running {resolution * resolution:,} starts × {steps:,} steps…")
result = cached_basins(request, resolution, float(state["tol"]), progress)
progress.done()
if isinstance(result, str):
    st.error(result)
else:
    colour = state["basin_color"]
    if colour == "steps to arrive" and not len(surface.minima):
        st.info("This surface has no known minimum to arrive at: showing the final loss.")
        colour = "final loss"
    axes = ("slope a", "intercept b") if state.surface == "regression" else ("x", "y")
    figure, key = basin_view(result, colour, start=tuple(state["start"]), axis_titles=axes)
    st.plotly_chart(figure, key=CLICK, on_select="rerun", selection_mode="points",
                    config={"displaylogo": False, "scrollZoom": False})
    if key:
        st.html(key)
    reached = (result.minimum >= 0).mean()
    diverged = (result.minimum == -2).mean()
    if len(surface.minima):
        st.caption(f"{share_text(reached)} of the starts reach a known minimum within {result.tol:g}, "
                   f"{share_text(diverged)} diverge. Stars are the known minima, the ring is the race's start.")
    else:
        st.caption(f"This surface has no minimum: the colours say which way each start leaves the saddle point "
                   f"(0° is +x, 90° is +y); {share_text(diverged)} of the starts blow up. The ring is the race's start.")

io.publish(state, page="basins")
