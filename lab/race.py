"""A race, from page state to what the race page draws: runs, paths, the race view's spec.

``race_of(state)`` lists the racers as hashable entries; ``race_result(entries, ...)`` runs
them (each run cached on its own), cuts the paths and builds the race view's spec, and is
itself cached by what it shows: a rerun that changes nothing in the race (the inspector, a
lesson's text) costs a dictionary lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import streamlit as st

from lab.budget import CACHE_TTL_S, PLAYER_MAX_FRAMES, RACE_CACHE
from lab.compute import simulate, simulate_recorded, velocity
from lab.page_state import PageState
from lab.request import Request, minibatches, request_for, steps_run
from optimizers import OPTIMIZERS
from viz.colors import FULL_BATCH_COLOR, path_color, path_dash
from viz.paths import PathView, path_view
from viz.player import race_spec, spec_json


class Entry(NamedTuple):
    """One racer as the race draws it."""

    key: str
    label: str
    color: str
    dash: str
    request: Request
    companion: Request | None  # the same racer on the full batch, when mini-batches are on


class RaceKey(NamedTuple):
    entries: tuple[Entry, ...]
    start: tuple[float, float]
    total_steps: int
    present: bool
    axis_titles: tuple[str, str]
    velocity: bool = False


@dataclass(frozen=True)
class RaceResult:
    paths: tuple[PathView, ...]
    errors: tuple[tuple[str, str], ...]  # (racer label, the engine's message)
    spec_json: str


def race_of(state: PageState, velocity: bool = False) -> RaceKey:
    """The race as cache-friendly entries; ``velocity`` asks for the velocity arrows' data
    (a recorded run per racer that keeps a velocity: several times a plain run's cost)."""
    batched = minibatches(state)
    entries = []
    for index, racer in enumerate(state.racers):
        entries.append(Entry(
            key=racer.key, label=state.racer_label(racer), color=path_color(index), dash=path_dash(index),
            request=request_for(state, racer),
            companion=request_for(state, racer, full_batch=True) if batched else None,
        ))
    data_axes = ("slope a", "intercept b") if state.surface == "regression" else ("x", "y")
    return RaceKey(tuple(entries), tuple(state["start"]), steps_run(state), bool(state["present"]), data_axes,
                   velocity)


def has_velocity(optimizer: str) -> bool:
    """Whether the optimizer keeps a running average of gradients worth drawing as a velocity."""
    return optimizer in ("momentum", "nesterov", "adam", "amsgrad", "adamw", "nadam", "radam", "adamax")


@st.cache_resource(max_entries=RACE_CACHE, ttl=CACHE_TTL_S, show_spinner=False)
def race_result(race: RaceKey) -> RaceResult:
    paths, errors, velocities = [], [], {}
    for entry in race.entries:
        outcome = simulate(entry.request)
        if outcome.trajectory is None:
            errors.append((entry.label, outcome.error or "the run returned nothing"))
            continue
        surface = entry.request.surface_object()
        paths.append(path_view(outcome.trajectory, surface, entry.label, entry.color, name=entry.key, dash=entry.dash))
        if race.velocity and has_velocity(entry.request.optimizer) and race.total_steps <= PLAYER_MAX_FRAMES:
            recorded = simulate_recorded(entry.request).trajectory
            if recorded is not None:
                velocities[entry.key] = velocity(recorded)
        if entry.companion is not None:
            full = simulate(entry.companion).trajectory
            if full is not None:
                paths.append(path_view(full, surface, f"{entry.label} (full batch)", FULL_BATCH_COLOR,
                                       name=f"{entry.key}~full", dash="dot"))
    surface = race.entries[0].request.surface_object() if race.entries else None
    spec = race_spec(surface, paths, race.start, total_steps=race.total_steps, max_frames=PLAYER_MAX_FRAMES,
                     velocities=velocities, axis_titles=race.axis_titles, present=race.present,
                     velocity_possible=any(has_velocity(e.request.optimizer) for e in race.entries)
                     and race.total_steps <= PLAYER_MAX_FRAMES,
                     revision=f"{surface.name}-{race.entries[0].request.surface_params}") if surface else None
    return RaceResult(tuple(paths), tuple(errors), spec_json(spec) if spec else "")


def advice(path: PathView) -> str:
    """What to do about a racer that blew up."""
    return f"{path.label} diverged at step {path.diverged_at}: try a smaller learning rate."


def optimizer_label(key: str) -> str:
    return OPTIMIZERS[key.split("-")[0]].label
