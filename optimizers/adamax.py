r"""Adamax, ``torch.optim.Adamax``: Adam with the infinity norm.

Update rule (PyTorch's notation):

$$
\begin{aligned}
&\textbf{initialize}:\ m_0 \leftarrow 0\ \text{(first moment)},\ u_0 \leftarrow 0\ \text{(infinity norm)} \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad u_t \leftarrow \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
&\quad \theta_t \leftarrow \theta_{t-1} - \frac{\gamma\, m_t}{(1 - \beta_1^t)\, u_t}
\end{aligned}
$$

Replaces Adam's root-mean-square by a decaying maximum of |g|, which needs no bias correction.
Beware where ``eps`` sits: PyTorch adds it to |g| inside the maximum, not to the denominator.
PyTorch's default learning rate is 2e-3.

Reference: D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
section 7.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.common import decay_towards, with_weight_decay
from optimizers.hyper import betas_knob, eps_knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class AdamaxHyper:
    lr: float = lr_knob(2e-3)
    betas: tuple[float, float] = betas_knob()
    eps: float = eps_knob(1e-8, "Added to |g| inside the maximum, so the denominator is never zero.")
    weight_decay: float = weight_decay_knob()


class AdamaxState(NamedTuple):
    exp_avg: np.ndarray  # (N, 2) m_t
    exp_inf: np.ndarray  # (N, 2) u_t, the decaying infinity norm
    scratch: np.ndarray  # (N, 2)
    step_buffer: np.ndarray  # (N, 2)


def init(params: np.ndarray, hp: AdamaxHyper) -> AdamaxState:
    return AdamaxState(*(np.zeros_like(params) for _ in range(4)))


def update(grad: np.ndarray, state: AdamaxState, params: np.ndarray, hp: AdamaxHyper, lr: Rate, t: int) -> np.ndarray:
    g = with_weight_decay(grad, params, hp.weight_decay)
    beta1, beta2 = hp.betas
    decay_towards(state.exp_avg, g, beta1, state.scratch)
    state.exp_inf[...] *= beta2
    np.abs(g, out=state.scratch)
    state.scratch[...] += hp.eps
    np.maximum(state.exp_inf, state.scratch, out=state.exp_inf)
    step = np.divide(state.exp_avg, state.exp_inf, out=state.step_buffer)
    step *= lr / (1.0 - beta1**t)
    return step


def inspect(state: AdamaxState, hp: AdamaxHyper, lr: Rate, t: int) -> dict[str, np.ndarray]:
    beta1, _ = hp.betas
    return {
        "exp_avg": state.exp_avg,
        "exp_inf": state.exp_inf,
        "effective_lr": lr / ((1.0 - beta1**t) * state.exp_inf),
    }


SPEC = OptimizerSpec(
    name="adamax",
    label="Adamax",
    hyper=AdamaxHyper,
    init=init,
    update=update,
    inspect=inspect,
    doc=__doc__,
    paper="Kingma & Ba (2015), section 7.1",
    summary="Adam with a decaying maximum of |g| in place of the RMS.",
    pytorch="torch.optim.Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)",
)
