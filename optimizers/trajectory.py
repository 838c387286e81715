"""The record a run returns: the path, the loss curve, and what happened along the way."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True, eq=False)
class Trajectory:
    """The result of :func:`optimizers.run`.

    For a single start ``(2,)`` the arrays have no start axis: ``xy`` is ``(R, 2)``, ``loss``
    is ``(R,)`` and the per-start integers are plain ints. For ``N`` starts, ``xy`` is
    ``(R, N, 2)``, ``loss`` is ``(R, N)`` and ``diverged_at`` is ``(N,)``. With every step kept
    (the default), ``R = steps + 1`` and row ``t`` is the point after ``t`` steps (row 0 is the
    start); otherwise ``step_index`` gives the step of each loss row and ``xy_step_index`` the
    step of each ``xy`` row. Nothing in here is NaN or infinite.
    """

    optimizer: str
    surface: str
    xy: np.ndarray
    loss: np.ndarray
    step_index: np.ndarray  # (R,) the step number of each loss row
    xy_step_index: np.ndarray  # (R_xy,) the step number of each xy row
    diverged_at: int | np.ndarray  # step at which a start blew up and froze, -1 if never
    stopped_at: int | np.ndarray  # step at which the stop rule froze a start, -1 if never
    lr: np.ndarray  # (steps,) or (steps, N): the learning rate in force at steps 1..steps
    hyper: dict[str, Any]  # the hyperparameters as plain Python values
    settings: dict[str, Any]  # steps, seed, schedule, noise, batches: everything else asked for
    events: dict[str, int | np.ndarray] = field(default_factory=dict)  # e.g. SWATS's switched_at
    records: dict[str, np.ndarray] | None = None  # numbers behind each step, see ``step_records``

    @property
    def steps(self) -> int:
        return int(self.settings["steps"])

    @property
    def final_xy(self) -> np.ndarray:
        return self.xy[-1]

    @property
    def final_loss(self) -> float | np.ndarray:
        return self.loss[-1]

    @property
    def switched_at(self) -> int | np.ndarray | None:
        """SWATS's switch step (-1: never switched); None for optimizers that do not switch."""
        return self.events.get("switched_at")

    @property
    def n_starts(self) -> int | None:
        return None if self.loss.ndim == 1 else int(self.loss.shape[1])

    def step_records(self, step: int, start: int = 0) -> dict[str, np.ndarray]:
        """The numbers behind step ``step`` (1-based) for one start.

        Gradient used, learning rate in force, the update actually applied, and the
        optimizer's state after the step (moments, bias-corrected values, effective step
        size, ...). Needs ``record_state=True`` and a step that was recorded.
        """
        if self.records is None:
            raise ValueError("This run kept no per-step numbers: run it with record_state=True.")
        rows = np.flatnonzero(self.step_index[1:] == step)
        if len(rows) == 0:
            raise ValueError(
                f"Step {step} was not recorded: recorded steps run from {int(self.step_index[1])} "
                f"to {int(self.step_index[-1])} in the step_index array."
            )
        row = int(rows[0])
        if self.n_starts is None:
            return {name: values[row] for name, values in self.records.items()}
        return {name: values[row, start] for name, values in self.records.items()}

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly digest: final point, final loss and the event steps."""
        def plain(value: Any) -> Any:
            return value.tolist() if isinstance(value, np.ndarray) else value

        return {
            "optimizer": self.optimizer,
            "surface": self.surface,
            "final_xy": plain(self.final_xy),
            "final_loss": plain(self.final_loss),
            "diverged_at": plain(self.diverged_at),
            "stopped_at": plain(self.stopped_at),
            **{name: plain(value) for name, value in self.events.items()},
        }
