"""Every setting a page shows, declared once.

A :class:`Setting` is the whole truth about one setting: its one name (the URL key, the
session-state key of its widget and, where it feeds the engine, the engine's own keyword),
its kind, range or choices, default, label and help, and which engine call it feeds. The URL
codec (:mod:`lab.codec`), the widgets (:mod:`lab.widgets`), validation and the engine request
(:mod:`lab.request`) are all derived from these records; nothing renames a setting on the way
down.

Hyperparameter settings are derived from the engine's own declarations (``KnobInfo``), so a
new optimizer needs nothing here. Engine facts (schedule kinds, a data set's size, caps) are
imported from the engine.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from lab.budget import MAX_RACE_STEPS, MAX_RACERS
from landscapes import SURFACES, make_regression, parse_surface
from landscapes.custom import MAX_TEXT_LENGTH
from landscapes.expression_graph import FUNCTIONS
from landscapes.regression import MAX_NOISE as MAX_DATA_NOISE
from optimizers import OPTIMIZERS
from optimizers.hyper import KnobInfo
from optimizers.schedules import KINDS as SCHEDULE_KINDS

# Where a setting goes: a keyword of optimizers.run(), a field of its Schedule, an argument of
# the surface's factory, or nowhere in the engine: "page" settings change what a page computes
# or draws (a sweep's axes), "view" ones only how it is shown (presentation mode, the inspector).
FEEDS = ("run", "schedule", "surface", "page", "view")

MAX_SEED = 2**31 - 1


def log_grid(low: float, high: float, mantissas: tuple[float, ...] = (1, 2, 5)) -> tuple[float, ...]:
    """Values mantissa x 10^k between ``low`` and ``high``, rounded so that they print cleanly."""
    values = set()
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for mantissa in mantissas:
            value = float(f"{mantissa * 10.0**exponent:.6g}")
            if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
                values.add(value)
    return tuple(sorted(values))


# The learning rate gets a finer grid: it is the setting people move most.
LR_MANTISSAS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9)
BETA_GRID = (0.0, 0.5, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 0.9995, 0.9999)
OFF = None  # the value of an optional setting that is switched off


@dataclass(frozen=True)
class Setting:
    """One setting of a page.

    ``kind`` is one of:

    - ``"int"`` / ``"float"``: a number from ``low`` to ``high`` (a slider, or a number box
      with ``widget="number"``);
    - ``"log"``: a positive number from ``low`` to ``high`` picked on a log-spaced grid
      (``options``); any value in range is kept exactly, the grid only offers stops;
    - ``"optional"``: like ``"log"``, or off (``None``);
    - ``"choice"``: one of ``options``; ``"bool"``: on or off;
    - ``"betas"``: a pair of numbers, each from ``low`` to ``high`` (below ``high``);
    - ``"point"``: a start point ``(x, y)``, checked against the surface's window by the page;
    - ``"pair"``: a range ``(from, to)`` with from below to, or unset (``None``) when that is
      its default (the sweep's ranges: unset is the swept setting's own range);
    - ``"text"``: a short text (checked by whatever reads it).

    ``applies`` says, from the other values on the page, whether the setting is in force
    (gamma only for the step and exponential schedules, batch_size only on a surface with
    data): a setting that does not apply shows no widget, stays out of the URL and out of the
    engine request. ``aliases`` are older URL keys that links in the wild still use.
    """

    name: str
    kind: str
    default: Any
    label: str
    help: str
    feeds: str = "page"
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple = ()
    option_label: Callable[[Any], str] | None = field(default=None, compare=False)
    widget: str = ""
    applies: Callable[[Mapping[str, Any]], bool] | None = field(default=None, compare=False)
    aliases: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()  # the pages that show it; () is every page
    # For a text: returns its canonical form, or raises ValueError saying what is wrong.
    validate: Callable[[str], str] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.feeds not in FEEDS:
            raise ValueError(f"Setting {self.name}: feeds must be one of {FEEDS}")

    def on(self, page: str) -> bool:
        return not self.pages or page in self.pages

    def in_force(self, values: Mapping[str, Any]) -> bool:
        return self.applies is None or bool(self.applies(values))

    # -- words ------------------------------------------------------------------------------

    def allowed(self) -> str:
        """What the setting accepts, in words (every message about a bad value ends with it)."""
        if self.kind == "bool":
            return "0 or 1"
        if self.kind == "choice":
            return "one of " + ", ".join(map(str, self.options))
        if self.kind == "betas":
            return f"two numbers 'b1,b2', each from {self.low:g} to below {self.high:g}"
        if self.kind == "point":
            return "two numbers 'x,y' inside the surface's window"
        if self.kind == "pair":
            return "two numbers 'from,to', the first below the second"
        if self.kind == "text":
            return f"a text of at most {int(self.high)} characters"
        noun = "a whole number" if self.kind == "int" else "a number"
        text = f"{noun} from {self.low:g} to {self.high:g}"
        return text + " or 'off'" if self.kind == "optional" else text

    def show(self, value: Any) -> str:
        """A value as the page prints it (legend, notes)."""
        if self.option_label is not None and self.kind == "choice":
            return self.option_label(value)
        if value is None:
            return "off"
        if self.kind == "betas":
            return f"({value[0]:g}, {value[1]:g})"
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    # -- text <-> value ---------------------------------------------------------------------

    def parse(self, text: str) -> Any:
        """Read a URL value; ValueError (saying what is allowed) when it is unusable."""
        text = str(text).strip()
        if self.kind == "bool":
            lowered = text.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(self.allowed())
        if self.kind == "choice":
            if text in self.options:
                return text
            raise ValueError(self.allowed())
        if self.kind == "text":
            return self.check(text)
        if self._unset(text):
            return None
        if self.kind in ("betas", "point", "pair"):
            parts = text.split(",")
            if len(parts) != 2:
                raise ValueError(self.allowed())
            pair = tuple(_number(part, self) for part in parts)
            return self.check(pair)
        if self.kind == "optional" and text.lower() in ("off", "none", ""):
            return None
        return self.check(_number(text, self))

    def _unset(self, text: str) -> bool:
        return self.kind == "pair" and self.default is None and text.lower() in ("off", "none", "")

    def format(self, value: Any) -> str:
        """Write a value for the URL (the inverse of :meth:`parse`)."""
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind in ("choice", "text"):
            return str(value)
        if value is None:
            return "off"
        if self.kind in ("betas", "point", "pair"):
            return f"{float(value[0]):.10g},{float(value[1]):.10g}"
        if self.kind == "int":
            return str(int(value))
        return f"{float(value):.10g}"

    def check(self, value: Any) -> Any:
        """``value`` in its canonical type when it is allowed; ValueError otherwise."""
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise ValueError(self.allowed())
        if self.kind == "choice":
            if value in self.options:
                return value
            raise ValueError(self.allowed())
        if self.kind == "text":
            if not isinstance(value, str) or len(value) > (self.high or 0):
                raise ValueError(self.allowed())
            return value if self.validate is None else self.validate(value)
        if self.kind == "point":
            x, y = (_finite(item, self) for item in _pair(value, self))
            return (x, y)
        if self.kind == "pair":
            if value is None and self.default is None:
                return None
            low, high = (_finite(item, self) for item in _pair(value, self))
            if not low < high:
                raise ValueError(self.allowed())
            return (low, high)
        if self.kind == "betas":
            pair = tuple(_finite(item, self) for item in _pair(value, self))
            if not all(self.low <= item < self.high for item in pair):
                raise ValueError(self.allowed())
            return pair
        if self.kind == "optional" and value is None:
            return None
        number = _finite(value, self)
        # Only rounding in the last digits of a bound is forgiven (1e-05 written as 1.0000000001e-05).
        if not self.low - 1e-9 * abs(self.low) <= number <= self.high + 1e-9 * abs(self.high):
            raise ValueError(self.allowed())
        number = min(max(number, self.low), self.high)
        if self.kind == "int":
            if not float(number).is_integer():
                raise ValueError(self.allowed())
            return int(number)
        return float(number)

    def coerce(self, value: Any) -> Any:
        """``value`` if allowed, else the default: for values that come from our own code."""
        try:
            return self.check(value)
        except (TypeError, ValueError):
            return self.default

    def stops(self, current: Any = None) -> tuple:
        """The values a select slider offers: the grid, plus the current value if off-grid."""
        values = set(self.options)
        if current is not None and self.kind in ("log", "optional"):
            try:
                values.add(self.check(current))
            except ValueError:
                pass
        values.discard(None)
        ordered = tuple(sorted(values))
        return ((None,) + ordered) if self.kind == "optional" else ordered


def _number(text: str, setting: Setting) -> float:
    # Python's float() also reads '١٢' (Arabic-Indic digits) and '1_000': a link is ASCII.
    if not text or len(text) > 40 or not all(char in "0123456789+-.eE" for char in text):
        raise ValueError(setting.allowed())
    try:
        return float(text)
    except ValueError:
        raise ValueError(setting.allowed()) from None


def _finite(value: Any, setting: Setting) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise ValueError(setting.allowed())
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(setting.allowed()) from None
    if not math.isfinite(number):
        raise ValueError(setting.allowed())
    return number


def _pair(value: Any, setting: Setting) -> tuple[Any, Any]:
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return value[0], value[1]
    raise ValueError(setting.allowed())


# ---------------------------------------------------------------------------------------------
# Hyperparameters: one setting per knob of the engine's hyperparameter dataclass.

INNER_CHOICES: tuple[str, ...] = tuple(name for name, spec in OPTIMIZERS.items() if not spec.wraps_inner)


def _knob_setting(name: str, default: Any, info: KnobInfo) -> Setting:
    shown = ", ".join(f"{value:g}" for value in default) if isinstance(default, tuple) else f"{default}"
    help_text = f"{info.help} PyTorch's default: {shown}."
    common = dict(name=name, default=default, label=name, help=help_text, feeds="run")
    if info.kind == "bool":
        return Setting(kind="bool", **common)
    if info.kind == "optimizer":
        return Setting(kind="choice", options=INNER_CHOICES,
                       option_label=lambda value: OPTIMIZERS[value].label, **common)
    if info.kind == "betas":
        return Setting(kind="betas", low=float(info.ui_low), high=1.0, options=BETA_GRID,
                       **{**common, "default": tuple(float(v) for v in default)})
    if info.kind == "int":
        return Setting(kind="int", low=info.ui_low, high=info.ui_high, step=1, **{**common, "default": int(default)})
    if info.log:
        mantissas = LR_MANTISSAS if name == "lr" else (1, 2, 5)
        grid = tuple(sorted(set(log_grid(info.ui_low, info.ui_high, mantissas)) | {float(default)}))
        return Setting(kind="log", low=float(info.ui_low), high=float(info.ui_high), options=grid,
                       **{**common, "default": float(default)})
    step = 0.001 if info.ui_high <= 1 else info.ui_high / 100
    return Setting(kind="float", low=float(info.ui_low), high=float(info.ui_high), step=step,
                   **{**common, "default": float(default)})


@cache
def hyper_settings(optimizer: str, inner: str | None = None) -> dict[str, Setting]:
    """The settings of ``optimizer``'s hyperparameters, with PyTorch's defaults.

    A wrapper optimizer (Lookahead) lists its own knobs, then those of its inner optimizer:
    this is the one place that knows about wrappers.
    """
    spec = OPTIMIZERS[optimizer]
    settings = {name: _knob_setting(name, default, info) for name, (default, info) in spec.knobs().items()}
    if spec.wraps_inner:
        inner = inner if inner in INNER_CHOICES else settings["inner"].default
        for name, setting in hyper_settings(inner).items():
            settings.setdefault(name, setting)
    return settings


def default_hyper(optimizer: str, inner: str | None = None) -> dict[str, Any]:
    """PyTorch's defaults for ``optimizer`` (and its inner optimizer, for a wrapper)."""
    values = {name: setting.default for name, setting in hyper_settings(optimizer, inner).items()}
    if "inner" in values and inner in INNER_CHOICES:
        values["inner"] = inner
    return values


# ---------------------------------------------------------------------------------------------
# Everything else on the race page.


def _schedule_is(*kinds: str) -> Callable[[Mapping[str, Any]], bool]:
    return lambda values: values.get("schedule") in kinds


def _surface_has_data(values: Mapping[str, Any]) -> bool:
    return SURFACES.get(values.get("surface"), SURFACES["ravine"]).has_data


def data_size(values: Mapping[str, Any]) -> int:
    """How many data points the current surface has (0 without data)."""
    surface = SURFACES.get(values.get("surface"))
    return int(surface.n_points) if surface is not None and surface.has_data else 0


def _minibatches(values: Mapping[str, Any]) -> bool:
    return _surface_has_data(values) and (values.get("batch_size") or 0) < data_size(values)


# The largest data set among the surfaces (the line fit's): the batch size's upper bound.
DATA_POINTS = max((int(surface.n_points) for surface in SURFACES.values() if surface.has_data), default=1)


CUSTOM = "custom"  # the surface a visitor types as f(x, y)
CUSTOM_LABEL = "Your own f(x, y)"
SURFACE_CHOICES: tuple[str, ...] = (*SURFACES, CUSTOM)


def _surface_label(name: str) -> str:
    return CUSTOM_LABEL if name == CUSTOM else SURFACES[name].label


def _formula(text: str) -> str:
    """The canonical text of a formula that builds a surface (ValueError saying what is wrong)."""
    return parse_surface(text).text


GLOBAL_SETTINGS: dict[str, Setting] = {
    setting.name: setting
    for setting in (
        Setting("surface", "choice", "ravine", "Surface", "The loss f(x, y) the optimizers descend.",
                options=SURFACE_CHOICES, option_label=_surface_label),
        Setting("start", "point", SURFACES["ravine"].start, "Start",
                "Where every racer starts. Type it, or click the map.", feeds="run"),
        Setting("steps", "int", 100, "Steps", f"How many updates each racer takes (at most {MAX_RACE_STEPS:,}).",
                feeds="run", low=1, high=MAX_RACE_STEPS, step=1,
                applies=lambda values: not _minibatches(values)),
        Setting("seed", "int", 0, "Seed",
                "Seeds the gradient noise and the mini-batch shuffling: the same seed gives the same "
                "numbers on every machine.", feeds="run", low=0, high=MAX_SEED, step=1, widget="number"),
        Setting("schedule", "choice", "constant", "Learning-rate schedule",
                "How the learning rate changes over the run: PyTorch's StepLR (step), ExponentialLR "
                "(exponential) or CosineAnnealingLR (cosine).", feeds="schedule", options=SCHEDULE_KINDS),
        Setting("gamma", "log", 0.5, "Decay factor γ",
                "The factor the learning rate is multiplied by: every step_size steps (step) or every "
                "step (exponential).", feeds="schedule", low=0.1, high=1.0,
                options=(0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1.0),
                applies=_schedule_is("step", "exponential")),
        Setting("step_size", "int", 10, "Steps between decays", "Steps between two decays of the step schedule.",
                feeds="schedule", low=1, high=1000, step=1, applies=_schedule_is("step")),
        Setting("warmup_steps", "int", 0, "Warm-up steps",
                "Steps over which the learning rate rises linearly from a tenth of its value (LinearLR).",
                feeds="schedule", low=0, high=1000, step=1, aliases=("warmup",)),
        Setting("grad_noise", "optional", None, "Gradient noise σ",
                "Standard deviation of Gaussian noise added to every gradient: imitates stochastic "
                "gradients on any surface.", feeds="run", low=0.001, high=10.0,
                options=log_grid(0.001, 10.0), aliases=("noise",)),
        Setting("noise_decay", "float", 0.0, "Noise decay",
                "Anneals the noise: σ at step t is σ / (1 + t)^(decay / 2) (0 keeps it constant; 0.55 is "
                "Neelakantan et al.'s choice).", feeds="run", low=0.0, high=2.0, step=0.05,
                applies=lambda values: bool(values.get("grad_noise"))),
        Setting("batch_size", "int", DATA_POINTS, "Batch size",
                "Data points per gradient; all of them is full-batch gradient descent.", feeds="run",
                low=1, high=DATA_POINTS, step=1, applies=_surface_has_data, aliases=("batch",)),
        Setting("epochs", "int", 5, "Epochs",
                "Passes over the data with mini-batches; the number of steps follows from it.", feeds="run",
                low=1, high=MAX_RACE_STEPS, step=1, applies=_minibatches),
        Setting("tol", "log", 0.01, "Arrival tolerance",
                "Distance to a known minimum that counts as arrived (the summary table, and the stop rule).",
                low=1e-6, high=1.0, options=log_grid(1e-6, 1.0)),
        Setting("stop_distance", "optional", None, "Stop within",
                "End a path once it is this close to a known minimum (off: run every step).", feeds="run",
                low=1e-6, high=1.0, options=log_grid(1e-6, 1.0)),
        Setting("stop_grad", "optional", None, "Stop below gradient norm",
                "End a path once its gradient norm falls below this (off: run every step).", feeds="run",
                low=1e-10, high=0.1, options=log_grid(1e-10, 0.1)),
        Setting("inspect", "text", "", "Racer",
                "The racer whose numbers the step inspector shows (its key, such as sgd or sgd-2).", feeds="view",
                high=20, pages=("race",)),
        Setting("istep", "int", 1, "Step", "The step whose numbers the inspector shows.", feeds="view", low=1,
                high=MAX_RACE_STEPS, step=1, pages=("race",)),
        Setting("sweep_racer", "text", "", "Optimizer",
                "The racer whose settings the sweep varies (every other setting stays as it is).", high=20,
                pages=("sweep",)),
        Setting("sweep_x", "text", "lr", "Across (x)", "The first hyperparameter the sweep varies.", high=40,
                pages=("sweep",)),
        # Unset, a range is the swept setting's own (lab.explore.default_range): a link that names
        # an axis and no range (?sweep_y=momentum) sweeps the whole of momentum, not a range
        # meant for another setting.
        Setting("sweep_x_range", "pair", None, "x from, to", "The range of the first hyperparameter.",
                pages=("sweep",)),
        Setting("sweep_y", "text", "", "Up (y)",
                "The second hyperparameter the sweep varies (unset: the optimizer's own, such as momentum or β₁).",
                high=40,
                pages=("sweep",)),
        Setting("sweep_y_range", "pair", None, "y from, to", "The range of the second hyperparameter.",
                pages=("sweep",)),
        Setting("sweep_n", "int", 40, "Cells per axis",
                "The grid's resolution: up to 100 x 100 settings, each a whole run.", low=5, high=100, step=1,
                pages=("sweep", "stability")),
        Setting("sweep_metric", "choice", "final loss", "Colour by",
                "Final loss (log colour) or steps until within the arrival tolerance of a minimum.",
                options=("final loss", "steps to arrive"), pages=("sweep", "stability")),
        Setting("basin_racer", "text", "", "Optimizer", "The racer whose settings every start uses.", high=20,
                pages=("basins",)),
        Setting("basin_n", "int", 100, "Starts per axis", "The map's resolution: up to 200 x 200 starts.",
                low=10, high=200, step=1, pages=("basins",)),
        Setting("basin_color", "choice", "where it settles", "Colour by",
                "Where each start settles (which minimum), its final loss, the steps it needs, or, on a saddle, "
                "the direction it escapes in.",
                options=("where it settles", "final loss", "steps to arrive", "escape direction"), pages=("basins",)),
        Setting("present", "bool", False, "Presentation mode",
                "Hide the controls and enlarge the map for a projector.", feeds="view"),
    )
}

# ---------------------------------------------------------------------------------------------
# Surface parameters: a surface built by a factory (the line fit, from its data) declares the
# factory's arguments here, under the factory's own names; the URL writes them `regression.noise`.

_REGRESSION_DEFAULTS = inspect.signature(make_regression).parameters

SURFACE_SETTINGS: dict[str, dict[str, Setting]] = {
    CUSTOM: {
        "text": Setting("text", "text", "x**4/40 - x**2/2 + y**2/4", "f(x, y) =",
                        "Your own function of x and y: numbers, + − * / and ** (or ^), parentheses, pi, e, and "
                        f"{', '.join(sorted(FUNCTIONS))}. Read by the lab's own parser: nothing you type is run.",
                        feeds="surface", high=MAX_TEXT_LENGTH, validate=_formula),
    },
    "regression": {
        "noise": Setting("noise", "float", float(_REGRESSION_DEFAULTS["noise"].default), "Data noise",
                         "Standard deviation of the noise on the line-fit data: more noise, more "
                         "disagreement between mini-batches.", feeds="surface", low=0.0,
                         high=min(5.0, MAX_DATA_NOISE), step=0.1, aliases=("data_noise",)),
    },
}


def surface_settings(surface: str) -> dict[str, Setting]:
    """The parameters of ``surface``'s factory (none for a fixed surface)."""
    return SURFACE_SETTINGS.get(surface, {})


# Settings that are not in the URL's flat namespace: the racers and their hyperparameters are
# written `opt=sgd,sgd-2` and `sgd-2.lr=0.1`.
RACE_KEY = "opt"
SETTING_NAMES = tuple(GLOBAL_SETTINGS)


def setting(name: str) -> Setting:
    return GLOBAL_SETTINGS[name]


# How a page is shown rather than what it computes: a link of these alone (``?present=1``) shows
# the front page's race, and a lesson is still on the page whatever they are.
VIEW_SETTINGS: tuple[str, ...] = tuple(name for name, setting in GLOBAL_SETTINGS.items() if setting.feeds == "view")


def defaults() -> dict[str, Any]:
    return {name: setting.default for name, setting in GLOBAL_SETTINGS.items()}


def with_range(base: Setting, **changes: Any) -> Setting:
    """A copy with another range: for ranges that depend on the page (epochs, batch size)."""
    return replace(base, **changes)


__all__ = ["Setting", "GLOBAL_SETTINGS", "SURFACE_SETTINGS", "hyper_settings", "default_hyper", "surface_settings",
           "setting", "defaults", "INNER_CHOICES", "MAX_RACERS", "RACE_KEY", "data_size", "log_grid"]
