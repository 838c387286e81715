r"""Adam, ``torch.optim.Adam``.

Update rule (PyTorch's notation; :math:`\beta_1, \beta_2` are ``betas``):

$$
\begin{aligned}
&\textbf{initialize}:\ m_0 \leftarrow 0\ \text{(first moment)},\ v_0 \leftarrow 0\ \text{(second moment)} \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad \widehat{m_t} \leftarrow m_t / (1 - \beta_1^t) \\
&\quad \widehat{v_t} \leftarrow v_t / (1 - \beta_2^t) \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, \widehat{m_t} / \big(\sqrt{\widehat{v_t}} + \epsilon\big)
\end{aligned}
$$

Momentum (the average ``m``) combined with RMSprop's per-coordinate scaling (the average
``v``), both corrected for starting at zero. Far from a minimum each coordinate moves by about
``lr`` per step whatever the gradient's size, which is why Adam walks steadily along
Rosenbrock's flat valley floor where SGD crawls. ``eps`` sits outside the square root and
after the bias correction, as in PyTorch (TensorFlow and the paper's Algorithm 1 differ).

Reference: D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
arXiv:1412.6980.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.common import decay_towards, decay_towards_square, with_weight_decay
from optimizers.hyper import betas_knob, eps_knob, knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class AdamHyper:
    lr: float = lr_knob(1e-3)
    betas: tuple[float, float] = betas_knob()
    eps: float = eps_knob(1e-8)
    weight_decay: float = weight_decay_knob()
    amsgrad: bool = knob(False, kind="bool",
                         help="Use the running maximum of v (AMSGrad) so the step size never grows back.")


class AdamState(NamedTuple):
    exp_avg: np.ndarray  # (N, 2) m_t
    exp_avg_sq: np.ndarray  # (N, 2) v_t
    max_exp_avg_sq: np.ndarray  # (N, 2) running max of v_t, used by AMSGrad
    denominator: np.ndarray  # (N, 2) sqrt(v̂_t) + eps of the last step
    scratch: np.ndarray  # (N, 2)
    step_buffer: np.ndarray  # (N, 2)


def init(params: np.ndarray, hp: object) -> AdamState:
    return AdamState(*(np.zeros_like(params) for _ in range(6)))


def adam_step(g: np.ndarray, state: AdamState, lr: Rate, t: int, betas: tuple, eps: Rate, amsgrad: bool) -> np.ndarray:
    """The moment updates and step shared by Adam, AMSGrad and AdamW (weight decay already applied)."""
    beta1, beta2 = betas
    decay_towards(state.exp_avg, g, beta1, state.scratch)
    decay_towards_square(state.exp_avg_sq, g, beta2, state.scratch)
    second = state.exp_avg_sq
    if amsgrad:
        # PyTorch takes the maximum of the raw v_t and bias-corrects afterwards.
        np.maximum(state.max_exp_avg_sq, second, out=state.max_exp_avg_sq)
        second = state.max_exp_avg_sq
    denominator = state.denominator
    np.sqrt(second, out=denominator)
    denominator *= 1.0 / np.sqrt(1.0 - beta2**t)
    denominator += eps
    step = np.divide(state.exp_avg, denominator, out=state.step_buffer)
    step *= lr / (1.0 - beta1**t)
    return step


def update(grad: np.ndarray, state: AdamState, params: np.ndarray, hp: AdamHyper, lr: Rate, t: int) -> np.ndarray:
    g = with_weight_decay(grad, params, hp.weight_decay)
    return adam_step(g, state, lr, t, hp.betas, hp.eps, hp.amsgrad)


def inspect(state: AdamState, hp: object, lr: Rate, t: int) -> dict[str, np.ndarray]:
    beta1, beta2 = hp.betas
    numbers = {
        "exp_avg": state.exp_avg,
        "exp_avg_sq": state.exp_avg_sq,
        "m_hat": state.exp_avg / (1.0 - beta1**t),
        "v_hat": state.exp_avg_sq / (1.0 - beta2**t),
    }
    if hp.amsgrad:
        numbers["max_exp_avg_sq"] = state.max_exp_avg_sq
    numbers["effective_lr"] = lr / state.denominator
    return numbers


SPEC = OptimizerSpec(
    name="adam",
    label="Adam",
    hyper=AdamHyper,
    init=init,
    update=update,
    inspect=inspect,
    doc=__doc__,
    paper="Kingma & Ba (2015), Adam: A Method for Stochastic Optimization",
    summary="Momentum plus per-coordinate scaling; steady steps of about lr.",
    pytorch="torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)",
)
