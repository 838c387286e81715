"""From a page state to engine calls: one :class:`Request` per racer, derived from the settings.

Every setting that feeds the engine reaches it under its own name: ``feeds="run"`` settings
are keywords of ``optimizers.run``, ``feeds="schedule"`` ones are fields of its Schedule (the
``schedule`` setting is the schedule's kind), ``feeds="surface"`` ones are arguments of the
surface's factory. A setting not in force (see ``Setting.applies``) is left out.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from lab.budget import RACE_POINT_STEPS
from lab.page_state import PageState, Racer
from lab.settings import GLOBAL_SETTINGS
from lab.surfaces import surface_for
from landscapes import Surface


class Request(NamedTuple):
    """Everything that determines one run, as hashable plain values (the cache key)."""

    optimizer: str
    surface: str
    surface_params: tuple[tuple[str, Any], ...]
    start: tuple[float, float]
    hyper: tuple[tuple[str, Any], ...]
    run: tuple[tuple[str, Any], ...]
    schedule: tuple[tuple[str, Any], ...]

    def surface_object(self) -> Surface:
        return surface_for(self.surface, dict(self.surface_params))

    def kwargs(self) -> dict[str, Any]:
        """The keywords of ``optimizers.run`` after the optimizer and the surface."""
        return {"start": self.start, "schedule": dict(self.schedule), **dict(self.run), **dict(self.hyper)}


def engine_arguments(state: PageState) -> tuple[dict[str, Any], dict[str, Any]]:
    """The run() keywords and the Schedule fields that the page's settings in force say."""
    run: dict[str, Any] = {}
    schedule: dict[str, Any] = {}
    for name, value in state.in_force().items():
        feeds = GLOBAL_SETTINGS[name].feeds
        if feeds == "run" and name != "start":
            run[name] = value
        elif feeds == "schedule":
            schedule["kind" if name == "schedule" else name] = value
    # An optional setting that is off is no keyword at all: the engine's default (None/0).
    run = {name: value for name, value in run.items() if value is not None}
    return run, schedule


def request_for(state: PageState, racer: Racer, *, full_batch: bool = False) -> Request:
    """The engine call for one racer; ``full_batch`` gives its companion run without mini-batches."""
    run, schedule = engine_arguments(state)
    surface = surface_for(state.surface, state.surface_params)
    if full_batch:
        run["steps"] = steps_run(state)
        run.pop("epochs", None)
        run.pop("batch_size", None)
    elif steps_run(state) < total_steps(state):
        # Over the budget: the first steps of the race, counted in steps even with mini-batches.
        run["steps"] = steps_run(state)
        run.pop("epochs", None)
    if not surface.minima:
        run.pop("stop_distance", None)  # nothing to arrive at
    return Request(
        optimizer=racer.optimizer, surface=state.surface, surface_params=tuple(sorted(state.surface_params.items())),
        start=(float(state["start"][0]), float(state["start"][1])), hyper=racer.frozen(),
        run=tuple(sorted(run.items())), schedule=tuple(sorted(schedule.items())),
    )


def minibatches(state: PageState) -> bool:
    """True when each step sees only part of the data (and a full-batch companion is drawn)."""
    surface = surface_for(state.surface, state.surface_params)
    return surface.has_data and GLOBAL_SETTINGS["epochs"].in_force(state.values)


def per_epoch(state: PageState) -> int:
    surface = surface_for(state.surface, state.surface_params)
    return math.ceil(surface.n_points / state["batch_size"])


def total_steps(state: PageState) -> int:
    """Steps each racer takes: the steps setting, or epochs x mini-batches per epoch."""
    if minibatches(state):
        return int(state["epochs"]) * per_epoch(state)
    return int(state["steps"])


def runs_in_race(state: PageState) -> int:
    """Engine runs one rerun of the race makes: one per racer, two with mini-batches."""
    return len(state.racers) * (2 if minibatches(state) else 1)


def steps_run(state: PageState) -> int:
    """Steps each racer actually runs: all asked for, or as many as the per-rerun budget allows."""
    return min(total_steps(state), max(1, RACE_POINT_STEPS // runs_in_race(state)))


def over_budget(state: PageState) -> str | None:
    """What the page says when the race asks for more than one rerun may compute."""
    asked, runs = total_steps(state), runs_in_race(state)
    if steps_run(state) >= asked:
        return None
    return (f"This race asks for {runs} runs × {asked:,} steps = {runs * asked:,} steps; a shared server computes "
            f"up to {RACE_POINT_STEPS:,} per change, so each racer shows its first {steps_run(state):,} steps. "
            "Fewer racers or fewer steps show the whole race.")
