r"""AdamW, ``torch.optim.AdamW``: Adam with decoupled weight decay.

Update rule (PyTorch's notation):

$$
\begin{aligned}
&\textbf{initialize}:\ m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ v_0^{max} \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma \lambda \theta_{t-1} \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad \widehat{m_t} \leftarrow m_t / (1 - \beta_1^t) \\
&\quad \textbf{if}\ \mathit{amsgrad}:\ v_t^{max} \leftarrow \max(v_{t-1}^{max}, v_t),\ \
       \widehat{v_t} \leftarrow v_t^{max} / (1 - \beta_2^t) \\
&\quad \textbf{else}:\ \widehat{v_t} \leftarrow v_t / (1 - \beta_2^t) \\
&\quad \theta_t \leftarrow \theta_t - \gamma\, \widehat{m_t} / \big(\sqrt{\widehat{v_t}} + \epsilon\big)
\end{aligned}
$$

In Adam, an L2 penalty added to the gradient is divided by sqrt(v̂) like the rest of the
gradient, so coordinates with large gradients are barely regularised. AdamW shrinks the
parameters directly instead, by the same fraction γλ everywhere. Note PyTorch's default
``weight_decay`` here is 0.01, not 0: on a test surface this pulls the path slightly
towards the origin, so the end point is not exactly the minimum.

Reference: I. Loshchilov and F. Hutter, "Decoupled Weight Decay Regularization", ICLR 2019,
arXiv:1711.05101.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizers import adam
from optimizers.common import add_decoupled_decay
from optimizers.hyper import betas_knob, eps_knob, knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class AdamWHyper:
    lr: float = lr_knob(1e-3)
    betas: tuple[float, float] = betas_knob()
    eps: float = eps_knob(1e-8)
    weight_decay: float = weight_decay_knob(1e-2, decoupled=True)
    amsgrad: bool = knob(False, kind="bool",
                         help="Use the running maximum of v (AMSGrad) so the step size never grows back.")


def update(grad: np.ndarray, state: adam.AdamState, params: np.ndarray, hp: AdamWHyper, lr: Rate, t: int) -> np.ndarray:
    step = adam.adam_step(grad, state, lr, t, hp.betas, hp.eps, hp.amsgrad)
    add_decoupled_decay(step, params, lr, hp.weight_decay)
    return step


SPEC = OptimizerSpec(
    name="adamw",
    label="AdamW",
    hyper=AdamWHyper,
    init=adam.init,
    update=update,
    inspect=adam.inspect,
    doc=__doc__,
    paper="Loshchilov & Hutter (2019), Decoupled Weight Decay Regularization",
    summary="Adam with weight decay applied to the weights, not the gradient.",
    pytorch="torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False)",
)
