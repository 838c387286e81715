"""The race: optimizers side by side on one surface, with a player on the map.

Reads top to bottom: page state (session, else URL) -> what the visitor did in the race view
-> widgets -> cached engine runs and figures -> layout -> the URL updated to what is shown.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from urllib.parse import urlencode

import streamlit as st

from lab import state as io
from lab.budget import CACHE_TTL_S, FIGURE_CACHE
from lab.codec import encode, inside_window
from lab.exports import python_snippet, race_html, settings_json, trajectories_csv
from lab.inspector import inspector, seed_widgets
from lab.lessons import LESSONS, default_state
from lab.race import advice, race_of, race_result
from lab.race_controls import NOTE, UNDO, seed_start, sidebar, surface_note, undo_surface
from lab.raceview import race_view
from lab.request import over_budget, total_steps
from lab.surfaces import surface_for
from lab.tables import markdown_table, plain
from lab.tune import apply as apply_tuning
from lab.tune import describe as describe_tuning
from lab.tune import tune
from optimizers import __version__ as ENGINE_VERSION
from viz import data_fit_figure, summary_rows
from viz.tune_figure import tune_figure

LESSON_PICK = "lesson_pick"
HANDLED = "raceview_handled"
TUNED = "tuning"
INSPECTOR_OPEN = "inspector_open"
VELOCITY = "velocity_arrows"

# ---------------------------------------------------------------------------------------------
# 1. State.

state = io.load(default_state, page="race")
force = io.forced()

# A click on the map or "inspect this step" in the race view (each carries a fresh nonce, so
# a second click on the same point is a new click).
event = st.session_state.get("raceview")
if isinstance(event, dict) and event.get("nonce") != st.session_state.get(HANDLED):
    st.session_state[HANDLED] = event.get("nonce")
    if event.get("kind") == "start":
        surface = surface_for(state.surface, state.surface_params)
        try:
            x = min(max(float(event["x"]), surface.x_range[0]), surface.x_range[1])
            y = min(max(float(event["y"]), surface.y_range[0]), surface.y_range[1])
            point = inside_window((x, y), surface.x_range, surface.y_range)
        except (KeyError, TypeError, ValueError):
            point = None
        if point is not None:
            state = state.with_values(start=point)
            seed_start(point)
    elif event.get("kind") == "velocity":
        st.session_state[VELOCITY] = True
    elif event.get("kind") == "inspect" and isinstance(event.get("step"), (int, float)):
        state = state.with_values(istep=max(1, int(event["step"])))
        st.session_state.pop("istep", None)
        st.session_state[INSPECTOR_OPEN] = True


def load_lesson() -> None:
    picked = st.session_state.get(LESSON_PICK)
    if picked in LESSONS:
        lesson_state = LESSONS[picked].state()
        io.replace(lesson_state.with_values(present=st.session_state[io.STATE]["present"]))
        st.session_state.pop(NOTE, None)


def try_next(lesson_id: str) -> None:
    io.replace(LESSONS[lesson_id].try_next.apply(st.session_state[io.STATE]))


def restart_lesson(lesson_id: str) -> None:
    io.replace(LESSONS[lesson_id].state().with_values(present=st.session_state[io.STATE]["present"]))


@st.cache_resource(max_entries=FIGURE_CACHE, ttl=CACHE_TTL_S, show_spinner=False)
def tuned(key: tuple, _state) -> tuple:
    """The fair race's sweeps, cached by the link they were made for (every racer, every setting)."""
    return tune(_state)


def tune_racers() -> None:
    current = st.session_state[io.STATE]
    # Tuning sets every lr: the key is the page without them, so a second click changes nothing.
    untuned = replace(current, racers=tuple(replace(r, hyper={**r.hyper, "lr": 0.0}) for r in current.racers))
    tunings = tuned(tuple(sorted(encode(untuned).items())), current)
    io.replace(apply_tuning(current, tunings))
    st.session_state[TUNED] = tunings


def leave_presentation() -> None:
    io.replace(st.session_state[io.STATE].with_values(present=False))


# ---------------------------------------------------------------------------------------------
# 2. Widgets (the sidebar; none in presentation mode, where the link says everything).

if not state["present"]:
    state = sidebar(state, force)
surface = surface_for(state.surface, state.surface_params)
seed_widgets(state, force)

# ---------------------------------------------------------------------------------------------
# 3. Engine and figures (cached by what they show).

race = race_of(state, velocity=bool(st.session_state.get(VELOCITY)))
result = race_result(race)

# ---------------------------------------------------------------------------------------------
# 4. Layout.

# The lesson whose race is on the page, and whether its "try next" step is showing.
lesson_id, stage = next(((lid, lesson.stage(state)) for lid, lesson in LESSONS.items() if lesson.stage(state)),
                        (None, None))
st.session_state[LESSON_PICK] = lesson_id

title = f"#### {plain(surface.label)} &nbsp; <span class='formula'>${surface.latex}$</span>"
if state["present"]:
    # A row, not fixed columns: the button keeps its whole label at any width (a sixth of 1024 px cut it).
    with st.container(horizontal=True, vertical_alignment="center", key="present_heading"):
        st.markdown(title, unsafe_allow_html=True)
        st.button("Leave presentation", key="leave_present", on_click=leave_presentation)
else:
    st.markdown(title, unsafe_allow_html=True)
    st.pills("Lessons", list(LESSONS), key=LESSON_PICK, format_func=lambda lid: LESSONS[lid].title,
             on_change=load_lesson, label_visibility="collapsed",
             help="Each lesson sets up a race that shows one idea of the course, with a next step to try.")

link_problem = io.link_notice()
if link_problem:
    st.warning(link_problem, icon="⚠️")
note = None if state["present"] else surface_note(state)
if note is not None:
    text, undo = st.columns([6, 1], vertical_alignment="center")
    text.info(note, icon="ℹ️")
    undo.button("Undo", key="undo_surface", on_click=undo_surface, disabled=UNDO not in st.session_state,
                help="Keep this surface but put back the racers' settings you had.")

if lesson_id is not None:
    lesson = LESSONS[lesson_id]
    tried = stage == "next"
    with st.container(border=True, key="lesson_card"):
        st.markdown(f"**{lesson.topic}.** {lesson.try_next.text if tried else lesson.notice}")
        if lesson.try_next is not None and not tried:
            st.button(f"Try next: {lesson.try_next.label}", key="try_next", on_click=try_next, args=(lesson_id,),
                      type="primary")
        elif tried:
            st.button("Back to the lesson's start", key="restart_lesson", on_click=restart_lesson, args=(lesson_id,))
elif not state["present"]:
    st.caption(plain(surface.description))

if result.spec_json:
    race_view(result.spec_json, key="raceview")
budget = over_budget(state)
if budget:
    st.info(budget, icon="⏱️")
for label, error in result.errors:
    st.error(f"{label}: {error}")
blown = [advice(path) for path in result.paths if path.diverged]
if blown:
    st.warning(" ".join(blown))

if result.paths and not state["present"]:
    # [1, 2]: at 1024 px a quarter of the column cut the button's label to "Tune learning r…".
    fair, about = st.columns([1, 2], vertical_alignment="center")
    fair.button("Tune learning rates", key="tune", on_click=tune_racers,
                help="A fair race: sweep each racer's learning rate on this surface from this start (one batched "
                     "run per racer) and give each the rate with the lowest final loss.")
    tunings = st.session_state.get(TUNED)
    if tunings and {t.key for t in tunings} == set(state.keys) and all(
            state.racer(t.key).hyper.get("lr") == t.chosen for t in tunings):
        about.success(describe_tuning(tunings))
        with st.expander("How the learning rates were chosen", expanded=False):
            st.plotly_chart(tune_figure([t.rates for t in tunings], [t.final_loss for t in tunings],
                                        [t.chosen for t in tunings], [t.label for t in tunings]),
                            key="tune_curves", config={"displaylogo": False})
            st.caption("Final loss after the race's steps for every learning rate on the slider's range; gaps "
                       "are rates that diverged. The star is the rate each racer now runs at.")
    else:
        about.caption("Is the race fair? Give every racer the learning rate that suits it here.")
    st.markdown(markdown_table(summary_rows(result.paths, state["tol"])))
if surface.has_data and result.paths:
    st.plotly_chart(data_fit_figure(surface, result.paths, height=300), key="datafit",
                    config={"displaylogo": False})
    st.caption("Each point (a, b) of the map is a line y = a·x + b through these data; the minimum is the "
               "least-squares line.")

if result.paths and not state["present"]:
    link = "?" + urlencode(encode(state), safe=",")
    st.markdown("**Take it home**")
    with st.container(horizontal=True, gap="small", key="downloads"):
        st.download_button("Trajectories (CSV)", partial(trajectories_csv, result.paths), file_name="race.csv",
                           mime="text/csv", key="download_csv", on_click="ignore",
                           help="Every step of every racer: step, x, y, loss, gradient norm.")
        st.download_button("Settings (JSON)", partial(settings_json, state), file_name="race-settings.json",
                           mime="application/json", key="download_json", on_click="ignore",
                           help="The same settings as the share link, spelled out.")
        st.download_button("Interactive page (HTML)",
                           partial(race_html, result.spec_json, f"Race on {surface.label}", link),
                           file_name="race.html", mime="text/html", key="download_html", on_click="ignore",
                           help="The map, 3-D view and curves with their player, in one file that opens offline.")
        st.download_button("Python snippet", partial(python_snippet, state, link), file_name="race.py",
                           mime="text/x-python", key="download_py", on_click="ignore",
                           help="Reruns this race with the engine in a notebook or a terminal.")

io.publish(state)
if not state["present"]:
    # Tracked, so a folded inspector costs nothing: neither server time nor a chart bundle.
    box = st.expander("Step inspector: the numbers behind one step", key=INSPECTOR_OPEN, on_change="rerun")
    if box.open:
        with box:
            inspector(state)
    st.caption(f"Engine `optimizers` {ENGINE_VERSION} · seed {state['seed']} · {total_steps(state):,} steps · "
               "the same link gives the same numbers on every machine.")
