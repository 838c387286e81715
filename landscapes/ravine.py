"""The ravine: an elongated bowl whose steep walls make plain SGD zig-zag."""

from __future__ import annotations

import numpy as np

from landscapes.base import Surface, coordinates, stack_gradient


def value(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return x * x / 20.0 + y * y


def grad(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return stack_gradient(x / 10.0, 2.0 * y)


SURFACE = Surface(
    name="ravine",
    label="Ravine  x²/20 + y²",
    latex=r"f(x, y) = \frac{x^2}{20} + y^2",
    value=value,
    grad=grad,
    x_range=(-10.0, 10.0),
    y_range=(-4.0, 4.0),
    start=(-7.0, 2.0),
    minima=((0.0, 0.0),),
    steps=150,
    goal="minimum",
    goal_tol=0.05,
    hessian=((0.1, 0.0), (0.0, 2.0)),
    recommended={
        "sgd": {"lr": 0.5},
        "momentum": {"lr": 0.1},
        "nesterov": {"lr": 0.07},
        "adagrad": {"lr": 1.5},
        "rmsprop": {"lr": 0.3},
        "adadelta": {"lr": 1.0, "eps": 0.001},
        "adam": {"lr": 0.5},
        "amsgrad": {"lr": 0.5},
        "adamax": {"lr": 0.7},
        "adamw": {"lr": 0.5},
        "nadam": {"lr": 0.3},
        "radam": {"lr": 1.0},
        "lookahead": {"lr": 0.7},
        "swats": {"lr": 0.5},
    },
    description=(
        "A long, narrow valley: the curvature across it (y) is 20 times the curvature along "
        "it (x). A learning rate large enough to make progress along x overshoots across y, "
        "so plain SGD bounces from wall to wall; momentum averages the bounces away."
    ),
)
