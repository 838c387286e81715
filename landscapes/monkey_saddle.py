"""The monkey saddle: a flat critical point with three valleys (room for two legs and a tail)."""

from __future__ import annotations

import numpy as np

from landscapes.base import Surface, coordinates, stack_gradient


def value(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return x * x * x - 3.0 * x * y * y


def grad(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return stack_gradient(3.0 * (x * x - y * y), -6.0 * x * y, like=x)


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
    loss_finite_in_limit=True,
    steps=100,
    goal="escape",
    goal_tol=-0.25,
    recommended={
        "sgd": {"lr": 0.01},
        "momentum": {"lr": 0.002, "momentum": 0.9},
        "nesterov": {"lr": 0.002, "momentum": 0.9},
        "adagrad": {"lr": 0.03},
        "rmsprop": {"lr": 0.003},
        "adadelta": {"lr": 3.0, "eps": 1e-06},
        "adam": {"lr": 0.02},
        "amsgrad": {"lr": 0.02},
        "adamax": {"lr": 0.03},
        "adamw": {"lr": 0.02, "weight_decay": 0.01},
        "nadam": {"lr": 0.02},
        "radam": {"lr": 0.07, "betas": (0.9, 0.99)},
        "lookahead": {"inner": "adam", "lr": 0.02},
        "swats": {"lr": 0.02},
    },
    description=(
        "At the origin both the gradient and the Hessian vanish, so even second-order "
        "information cannot tell which way is down. Three valleys fall away from it; a "
        "start on the ridge creeps towards the flat centre before it turns into one of them. A "
        "path has escaped once its loss is below -0.25 (in a valley, at least 0.63 from the "
        "centre). Past that point the slope grows with the square of the distance, so SGD and "
        "momentum blow up within about 1.7 times the steps they took to escape: their recommended "
        "rates make them escape late in the run and have no margin."
    ),
)
