"""Rosenbrock's valley: a curved, flat-bottomed banana that punishes fixed step sizes."""

from __future__ import annotations

import numpy as np

from landscapes.base import Surface, coordinates, empty_gradient


def _terms(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x, y = coordinates(xy)
    return x, y - x * x, 1.0 - x


def _gradient(x: np.ndarray, off_valley: np.ndarray, to_one: np.ndarray) -> np.ndarray:
    gradient = empty_gradient(x)
    np.subtract(-2.0 * to_one, 400.0 * x * off_valley, out=gradient[..., 0])
    np.multiply(200.0, off_valley, out=gradient[..., 1])
    return gradient


def _loss(off_valley: np.ndarray, to_one: np.ndarray) -> np.ndarray:
    return to_one * to_one + 100.0 * off_valley * off_valley


def value_and_grad(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, off_valley, to_one = _terms(xy)
    return _loss(off_valley, to_one), _gradient(x, off_valley, to_one)


def value(xy: np.ndarray) -> np.ndarray:
    _, off_valley, to_one = _terms(xy)
    return _loss(off_valley, to_one)


def grad(xy: np.ndarray) -> np.ndarray:
    return _gradient(*_terms(xy))


SURFACE = Surface(
    name="rosenbrock",
    label="Rosenbrock's valley",
    latex=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
    value=value,
    grad=grad,
    value_and_grad_fn=value_and_grad,
    x_range=(-2.0, 2.0),
    y_range=(-1.0, 3.0),
    start=(-1.5, 2.0),
    minima=((1.0, 1.0),),
    log_levels=True,
    loss_finite_in_limit=True,
    steps=5000,
    goal="minimum",
    goal_tol=0.1,
    recommended={
        "sgd": {"lr": 0.0015},
        "momentum": {"lr": 0.001, "momentum": 0.9},
        "nesterov": {"lr": 0.0007, "momentum": 0.9},
        "adagrad": {"lr": 0.7},
        "rmsprop": {"lr": 0.0015},
        "adadelta": {"lr": 0.1, "eps": 1e-06},
        "adam": {"lr": 0.03},
        "amsgrad": {"lr": 0.1},
        "adamax": {"lr": 0.1},
        "adamw": {"lr": 0.07, "weight_decay": 0.001},
        "nadam": {"lr": 0.015},
        "radam": {"lr": 0.002, "betas": (0.9, 0.99)},
        "lookahead": {"inner": "adam", "lr": 0.03},
        "swats": {"lr": 0.05},
    },
    description=(
        "Finding the valley floor y = x² is easy; following its gentle curve to the minimum "
        "at (1, 1) is hard, because the walls are 100 times steeper than the floor. Adaptive "
        "methods rescale each coordinate and make steady progress along the floor. The run is "
        "long (5,000 steps) because plain SGD must keep its rate below 2/1000 (the curvature "
        "across the floor at the minimum) while the curvature along it is only 0.4: at its "
        "recommended rate it bounces off the steep walls, then crawls for about 4,000 steps; "
        "Adagrad (its accumulated squares freeze it) and Adadelta need nearly all 5,000. Adam "
        "arrives in about 1,100."
    ),
)
