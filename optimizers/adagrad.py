r"""Adagrad, ``torch.optim.Adagrad``.

Update rule (PyTorch's notation; :math:`\eta` is ``lr_decay``, :math:`\tau` is
``initial_accumulator_value``):

$$
\begin{aligned}
&\textbf{initialize}:\ \mathit{state\_sum}_0 \leftarrow \tau \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \tilde\gamma \leftarrow \gamma / (1 + (t - 1)\eta) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad \mathit{state\_sum}_t \leftarrow \mathit{state\_sum}_{t-1} + g_t^2 \\
&\quad \theta_t \leftarrow \theta_{t-1} - \tilde\gamma\, \frac{g_t}{\sqrt{\mathit{state\_sum}_t} + \epsilon}
\end{aligned}
$$

Each coordinate gets its own step size, shrinking with the sum of all its squared gradients so
far. Steep coordinates are tamed at once, which fixes the ravine's zig-zag; but the sum never
forgets, so the steps shrink towards nothing even where the surface is still sloping. The
``eps`` sits outside the square root, and PyTorch's default is 1e-10.

Reference: J. Duchi, E. Hazan and Y. Singer, "Adaptive Subgradient Methods for Online Learning
and Stochastic Optimization", JMLR 12, 2011.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.common import with_weight_decay
from optimizers.hyper import eps_knob, knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class AdagradHyper:
    lr: float = lr_knob(1e-2)
    lr_decay: float = knob(0.0, low=0.0, high=100.0, ui_low=0.0, ui_high=1.0,
                           help="Learning-rate decay η: the step size is γ / (1 + (t − 1)η).")
    weight_decay: float = weight_decay_knob()
    initial_accumulator_value: float = knob(0.0, low=0.0, high=1e6, ui_low=0.0, ui_high=10.0,
                                            help="Starting value τ of the running sum of squared gradients.")
    eps: float = eps_knob(1e-10)


class AdagradState(NamedTuple):
    state_sum: np.ndarray  # (N, 2) sum of squared gradients, started at τ
    denominator: np.ndarray  # (N, 2) sqrt(state_sum) + eps of the last step
    step_buffer: np.ndarray  # (N, 2) scratch for the returned step


def init(params: np.ndarray, hp: AdagradHyper) -> AdagradState:
    start = np.zeros_like(params) + hp.initial_accumulator_value
    return AdagradState(start, np.zeros_like(params), np.zeros_like(params))


def _decayed(lr: Rate, hp: AdagradHyper, t: int) -> Rate:
    return lr / (1.0 + (t - 1) * hp.lr_decay)


def update(grad: np.ndarray, state: AdagradState, params: np.ndarray, hp: AdagradHyper, lr: Rate, t: int) -> np.ndarray:
    g = with_weight_decay(grad, params, hp.weight_decay)
    state.state_sum[...] += g * g
    denominator = state.denominator
    np.sqrt(state.state_sum, out=denominator)
    denominator += hp.eps
    step = np.divide(g, denominator, out=state.step_buffer)
    step *= _decayed(lr, hp, t)
    return step


def inspect(state: AdagradState, hp: AdagradHyper, lr: Rate, t: int) -> dict[str, np.ndarray]:
    return {
        "state_sum": state.state_sum,
        "effective_lr": _decayed(lr, hp, t) / state.denominator,
    }


SPEC = OptimizerSpec(
    name="adagrad",
    label="Adagrad",
    hyper=AdagradHyper,
    init=init,
    update=update,
    inspect=inspect,
    doc=__doc__,
    paper="Duchi, Hazan & Singer (2011), Adaptive Subgradient Methods",
    summary="Per-coordinate steps that shrink with every gradient seen; eventually stall.",
    pytorch="torch.optim.Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10)",
)
