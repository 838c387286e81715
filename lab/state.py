"""The page state across reruns: read from the URL or the session, written back to both.

One rule keeps the address bar and the page in step: the URL is read whenever it differs
from what this session last wrote there. That covers a fresh session, a link opened by hand,
and the browser's Back and Forward buttons (Streamlit reruns the page with the URL it goes
back to). Otherwise the page state kept in the session is the truth, and the widgets edit it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from lab.codec import decode, encode, notice
from lab.page_state import PageState

STATE = "page_state"
WRITTEN = "written_query"
FORCE = "force_widgets"
NOTICE = "link_notice"
PAGE = "page_shown"


def _query() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def _flat(query: dict[str, list[str]]) -> dict[str, str]:
    return {key: values[-1] if values else "" for key, values in query.items()}


def load(fallback: Callable[[], PageState], page: str = "race") -> PageState:
    """The state to show in this run (and whether widgets must be re-seeded from it)."""
    shown = _served_as(page)
    if st.session_state.get(PAGE) != shown:
        # Another page's widgets share keys with this one's (steps, tol): seed them afresh.
        st.session_state[PAGE] = shown
        st.session_state[FORCE] = True
    query = _query()
    if STATE in st.session_state and not query:
        # Another page of the app was opened from the navigation, which drops the query: the
        # state stays, and this page's widgets are seeded from it.
        st.session_state[FORCE] = True
        return st.session_state[STATE]
    if STATE not in st.session_state or _flat(query) != st.session_state.get(WRITTEN):
        # No link, or one of view settings alone (``?present=1``): the page's opening race.
        state, problems = decode(query, fallback=fallback())
        st.session_state[STATE] = state
        st.session_state[NOTICE] = notice(problems)
        st.session_state[FORCE] = True
    return st.session_state[STATE]


def _served_as(page: str) -> str:
    """The page and the address it runs at: the race is served at "/" and at "/race", and
    Streamlit drops the widgets' values when one gives way to the other."""
    context = get_script_run_ctx()
    return f"{page}@{context.page_script_hash if context else ''}"


def replace(state: PageState) -> None:
    """Show ``state`` on the next run, overwriting every widget (lessons, surface switch, undo)."""
    st.session_state[STATE] = state.complete()
    st.session_state[FORCE] = True


def forced() -> bool:
    """True (once per run) when widgets must take their values from the page state."""
    return bool(st.session_state.pop(FORCE, False))


def link_notice() -> str | None:
    """The one notice about the link this page was opened with, shown once."""
    return st.session_state.pop(NOTICE, None)


def publish(state: PageState, page: str = "race") -> None:
    """Remember ``state`` and put it in the address bar (a new history entry when it changed)."""
    state = state.complete()
    st.session_state[STATE] = state
    params = encode(state, page)
    if _flat(_query()) != params:
        st.query_params.from_dict(params)
    st.session_state[WRITTEN] = params
