"""What the sweep, basin and stability pages share: cached engine calls, ranges, racer choice.

The engine's sweeps and basin maps are cached by everything that determines them (shared by
every visitor, bounded in entries and age); a call that takes long reports its progress to a
bar the page draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
import streamlit as st

from lab import state as io
from lab.budget import CACHE_TTL_S, EXPLORE_CACHE, EXPLORE_POINT_STEPS
from lab.page_state import PageState, Racer
from lab.request import Request, request_for
from lab.settings import GLOBAL_SETTINGS, Setting, hyper_settings
from optimizers import Basins, Sweep, basins, grid_keys, pair_member, sweep

RACE_PAGE = "app_pages/race.py"


class GridRequest(NamedTuple):
    """A sweep: the racer's request (its fixed settings), and the two axes' names and values."""

    request: Request
    axes: tuple[tuple[str, tuple[float, ...]], ...]


def racer_choice(state: PageState, key: str) -> Racer:
    """The racer a page works on: the one its setting names, else the first."""
    chosen = state.racer(state[key]) if state[key] else None
    return chosen or state.racers[0]


def racer_setting(state: PageState, key: str) -> Setting:
    return replace(GLOBAL_SETTINGS[key], kind="choice", options=state.keys,
                   option_label=lambda k: state.racer_label(state.racer(k)))


def sweepable(racer: Racer) -> tuple[str, ...]:
    """The racer's hyperparameters a sweep can vary, the learning rate first."""
    keys = grid_keys(racer.optimizer)
    return tuple(sorted(keys, key=lambda name: (name != "lr", keys.index(name))))


def axis_setting(racer: Racer, name: str) -> Setting:
    """The setting a sweep axis varies: one of the racer's hyperparameters, or one member of a
    pair (``"betas[0]"``: β₁ alone, offered at the pair's stops below 1)."""
    settings = hyper_settings(racer.optimizer, racer.hyper.get("inner"))
    member = pair_member(name)
    if member is None:
        return settings[name]
    pair = settings[member[0]]
    stops = tuple(value for value in pair.options if value < pair.high)
    return replace(pair, name=name, kind="float", label=name, default=float(pair.default[member[1]]),
                   low=float(pair.low), high=float(max(stops)), step=0.001, options=stops)


def hyper_value(racer: Racer, name: str) -> float | None:
    """The racer's value of a sweep axis (a member of a pair included)."""
    member = pair_member(name)
    value = racer.hyper.get(name) if member is None else racer.hyper.get(member[0])
    if member is not None and value is not None:
        value = value[member[1]]
    return None if value is None else float(value)


def with_axis_values(racer: Racer, values: dict[str, float]) -> dict[str, Any]:
    """The racer's hyperparameters with the sweep axes set to ``values`` (a clicked cell)."""
    hyper = dict(racer.hyper)
    for name, value in values.items():
        member = pair_member(name)
        if member is None:
            hyper[name] = value
        else:
            pair = list(hyper.get(member[0]) or axis_setting(racer, member[0]).default)
            pair[member[1]] = value
            hyper[member[0]] = tuple(pair)
    return hyper


def default_range(racer: Racer, name: str) -> tuple[float, float]:
    """A range that shows the hyperparameter's interesting part: three decades around the
    learning rate's default on a log scale, the widget's whole range otherwise."""
    setting = axis_setting(racer, name)
    if setting.kind == "log":
        default = float(setting.default)
        return (max(setting.low, default / 10), min(setting.high, default * 1000))
    high = setting.high if setting.high < 1 or name != "momentum" else 0.99
    return (float(setting.low), float(min(high, 0.99) if name in ("momentum", "alpha", "rho", "dampening") else high))


def axis_values(racer: Racer, name: str, span: tuple[float, float], count: int) -> np.ndarray:
    setting = axis_setting(racer, name)
    low, high = span
    if setting.kind == "log" and low > 0:
        return np.geomspace(low, high, count)
    return np.linspace(low, high, count)


def is_log(racer: Racer, name: str) -> bool:
    return axis_setting(racer, name).kind == "log"


def within_budget(cells_per_axis: int, axes: int, steps: int) -> tuple[int, str | None]:
    """The resolution that keeps cells x steps within the page's budget, and a note if lowered."""
    most = max(2, int((EXPLORE_POINT_STEPS / max(steps, 1)) ** (1 / axes)))
    if cells_per_axis <= most:
        return cells_per_axis, None
    return most, (f"{cells_per_axis}^{axes} cells × {steps:,} steps is more than this shared server computes per "
                  f"change ({EXPLORE_POINT_STEPS:,} point-steps), so the map uses {most} per axis. Fewer steps "
                  "allow a finer map.")


@st.cache_resource(max_entries=EXPLORE_CACHE, ttl=CACHE_TTL_S, show_spinner=False)
def cached_sweep(grid: GridRequest, _progress: Callable[[float], None] | None = None) -> Sweep | str:
    """One sweep (or the engine's message when an argument is out of range)."""
    request = grid.request
    fixed = {name: value for name, value in request.kwargs().items() if name not in dict(grid.axes)}
    try:
        return sweep(request.optimizer, request.surface_object(), grid={n: np.array(v) for n, v in grid.axes},
                     progress=_progress, **fixed)
    except ValueError as err:
        return str(err)


@st.cache_resource(max_entries=EXPLORE_CACHE, ttl=CACHE_TTL_S, show_spinner=False)
def cached_basins(request: Request, resolution: int, tol: float,
                  _progress: Callable[[float], None] | None = None) -> Basins | str:
    kwargs = request.kwargs()
    kwargs.pop("start")
    try:
        return basins(request.optimizer, request.surface_object(), resolution=resolution, tol=tol,
                      progress=_progress, **kwargs)
    except ValueError as err:
        return str(err)


class Progress:
    """A progress bar that appears only when the work takes longer than a second."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.started = None

    def __call__(self, fraction: float) -> None:
        import time

        now = time.monotonic()
        if self.started is None:
            self.started = now
        if self.bar is None and now - self.started > 1.0 and fraction < 1:
            self.bar = st.progress(fraction, text=self.label)
        elif self.bar is not None:
            self.bar.progress(min(max(fraction, 0.0), 1.0), text=self.label)

    def done(self) -> None:
        if self.bar is not None:
            self.bar.empty()


def race_with(state: PageState, racers: tuple[Racer, ...] | None = None, **values: Any) -> None:
    """Open the race page showing ``state`` changed as given (a clicked cell, a clicked start)."""
    new = state.with_values(**values)
    if racers is not None:
        new = replace(new, racers=racers)
    io.replace(new)
    st.switch_page(RACE_PAGE)


def grid_request(state: PageState, racer: Racer, axes: dict[str, np.ndarray]) -> GridRequest:
    return GridRequest(request_for(state, racer),
                       tuple((name, tuple(float(v) for v in values)) for name, values in axes.items()))


def log_finite(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.min()) if finite.size else math.inf
