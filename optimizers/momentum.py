r"""SGD with (heavy-ball) momentum, ``torch.optim.SGD(momentum=0.9)``.

Update rule (PyTorch's notation; :math:`\mu` is ``momentum``, :math:`\tau` is ``dampening``):

$$
\begin{aligned}
&\textbf{for}\ t = 1, 2, \ldots\ \textbf{do} \\
&\quad g_t \leftarrow \nabla_\theta f_t(\theta_{t-1}) \\
&\quad \textbf{if}\ \lambda \neq 0:\ g_t \leftarrow g_t + \lambda \theta_{t-1} \\
&\quad \textbf{if}\ t > 1:\ b_t \leftarrow \mu b_{t-1} + (1 - \tau) g_t \\
&\quad \textbf{else}:\ b_t \leftarrow g_t \\
&\quad \theta_t \leftarrow \theta_{t-1} - \gamma\, b_t
\end{aligned}
$$

The buffer ``b`` is a running sum of past gradients: components that keep their sign (along
a ravine) build up speed, components that flip sign (across it) cancel out. With dampening 0
this is the textbook form v ← αv − ηg, W ← W + v with v = −γb (the test suite checks the two
agree step for step). PyTorch's default momentum is 0 (plain SGD); this entry starts at the
value everyone uses, 0.9. The effective step on a long slope is γ/(1 − μ), ten times γ at 0.9.

Reference: B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
USSR Computational Mathematics and Mathematical Physics 4(5), 1964; I. Sutskever et al.,
"On the importance of initialization and momentum in deep learning", ICML 2013.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizers import sgd
from optimizers.hyper import knob, lr_knob, weight_decay_knob
from optimizers.spec import OptimizerSpec, Rate


@dataclass(frozen=True)
class MomentumHyper:
    lr: float = lr_knob(1e-3)
    momentum: float = knob(0.9, low=0.0, high=1.0, ui_low=0.0, ui_high=0.999,
                           help="Momentum factor μ: the fraction of the previous velocity kept each step.")
    dampening: float = knob(0.0, low=0.0, high=1.0, ui_low=0.0, ui_high=1.0,
                            help="Dampening τ: scales each new gradient by (1 − τ) before it joins the velocity.")
    weight_decay: float = weight_decay_knob()


def update(grad: np.ndarray, state: sgd.MomentumState, params: np.ndarray, hp: MomentumHyper, lr: Rate, t: int) -> np.ndarray:
    return sgd.update_momentum(grad, state, params, lr, t, hp.momentum, hp.dampening, False, hp.weight_decay)


SPEC = OptimizerSpec(
    name="momentum",
    label="SGD + momentum",
    hyper=MomentumHyper,
    init=sgd.init_momentum,
    update=update,
    inspect=sgd.inspect_momentum,
    doc=__doc__,
    paper="Polyak (1964); Sutskever et al. (2013)",
    summary="A heavy ball: builds speed along consistent slopes, damps the zig-zag.",
    pytorch="torch.optim.SGD(params, lr=1e-3, momentum=0.9, dampening=0)",
)
