"""The ravine: an elongated bowl whose steep walls make plain SGD zig-zag."""

from __future__ import annotations

import numpy as np

from landscapes.base import Surface, coordinates, stack_gradient


def value(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return x * x / 20.0 + y * y


def grad(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return stack_gradient(x / 10.0, 2.0 * y, like=x)


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
    loss_finite_in_limit=True,
    steps=250,
    goal="minimum",
    goal_tol=0.05,
    hessian=((0.1, 0.0), (0.0, 2.0)),
    recommended={
        "sgd": {"lr": 0.7},
        "momentum": {"lr": 0.7, "momentum": 0.5},
        "nesterov": {"lr": 0.5, "momentum": 0.5},
        "adagrad": {"lr": 2.0},
        "rmsprop": {"lr": 0.1},
        "adadelta": {"lr": 0.7, "eps": 0.01},
        "adam": {"lr": 0.2},
        "amsgrad": {"lr": 0.2},
        "adamax": {"lr": 0.5},
        "adamw": {"lr": 0.2, "weight_decay": 0.01},
        "nadam": {"lr": 0.2},
        "radam": {"lr": 0.5, "betas": (0.9, 0.999)},
        "lookahead": {"inner": "adam", "lr": 0.2},
        "swats": {"lr": 0.2},
    },
    description=(
        "A long, narrow valley: the curvature across it (y) is 20 times the curvature along "
        "it (x). A learning rate large enough to make progress along x overshoots across y, "
        "so plain SGD bounces from wall to wall; momentum averages the bounces away. At the "
        "recommended settings SGD (lr 0.7, just below the limit 2/2 = 1 set by the steep "
        "direction) zig-zags a few times, and momentum uses 0.5: heavy-ball theory puts the best "
        "momentum for a 20:1 valley near 0.4, and 0.9 would circle for a hundred steps."
    ),
)
