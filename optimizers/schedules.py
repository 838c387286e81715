"""Learning-rate schedules, with the semantics of torch.optim.lr_scheduler.

The runner asks for one factor per step: the learning rate in force at step t (1-based) is
``lr * factors[t - 1]``. Each schedule matches the PyTorch scheduler named beside it when
``scheduler.step()`` is called once after every ``optimizer.step()``; a warm-up is
``SequentialLR([LinearLR(start_factor, total_iters=warmup_steps), main], milestones=[warmup_steps])``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from optimizers.checks import finite_number, shown, whole_number

KINDS = ("constant", "step", "exponential", "cosine")
MAX_WARMUP = 1_000_000


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule: a main shape, optionally preceded by a linear warm-up.

    kind: ``constant``; ``step`` (StepLR: multiply by ``gamma`` every ``step_size`` steps);
    ``exponential`` (ExponentialLR: multiply by ``gamma`` every step); ``cosine``
    (CosineAnnealingLR: half a cosine from lr down to ``eta_min`` over ``t_max`` steps,
    ``t_max`` defaulting to the run's length after the warm-up). ``eta_min`` is an absolute
    learning rate, as in PyTorch. ``warmup_steps`` > 0 puts LinearLR in front, rising from
    ``warmup_start_factor`` × lr to lr.
    """

    kind: str = "constant"
    step_size: int = 10
    gamma: float = 0.5
    t_max: int | None = None
    eta_min: float = 0.0
    warmup_steps: int = 0
    warmup_start_factor: float = 0.1

    def validate(self) -> Schedule:
        """Check every field; return a copy holding plain ints and floats (a field given as a
        numpy scalar or a Fraction would otherwise reach the arithmetic and the messages)."""
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise ValueError(f"Invalid schedule: {shown(self.kind)}. schedule must be one of {', '.join(KINDS)}.")
        return dataclasses.replace(
            self,
            step_size=whole_number("step_size", self.step_size, 1, MAX_WARMUP),
            gamma=finite_number("gamma", self.gamma, 0.0, 1.0, low_open=True),
            t_max=None if self.t_max is None else whole_number("t_max", self.t_max, 1, MAX_WARMUP),
            eta_min=finite_number("eta_min", self.eta_min, 0.0, 100.0),
            warmup_steps=whole_number("warmup_steps", self.warmup_steps, 0, MAX_WARMUP),
            warmup_start_factor=finite_number("warmup_start_factor", self.warmup_start_factor, 0.0, 1.0, low_open=True),
        )

    def factors(self, steps: int, base_lr: float | np.ndarray = 1.0) -> np.ndarray:
        """The learning rate in force at steps 1..steps divided by ``base_lr``.

        Shape ``(steps,)`` for one base rate, ``(steps, *base_lr.shape)`` for one per start:
        only cosine's absolute ``eta_min`` makes the factors differ between starts.
        """
        self.validate()
        index = np.arange(steps, dtype=float)  # number of scheduler.step() calls before step t
        per_start = (1,) * np.ndim(base_lr)
        warm = min(self.warmup_steps, steps)
        curve = np.ones(steps)
        if warm:
            curve[:warm] = self.warmup_start_factor + (1.0 - self.warmup_start_factor) * index[:warm] / self.warmup_steps
        main = index[warm:] - warm
        if self.kind == "step":
            curve[warm:] = self.gamma ** np.floor(main / self.step_size)
        elif self.kind == "exponential":
            curve[warm:] = self.gamma**main
        out = np.broadcast_to(curve.reshape((steps,) + per_start), (steps,) + np.shape(base_lr)).copy()
        if self.kind == "cosine":
            t_max = self.t_max if self.t_max is not None else max(steps - warm, 1)
            with np.errstate(over="ignore"):
                eta_min = self.eta_min / np.asarray(base_lr, dtype=float)
            if not np.all(np.isfinite(eta_min)):  # a factor of inf would make the rate NaN
                raise ValueError(f"Invalid eta_min: {self.eta_min:g}. With cosine, eta_min / lr must be a finite "
                                 "number: use a larger lr or a smaller eta_min.")
            half_wave = ((1.0 + np.cos(math.pi * main / t_max)) / 2.0).reshape((-1,) + per_start)
            out[warm:] = eta_min + (1.0 - eta_min) * half_wave
        return out

    def describe(self) -> str:
        text = {
            "constant": "constant",
            "step": f"×{self.gamma:g} every {self.step_size} steps",
            "exponential": f"×{self.gamma:g} every step",
            "cosine": f"cosine to {self.eta_min:g}" + (f" over {self.t_max} steps" if self.t_max else ""),
        }[self.kind]
        if self.warmup_steps:
            text = f"linear warm-up over {self.warmup_steps} steps, then {text}"
        return text


def as_schedule(schedule: str | Schedule | dict | None) -> Schedule:
    """Accept a Schedule, a kind name, a dict of Schedule fields, or None (constant)."""
    if schedule is None:
        result = Schedule()
    elif isinstance(schedule, Schedule):
        result = schedule
    elif isinstance(schedule, str):
        result = Schedule(kind=schedule)
    elif isinstance(schedule, dict):
        unknown = sorted(set(schedule) - set(Schedule.__dataclass_fields__), key=str)
        if unknown:
            raise ValueError(
                f"Unknown schedule setting {', '.join(map(shown, unknown))}. "
                f"Allowed: {', '.join(Schedule.__dataclass_fields__)}."
            )
        result = Schedule(**schedule)
    else:
        raise ValueError(f"Invalid schedule: {shown(schedule)}. Give a kind name ({', '.join(KINDS)}) or a Schedule.")
    return result.validate()
