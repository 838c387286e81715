"""Hyperparameter declarations: defaults, allowed ranges, widget hints and validation.

Each optimizer declares its hyperparameters as a frozen dataclass whose fields are made
with :func:`knob`. A knob carries PyTorch's default, the range the engine accepts, a
narrower range for the app's widgets, whether a log scale suits it, and one line of help.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimizers.checks import real_array, shown


@dataclass(frozen=True)
class KnobInfo:
    """Everything the engine, the app and the command line need to know about one field."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False  # True: the value must be strictly greater than ``low``
    high_open: bool = False  # True: the value must be strictly less than ``high``
    ui_low: float | None = None
    ui_high: float | None = None
    log: bool = False
    kind: str = "float"  # "float", "int", "bool", "betas" or "optimizer"
    help: str = ""

    def describe(self) -> str:
        """The allowed range in words, used in every error message."""
        if self.kind == "bool":
            return "True or False"
        if self.kind == "optimizer":
            return "the name of an optimizer"
        noun = "a whole number" if self.kind == "int" else "a finite number"
        if self.kind == "betas":
            noun = "a pair of finite numbers, each"
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"{'<' if self.high_open else '<='} {self.high:g}")
        return f"{noun} {' and '.join(parts)}".strip()


def knob(default: Any, **info: Any) -> Any:
    """A dataclass field with a default and its :class:`KnobInfo` as metadata."""
    return dataclasses.field(default=default, metadata={"knob": KnobInfo(**info)})


def knobs(hyper_class: type) -> dict[str, tuple[Any, KnobInfo]]:
    """Field name -> (default, KnobInfo) for a hyperparameter dataclass, in declaration order."""
    return {
        f.name: (f.default, f.metadata["knob"])
        for f in dataclasses.fields(hyper_class)
        if "knob" in f.metadata
    }


def _invalid(name: str, value: Any, info: KnobInfo) -> ValueError:
    return ValueError(f"Invalid {name}: {shown(value)}. {name} must be {info.describe()}.")


def _in_range(values: np.ndarray, info: KnobInfo) -> bool:
    if not np.all(np.isfinite(values)):
        return False
    if info.low is not None and not np.all(values > info.low if info.low_open else values >= info.low):
        return False
    if info.high is not None and not np.all(values < info.high if info.high_open else values <= info.high):
        return False
    return True


def _numeric(name: str, value: Any, info: KnobInfo, n_starts: int) -> float | np.ndarray:
    """A validated scalar (as float) or per-start array (as shape (N, 2), one row per start).

    Each start's value is repeated for both coordinates: an (N, 2) op (N, 1) broadcast makes
    NumPy run an inner loop of length 2 per start, several times slower than same-shape arrays.
    """
    values = real_array(value)
    if values is None:
        raise _invalid(name, value, info)
    if values.ndim == 0:
        if not _in_range(values, info) or (info.kind == "int" and not float(values).is_integer()):
            raise _invalid(name, value, info)
        return int(values) if info.kind == "int" else float(values)
    if info.kind == "int":
        raise ValueError(f"Invalid {name}: {name} takes a single whole number, not one per start.")
    if values.ndim != 1 or values.shape[0] != n_starts:
        raise ValueError(
            f"Invalid {name}: an array of shape {values.shape} was given, but {name} takes a "
            f"single number or one value per start, shape ({n_starts},)."
        )
    if not _in_range(values, info):
        raise _invalid(name, value, info)
    return np.repeat(values.reshape(n_starts, 1), 2, axis=1)


def resolve(hyper: Any, n_starts: int) -> Any:
    """Validate every field of ``hyper`` and return a copy ready for the update rules.

    Scalars become floats; per-start arrays become ``(N, 2)`` arrays that match
    against ``(N, 2)`` positions. Raises ``ValueError`` naming the field and its range.
    """
    changes = {}
    for name, (_, info) in knobs(type(hyper)).items():
        value = getattr(hyper, name)
        if info.kind == "bool":
            if not isinstance(value, (bool, np.bool_)):
                raise _invalid(name, value, info)
            changes[name] = bool(value)
        elif info.kind == "optimizer":
            continue  # checked against the registry by the runner, which knows the names
        elif info.kind == "betas":
            pair = _split_betas(name, value, info)
            changes[name] = tuple(
                _numeric(f"{name}[{index}]", item, info, n_starts) for index, item in enumerate(pair)
            )
        else:
            changes[name] = _numeric(name, value, info, n_starts)
    return dataclasses.replace(hyper, **changes)


def _split_betas(name: str, value: Any, info: KnobInfo) -> tuple[Any, Any]:
    if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[1] == 2:
        return value[:, 0], value[:, 1]
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return value[0], value[1]
    raise _invalid(name, value, info)


def build(hyper_class: type, overrides: dict[str, Any], optimizer_name: str) -> Any:
    """Instantiate ``hyper_class`` from keyword overrides, refusing unknown names."""
    allowed = knobs(hyper_class)
    unknown = sorted(set(overrides) - set(allowed))
    if unknown:
        listed = ", ".join(allowed) or "none"
        raise ValueError(
            f"Unknown hyperparameter {', '.join(map(shown, unknown))} for {optimizer_name}. "
            f"Its hyperparameters are: {listed}."
        )
    for name, value in overrides.items():
        info = allowed[name][1]
        if info.kind == "optimizer" and not isinstance(value, str):
            raise _invalid(name, value, info)  # before any `in` test, which an array would break
    return hyper_class(**overrides)


def as_plain(hyper: Any) -> dict[str, Any]:
    """The hyperparameters as JSON-friendly Python values (arrays become lists)."""
    plain = {}
    for name in knobs(type(hyper)):
        value = getattr(hyper, name)
        if isinstance(value, tuple):
            value = [v.ravel().tolist() if isinstance(v, np.ndarray) else v for v in value]
        elif isinstance(value, np.ndarray):
            value = value.ravel().tolist()
        plain[name] = value
    return plain


# Shared field declarations, so every optimizer states lr and weight_decay the same way.
def lr_knob(default: float) -> Any:
    return knob(default, low=0.0, low_open=True, high=100.0, ui_low=1e-5, ui_high=10.0, log=True,
                help="Learning rate γ: how far each step moves along the update direction.")


def weight_decay_knob(default: float = 0.0, decoupled: bool = False) -> Any:
    text = ("Decoupled weight decay λ: shrinks the parameters by γλ each step, outside the "
            "adaptive scaling.") if decoupled else (
            "L2 penalty λ: adds λθ to the gradient before the update (PyTorch's weight_decay).")
    return knob(default, low=0.0, high=100.0, ui_low=0.0, ui_high=1.0, help=text)


def eps_knob(default: float, text: str = "Term added to the denominator to keep the division finite.") -> Any:
    return knob(default, low=0.0, low_open=True, high=10.0, ui_low=1e-12, ui_high=1.0, log=True, help=text)


def betas_knob(default: tuple[float, float] = (0.9, 0.999)) -> Any:
    return knob(default, kind="betas", low=0.0, high=1.0, high_open=True, ui_low=0.0, ui_high=0.9999,
                help="Decay rates (β₁, β₂) of the running averages of the gradient and its square.")


def is_zero(value: float | np.ndarray) -> bool:
    """True for a scalar 0 or an all-zero array: lets update rules skip work that adds nothing."""
    if isinstance(value, (float, int)):
        return value == 0
    return bool(np.all(np.asarray(value) == 0.0))
