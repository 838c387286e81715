"""Cached calls into the engine, shared by every visitor of the server.

The cached functions live in this imported module, not in a page script: a cached function
defined in the script is re-created on every run and keeps each run's objects alive. Results
are kept with ``st.cache_resource`` (one shared object, never copied on a hit: nothing here
mutates a Trajectory), bounded in entries and in age because the server is shared. The runs
themselves go to worker processes (``lab.engine_pool``).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from lab.budget import CACHE_TTL_S, RECORDED_CACHE, RUN_CACHE
from lab.engine_pool import Outcome, run_request
from lab.request import Request
from optimizers import Trajectory

# Which recorded state is a racer's velocity, in the order of preference: the heavy ball's
# buffer, Adam's bias-corrected first moment, RMSprop's momentum buffer.
VELOCITY_RECORDS = ("momentum_buffer", "m_hat")


@st.cache_resource(max_entries=RUN_CACHE, ttl=CACHE_TTL_S, show_spinner=False)
def simulate(request: Request) -> Outcome:
    """One run, cached: the same request (from any visitor) is computed once, in a worker."""
    return run_request(request)


@st.cache_resource(max_entries=RECORDED_CACHE, ttl=CACHE_TTL_S, show_spinner=False)
def simulate_recorded(request: Request) -> Outcome:
    """One run with the numbers behind every step (the inspector, the velocity arrows)."""
    return run_request(request, record_state=True)


def velocity(trajectory: Trajectory) -> np.ndarray | None:
    """The optimizer's velocity after each step, ``(steps + 1, 2)``, or None if it keeps none.

    Drawn as the direction the optimizer is moving in: minus the learning rate times its
    running average of gradients.
    """
    if trajectory.records is None:
        return None
    name = next((name for name in VELOCITY_RECORDS if name in trajectory.records), None)
    if name is None:
        return None
    values = -np.asarray(trajectory.records["lr"]) * np.asarray(trajectory.records[name])
    return np.vstack([np.zeros((1, 2)), values])
