r"""What theory says about gradient descent and heavy-ball momentum on a quadratic.

On :math:`f(\theta) = \tfrac12 \theta^\top H \theta + b^\top\theta` the gradient is linear, so
both methods are linear iterations and their fate is decided by the Hessian's eigenvalues
:math:`\lambda_i`. PyTorch's momentum (:math:`b_t = \mu b_{t-1} + g_t`,
:math:`\theta_t = \theta_{t-1} - \gamma b_t`, :math:`b_1 = g_1`) is exactly Polyak's heavy ball
with step :math:`\gamma` and momentum :math:`\mu`: along each eigen-direction the error obeys

.. math:: e_{t+1} = (1 + \mu - \gamma\lambda)\, e_t - \mu\, e_{t-1},

whose rate is the spectral radius of :math:`\begin{pmatrix} 1+\mu-\gamma\lambda & -\mu \\ 1 & 0
\end{pmatrix}`. It converges iff :math:`0 \le \mu < 1` and :math:`0 < \gamma\lambda < 2(1+\mu)` for
every eigenvalue; the best choice is :math:`\gamma^* = \big(2 / (\sqrt{\lambda_{max}} +
\sqrt{\lambda_{min}})\big)^2`, :math:`\mu^* = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2` with
:math:`\kappa = \lambda_{max}/\lambda_{min}`, for the rate :math:`\sqrt{\mu^*}`. Plain gradient
descent (:math:`\mu = 0`) needs :math:`\gamma < 2/\lambda_{max}` and is fastest at
:math:`2/(\lambda_{min} + \lambda_{max})`, rate :math:`(\kappa - 1)/(\kappa + 1)`.

Reference: B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
1964; G. Goh, "Why Momentum Really Works", Distill, 2017.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Quadratic:
    """A 2x2 Hessian, its eigen-decomposition and what follows from it."""

    hessian: np.ndarray  # (2, 2), symmetric
    eigenvalues: np.ndarray  # (2,), ascending
    eigenvectors: np.ndarray  # (2, 2), column k belongs to eigenvalues[k]

    @property
    def positive_definite(self) -> bool:
        return bool(self.eigenvalues[0] > 0)

    @property
    def condition_number(self) -> float:
        """λmax / λmin, or inf when the quadratic is not positive definite (no minimum)."""
        return float(self.eigenvalues[1] / self.eigenvalues[0]) if self.positive_definite else float("inf")

    @property
    def sgd_max_lr(self) -> float | None:
        """Gradient descent converges for 0 < lr < 2/λmax (None: it never does)."""
        return float(2.0 / self.eigenvalues[1]) if self.positive_definite else None

    @property
    def sgd_best_lr(self) -> float | None:
        return float(2.0 / (self.eigenvalues[0] + self.eigenvalues[1])) if self.positive_definite else None

    @property
    def sgd_best_rate(self) -> float | None:
        kappa = self.condition_number
        return float((kappa - 1) / (kappa + 1)) if self.positive_definite else None

    @property
    def momentum_best(self) -> tuple[float, float] | None:
        """(lr*, momentum*) for the heavy ball, or None without a minimum."""
        if not self.positive_definite:
            return None
        low, high = np.sqrt(self.eigenvalues)
        return float((2.0 / (low + high)) ** 2), float(((high - low) / (high + low)) ** 2)

    def momentum_max_lr(self, momentum: Any) -> np.ndarray | None:
        """The convergence boundary: lr < 2(1 + μ)/λmax, for each momentum μ in [0, 1)."""
        if not self.positive_definite:
            return None
        return 2.0 * (1.0 + np.asarray(momentum, dtype=float)) / self.eigenvalues[1]

    @property
    def momentum_best_rate(self) -> float | None:
        """The heavy ball's rate at (lr*, momentum*): sqrt(momentum*) = (sqrt κ - 1)/(sqrt κ + 1)."""
        best = self.momentum_best
        return None if best is None else float(np.sqrt(best[1]))

    def sgd_rate(self, lr: Any) -> np.ndarray:
        """Gradient descent's per-step contraction, max over i of |1 - lr λ_i|, for each lr."""
        return self.momentum_rate(lr, 0.0)

    def momentum_rates(self, lr: Any, momentum: Any) -> np.ndarray:
        """Per-step contraction along each eigen-direction, shape ``(..., 2)`` (ascending λ):
        the spectral radius of [[1 + μ - lr λ_i, -μ], [1, 0]], broadcast over ``lr`` and ``momentum``."""
        lr, momentum = np.broadcast_arrays(np.asarray(lr, dtype=float), np.asarray(momentum, dtype=float))
        return np.stack([_radius(1.0 + momentum - lr * eigenvalue, momentum) for eigenvalue in self.eigenvalues],
                        axis=-1)

    def momentum_rate(self, lr: Any, momentum: Any) -> np.ndarray:
        """Worst per-step contraction over the eigen-directions (< 1 converges), broadcast over
        arrays of ``lr`` and ``momentum``: a 100 x 100 heatmap is one call. 1 or more means no
        convergence, as everywhere on an indefinite Hessian (a saddle); never NaN."""
        return self.momentum_rates(lr, momentum).max(axis=-1)

    def momentum_converges(self, lr: Any, momentum: Any) -> np.ndarray:
        """Where the heavy ball converges: 0 <= μ < 1 and 0 < lr λ_i < 2 (1 + μ) for every λ_i.
        All False without a minimum (an indefinite or singular Hessian)."""
        lr, momentum = np.broadcast_arrays(np.asarray(lr, dtype=float), np.asarray(momentum, dtype=float))
        if not self.positive_definite:
            return np.zeros(lr.shape, dtype=bool)
        return (momentum >= 0) & (momentum < 1) & (lr > 0) & (lr * self.eigenvalues[1] < 2.0 * (1.0 + momentum))


def quadratic(hessian: Any) -> Quadratic:
    """The eigen-decomposition of a symmetric 2x2 Hessian (ValueError for anything else)."""
    try:
        matrix = np.asarray(hessian, dtype=float)
    except (TypeError, ValueError):
        matrix = np.zeros(0)
    if matrix.shape != (2, 2) or not np.all(np.isfinite(matrix)) or not np.allclose(matrix, matrix.T):
        raise ValueError(f"Invalid hessian: {hessian!r}. It must be a symmetric 2x2 matrix of finite numbers.")
    values, vectors = np.linalg.eigh(matrix)
    return Quadratic(matrix, values, vectors)


def _radius(trace: np.ndarray, determinant: np.ndarray) -> np.ndarray:
    """Spectral radius of [[trace, -det], [1, 0]]: the larger |root| of z² - trace·z + det."""
    discriminant = trace * trace - 4.0 * determinant
    real = np.sqrt(np.maximum(discriminant, 0.0))
    with np.errstate(invalid="ignore"):
        real_roots = np.maximum(np.abs(trace + real), np.abs(trace - real)) / 2.0
    complex_modulus = np.sqrt(np.maximum(determinant, 0.0))
    return np.where(discriminant >= 0, real_roots, complex_modulus)
