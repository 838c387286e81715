"""The value domain of every control: what a widget offers is exactly what a URL may say.

Each :class:`Control` knows its allowed values, how to read one from text (a URL value) and
write it back, and its help line. The app builds widgets from these records and the URL
decoder validates with them, so a shared link can only ask for what the widgets can show.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from optimizers import OPTIMIZERS

MAX_STEPS = 5000  # a public server is shared: one visitor must not occupy it for long
MAX_OPTIMIZERS = 8
MAX_SEED = 2**31 - 1
DATA_POINTS = 100  # the line-fit surface's data set size (the engine's default)


def log_grid(low: float, high: float, mantissas: tuple[float, ...]) -> tuple[float, ...]:
    """Values mantissa x 10^k between ``low`` and ``high``, rounded so they print cleanly."""
    values = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for mantissa in mantissas:
            value = float(f"{mantissa * 10.0**exponent:.6g}")
            if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
                values.append(value)
    return tuple(sorted(set(values)))


LR_MANTISSAS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9)
BETA_GRID = (0.0, 0.5, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999)


@dataclass(frozen=True)
class Control:
    """One setting: ``kind`` is "log" or "grid" (a select slider over ``options``), "float"
    or "int" (a slider from ``low`` to ``high`` by ``step``), "bool", "choice" (a selectbox
    over ``options``) or "betas" (two select sliders over ``options``)."""

    name: str
    label: str
    kind: str
    default: Any
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple = ()
    help: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        """The allowed values in words, for notices."""
        if self.kind == "bool":
            return "0 or 1"
        if self.kind == "choice":
            return "one of " + ", ".join(map(str, self.options))
        if self.kind in ("log", "grid"):
            return f"a number from {self.options[0]:g} to {self.options[-1]:g}"
        if self.kind == "betas":
            return f"two numbers 'b1,b2', each from {self.options[0]:g} to {self.options[-1]:g}"
        noun = "a whole number" if self.kind == "int" else "a number"
        return f"{noun} from {self.low:g} to {self.high:g}"

    def parse(self, text: str) -> Any:
        """Read a URL value; raise ValueError when it is malformed or out of range.

        Numbers are snapped to the nearest value the widget can show, so a hand-edited link
        still lands on a widget position.
        """
        text = text.strip()
        if self.kind == "bool":
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(self.describe())
        if self.kind == "choice":
            if text in self.options:
                return text
            raise ValueError(self.describe())
        if self.kind == "betas":
            parts = text.split(",")
            if len(parts) != 2:
                raise ValueError(self.describe())
            return tuple(_snap_to(self.options, _number(part, self)) for part in parts)
        value = _number(text, self)
        if self.kind in ("log", "grid"):
            return _snap_to(self.options, value)
        if not self.low - 1e-12 <= value <= self.high + 1e-12:
            raise ValueError(self.describe())
        if self.kind == "int":
            if not float(value).is_integer():
                raise ValueError(self.describe())
            return int(value)
        snapped = self.low + round((value - self.low) / self.step) * self.step
        return float(f"{min(max(snapped, self.low), self.high):.10g}")

    def coerce(self, value: Any) -> Any:
        """The nearest value the widget can show (the default when ``value`` makes no sense)."""
        try:
            return self.parse(self.format(value))
        except (TypeError, ValueError):
            return self.default

    def format(self, value: Any) -> str:
        """Write a value for the URL (the inverse of :meth:`parse`)."""
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "choice":
            return str(value)
        if self.kind == "betas":
            return f"{float(value[0]):.10g},{float(value[1]):.10g}"
        if self.kind == "int":
            return str(int(value))
        return f"{float(value):.10g}"


def _number(text: str, control: Control) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(control.describe()) from None
    if not math.isfinite(value):
        raise ValueError(control.describe())
    if control.kind in ("log", "grid", "betas"):
        span = control.options
        # Anything beyond the ends by more than rounding is out of range, not to be snapped.
        if not span[0] - 1e-12 - 1e-9 * abs(span[0]) <= value <= span[-1] * (1 + 1e-9) + 1e-12:
            raise ValueError(control.describe())
    return value


def _snap_to(options: tuple, value: float) -> float:
    if value <= 0 or options[0] <= 0:
        return min(options, key=lambda option: abs(option - value))
    return min(options, key=lambda option: abs(math.log(option) - math.log(value)))


# ---------------------------------------------------------------------------------------------
# Hyperparameters: built from the engine's KnobInfo, so a new optimizer needs nothing here.

INNER_CHOICES: tuple[str, ...] = tuple(name for name, spec in OPTIMIZERS.items() if not spec.wraps_inner)


def _knob_control(name: str, default: Any, info: Any) -> Control:
    control = _plain_knob_control(name, default, info)
    shown = ", ".join(f"{value:g}" for value in default) if isinstance(default, tuple) else f"{default}"
    return dataclasses.replace(control, help=f"{info.help} PyTorch's default: {shown}.")


def _plain_knob_control(name: str, default: Any, info: Any) -> Control:
    if info.kind == "bool":
        return Control(name, name, "bool", bool(default), help=info.help)
    if info.kind == "optimizer":
        return Control(name, name, "choice", default, options=INNER_CHOICES, help=info.help)
    if info.kind == "betas":
        return Control(name, name, "betas", tuple(default), options=BETA_GRID, help=info.help)
    if info.kind == "int":
        return Control(name, name, "int", int(default), low=info.ui_low, high=info.ui_high, step=1, help=info.help)
    if info.log:
        mantissas = LR_MANTISSAS if name == "lr" else (1, 2, 5)
        options = tuple(sorted(set(log_grid(info.ui_low, info.ui_high, mantissas)) | {float(default)}))
        return Control(name, name, "log", float(default), options=options, help=info.help)
    step = 0.001 if info.ui_high <= 1 else info.ui_high / 100
    return Control(name, name, "float", float(default), low=float(info.ui_low), high=float(info.ui_high),
                   step=step, help=info.help)


@cache
def knob_controls(optimizer: str, inner: str | None = None) -> dict[str, Control]:
    """The controls of ``optimizer``'s hyperparameters, PyTorch's defaults first in each.

    For a wrapper (lookahead) the inner optimizer's knobs follow the wrapper's own.
    """
    spec = OPTIMIZERS[optimizer]
    controls = {name: _knob_control(name, default, info) for name, (default, info) in spec.knobs().items()}
    if spec.wraps_inner:
        inner = inner or controls["inner"].default
        for name, control in knob_controls(inner).items():
            controls.setdefault(name, control)
    return controls


def default_hyper(optimizer: str, inner: str | None = None) -> dict[str, Any]:
    """PyTorch's defaults for ``optimizer`` (and its inner optimizer, for a wrapper)."""
    values = {name: control.default for name, control in knob_controls(optimizer, inner).items()}
    if inner is not None and "inner" in values:
        values["inner"] = inner
    return values


# ---------------------------------------------------------------------------------------------
# Everything else the page lets a person set.

SCHEDULES = ("constant", "step", "exponential", "cosine")

SETTINGS: dict[str, Control] = {
    control.name: control
    for control in (
        Control("steps", "Steps", "int", 100, low=1, high=MAX_STEPS, step=1,
                help=f"How many updates each optimizer takes (at most {MAX_STEPS})."),
        Control("seed", "Seed", "int", 0, low=0, high=MAX_SEED, step=1,
                help="Seeds the gradient noise and the mini-batch shuffling: the same seed gives the same numbers on every machine."),
        Control("schedule", "Learning-rate schedule", "choice", "constant", options=SCHEDULES,
                help="How the learning rate changes over the run (PyTorch's StepLR, ExponentialLR, CosineAnnealingLR)."),
        Control("gamma", "Decay factor γ", "grid", 0.5,
                options=(0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0),
                help="The factor the learning rate is multiplied by: every step_size steps (step) or every step (exponential)."),
        Control("step_size", "Step size of the schedule", "int", 10, low=1, high=1000, step=1,
                help="Steps between two decays of the step schedule."),
        Control("warmup", "Warm-up steps", "int", 0, low=0, high=1000, step=1,
                help="Steps over which the learning rate rises linearly from a tenth of its value."),
        Control("noise", "Gradient noise σ", "grid", 0.0, options=(0.0,) + log_grid(0.01, 10.0, (1, 2, 5)),
                help="Standard deviation of Gaussian noise added to every gradient: imitates stochastic gradients on any surface."),
        Control("batch", "Batch size", "int", DATA_POINTS, low=1, high=DATA_POINTS, step=1,
                help=f"Data points per gradient on the line-fit surface; {DATA_POINTS} (all of them) is full-batch descent."),
        Control("epochs", "Epochs", "int", 5, low=1, high=MAX_STEPS, step=1,
                help="Passes over the data when mini-batches are used; the number of steps follows from it."),
        Control("data_noise", "Data noise", "float", 1.0, low=0.0, high=5.0, step=0.1,
                help="Standard deviation of the noise on the line-fit data: more noise, more disagreement between mini-batches."),
        Control("tol", "Tolerance", "log", 1e-2, options=log_grid(1e-6, 1.0, (1, 2, 5)),
                help="Distance to a known minimum that counts as arrived (summary table and stop rule)."),
        Control("stop", "Stop a path once it arrives", "bool", False,
                help="End a path once it is within the tolerance of a minimum, or its gradient norm is below the gradient tolerance."),
        Control("gtol", "Gradient tolerance", "log", 1e-6, options=log_grid(1e-10, 1e-1, (1, 2, 5)),
                help="Gradient norm below which the stop rule ends a path."),
        Control("present", "Presentation mode", "bool", False,
                help="Hide the controls and enlarge the charts for a projector."),
        Control("istep", "Step", "int", 1, low=1, high=MAX_STEPS, step=1,
                help="The step whose numbers the inspector shows."),
    )
}


def per_epoch(batch: int) -> int:
    """Mini-batches in one pass over the line-fit data."""
    return math.ceil(DATA_POINTS / batch)


def max_epochs(batch: int) -> int:
    """The most epochs that stay within the step cap at this batch size."""
    return max(1, MAX_STEPS // per_epoch(batch))
