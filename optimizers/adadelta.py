r"""Adadelta, ``torch.optim.Adadelta``.

Update rule (PyTorch's notation; :math:`\rho` is ``rho``):

$$
\begin{aligned}
&\textbf{initialize}:\ v_0 \leftarrow 0\ \text{(square avg)},\ u_0 \leftarrow 0\ \text{(accumulated updates)} \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad v_t \leftarrow \rho v_{t-1} + (1 - \rho) g_t^2 \\
&\quad \Delta x_t \leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
&\quad u_t \leftarrow \rho u_{t-1} + (1 - \rho) \Delta x_t^2 \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma \Delta x_t
\end{aligned}
$$

The step is the gradient scaled by RMS(past updates) / RMS(gradients), so its units match the
parameters' and, in the paper, no learning rate is needed (PyTorch keeps ``lr``, default 1.0,
as a plain multiplier). Here ``eps`` sits inside both square roots and sets the size of the very
first steps: sqrt(eps) = 1e-3 at the default, so Adadelta starts slowly and accelerates.

Reference: M. D. Zeiler, "ADADELTA: An Adaptive Learning Rate Method", arXiv:1212.5701, 2012.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.common import decay_towards_square, with_weight_decay
from optimizers.hyper import eps_knob, knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class AdadeltaHyper:
    lr: float = lr_knob(1.0)
    rho: float = knob(0.9, low=0.0, high=1.0, high_open=True, ui_low=0.0, ui_high=0.999,
                      help="Decay ρ of the running averages of squared gradients and squared updates.")
    eps: float = eps_knob(1e-6, "Added inside both square roots; sqrt(eps) sets the size of the first steps.")
    weight_decay: float = weight_decay_knob()


class AdadeltaState(NamedTuple):
    square_avg: np.ndarray  # (N, 2) v_t
    acc_delta: np.ndarray  # (N, 2) u_t
    scale: np.ndarray  # (N, 2) sqrt(u_{t-1} + eps) / sqrt(v_t + eps) of the last step
    scratch: np.ndarray  # (N, 2)
    step_buffer: np.ndarray  # (N, 2)


def init(params: np.ndarray, hp: AdadeltaHyper) -> AdadeltaState:
    return AdadeltaState(*(np.zeros_like(params) for _ in range(5)))


def update(grad: np.ndarray, state: AdadeltaState, params: np.ndarray, hp: AdadeltaHyper, lr: Rate, t: int) -> np.ndarray:
    g = with_weight_decay(grad, params, hp.weight_decay)
    decay_towards_square(state.square_avg, g, hp.rho, state.scratch)
    scale = state.scale
    np.add(state.acc_delta, hp.eps, out=scale)
    np.sqrt(scale, out=scale)
    np.add(state.square_avg, hp.eps, out=state.scratch)
    np.sqrt(state.scratch, out=state.scratch)
    scale /= state.scratch
    delta = np.multiply(scale, g, out=state.step_buffer)
    decay_towards_square(state.acc_delta, delta, hp.rho, state.scratch)
    delta *= lr
    return delta


def inspect(state: AdadeltaState, hp: AdadeltaHyper, lr: Rate, t: int) -> dict[str, np.ndarray]:
    return {"square_avg": state.square_avg, "acc_delta": state.acc_delta, "effective_lr": lr * state.scale}


SPEC = OptimizerSpec(
    name="adadelta",
    label="Adadelta",
    hyper=AdadeltaHyper,
    init=init,
    update=update,
    inspect=inspect,
    doc=__doc__,
    paper="Zeiler (2012), ADADELTA: An Adaptive Learning Rate Method",
    summary="Steps sized by the ratio of past update and gradient RMS; starts slowly.",
    pytorch="torch.optim.Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0)",
)
