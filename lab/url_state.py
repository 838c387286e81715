"""The whole setup of the page as URL query parameters, and back, with validation.

Pure functions, no Streamlit: ``encode(setup) -> {name: text}`` and
``decode(params) -> (setup, notices)``. Decoding never raises: a missing, unknown or
malformed parameter falls back to its default and adds one short notice.

Parameters: ``surface``, ``opt`` (comma-separated optimizer names), ``start`` ("x,y"),
``steps``, ``seed``, ``schedule``, ``gamma``, ``step_size``, ``warmup``, ``noise``,
``batch``, ``epochs``, ``data_noise``, ``tol``, ``stop``, ``gtol``, ``present``,
``inspect``, ``istep``, and one ``<optimizer>.<hyperparameter>`` per knob of each racer
(``adam.lr=0.05``, ``adam.betas=0.9,0.999``, ``lookahead.inner=sgd``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lab.controls import MAX_OPTIMIZERS, SETTINGS, default_hyper, knob_controls
from lab.surfaces import surface_for
from landscapes import SURFACES
from optimizers import OPTIMIZERS

MAX_PARAMS = 300  # 8 racers x ~8 knobs + settings, with room; more is not from this app
MAX_VALUE_LENGTH = 200

GLOBAL_NAMES = ("steps", "seed", "schedule", "gamma", "step_size", "warmup", "noise", "batch", "epochs",
                "data_noise", "tol", "stop", "gtol", "present", "istep")


@dataclass
class Setup:
    """Every choice on the page. ``hyper`` maps each racer to all of its knob values."""

    surface: str = "ravine"
    optimizers: tuple[str, ...] = ("sgd",)
    start: tuple[float, float] = (-7.0, 2.0)
    hyper: dict[str, dict[str, Any]] = field(default_factory=dict)
    inspect: str = ""
    steps: int = SETTINGS["steps"].default
    seed: int = SETTINGS["seed"].default
    schedule: str = SETTINGS["schedule"].default
    gamma: float = SETTINGS["gamma"].default
    step_size: int = SETTINGS["step_size"].default
    warmup: int = SETTINGS["warmup"].default
    noise: float = SETTINGS["noise"].default
    batch: int = SETTINGS["batch"].default
    epochs: int = SETTINGS["epochs"].default
    data_noise: float = SETTINGS["data_noise"].default
    tol: float = SETTINGS["tol"].default
    stop: bool = SETTINGS["stop"].default
    gtol: float = SETTINGS["gtol"].default
    present: bool = SETTINGS["present"].default
    istep: int = SETTINGS["istep"].default

    def complete(self) -> Setup:
        """A copy where every racer has every knob (PyTorch defaults fill the gaps)."""
        hyper = {}
        for name in self.optimizers:
            given = dict(self.hyper.get(name, {}))
            values = default_hyper(name, given.get("inner"))
            values.update({key: value for key, value in given.items() if key in values})
            hyper[name] = values
        inspect = self.inspect if self.inspect in self.optimizers else self.optimizers[0]
        return dataclasses.replace(self, hyper=hyper, inspect=inspect)


def format_start(start: tuple[float, float]) -> str:
    return f"{float(start[0]):.6g},{float(start[1]):.6g}"


def encode(setup: Setup) -> dict[str, str]:
    """All of ``setup`` as query parameters, in a stable, readable order."""
    setup = setup.complete()
    params = {"surface": setup.surface, "opt": ",".join(setup.optimizers), "start": format_start(setup.start)}
    for name in GLOBAL_NAMES:
        params[name] = SETTINGS[name].format(getattr(setup, name))
    params["inspect"] = setup.inspect
    for optimizer in setup.optimizers:
        values = setup.hyper[optimizer]
        controls = knob_controls(optimizer, values.get("inner"))
        for knob, control in controls.items():
            params[f"{optimizer}.{knob}"] = control.format(values[knob])
    return params


def _last(value: Any) -> str:
    # Streamlit gives the last value of a repeated parameter; lists come from other callers.
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value)


def decode(params: Mapping[str, Any], fallback: Setup | None = None) -> tuple[Setup, list[str]]:
    """Read a setup from query parameters; never raises.

    With no parameters at all the result is ``fallback`` (the app's opening lesson). Otherwise
    each missing parameter takes its own default and the notices say what was ignored or
    replaced, and why.
    """
    fallback = (fallback or Setup()).complete()
    if not params:
        return fallback, []
    notices: list[str] = []
    if len(params) > MAX_PARAMS:
        return fallback, [f"The link has {len(params)} parameters (at most {MAX_PARAMS}): it was ignored."]
    raw: dict[str, str] = {}
    for key, value in params.items():
        text = _last(value)
        if len(str(key)) > 60 or len(text) > MAX_VALUE_LENGTH:
            notices.append(f"Ignored an over-long URL parameter ({str(key)[:30]}…).")
            continue
        raw[str(key)] = text
    used: set[str] = set()
    missing: list[str] = []

    def take(name: str) -> str | None:
        if name in raw:
            used.add(name)
            return raw[name]
        missing.append(name)
        return None

    setup = Setup()
    text = take("surface")
    if text is not None and text in SURFACES:
        setup.surface = text
    elif text is not None:
        notices.append(f"Unknown surface {_show(text)}: showing {setup.surface}. Known: {', '.join(SURFACES)}.")

    for name in GLOBAL_NAMES:
        text = take(name)
        if text is None:
            continue
        try:
            setattr(setup, name, SETTINGS[name].parse(text))
        except ValueError as err:
            notices.append(f"URL parameter {name}={_show(text)} is not valid ({err}): using {SETTINGS[name].format(getattr(setup, name))}.")

    setup.optimizers = _decode_race(take("opt"), notices)
    setup.hyper = {name: _decode_hyper(name, raw, used, notices) for name in setup.optimizers}

    text = take("inspect")
    if text is not None and text in setup.optimizers:
        setup.inspect = text
    elif text:
        notices.append(f"URL parameter inspect={_show(text)} is not one of the racing optimizers: inspecting {setup.optimizers[0]}.")

    # The start point is checked against the window of the surface actually drawn.
    surface = surface_for(setup.surface, setup.data_noise)
    setup.start = tuple(surface.start)
    text = take("start")
    if text is not None:
        try:
            setup.start = parse_start(text, surface.x_range, surface.y_range)
        except ValueError as err:
            notices.append(f"URL parameter start={_show(text)} is not valid ({err}): starting at {format_start(surface.start)}.")

    unknown = sorted(set(raw) - used)
    if unknown:
        shown = ", ".join(_show(name) for name in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        notices.append(f"Ignored unknown URL parameter{'s' if len(unknown) > 1 else ''}: {shown}.")
    # Only the page's own settings count as missing; hyperparameters default quietly.
    missing = [name for name in missing if name not in ("inspect",)]
    if missing:
        listed = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        notices.append(f"Not in the link, so at their defaults: {listed}.")
    return setup.complete(), notices


def _decode_race(text: str | None, notices: list[str]) -> tuple[str, ...]:
    default = Setup().optimizers
    if text is None:
        return default
    names: list[str] = []
    for name in (part.strip() for part in text.split(",")):
        if not name:
            continue
        if name not in OPTIMIZERS:
            notices.append(f"Unknown optimizer {_show(name)} left out. Known: {', '.join(OPTIMIZERS)}.")
        elif name not in names:
            names.append(name)
    if len(names) > MAX_OPTIMIZERS:
        notices.append(f"At most {MAX_OPTIMIZERS} optimizers race at once: kept the first {MAX_OPTIMIZERS}.")
        names = names[:MAX_OPTIMIZERS]
    if not names:
        notices.append(f"No known optimizer in opt={_show(text)}: racing {', '.join(default)}.")
        return default
    return tuple(names)


def _decode_hyper(optimizer: str, raw: dict[str, str], used: set[str], notices: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    inner_key = f"{optimizer}.inner"
    inner = None
    if OPTIMIZERS[optimizer].wraps_inner and inner_key in raw:
        used.add(inner_key)
        control = knob_controls(optimizer)["inner"]
        try:
            inner = control.parse(raw[inner_key])
        except ValueError as err:
            notices.append(f"URL parameter {inner_key}={_show(raw[inner_key])} is not valid ({err}): using {control.default}.")
    values = default_hyper(optimizer, inner)
    for knob, control in knob_controls(optimizer, inner).items():
        key = f"{optimizer}.{knob}"
        if knob == "inner" or key not in raw:
            continue
        used.add(key)
        try:
            values[knob] = control.parse(raw[key])
        except ValueError as err:
            notices.append(f"URL parameter {key}={_show(raw[key])} is not valid ({err}): using {control.format(values[knob])}.")
    return values


def parse_start(text: str, x_range: tuple[float, float], y_range: tuple[float, float]) -> tuple[float, float]:
    """Read "x,y" inside the surface's window."""
    parts = text.split(",")
    if len(parts) != 2:
        raise ValueError("two numbers 'x,y'")
    try:
        x, y = (float(part) for part in parts)
    except ValueError:
        raise ValueError("two numbers 'x,y'") from None
    inside = (math.isfinite(x) and math.isfinite(y) and x_range[0] <= x <= x_range[1]
              and y_range[0] <= y <= y_range[1])
    if not inside:
        raise ValueError(f"x from {x_range[0]:.4g} to {x_range[1]:.4g}, y from {y_range[0]:.4g} to {y_range[1]:.4g}")
    return (x, y)


_MARKDOWN = set("\\`*_{}[]<>$|~#")


def _show(text: str) -> str:
    """Quote a visitor's text for a notice: short, and every Markdown/LaTeX character
    escaped, since notices are rendered as Markdown and a link is untrusted input."""
    text = str(text)
    text = text if len(text) <= 40 else text[:40] + "…"
    return "'" + "".join("\\" + char if char in _MARKDOWN else char for char in text) + "'"
