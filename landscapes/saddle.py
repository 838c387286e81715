"""The saddle: zero gradient at the origin, but downhill in x and unbounded below."""

from __future__ import annotations

import numpy as np

from landscapes.base import Surface, coordinates, stack_gradient


def value(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return y * y - x * x


def grad(xy: np.ndarray) -> np.ndarray:
    x, y = coordinates(xy)
    return stack_gradient(-2.0 * x, 2.0 * y, like=x)


SURFACE = Surface(
    name="saddle",
    label="Saddle  y² − x²",
    latex=r"f(x, y) = y^2 - x^2",
    value=value,
    grad=grad,
    x_range=(-2.0, 2.0),
    y_range=(-2.0, 2.0),
    start=(0.001, 1.5),
    minima=(),
    loss_finite_in_limit=True,
    steps=150,
    goal="escape",
    goal_tol=-1.0,
    hessian=((-2.0, 0.0), (0.0, 2.0)),
    recommended={
        "sgd": {"lr": 0.03},
        "momentum": {"lr": 0.015, "momentum": 0.9},
        "nesterov": {"lr": 0.015, "momentum": 0.9},
        "adagrad": {"lr": 0.1},
        "rmsprop": {"lr": 0.01},
        "adadelta": {"lr": 3.0, "eps": 1e-06},
        "adam": {"lr": 0.05},
        "amsgrad": {"lr": 0.05},
        "adamax": {"lr": 0.07},
        "adamw": {"lr": 0.05, "weight_decay": 0.01},
        "nadam": {"lr": 0.05},
        "radam": {"lr": 0.05, "betas": (0.9, 0.99)},
        "lookahead": {"inner": "adam", "lr": 0.05},
        "swats": {"lr": 0.05},
    },
    description=(
        "The gradient vanishes at the origin although it is no minimum: the surface curves up "
        "along y and down along x. A start almost on the ridge x = 0 slides to the saddle point "
        "and lingers there, because the escaping x-component is tiny. Momentum, adaptive "
        "steps or gradient noise escape sooner. There is no minimum: paths leave the window. A "
        "path has escaped once its loss is below -1; at the recommended settings SGD lingers "
        "there until about step 120, momentum escapes near step 55 and Adam near step 20."
    ),
)
