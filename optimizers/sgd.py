r"""Stochastic gradient descent, ``torch.optim.SGD`` with its default ``momentum=0``.

Update rule (PyTorch's notation; :math:`\gamma` is ``lr``, :math:`\lambda` is ``weight_decay``):

$$
\begin{aligned}
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, g_t
\end{aligned}
$$

Every step moves straight downhill by a distance proportional to the slope. On a ravine the
steepest direction points across the valley, not along it, so a learning rate big enough to
make progress along the floor overshoots across it: the path zig-zags. Plain gradient descent
converges on a quadratic only if ``lr < 2 / L`` where ``L`` is the largest curvature
(on f = x²/20 + y², L = 2, so lr must stay below 1).

Reference: H. Robbins and S. Monro, "A Stochastic Approximation Method", Annals of
Mathematical Statistics 22(3), 1951.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.common import with_weight_decay
from optimizers.hyper import is_zero, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class SGDHyper:
    lr: float = lr_knob(1e-3)
    weight_decay: float = weight_decay_knob()


class SGDState(NamedTuple):
    step_buffer: np.ndarray  # (N, 2) scratch for the returned step


class MomentumState(NamedTuple):
    momentum_buffer: np.ndarray  # (N, 2) b_t, the velocity; equals g_1 after the first step
    step_buffer: np.ndarray  # (N, 2) scratch for the returned step


def init(params: np.ndarray, hp: SGDHyper) -> SGDState:
    return SGDState(np.zeros_like(params))


def update(grad: np.ndarray, state: SGDState, params: np.ndarray, hp: SGDHyper, lr: Rate, t: int) -> np.ndarray:
    g = with_weight_decay(grad, params, hp.weight_decay)
    return np.multiply(g, lr, out=state.step_buffer)


def inspect(state: SGDState, hp: SGDHyper, lr: Rate, t: int) -> dict[str, np.ndarray]:
    return {}


def init_momentum(params: np.ndarray, hp: object) -> MomentumState:
    return MomentumState(np.zeros_like(params), np.zeros_like(params))


def update_momentum(
    grad: np.ndarray,
    state: MomentumState,
    params: np.ndarray,
    lr: Rate,
    t: int,
    momentum: float | np.ndarray,
    dampening: float | np.ndarray,
    nesterov: bool,
    weight_decay: float | np.ndarray,
) -> np.ndarray:
    """The momentum branch of torch.optim.SGD, shared by ``momentum`` and ``nesterov``."""
    g = with_weight_decay(grad, params, weight_decay)
    buffer = state.momentum_buffer
    if t == 1:
        # PyTorch starts the buffer at the first gradient itself, undamped.
        np.copyto(buffer, g)
    else:
        buffer *= momentum
        buffer += g if is_zero(dampening) else (1.0 - dampening) * g
    step = state.step_buffer
    if nesterov:
        np.multiply(buffer, momentum, out=step)
        step += g
        step *= lr
        return step
    return np.multiply(buffer, lr, out=step)


def inspect_momentum(state: MomentumState, hp: object, lr: Rate, t: int) -> dict[str, np.ndarray]:
    return {"momentum_buffer": state.momentum_buffer}


SPEC = OptimizerSpec(
    name="sgd",
    label="SGD",
    hyper=SGDHyper,
    init=init,
    update=update,
    inspect=inspect,
    doc=__doc__,
    paper="Robbins & Monro (1951), A Stochastic Approximation Method",
    summary="Steps straight down the slope; zig-zags in ravines.",
    pytorch="torch.optim.SGD(params, lr=1e-3)",
)
