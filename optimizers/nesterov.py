r"""SGD with Nesterov momentum, ``torch.optim.SGD(momentum=0.9, nesterov=True)``.

Update rule (PyTorch's notation):

$$
\begin{aligned}
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad \textbf{if}\ t > 1:\ b_t \leftarrow \mu b_{t-1} + g_t \\
&\quad \textbf{else}:\ b_t \leftarrow g_t \\
&\quad g_t \leftarrow g_t + \mu b_t \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, g_t
\end{aligned}
$$

The "look-ahead" form of momentum: the step uses the gradient plus the velocity it is about
to add, which corrects an overshoot one step earlier than heavy-ball momentum does. PyTorch
requires momentum > 0 and dampening = 0 for Nesterov, so there is no dampening here.

Reference: Y. Nesterov, "A method for solving the convex programming problem with
convergence rate O(1/k²)", Soviet Mathematics Doklady 27, 1983; Sutskever et al., ICML 2013.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizers import sgd
from optimizers.hyper import knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class NesterovHyper:
    lr: float = lr_knob(1e-3)
    momentum: float = knob(0.9, low=0.0, low_open=True, high=1.0, ui_low=0.01, ui_high=0.999,
                           help="Momentum factor μ (> 0 for Nesterov): the fraction of the velocity kept each step.")
    weight_decay: float = weight_decay_knob()


def update(grad: np.ndarray, state: sgd.MomentumState, params: np.ndarray, hp: NesterovHyper, lr: Rate, t: int) -> np.ndarray:
    return sgd.update_momentum(grad, state, params, lr, t, hp.momentum, 0.0, True, hp.weight_decay)


SPEC = OptimizerSpec(
    name="nesterov",
    label="Nesterov momentum",
    hyper=NesterovHyper,
    init=sgd.init_momentum,
    update=update,
    inspect=sgd.inspect_momentum,
    doc=__doc__,
    paper="Nesterov (1983); Sutskever et al. (2013)",
    summary="Momentum that looks one step ahead; overshoots less.",
    pytorch="torch.optim.SGD(params, lr=1e-3, momentum=0.9, nesterov=True)",
)
