"""Himmelblau's function: four minima of equal depth, so the start decides the answer."""

from __future__ import annotations

import numpy as np

from landscapes.base import Surface, coordinates, empty_gradient


def _terms(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    x, y = coordinates(xy)
    return x, y, x * x + y - 11.0, x + y * y - 7.0


def _gradient(x: np.ndarray, y: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    gradient = empty_gradient(x)
    np.add(4.0 * x * first, 2.0 * second, out=gradient[..., 0])
    np.add(2.0 * first, 4.0 * y * second, out=gradient[..., 1])
    return gradient


def _loss(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return first * first + second * second


def value_and_grad(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y, first, second = _terms(xy)
    return _loss(first, second), _gradient(x, y, first, second)


def value(xy: np.ndarray) -> np.ndarray:
    return _loss(*_terms(xy)[2:])


def grad(xy: np.ndarray) -> np.ndarray:
    return _gradient(*_terms(xy))


SURFACE = Surface(
    name="himmelblau",
    label="Himmelblau (four minima)",
    latex=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    value=value,
    grad=grad,
    value_and_grad_fn=value_and_grad,
    x_range=(-5.0, 5.0),
    y_range=(-5.0, 5.0),
    start=(-0.5, -0.5),
    minima=(
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.283185991286169),
        (3.5844283403304917, -1.8481265269644034),
    ),
    log_levels=True,
    loss_finite_in_limit=True,
    steps=200,
    goal="minimum",
    goal_tol=0.05,
    recommended={
        "sgd": {"lr": 0.007},
        "momentum": {"lr": 0.003, "momentum": 0.5},
        "nesterov": {"lr": 0.003, "momentum": 0.5},
        "adagrad": {"lr": 0.3},
        "rmsprop": {"lr": 0.03},
        "adadelta": {"lr": 3.0, "eps": 1e-06},
        "adam": {"lr": 0.05},
        "amsgrad": {"lr": 0.05},
        "adamax": {"lr": 0.07},
        "adamw": {"lr": 0.1, "weight_decay": 0.01},
        "nadam": {"lr": 0.2},
        "radam": {"lr": 0.03, "betas": (0.9, 0.99)},
        "lookahead": {"inner": "adam", "lr": 0.05},
        "swats": {"lr": 0.05},
    },
    description=(
        "Four minima, all with loss 0, and a local maximum near (-0.27, -0.92). Which minimum "
        "a path reaches depends on where it starts and on the optimizer's momentum. From the "
        "default start every optimizer at its recommended settings takes the short way, to the "
        "minimum near (-2.81, 3.13)."
    ),
)
