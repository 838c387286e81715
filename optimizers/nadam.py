r"""NAdam, ``torch.optim.NAdam``: Adam with Nesterov momentum.

Update rule (PyTorch's notation; :math:`\psi` is ``momentum_decay``):

$$
\begin{aligned}
&\textbf{initialize}:\ m_0 \leftarrow 0,\ v_0 \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0\ \textbf{and}\ \mathit{decoupled\_weight\_decay}:\
       \theta_{t-1} \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1} \\
&\quad \textbf{else if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad \mu_t \leftarrow \beta_1 \big(1 - \tfrac{1}{2}\, 0.96^{t \psi}\big) \\
&\quad \mu_{t+1} \leftarrow \beta_1 \big(1 - \tfrac{1}{2}\, 0.96^{(t+1) \psi}\big) \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad \widehat{m_t} \leftarrow \mu_{t+1} m_t / \big(1 - \textstyle\prod_{i=1}^{t+1} \mu_i\big)
       + (1 - \mu_t) g_t / \big(1 - \textstyle\prod_{i=1}^{t} \mu_i\big) \\
&\quad \widehat{v_t} \leftarrow v_t / (1 - \beta_2^t) \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, \widehat{m_t} / \big(\sqrt{\widehat{v_t}} + \epsilon\big)
\end{aligned}
$$

The Nesterov idea in Adam: the step mixes the momentum one step ahead with the current
gradient. The momentum coefficient μ_t warms up from β₁/2 towards β₁ following Dozat's
schedule, at a speed set by ``momentum_decay`` (PyTorch's default 4e-3). Default lr 2e-3.

Reference: T. Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.common import add_decoupled_decay, column, decay_towards, decay_towards_square, with_weight_decay
from optimizers.hyper import betas_knob, eps_knob, knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class NAdamHyper:
    lr: float = lr_knob(2e-3)
    betas: tuple[float, float] = betas_knob()
    eps: float = eps_knob(1e-8)
    weight_decay: float = weight_decay_knob()
    momentum_decay: float = knob(4e-3, low=0.0, high=100.0, ui_low=0.0, ui_high=0.1,
                                 help="ψ: how fast the momentum coefficient warms up from β₁/2 to β₁.")
    decoupled_weight_decay: bool = knob(False, kind="bool",
                                        help="Shrink the weights directly (AdamW-style) instead of adding λθ to g.")


class NAdamState(NamedTuple):
    exp_avg: np.ndarray  # (N, 2) m_t
    exp_avg_sq: np.ndarray  # (N, 2) v_t
    mu_product: np.ndarray  # (N, 1) ∏ μ_i up to the last step
    denominator: np.ndarray  # (N, 2) sqrt(v̂_t) + eps
    scratch: np.ndarray  # (N, 2)
    step_buffer: np.ndarray  # (N, 2)


def init(params: np.ndarray, hp: NAdamHyper) -> NAdamState:
    zeros = [np.zeros_like(params) for _ in range(5)]
    return NAdamState(zeros[0], zeros[1], np.ones((params.shape[0], 1)), *zeros[2:])


def _mu(beta1: Rate, t: int, momentum_decay: Rate) -> Rate:
    return beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))


def update(grad: np.ndarray, state: NAdamState, params: np.ndarray, hp: NAdamHyper, lr: Rate, t: int) -> np.ndarray:
    g = grad if hp.decoupled_weight_decay else with_weight_decay(grad, params, hp.weight_decay)
    beta1, beta2 = hp.betas
    # mu_product is kept once per start, (N, 1): so are the factors that build it.
    mu = _mu(column(beta1), t, column(hp.momentum_decay))
    mu_next = _mu(column(beta1), t + 1, column(hp.momentum_decay))
    state.mu_product[...] *= mu
    mu_product = state.mu_product
    decay_towards(state.exp_avg, g, beta1, state.scratch)
    decay_towards_square(state.exp_avg_sq, g, beta2, state.scratch)
    denominator = state.denominator
    np.divide(state.exp_avg_sq, 1.0 - beta2**t, out=denominator)
    np.sqrt(denominator, out=denominator)
    denominator += hp.eps
    step = np.multiply(g, lr * (1.0 - mu) / (1.0 - mu_product), out=state.step_buffer)
    step += (lr * mu_next / (1.0 - mu_product * mu_next)) * state.exp_avg
    step /= denominator
    if hp.decoupled_weight_decay:
        add_decoupled_decay(step, params, lr, hp.weight_decay)
    return step


def inspect(state: NAdamState, hp: NAdamHyper, lr: Rate, t: int) -> dict[str, np.ndarray]:
    beta1, beta2 = hp.betas
    return {
        "exp_avg": state.exp_avg,
        "exp_avg_sq": state.exp_avg_sq,
        "mu_t": np.broadcast_to(_mu(column(beta1), t, column(hp.momentum_decay)), state.mu_product.shape),
        "mu_product": state.mu_product,
        "v_hat": state.exp_avg_sq / (1.0 - beta2**t),
        "effective_lr": lr / state.denominator,
    }


SPEC = OptimizerSpec(
    name="nadam",
    label="NAdam",
    hyper=NAdamHyper,
    init=init,
    update=update,
    inspect=inspect,
    doc=__doc__,
    paper="Dozat (2016), Incorporating Nesterov Momentum into Adam",
    summary="Adam with Nesterov's look-ahead momentum.",
    pytorch="torch.optim.NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3)",
)
