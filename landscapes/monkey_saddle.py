"""The monkey saddle: a flat critical point with three valleys (room for two legs and a tail)."""

from __future__ import annotations

import numpy as np

from landscapes.base import Surface, coordinates, stack_gradient


def value(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return x * x * x - 3.0 * x * y * y


def grad(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return stack_gradient(3.0 * (x * x - y * y), -6.0 * x * y)


SURFACE = Surface(
    name="monkey_saddle",
    label="Monkey saddle  x³ − 3xy²",
    latex=r"f(x, y) = x^3 - 3 x y^2",
    value=value,
    grad=grad,
    x_range=(-1.5, 1.5),
    y_range=(-1.5, 1.5),
    start=(0.8, 0.05),
    minima=(),
    steps=200,
    goal="escape",
    goal_tol=-1.0,
    recommended={
        "sgd": {"lr": 0.007},
        "momentum": {"lr": 0.0007},
        "nesterov": {"lr": 0.0007},
        "adagrad": {"lr": 0.2},
        "rmsprop": {"lr": 0.02},
        "adadelta": {"lr": 0.5},
        "adam": {"lr": 0.05},
        "amsgrad": {"lr": 0.05},
        "adamax": {"lr": 0.07},
        "adamw": {"lr": 0.05},
        "nadam": {"lr": 0.05},
        "radam": {"lr": 0.05},
        "lookahead": {"lr": 0.07},
        "swats": {"lr": 0.05},
    },
    description=(
        "At the origin both the gradient and the Hessian vanish, so even second-order "
        "information cannot tell which way is down. Three valleys fall away from it; a "
        "start on the ridge creeps towards the flat centre before it turns into one of them."
    ),
)
