"""The record that describes one optimizer to the runner, the app and the command line."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimizers.hyper import KnobInfo, knobs

Array = np.ndarray
Rate = float | np.ndarray  # a learning rate: one float, or (N, 2) with one per start (same in both columns)


@dataclass(frozen=True)
class OptimizerSpec:
    """An optimizer as a pair of functions over a batch of points, optax-style.

    ``init(params, hp) -> state`` makes the state for ``params`` of shape ``(N, 2)``;
    ``update(grad, state, params, hp, lr, t) -> step`` advances ``state`` in place for the
    ``t``-th step (1-based, all rows move in lockstep) and returns the step Δ that the runner
    subtracts, θ_t = θ_{t-1} − Δ, as in PyTorch's ``p.add_(d_p, alpha=-lr)`` (taking −γ
    would cost a pass over a per-start rate at every step). It never modifies ``grad`` or ``params``, and the returned
    array may be a buffer the state reuses, so the caller must consume it before the next call.
    ``inspect(state, hp, lr, t)`` names the numbers behind the last step, for the inspector.
    """

    name: str
    label: str
    hyper: type
    init: Callable[[Array, Any], Any]
    update: Callable[[Array, Any, Array, Any, Rate, int], Array]
    inspect: Callable[[Any, Any, Rate, int], dict[str, Array]]
    doc: str
    paper: str
    summary: str
    pytorch: str = ""
    events: Callable[[Any, Any], dict[str, Array]] = field(default=lambda state, hp: {})
    wraps_inner: bool = False

    @property
    def update_rule(self) -> str:
        """The update rule in LaTeX, as written once in the module docstring."""
        return update_rule_from(self.doc)

    def knobs(self) -> dict[str, tuple[Any, KnobInfo]]:
        """Hyperparameter name -> (PyTorch default, KnobInfo)."""
        return knobs(self.hyper)

    def defaults(self) -> dict[str, Any]:
        return {name: default for name, (default, _) in self.knobs().items()}


_RULE = re.compile(r"\$\$(.*?)\$\$", re.DOTALL)


def update_rule_from(doc: str) -> str:
    """The LaTeX between the first pair of ``$$`` in a docstring."""
    found = _RULE.search(doc or "")
    if found is None:
        raise ValueError("the optimizer's docstring has no $$ ... $$ update rule")
    return found.group(1).strip()
