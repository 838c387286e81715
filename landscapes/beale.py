"""Beale's function: flat plateaus and sharp ridges meeting at the corners of the window."""

from __future__ import annotations

import numpy as np

from landscapes.base import Surface, coordinates, empty_gradient


def _terms(xy: np.ndarray) -> tuple[np.ndarray, ...]:
    x, y = coordinates(xy)
    y2 = y * y
    first = 1.5 - x + x * y
    second = 2.25 - x + x * y2
    third = 2.625 - x + x * y2 * y
    return x, y, y2, first, second, third


def _gradient(x: np.ndarray, y: np.ndarray, y2: np.ndarray, first: np.ndarray, second: np.ndarray,
              third: np.ndarray) -> np.ndarray:
    gradient = empty_gradient(x)
    np.multiply(2.0, first * (y - 1.0) + second * (y2 - 1.0) + third * (y2 * y - 1.0), out=gradient[..., 0])
    np.multiply(2.0 * x, first + 2.0 * y * second + 3.0 * y2 * third, out=gradient[..., 1])
    return gradient


def _loss(first: np.ndarray, second: np.ndarray, third: np.ndarray) -> np.ndarray:
    return first * first + second * second + third * third


def value(xy: np.ndarray) -> np.ndarray:
    return _loss(*_terms(xy)[3:])


def value_and_grad(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    terms = _terms(xy)
    return _loss(*terms[3:]), _gradient(*terms)


def grad(xy: np.ndarray) -> np.ndarray:
    return _gradient(*_terms(xy))


SURFACE = Surface(
    name="beale",
    label="Beale",
    latex=(
        r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"
    ),
    value=value,
    grad=grad,
    value_and_grad_fn=value_and_grad,
    x_range=(-4.5, 4.5),
    y_range=(-4.5, 4.5),
    start=(1.0, 1.5),
    minima=((3.0, 0.5),),
    log_levels=True,
    loss_finite_in_limit=True,
    steps=1200,
    goal="minimum",
    goal_tol=0.05,
    recommended={
        "sgd": {"lr": 0.015},
        "momentum": {"lr": 0.01, "momentum": 0.5},
        "nesterov": {"lr": 0.01, "momentum": 0.5},
        "adagrad": {"lr": 1.0},
        "rmsprop": {"lr": 0.01},
        "adadelta": {"lr": 0.03, "eps": 0.01},
        "adam": {"lr": 0.1},
        "amsgrad": {"lr": 0.1},
        "adamax": {"lr": 0.3},
        "adamw": {"lr": 0.1, "weight_decay": 0.001},
        "nadam": {"lr": 0.15},
        "radam": {"lr": 0.007, "betas": (0.9, 0.99)},
        "lookahead": {"inner": "adam", "lr": 0.1},
        "swats": {"lr": 0.1},
    },
    description=(
        "A wide, nearly flat basin around the minimum at (3, 0.5), surrounded by walls whose "
        "gradients grow like y⁶. Too large a step on a wall throws a path far out of the window."
    ),
)
