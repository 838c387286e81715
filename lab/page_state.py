"""The state of a page: the surface, its parameters, the racers and every other setting.

Pure data, no Streamlit: the URL codec reads and writes it, the widgets edit it, the engine
request is derived from it. Values are keyed by the names declared in :mod:`lab.settings`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from lab.settings import GLOBAL_SETTINGS, MAX_RACERS, default_hyper, defaults, hyper_settings, surface_settings
from lab.surfaces import surface_for
from optimizers import OPTIMIZERS

RACER_KEY = re.compile(r"^(?P<optimizer>[a-z_]+)(?:-(?P<number>[2-9]))?$")


@dataclass(frozen=True)
class Racer:
    """One optimizer in the race with its own hyperparameters; ``key`` is ``sgd`` or ``sgd-2``."""

    key: str
    optimizer: str
    hyper: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def complete(self) -> Racer:
        """Every knob present: PyTorch's defaults fill the gaps, unknown names are dropped."""
        values = default_hyper(self.optimizer, self.hyper.get("inner"))
        values.update({name: value for name, value in self.hyper.items() if name in values})
        return replace(self, hyper=values)

    def frozen(self) -> tuple[tuple[str, Any], ...]:
        """The hyperparameters as a sorted tuple: hashable, for cache keys."""
        return tuple(sorted(self.hyper.items()))


def optimizer_of(key: str) -> str | None:
    """The optimizer a racer key names (``sgd-2`` -> ``sgd``), or None for a malformed key."""
    match = RACER_KEY.match(key)
    if match is None or match["optimizer"] not in OPTIMIZERS:
        return None
    return match["optimizer"]


def next_key(optimizer: str, taken: set[str] | tuple[str, ...]) -> str:
    """The key for one more racer of ``optimizer``: ``sgd``, then ``sgd-2``, ``sgd-3``..."""
    if optimizer not in taken:
        return optimizer
    for number in range(2, 10):
        key = f"{optimizer}-{number}"
        if key not in taken:
            return key
    raise ValueError(f"at most 9 racers of {optimizer}")


@dataclass(frozen=True)
class PageState:
    """Everything a page shows. ``values`` holds every global setting by name (all present)."""

    values: Mapping[str, Any] = field(default_factory=defaults, hash=False)
    surface_params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    racers: tuple[Racer, ...] = ()

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    @property
    def surface(self) -> str:
        return self.values["surface"]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(racer.key for racer in self.racers)

    def racer(self, key: str) -> Racer | None:
        return next((racer for racer in self.racers if racer.key == key), None)

    def with_values(self, **changes: Any) -> PageState:
        return replace(self, values={**self.values, **changes})

    def complete(self) -> PageState:
        """Fill every gap with its default and drop what does not belong (idempotent)."""
        values = defaults()
        values.update({name: value for name, value in self.values.items() if name in GLOBAL_SETTINGS})
        if values["surface"] not in GLOBAL_SETTINGS["surface"].options:
            values["surface"] = GLOBAL_SETTINGS["surface"].default
        params = {name: s.default for name, s in surface_settings(values["surface"]).items()}
        params.update({name: value for name, value in self.surface_params.items() if name in params})
        # A race has at least one racer: SGD at PyTorch's defaults when nothing else is asked for.
        racers = tuple(racer.complete() for racer in self.racers[:MAX_RACERS]) or (Racer("sgd", "sgd").complete(),)
        keys = tuple(racer.key for racer in racers)
        if values["inspect"] not in keys:
            values["inspect"] = keys[0] if keys else ""
        return PageState(values=values, surface_params=params, racers=racers)

    def in_force(self) -> dict[str, Any]:
        """The global settings that apply to this page (gamma only with its schedules, ...)."""
        return {name: value for name, value in self.values.items() if GLOBAL_SETTINGS[name].in_force(self.values)}

    def racer_label(self, racer: Racer) -> str:
        """The legend's name for a racer: its optimizer, plus what sets it apart.

        The learning rate always shows; so does every hyperparameter on which racers of the
        same optimizer disagree, so SGD raced against itself reads "SGD, lr = 0.1".
        """
        spec = OPTIMIZERS[racer.optimizer]
        settings = hyper_settings(racer.optimizer, racer.hyper.get("inner"))
        siblings = [other for other in self.racers if other.optimizer == racer.optimizer]
        shown = ["inner"] if "inner" in racer.hyper else []
        shown += ["lr"] if "lr" in racer.hyper else []
        for name in racer.hyper:
            if name not in shown and len({repr(other.hyper.get(name)) for other in siblings}) > 1:
                shown.append(name)
        parts = [f"{name} = {settings[name].show(racer.hyper[name])}" for name in shown if name in settings]
        return ", ".join([spec.label, *parts])


def racer(key: str, **hyper: Any) -> Racer:
    """A racer from its key (``"sgd-2"``) and hyperparameters, completed with the defaults."""
    optimizer = optimizer_of(key)
    if optimizer is None:
        raise ValueError(f"Unknown racer {key!r}: a racer is an optimizer name, optionally with -2 to -9.")
    return Racer(key, optimizer, hyper).complete()


def page(surface: str = "ravine", racers: tuple[Racer, ...] = (), surface_params: Mapping[str, Any] | None = None,
         **values: Any) -> PageState:
    """A complete page state; the start defaults to the surface's own."""
    params = {name: setting.default for name, setting in surface_settings(surface).items()}
    params.update(surface_params or {})
    values.setdefault("start", tuple(float(v) for v in surface_for(surface, params).start))
    return PageState(values={"surface": surface, **values}, surface_params=dict(surface_params or {}),
                     racers=tuple(racers)).complete()
