r"""RAdam, ``torch.optim.RAdam``: Adam with a rectified (warmed-up) adaptive step.

Update rule (PyTorch's notation):

$$
\begin{aligned}
&\textbf{initialize}:\ m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ \rho_\infty \leftarrow 2 / (1 - \beta_2) - 1 \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0\ \textbf{and}\ \mathit{decoupled\_weight\_decay}:\
       \theta_{t-1} \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1} \\
&\quad \textbf{else if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad \widehat{m_t} \leftarrow m_t / (1 - \beta_1^t) \\
&\quad \rho_t \leftarrow \rho_\infty - 2 t \beta_2^t / (1 - \beta_2^t) \\
&\quad \textbf{if}\ \rho_t > 5: \\
&\qquad l_t \leftarrow \sqrt{1 - \beta_2^t} / \big(\sqrt{v_t} + \epsilon\big) \\
&\qquad r_t \leftarrow \sqrt{\frac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}{(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}} \\
&\qquad \theta_t \leftarrow \theta_{t-1} - \gamma\, \widehat{m_t}\, r_t\, l_t \\
&\quad \textbf{else}:\ \theta_t \leftarrow \theta_{t-1} - \gamma\, \widehat{m_t}
\end{aligned}
$$

Early on, v̂ averages only a few gradients and its variance is huge, so Adam's first steps are
erratic. RAdam takes plain momentum steps (no division by sqrt(v̂)) until the variance can be
estimated (ρ_t > 5, which PyTorch's threshold first allows at step 6), then switches the
adaptive step on, scaled by the rectification r_t which rises towards 1. Beware: those first
steps are ``lr`` times the raw gradient, so on a steep surface such as Rosenbrock a learning
rate that suits Adam can throw RAdam far away before the adaptive step starts.

Reference: L. Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond",
ICLR 2020, arXiv:1908.03265.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.common import add_decoupled_decay, column, decay_towards, decay_towards_square, with_weight_decay
from optimizers.hyper import betas_knob, eps_knob, knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate

RECTIFY_ABOVE = 5.0  # PyTorch's threshold on ρ_t (the paper's is 4)


@dataclass(frozen=True)
class RAdamHyper:
    lr: float = lr_knob(1e-3)
    betas: tuple[float, float] = betas_knob()
    eps: float = eps_knob(1e-8)
    weight_decay: float = weight_decay_knob()
    decoupled_weight_decay: bool = knob(False, kind="bool",
                                        help="Shrink the weights directly (AdamW-style) instead of adding λθ to g.")


class RAdamState(NamedTuple):
    exp_avg: np.ndarray  # (N, 2) m_t
    exp_avg_sq: np.ndarray  # (N, 2) v_t
    rectification: np.ndarray  # (N, 1) r_t of the last step, 0 while unrectified
    scratch: np.ndarray  # (N, 2)
    step_buffer: np.ndarray  # (N, 2)


def init(params: np.ndarray, hp: RAdamHyper) -> RAdamState:
    zeros = [np.zeros_like(params) for _ in range(4)]
    return RAdamState(zeros[0], zeros[1], np.zeros((params.shape[0], 1)), zeros[2], zeros[3])


def _rho(beta2: Rate, t: int) -> tuple[Rate, Rate]:
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    return rho_inf, rho_inf - 2.0 * t * beta2**t / (1.0 - beta2**t)


def update(grad: np.ndarray, state: RAdamState, params: np.ndarray, hp: RAdamHyper, lr: Rate, t: int) -> np.ndarray:
    g = grad if hp.decoupled_weight_decay else with_weight_decay(grad, params, hp.weight_decay)
    beta1, beta2 = hp.betas
    decay_towards(state.exp_avg, g, beta1, state.scratch)
    decay_towards_square(state.exp_avg_sq, g, beta2, state.scratch)
    rho_inf, rho_t = _rho(column(beta2), t)  # the rectification is kept once per start, (N, 1)
    rectified = np.asarray(rho_t > RECTIFY_ABOVE)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (rho_t - 4.0) * (rho_t - 2.0) * rho_inf / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)
        state.rectification[...] = np.where(rectified, np.sqrt(np.where(rectified, ratio, 0.0)), 0.0)
    step = np.multiply(state.exp_avg, lr / (1.0 - beta1**t), out=state.step_buffer)
    if rectified.any():
        adaptive = state.scratch
        np.sqrt(state.exp_avg_sq, out=adaptive)
        adaptive += hp.eps
        np.divide(np.sqrt(1.0 - beta2**t), adaptive, out=adaptive)
        adaptive *= state.rectification
        # Rows not yet rectified keep the plain momentum step (factor 1).
        step *= np.where(rectified, adaptive, 1.0) if rectified.ndim else adaptive
    if hp.decoupled_weight_decay:
        add_decoupled_decay(step, params, lr, hp.weight_decay)
    return step


def inspect(state: RAdamState, hp: RAdamHyper, lr: Rate, t: int) -> dict[str, np.ndarray]:
    beta1, beta2 = hp.betas
    _, rho_t = _rho(column(beta2), t)
    return {
        "exp_avg": state.exp_avg,
        "exp_avg_sq": state.exp_avg_sq,
        "m_hat": state.exp_avg / (1.0 - beta1**t),
        "rho_t": np.broadcast_to(rho_t, state.rectification.shape),
        "rectification": state.rectification,
    }


SPEC = OptimizerSpec(
    name="radam",
    label="RAdam",
    hyper=RAdamHyper,
    init=init,
    update=update,
    inspect=inspect,
    doc=__doc__,
    paper="Liu et al. (2020), On the Variance of the Adaptive Learning Rate and Beyond",
    summary="Momentum steps first, then Adam's adaptive step, rectified as its variance settles.",
    pytorch="torch.optim.RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)",
)
