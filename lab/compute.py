"""Cached calls into the engine.

The cached functions live in this imported module, not in ``app.py``: a cached function
defined in the script is re-created on every run and keeps each run's objects alive (server
memory grew without bound when measured). Caches are bounded by ``max_entries`` and ``ttl``
because the server is shared by every visitor.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import streamlit as st

from lab.surfaces import surface_for
from optimizers import Schedule, Trajectory, run


class Outcome(NamedTuple):
    """A run's trajectory, or the engine's message saying which argument was wrong."""

    trajectory: Trajectory | None
    error: str | None


class Request(NamedTuple):
    """Everything that determines one run, as plain hashable values (the cache key)."""

    optimizer: str
    surface: str
    data_noise: float
    start: tuple[float, float]
    steps: int | None
    hyper: tuple[tuple[str, Any], ...]
    schedule: tuple[tuple[str, Any], ...]
    grad_noise: float
    seed: int
    batch_size: int | None = None
    epochs: int | None = None
    stop_distance: float | None = None
    stop_grad: float | None = None


def execute(request: Request, record_state: bool = False) -> Outcome:
    """Run the engine (uncached); a bad argument comes back as its message, not a raise."""
    kwargs = dict(request.hyper)
    try:
        trajectory = run(
            request.optimizer, surface_for(request.surface, request.data_noise), start=request.start,
            steps=request.steps, schedule=Schedule(**dict(request.schedule)), grad_noise=request.grad_noise,
            seed=request.seed, batch_size=request.batch_size, epochs=request.epochs,
            stop_distance=request.stop_distance, stop_grad=request.stop_grad, record_state=record_state,
            **kwargs,
        )
    except ValueError as err:
        return Outcome(None, str(err))
    return Outcome(trajectory, None)


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def simulate(request: Request) -> Outcome:
    """One run, cached: the same request (from any visitor) is computed once."""
    return execute(request)


@st.cache_data(max_entries=16, ttl=1800, show_spinner=False)
def simulate_recorded(request: Request) -> Outcome:
    """One run with the numbers behind every step, for the inspector (bigger, so fewer kept)."""
    return execute(request, record_state=True)
