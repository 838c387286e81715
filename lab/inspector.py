"""The step inspector: the numbers behind one step of one racer, and its state over the run.

A fragment: choosing another racer or step reruns only this panel, not the race.
"""

from __future__ import annotations

from dataclasses import replace

import plotly.graph_objects as go
import streamlit as st

from lab import state as io
from lab.budget import CACHE_TTL_S, FIGURE_CACHE
from lab.compute import simulate_recorded
from lab.inspect import step_table
from lab.page_state import PageState
from lab.request import Request, request_for, total_steps
from lab.settings import GLOBAL_SETTINGS, Setting
from lab.tables import markdown_table
from lab.widgets import draw, seed
from optimizers import OPTIMIZERS
from viz.state_curves import state_figure


def _racer_setting(state: PageState) -> Setting:
    return replace(GLOBAL_SETTINGS["inspect"], kind="choice", options=state.keys,
                   option_label=lambda key: state.racer_label(state.racer(key)))


def _step_setting(state: PageState) -> Setting:
    return replace(GLOBAL_SETTINGS["istep"], high=max(total_steps(state), 2))


def seed_widgets(state: PageState, force: bool) -> None:
    """Put the page state into the inspector's widgets (before the fragment draws them)."""
    if not state.racers:
        return
    seed("inspect", _racer_setting(state), state["inspect"], force=force)
    step = _step_setting(state)
    seed("istep", step, min(max(int(state["istep"]), 1), int(step.high)), force=force)


@st.cache_resource(max_entries=FIGURE_CACHE, ttl=CACHE_TTL_S, show_spinner=False)
def _state_figure(request: Request, step: int) -> go.Figure:
    """The state curves of one recorded run, marked at ``step`` (shared, never mutated)."""
    return state_figure(simulate_recorded(request).trajectory, step)


@st.fragment
def inspector(state: PageState) -> None:
    if not state.racers:
        return
    left, right = st.columns([2, 3])
    with left:
        key = draw("inspect", _racer_setting(state))
    with right:
        step = draw("istep", _step_setting(state))
    racer = state.racer(key)
    spec = OPTIMIZERS[racer.optimizer]
    st.markdown(f"**{spec.label}**: {spec.summary} *{spec.paper}*. PyTorch: `{spec.pytorch}`")
    # The rule gets the panel's whole width: the longest (SWATS, NAdam) need it at 1024 px.
    st.latex(r"\small " + spec.update_rule)
    recorded = simulate_recorded(request_for(state, racer))
    if recorded.error:
        st.error(recorded.error)
    elif recorded.trajectory is not None:
        step = min(step, recorded.trajectory.steps)
        st.markdown(markdown_table(step_table(recorded.trajectory, step)))
        st.plotly_chart(_state_figure(request_for(state, racer), step), key="state_curves",
                        config={"displaylogo": False}, width="stretch")
    io.publish(state.with_values(inspect=key, istep=int(step)))
