"""Rastrigin's function: a bowl covered in ripples, one local minimum per integer point."""

from __future__ import annotations

import numpy as np

from landscapes.base import Surface, coordinates, stack_gradient

RIPPLE = 10.0
TWO_PI = 2.0 * np.pi


def value(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return (
        2.0 * RIPPLE
        + x * x
        - RIPPLE * np.cos(TWO_PI * x)
        + y * y
        - RIPPLE * np.cos(TWO_PI * y)
    )


def grad(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return stack_gradient(
        2.0 * x + RIPPLE * TWO_PI * np.sin(TWO_PI * x),
        2.0 * y + RIPPLE * TWO_PI * np.sin(TWO_PI * y),
        like=x,
    )


SURFACE = Surface(
    name="rastrigin",
    label="Rastrigin (many local minima)",
    latex=r"f(x, y) = 20 + \sum_{u \in \{x, y\}} \left(u^2 - 10 \cos 2\pi u\right)",
    value=value,
    grad=grad,
    x_range=(-5.12, 5.12),
    y_range=(-5.12, 5.12),
    start=(3.2, 2.3),
    minima=((0.0, 0.0),),
    loss_finite_in_limit=True,
    steps=400,
    goal="local",
    goal_tol=1.0,
    recommended={
        "sgd": {"lr": 0.0005},
        "momentum": {"lr": 0.0002, "momentum": 0.5},
        "nesterov": {"lr": 0.0002, "momentum": 0.5},
        "adagrad": {"lr": 0.07},
        "rmsprop": {"lr": 0.002},
        "adadelta": {"lr": 0.003, "eps": 0.01},
        "adam": {"lr": 0.007},
        "amsgrad": {"lr": 0.007},
        "adamax": {"lr": 0.01},
        "adamw": {"lr": 0.007, "weight_decay": 0.01},
        "nadam": {"lr": 0.03},
        "radam": {"lr": 0.001, "betas": (0.9, 0.99)},
        "lookahead": {"inner": "adam", "lr": 0.007},
        "swats": {"lr": 0.007},
    },
    description=(
        "The global minimum is at the origin, but every point near an integer pair is a local "
        "minimum. Small steps get trapped in the nearest dimple; large or noisy steps hop between "
        "them, and where they stop is luck. So the goal here is a local minimum, not the origin: "
        "at the recommended settings every optimizer settles in the dimple nearest the start, "
        "near (2.98, 1.99), where the gradient vanishes (norm below 1, within about 0.003 of its "
        "centre) and the surface curves up in every direction."
    ),
)
