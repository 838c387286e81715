r"""SWATS: start with Adam, switch to SGD once Adam's step settles ("Switching from Adam to SGD").

Update rule (the paper's Algorithm 1, per start point; p·g is a dot product over the two
coordinates; :math:`\epsilon_s` is ``switch_tol``):

$$
\begin{aligned}
&\textbf{initialize}:\ m_0 \leftarrow 0,\ a_0 \leftarrow 0,\ \lambda_0 \leftarrow 0,\ v_0 \leftarrow 0,\ \mathit{phase} \leftarrow \text{Adam} \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \quad (+\,\lambda_{wd} \theta_{t-1}\ \text{if weight decay}) \\
&\quad \textbf{if}\ \mathit{phase} = \text{SGD}: \\
&\qquad v_t \leftarrow \beta_1 v_{t-1} + g_t,\quad \theta_t \leftarrow \theta_{t-1} - (1 - \beta_1)\, \Lambda\, v_t \\
&\quad \textbf{else}: \\
&\qquad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t,\quad a_t \leftarrow \beta_2 a_{t-1} + (1 - \beta_2) g_t^2 \\
&\qquad p_t \leftarrow -\gamma\, \frac{\sqrt{1 - \beta_2^t}}{1 - \beta_1^t}\, \frac{m_t}{\sqrt{a_t} + \epsilon},\quad \theta_t \leftarrow \theta_{t-1} + p_t \\
&\qquad \textbf{if}\ p_t \cdot g_t \neq 0: \\
&\qquad\quad \gamma_t \leftarrow \frac{p_t \cdot p_t}{-\,p_t \cdot g_t},\quad \lambda_t \leftarrow \beta_2 \lambda_{t-1} + (1 - \beta_2) \gamma_t \\
&\qquad\quad \textbf{if}\ t > 1\ \textbf{and}\ \big|\lambda_t / (1 - \beta_2^t) - \gamma_t\big| < \epsilon_s: \\
&\qquad\qquad \mathit{phase} \leftarrow \text{SGD},\ \Lambda \leftarrow \lambda_t / (1 - \beta_2^t)
\end{aligned}
$$

γ_t is the SGD learning rate whose step, projected on Adam's step p_t, would equal it; λ is its
bias-corrected running average. When that average stops moving (the estimate has settled),
SWATS hands over to SGD with momentum at the learning rate Λ, keeping Adam's fast start and
SGD's steadier finish. The step at which each start switched is reported on the trajectory
as ``switched_at`` (-1 if it never did). A learning-rate schedule scales Λ as it scales lr.
A negative estimate (Adam's step pointing uphill) never triggers the switch. Not part of
torch.optim; ``switch_tol`` is the paper's ε, whose value 1e-9 it also uses for Adam's eps.

Reference: N. S. Keskar and R. Socher, "Improving Generalization Performance by Switching
from Adam to SGD", arXiv:1712.07628, 2017.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.common import column, decay_towards, decay_towards_square, with_weight_decay
from optimizers.hyper import betas_knob, eps_knob, knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class SWATSHyper:
    lr: float = lr_knob(1e-3)
    betas: tuple[float, float] = betas_knob()
    eps: float = eps_knob(1e-9)
    weight_decay: float = weight_decay_knob()
    switch_tol: float = knob(1e-9, low=0.0, low_open=True, high=10.0, ui_low=1e-12, ui_high=1.0, log=True,
                             help="ε of the switching test: switch once the averaged SGD rate is this close to its latest estimate.")


class SWATSState(NamedTuple):
    exp_avg: np.ndarray  # (N, 2) m_t, Adam's first moment
    exp_avg_sq: np.ndarray  # (N, 2) a_t, Adam's second moment
    sgd_lr_avg: np.ndarray  # (N, 1) λ_t, running average of the projected SGD rate
    sgd_lr_estimate: np.ndarray  # (N, 1) γ_t of the last Adam step
    sgd_lr: np.ndarray  # (N, 1) Λ, frozen at the switch
    velocity: np.ndarray  # (N, 2) v_t of the SGD phase
    switched: np.ndarray  # (N, 1) bool, True once in the SGD phase
    switched_at: np.ndarray  # (N,) int, step of the switch or -1
    scratch: np.ndarray  # (N, 2)
    step_buffer: np.ndarray  # (N, 2)


def init(params: np.ndarray, hp: SWATSHyper) -> SWATSState:
    rows = params.shape[0]
    column = [np.zeros((rows, 1)) for _ in range(3)]
    return SWATSState(
        np.zeros_like(params), np.zeros_like(params), *column, np.zeros_like(params),
        np.zeros((rows, 1), dtype=bool), np.full(rows, -1, dtype=np.int64),
        np.zeros_like(params), np.zeros_like(params),
    )


def update(grad: np.ndarray, state: SWATSState, params: np.ndarray, hp: SWATSHyper, lr: Rate, t: int) -> np.ndarray:
    g = with_weight_decay(grad, params, hp.weight_decay)
    beta1, beta2 = hp.betas
    switched = state.switched
    adam_step = state.step_buffer
    decay_towards(state.exp_avg, g, beta1, state.scratch)
    decay_towards_square(state.exp_avg_sq, g, beta2, state.scratch)
    np.sqrt(state.exp_avg_sq, out=adam_step)
    adam_step += hp.eps
    np.divide(state.exp_avg, adam_step, out=adam_step)
    adam_step *= lr * np.sqrt(1.0 - beta2**t) / (1.0 - beta1**t)  # −p_t: the runner subtracts its step

    projected = np.sum(adam_step * g, axis=1, keepdims=True)  # −p_t·g_t
    moving = (projected != 0.0) & ~switched
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = np.where(moving, np.sum(adam_step * adam_step, axis=1, keepdims=True) / projected, 0.0)
    state.sgd_lr_estimate[...] = np.where(moving, estimate, state.sgd_lr_estimate)
    # The projected rate is one number per start, (N, 1): so are the factors that average it.
    beta2_once, switch_tol = column(beta2), column(hp.switch_tol)
    state.sgd_lr_avg[...] = np.where(moving, beta2_once * state.sgd_lr_avg + (1.0 - beta2_once) * estimate,
                                     state.sgd_lr_avg)
    corrected = state.sgd_lr_avg / (1.0 - beta2_once**t)

    if switched.any():
        state.velocity[...] = np.where(switched, beta1 * state.velocity + g, state.velocity)
        schedule_scale = lr / hp.lr
        sgd_step = (1.0 - beta1) * state.sgd_lr * schedule_scale * state.velocity
        np.copyto(adam_step, sgd_step, where=np.broadcast_to(switched, adam_step.shape))

    if t > 1:
        switch_now = moving & (corrected > 0.0) & (np.abs(corrected - estimate) < switch_tol)
        if switch_now.any():
            state.sgd_lr[...] = np.where(switch_now, corrected, state.sgd_lr)
            state.switched_at[switch_now[:, 0]] = t
            switched |= switch_now
    return adam_step


def inspect(state: SWATSState, hp: SWATSHyper, lr: Rate, t: int) -> dict[str, np.ndarray]:
    return {
        "exp_avg": state.exp_avg,
        "exp_avg_sq": state.exp_avg_sq,
        "sgd_lr_estimate": state.sgd_lr_estimate,
        "sgd_lr_avg": state.sgd_lr_avg,
        "sgd_lr": state.sgd_lr,
        "in_sgd_phase": state.switched.astype(float),
    }


def events(state: SWATSState, hp: SWATSHyper) -> dict[str, np.ndarray]:
    return {"switched_at": state.switched_at}


SPEC = OptimizerSpec(
    name="swats",
    label="SWATS (Adam → SGD)",
    hyper=SWATSHyper,
    init=init,
    update=update,
    inspect=inspect,
    doc=__doc__,
    paper="Keskar & Socher (2017), Improving Generalization Performance by Switching from Adam to SGD",
    summary="Adam first, then SGD with momentum at a learning rate Adam's steps suggest.",
    pytorch="(not in torch.optim)",
    events=events,
)
