r"""RMSprop, ``torch.optim.RMSprop``.

Update rule (PyTorch's notation; :math:`\alpha` is ``alpha``, :math:`\mu` is ``momentum``):

$$
\begin{aligned}
&\textbf{initialize}:\ v_0 \leftarrow 0,\ \textbf{b}_0 \leftarrow 0,\ g^{ave}_0 \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad v_t \leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2 \\
&\quad \tilde v_t \leftarrow v_t \\
&\quad \textbf{if}\ \mathit{centered}:\ g^{ave}_t \leftarrow \alpha g^{ave}_{t-1} + (1 - \alpha) g_t,\ \
       \tilde v_t \leftarrow \tilde v_t - (g^{ave}_t)^2 \\
&\quad \textbf{if}\ \mu > 0:\ \textbf{b}_t \leftarrow \mu \textbf{b}_{t-1} + g_t / (\sqrt{\tilde v_t} + \epsilon),\ \
       \theta_t \leftarrow \theta_{t-1} - \gamma \textbf{b}_t \\
&\quad \textbf{else}:\ \theta_t \leftarrow \theta_{t-1} - \gamma\, g_t / (\sqrt{\tilde v_t} + \epsilon)
\end{aligned}
$$

Adagrad with a memory that fades: the squared gradients are averaged with decay ``alpha``
instead of summed, so the step size tracks the recent steepness and does not die out.
``centered`` divides by an estimate of the gradient's standard deviation instead of its
root mean square. Note that the average starts at zero and is not bias-corrected, so the
first steps are larger than later ones (by up to 1/sqrt(1 − α) = 10x at α = 0.99).

Reference: G. Hinton, N. Srivastava and K. Swersky, "Neural Networks for Machine Learning",
Coursera lecture 6e, 2012; A. Graves, "Generating Sequences With Recurrent Neural Networks",
arXiv:1308.0850, 2013 (the centered form).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.common import decay_towards, decay_towards_square, with_weight_decay
from optimizers.hyper import eps_knob, is_zero, knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class RMSpropHyper:
    lr: float = lr_knob(1e-2)
    alpha: float = knob(0.99, low=0.0, high=1.0, high_open=True, ui_low=0.0, ui_high=0.999,
                        help="Smoothing constant α of the running average of squared gradients.")
    eps: float = eps_knob(1e-8)
    weight_decay: float = weight_decay_knob()
    momentum: float = knob(0.0, low=0.0, high=1.0, ui_low=0.0, ui_high=0.999,
                           help="Momentum factor μ applied to the rescaled gradient (0: none).")
    centered: bool = knob(False, kind="bool",
                          help="Divide by the gradient's estimated standard deviation instead of its RMS.")


class RMSpropState(NamedTuple):
    square_avg: np.ndarray  # (N, 2) v_t
    grad_avg: np.ndarray  # (N, 2) g^ave_t, used when centered
    momentum_buffer: np.ndarray  # (N, 2) b_t, used when momentum > 0
    denominator: np.ndarray  # (N, 2) sqrt(ṽ_t) + eps of the last step
    scratch: np.ndarray  # (N, 2)
    step_buffer: np.ndarray  # (N, 2)


def init(params: np.ndarray, hp: RMSpropHyper) -> RMSpropState:
    return RMSpropState(*(np.zeros_like(params) for _ in range(6)))


def update(grad: np.ndarray, state: RMSpropState, params: np.ndarray, hp: RMSpropHyper, lr: Rate, t: int) -> np.ndarray:
    g = with_weight_decay(grad, params, hp.weight_decay)
    decay_towards_square(state.square_avg, g, hp.alpha, state.scratch)
    denominator = state.denominator
    if hp.centered:
        decay_towards(state.grad_avg, g, hp.alpha, state.scratch)
        np.multiply(state.grad_avg, state.grad_avg, out=denominator)
        np.subtract(state.square_avg, denominator, out=denominator)
        # Rounding can push this variance estimate a hair below zero; the square root must not see it.
        np.maximum(denominator, 0.0, out=denominator)
        np.sqrt(denominator, out=denominator)
    else:
        np.sqrt(state.square_avg, out=denominator)
    denominator += hp.eps
    step = np.divide(g, denominator, out=state.step_buffer)
    if not is_zero(hp.momentum):
        state.momentum_buffer[...] *= hp.momentum
        state.momentum_buffer[...] += step
        np.copyto(step, state.momentum_buffer)
    step *= lr
    return step


def inspect(state: RMSpropState, hp: RMSpropHyper, lr: Rate, t: int) -> dict[str, np.ndarray]:
    numbers = {"square_avg": state.square_avg, "effective_lr": lr / state.denominator}
    if hp.centered:
        numbers["grad_avg"] = state.grad_avg
    if not is_zero(hp.momentum):
        numbers["momentum_buffer"] = state.momentum_buffer
    return numbers


SPEC = OptimizerSpec(
    name="rmsprop",
    label="RMSprop",
    hyper=RMSpropHyper,
    init=init,
    update=update,
    inspect=inspect,
    doc=__doc__,
    paper="Hinton, Srivastava & Swersky (2012), Coursera lecture 6e",
    summary="Adagrad with a fading memory: per-coordinate steps that do not die out.",
    pytorch="torch.optim.RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False)",
)
