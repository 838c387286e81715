"""A page state as URL query parameters, and back.

``encode(state) -> {key: text}`` writes what differs from the defaults (the surface, the
racers and the start always), so a shared link stays short and readable.
``decode(query) -> (state, problems)`` never raises: every value it cannot use falls back to
its default and adds one entry to ``problems`` naming the key, the value and what is allowed;
the page shows them together in one short notice. A link is untrusted input: sizes are
bounded before anything is parsed.

Keys: every global setting by its name (:mod:`lab.settings`), ``opt`` (the racers,
comma-separated: ``sgd,sgd-2,adam``), ``<racer>.<hyperparameter>`` (``sgd-2.lr=0.1``,
``lookahead.inner=sgd``) and ``<surface>.<parameter>`` (``regression.noise=2``). Older keys
(``noise``, ``batch``, ``warmup``, ``data_noise``, ``stop`` with ``tol`` and ``gtol``) are
still read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from lab.page_state import PageState, Racer, next_key, optimizer_of
from lab.settings import (
    GLOBAL_SETTINGS,
    MAX_RACERS,
    RACE_KEY,
    VIEW_SETTINGS,
    default_hyper,
    defaults,
    hyper_settings,
    surface_settings,
)
from lab.surfaces import surface_for
from landscapes import SURFACES
from optimizers import OPTIMIZERS

MAX_PARAMS = 300  # 8 racers x ~8 knobs plus the settings, with room to spare
MAX_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 300
MAX_SHOWN = 40  # characters of a visitor's text quoted back in a notice
MAX_LISTED = 12  # problems named one by one in the notice

# Keys of earlier versions, read into today's settings.
ALIASES: dict[str, str] = {
    alias: name for name, setting in GLOBAL_SETTINGS.items() for alias in setting.aliases
}
SURFACE_ALIASES: dict[str, tuple[str, str]] = {
    alias: (surface, name)
    for surface in SURFACES
    for name, setting in surface_settings(surface).items()
    for alias in setting.aliases
}


def encode(state: PageState, page: str = "race") -> dict[str, str]:
    """The query parameters that reproduce ``state`` on ``page``, in a stable, readable order.

    Settings of other pages stay out (a sweep's grid is not part of a race's link).
    """
    state = state.complete()
    params = {"surface": state.surface, RACE_KEY: ",".join(state.keys),
              "start": GLOBAL_SETTINGS["start"].format(state["start"])}
    base = defaults()
    for name, value in state.in_force().items():
        if name in params or value == base[name] or not GLOBAL_SETTINGS[name].on(page):
            continue
        if name == "inspect" and state.keys and value == state.keys[0]:
            continue
        params[name] = GLOBAL_SETTINGS[name].format(value)
    for name, setting in surface_settings(state.surface).items():
        value = state.surface_params[name]
        if value != setting.default:
            params[f"{state.surface}.{name}"] = setting.format(value)
    for racer in state.racers:
        settings = hyper_settings(racer.optimizer, racer.hyper.get("inner"))
        plain = default_hyper(racer.optimizer, racer.hyper.get("inner"))
        for name, value in racer.hyper.items():
            if value != plain.get(name) or (name == "inner"):
                params[f"{racer.key}.{name}"] = settings[name].format(value)
    return params


def decode(query: Mapping[str, Any], fallback: PageState | None = None) -> tuple[PageState, list[str]]:
    """Read a page state from query parameters; never raises.

    An empty query gives ``fallback`` (the page's opening lesson), and so does a query of view
    settings alone (``?present=1`` presents the opening lesson). Any other query describes its
    own race: every key not in it takes its default quietly. ``problems`` lists what could not
    be used, and why.
    """
    base = (fallback or PageState()).complete()
    if not query:
        return base, []
    if len(query) > MAX_PARAMS:
        return PageState().complete(), [
            f"the link has {len(query)} parameters, more than the {MAX_PARAMS} a page can have, so it was ignored"
        ]
    if not view_only(query):
        base = PageState(values=defaults())  # what the link does not say is at its default
    problems: list[str] = []
    raw = _bounded(query, problems)
    _translate_legacy(raw)
    used: set[str] = set()

    def take(key: str) -> str | None:
        if key in raw:
            used.add(key)
            return raw[key]
        return None

    values = dict(base.values)
    for name in ("surface", *(n for n in GLOBAL_SETTINGS if n not in ("surface", "start"))):
        text = take(name)
        if text is None:
            continue
        try:
            values[name] = GLOBAL_SETTINGS[name].parse(text)
        except ValueError as err:
            problems.append(f"{name}={show(text)} ({err})")

    surface = values["surface"]
    inherited = base.surface_params if surface == base["surface"] else {}
    params = {}
    for name, setting in surface_settings(surface).items():
        text = take(f"{surface}.{name}")
        params[name] = inherited.get(name, setting.default)
        if text is not None:
            try:
                params[name] = setting.parse(text)
            except ValueError as err:
                problems.append(f"{surface}.{name}={show(text)} ({err})")

    racers = _decode_racers(take(RACE_KEY), raw, used, problems, base.racers)

    drawn = surface_for(surface, params)
    if (surface, params) != (base["surface"], dict(base.surface_params)):
        values["start"] = tuple(float(v) for v in drawn.start)
    text = take("start")
    if text is not None:
        try:
            values["start"] = inside_window(GLOBAL_SETTINGS["start"].parse(text), drawn.x_range, drawn.y_range)
        except ValueError as err:
            problems.append(f"start={show(text)} ({err})")

    if values["inspect"] and values["inspect"] not in {racer.key for racer in racers}:
        problems.append(f"inspect={show(values['inspect'])} (not one of the racers)")
        values["inspect"] = ""
    unknown = sorted(set(raw) - used)
    if unknown:
        listed = ", ".join(show(key, quoted=False) for key in unknown[:5]) + (" …" if len(unknown) > 5 else "")
        problems.append(f"unknown setting{'s' if len(unknown) > 1 else ''} {listed}")
    state = PageState(values=values, surface_params=params, racers=racers).complete()
    return state, problems


def view_only(query: Mapping[str, Any]) -> bool:
    """True when a query sets nothing but how the page is shown (an empty one too)."""
    return set(map(str, query)) <= set(VIEW_SETTINGS)


def _bounded(query: Mapping[str, Any], problems: list[str]) -> dict[str, str]:
    """The last value of each key, with over-long keys and values dropped (and reported)."""
    raw: dict[str, str] = {}
    for key, value in query.items():
        key = str(key)
        if isinstance(value, (list, tuple)):
            distinct = list(dict.fromkeys(str(v) for v in value))
            if len(distinct) > 1:
                problems.append(f"{show(key, quoted=False)} was given {len(value)} times (used the last)")
            value = value[-1] if value else ""
        text = str(value)
        if len(key) > MAX_KEY_LENGTH or len(text) > MAX_VALUE_LENGTH:
            problems.append(f"{show(key, quoted=False)} (too long: at most {MAX_VALUE_LENGTH} characters)")
            continue
        raw[key] = text
    return raw


def _translate_legacy(raw: dict[str, str]) -> None:
    """Rewrite keys of earlier versions in place (a key given both ways keeps today's)."""
    for alias, name in ALIASES.items():
        if alias in raw:
            text = raw.pop(alias)
            if name == "grad_noise" and _is_zero(text):
                text = "off"  # noise=0 meant no noise; grad_noise is off or positive
            raw.setdefault(name, text)
    for alias, (surface, name) in SURFACE_ALIASES.items():
        if alias in raw:
            raw.setdefault(f"{surface}.{name}", raw.pop(alias))
    # `stop=1` once switched on a stop rule at `tol` (distance) and `gtol` (gradient norm).
    stop = raw.pop("stop", None)
    gtol = raw.pop("gtol", None)
    if stop is not None and stop.strip().lower() in ("1", "true", "yes", "on"):
        if "tol" in raw:
            raw.setdefault("stop_distance", raw["tol"])
        raw.setdefault("stop_grad", gtol if gtol is not None else "1e-6")


def _is_zero(text: str) -> bool:
    try:
        return float(text) == 0.0
    except ValueError:
        return False


def _decode_racers(text: str | None, raw: dict[str, str], used: set[str], problems: list[str],
                   unsaid: tuple[Racer, ...]) -> tuple[Racer, ...]:
    """The racers ``opt`` names, with their settings; ``unsaid`` when the link has no ``opt``."""
    if text is None:
        return unsaid
    keys: list[tuple[str, str]] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        optimizer = optimizer_of(part)
        if optimizer is None:
            problems.append(f"racer {show(part)} (known optimizers: {', '.join(OPTIMIZERS)})")
            continue
        # A repeated name is another racer of the same optimizer: sgd,sgd reads as sgd,sgd-2.
        key = part if part not in (k for k, _ in keys) else next_key(optimizer, {k for k, _ in keys})
        keys.append((key, optimizer))
    if len(keys) > MAX_RACERS:
        problems.append(f"{len(keys)} racers (at most {MAX_RACERS} race at once: kept the first {MAX_RACERS})")
        keys = keys[:MAX_RACERS]
    if not keys:
        if text.strip():
            problems.append(f"opt={show(text)} names no known optimizer (racing SGD)")
        keys = [("sgd", "sgd")]
    return tuple(_decode_hyper(key, optimizer, raw, used, problems) for key, optimizer in keys)


def _decode_hyper(key: str, optimizer: str, raw: dict[str, str], used: set[str], problems: list[str]) -> Racer:
    inner = None
    if OPTIMIZERS[optimizer].wraps_inner and f"{key}.inner" in raw:
        used.add(f"{key}.inner")
        text = raw[f"{key}.inner"]
        try:
            inner = hyper_settings(optimizer)["inner"].parse(text)
        except ValueError as err:
            problems.append(f"{key}.inner={show(text)} ({err})")
    values = default_hyper(optimizer, inner)
    for name, setting in hyper_settings(optimizer, inner).items():
        param = f"{key}.{name}"
        if name == "inner" or param not in raw:
            continue
        used.add(param)
        try:
            values[name] = setting.parse(raw[param])
        except ValueError as err:
            problems.append(f"{param}={show(raw[param])} ({err})")
    return Racer(key, optimizer, values)


def inside_window(point: tuple[float, float], x_range: tuple[float, float],
                  y_range: tuple[float, float]) -> tuple[float, float]:
    """``point`` if it lies in the window; ValueError saying where the window is otherwise."""
    x, y = point
    if not (math.isfinite(x) and math.isfinite(y) and x_range[0] <= x <= x_range[1] and y_range[0] <= y <= y_range[1]):
        raise ValueError(f"x from {x_range[0]:.4g} to {x_range[1]:.4g}, y from {y_range[0]:.4g} to {y_range[1]:.4g}")
    return (float(x), float(y))


_MARKDOWN = set("\\`*_{}[]<>$|~#")


def show(text: str, *, quoted: bool = True) -> str:
    """A visitor's text, safe to print in a Markdown notice: short, printable, escaped."""
    text = "".join(char if char.isprintable() else "?" for char in str(text))
    text = text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"
    text = "".join("\\" + char if char in _MARKDOWN else char for char in text)
    return f"'{text}'" if quoted else text


def notice(problems: list[str]) -> str | None:
    """One short notice naming every value of a link that could not be used, or None."""
    if not problems:
        return None
    shown = problems[:MAX_LISTED] + ([f"and {len(problems) - MAX_LISTED} more"] if len(problems) > MAX_LISTED else [])
    return "Some of the link could not be used, so those settings are at their defaults: " + "; ".join(shown) + "."
