r"""Lookahead: "k steps forward, 1 step back", wrapped around any inner optimizer.

Update rule (the paper's notation; the inner optimizer A moves the fast weights θ, the slow
weights φ follow; :math:`k` is ``k``, :math:`\alpha` is ``alpha``):

$$
\begin{aligned}
&\textbf{initialize}:\ \phi_0 \leftarrow \theta_0 \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad \theta_t \leftarrow \theta_{t-1} + A(\nabla f(\theta_{t-1}), \theta_{t-1}) \quad \text{(one inner step)} \\
&\quad \textbf{if}\ t \bmod k = 0: \\
&\qquad \phi \leftarrow \phi + \alpha (\theta_t - \phi) \\
&\qquad \theta_t \leftarrow \phi
\end{aligned}
$$

The inner optimizer explores k steps ahead; then the slow weights move only a fraction α of
the way there and the fast weights restart from them. Oscillations across a ravine average
out in φ, so the path is calmer than the inner optimizer's alone and less sensitive to its
learning rate. The inner optimizer's state (momentum, moments) carries on across the
synchronisations, as in the paper's default. Every other keyword (``lr``, ``betas``, ...)
goes to the inner optimizer. Not part of torch.optim.

Reference: M. R. Zhang, J. Lucas, G. Hinton and J. Ba, "Lookahead Optimizer: k steps
forward, 1 step back", NeurIPS 2019, arXiv:1907.08610.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from optimizers.hyper import knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class LookaheadHyper:
    inner: str = knob("adam", kind="optimizer", help="The optimizer that takes the k fast steps.")
    k: int = knob(5, kind="int", low=1, high=1000, ui_low=1, ui_high=50,
                  help="Fast steps between two synchronisations of the slow weights.")
    alpha: float = knob(0.5, low=0.0, low_open=True, high=1.0, ui_low=0.05, ui_high=1.0,
                        help="Slow step size α: the fraction of the way the slow weights move towards the fast ones.")
    inner_hyper: Any = field(default=None, compare=False)  # the inner optimizer's resolved hyperparameters


class LookaheadState(NamedTuple):
    inner_state: Any  # the inner optimizer's own state
    slow_weights: np.ndarray  # (N, 2) φ
    step_buffer: np.ndarray  # (N, 2)


def _inner(hp: LookaheadHyper) -> OptimizerSpec:
    from optimizers.registry import OPTIMIZERS

    return OPTIMIZERS[hp.inner]


def init(params: np.ndarray, hp: LookaheadHyper) -> LookaheadState:
    return LookaheadState(_inner(hp).init(params, hp.inner_hyper), params.copy(), np.zeros_like(params))


def update(grad: np.ndarray, state: LookaheadState, params: np.ndarray, hp: LookaheadHyper, lr: Rate, t: int) -> np.ndarray:
    inner_step = _inner(hp).update(grad, state.inner_state, params, hp.inner_hyper, lr, t)
    step = state.step_buffer
    if t % hp.k:
        np.copyto(step, inner_step)
        return step
    slow = state.slow_weights
    np.subtract(params, inner_step, out=step)  # the fast weights after this step
    step -= slow
    step *= hp.alpha
    slow += step
    np.subtract(params, slow, out=step)
    return step


def inspect(state: LookaheadState, hp: LookaheadHyper, lr: Rate, t: int) -> dict[str, np.ndarray]:
    numbers = dict(_inner(hp).inspect(state.inner_state, hp.inner_hyper, lr, t))
    numbers["slow_weights"] = state.slow_weights
    return numbers


def events(state: LookaheadState, hp: LookaheadHyper) -> dict[str, np.ndarray]:
    return _inner(hp).events(state.inner_state, hp.inner_hyper)


SPEC = OptimizerSpec(
    name="lookahead",
    label="Lookahead",
    hyper=LookaheadHyper,
    init=init,
    update=update,
    inspect=inspect,
    doc=__doc__,
    paper="Zhang, Lucas, Hinton & Ba (2019), Lookahead Optimizer: k steps forward, 1 step back",
    summary="Any optimizer explores k steps; slow weights then move a fraction α towards it.",
    pytorch="(not in torch.optim)",
    events=events,
    wraps_inner=True,
)
