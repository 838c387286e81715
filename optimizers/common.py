"""Small pieces of arithmetic that several update rules share."""

from __future__ import annotations

import numpy as np

from optimizers.hyper import is_zero


def column(value: float | np.ndarray) -> float | np.ndarray:
    """A per-start hyperparameter as one column ``(N, 1)``, for state kept once per start.

    Per-start values arrive as ``(N, 2)`` with equal columns (see ``hyper._numeric``); numbers
    pass through unchanged.
    """
    return value[:, :1] if isinstance(value, np.ndarray) and value.ndim == 2 else value


def with_weight_decay(grad: np.ndarray, params: np.ndarray, weight_decay: float | np.ndarray) -> np.ndarray:
    """PyTorch's coupled L2 penalty: g + λθ (a new array; ``grad`` is left alone)."""
    if is_zero(weight_decay):
        return grad
    return grad + weight_decay * params


def decay_towards(average: np.ndarray, sample: np.ndarray, rate: float | np.ndarray, scratch: np.ndarray) -> None:
    """In place: average <- rate·average + (1 - rate)·sample, as PyTorch's ``lerp_`` does."""
    np.subtract(sample, average, out=scratch)
    scratch *= 1.0 - rate
    average += scratch


def decay_towards_square(average: np.ndarray, sample: np.ndarray, rate: float | np.ndarray, scratch: np.ndarray) -> None:
    """In place: average <- rate·average + (1 - rate)·sample²."""
    np.multiply(sample, sample, out=scratch)
    scratch -= average
    scratch *= 1.0 - rate
    average += scratch


def add_decoupled_decay(step: np.ndarray, params: np.ndarray, lr: float | np.ndarray, weight_decay: float | np.ndarray) -> None:
    """In place: fold AdamW's θ ← θ − γλθ into a step Δ of θ ← θ − Δ (nothing to do when λ = 0)."""
    if not is_zero(weight_decay):
        step += (lr * weight_decay) * params
