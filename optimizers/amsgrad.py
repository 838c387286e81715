r"""AMSGrad, ``torch.optim.Adam(amsgrad=True)``.

Update rule (PyTorch's notation):

$$
\begin{aligned}
&\textbf{initialize}:\ m_0 \leftarrow 0,\ v_0 \leftarrow 0,\ v_0^{max} \leftarrow 0 \\
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad m_t \leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t \\
&\quad v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
&\quad \widehat{m_t} \leftarrow m_t / (1 - \beta_1^t) \\
&\quad v_t^{max} \leftarrow \max(v_{t-1}^{max}, v_t) \\
&\quad \widehat{v_t} \leftarrow v_t^{max} / (1 - \beta_2^t) \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, \widehat{m_t} / \big(\sqrt{\widehat{v_t}} + \epsilon\big)
\end{aligned}
$$

Adam whose denominator never shrinks: it keeps the largest second moment seen so far, so a
rare large gradient keeps damping later steps. This repairs a counter-example in which Adam
does not converge. As in PyTorch, the maximum is taken over the raw ``v_t`` and bias-corrected
afterwards.

Reference: S. J. Reddi, S. Kale and S. Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizers import adam
from optimizers.common import with_weight_decay
from optimizers.hyper import betas_knob, eps_knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class AMSGradHyper:
    lr: float = lr_knob(1e-3)
    betas: tuple[float, float] = betas_knob()
    eps: float = eps_knob(1e-8)
    weight_decay: float = weight_decay_knob()

    amsgrad = True  # a class constant, not a field: this entry is always AMSGrad


def update(grad: np.ndarray, state: adam.AdamState, params: np.ndarray, hp: AMSGradHyper, lr: Rate, t: int) -> np.ndarray:
    g = with_weight_decay(grad, params, hp.weight_decay)
    return adam.adam_step(g, state, lr, t, hp.betas, hp.eps, True)


SPEC = OptimizerSpec(
    name="amsgrad",
    label="AMSGrad",
    hyper=AMSGradHyper,
    init=adam.init,
    update=update,
    inspect=adam.inspect,
    doc=__doc__,
    paper="Reddi, Kale & Kumar (2018), On the Convergence of Adam and Beyond",
    summary="Adam whose denominator never shrinks.",
    pytorch="torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=True)",
)
