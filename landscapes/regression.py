"""Least-squares line fit: the mean squared error of a line on a synthetic data set.

The parameters are the slope ``a`` (the x axis of the picture) and the intercept ``b``
(the y axis). Because the loss is a mean over data points, a mini-batch gives an unbiased
but noisy estimate of its gradient: this is the surface on which mini-batch SGD is real.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from landscapes.base import Surface, coordinates, stack_gradient

MAX_POINTS = 100_000
MAX_NOISE = 100.0
MAX_COEFFICIENT = 100.0

# Settings that suit the line fit, found by bench/tune_recommended.py on the default data. They
# are the same for every data set: the Hessian depends on the x values, not on the noise, and
# the window and the start follow the fit, so the path barely changes with the noise, n or seed.
RECOMMENDED = {
    "sgd": {"lr": 0.15},
    "momentum": {"lr": 0.03, "momentum": 0.5},
    "nesterov": {"lr": 0.07, "momentum": 0.5},
    "adagrad": {"lr": 1.0},
    "rmsprop": {"lr": 0.1},
    "adadelta": {"lr": 0.2, "eps": 0.01},
    "adam": {"lr": 0.2},
    "amsgrad": {"lr": 0.2},
    "adamax": {"lr": 0.5},
    "adamw": {"lr": 0.2, "weight_decay": 0.001},
    "nadam": {"lr": 1.0},
    "radam": {"lr": 0.05, "betas": (0.9, 0.99)},
    "lookahead": {"inner": "adam", "lr": 0.2},
    "swats": {"lr": 0.2},
}


@dataclass(frozen=True)
class LineMoments:
    """The sample moments that determine the loss and gradient of a line fit exactly."""

    mean_x: float | np.ndarray
    mean_y: float | np.ndarray
    mean_xx: float | np.ndarray
    mean_xy: float | np.ndarray
    mean_yy: float | np.ndarray

    @classmethod
    def of(cls, x: np.ndarray, y: np.ndarray, axis: int = -1) -> LineMoments:
        return cls(
            x.mean(axis=axis), y.mean(axis=axis), (x * x).mean(axis=axis),
            (x * y).mean(axis=axis), (y * y).mean(axis=axis),
        )

    def loss(self, slope: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        # (1/n) Σ (y - a x - b)², expanded so that it costs O(1) per point, not O(n).
        return (
            self.mean_yy
            - 2.0 * slope * self.mean_xy
            - 2.0 * intercept * self.mean_y
            + slope * slope * self.mean_xx
            + 2.0 * slope * intercept * self.mean_x
            + intercept * intercept
        )

    def gradient(self, slope: np.ndarray, intercept: np.ndarray) -> np.ndarray:
        return stack_gradient(
            2.0 * (slope * self.mean_xx + intercept * self.mean_x - self.mean_xy),
            2.0 * (slope * self.mean_x + intercept - self.mean_y),
            like=slope,
        )


@dataclass(frozen=True, eq=False)
class DataSurface(Surface):
    """A surface whose loss is the mean squared error of a line over ``data_x``, ``data_y``."""

    data_x: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    data_y: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    settings: dict = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return True

    @property
    def n_points(self) -> int:
        return int(self.data_x.shape[0])

    def batch_grad(self, xy: np.ndarray, batch: np.ndarray) -> np.ndarray:
        """Gradient ``(..., 2)`` of the loss over the data points indexed by ``batch`` only."""
        slope, intercept = coordinates(xy)
        return LineMoments.of(self.data_x[batch], self.data_y[batch]).gradient(slope, intercept)


def _check(name: str, value: float, low: float, high: float, integer: bool = False) -> None:
    kind = "a whole number" if integer else "a finite number"
    ok = np.isfinite(value) and low <= value <= high and (not integer or float(value).is_integer())
    if not ok:
        raise ValueError(f"Invalid {name}: {value!r}. {name} must be {kind} from {low:g} to {high:g}.")


def make_regression(
    n: int = 100,
    noise: float = 1.0,
    slope: float = 2.0,
    intercept: float = 1.0,
    seed: int = 0,
) -> DataSurface:
    """Build the line-fit surface on ``n`` points y = slope·x + intercept + noise·ε, x ~ U(-1, 3).

    The data are drawn from ``numpy.random.default_rng(seed)``, so the same arguments give
    the same surface on every machine. The minimum is the least-squares fit, which differs
    slightly from (slope, intercept) because of the noise.
    """
    _check("n", n, 2, MAX_POINTS, integer=True)
    _check("noise", noise, 0.0, MAX_NOISE)
    _check("slope", slope, -MAX_COEFFICIENT, MAX_COEFFICIENT)
    _check("intercept", intercept, -MAX_COEFFICIENT, MAX_COEFFICIENT)
    _check("seed", seed, 0, 2**32 - 1, integer=True)
    rng = np.random.default_rng(int(seed))
    # x is off-centre on purpose: slope and intercept then interact, and the valley is tilted.
    data_x = rng.uniform(-1.0, 3.0, size=int(n))
    data_y = slope * data_x + intercept + noise * rng.standard_normal(int(n))
    moments = LineMoments.of(data_x, data_y)
    fitted = np.linalg.solve(
        [[moments.mean_xx, moments.mean_x], [moments.mean_x, 1.0]],
        [moments.mean_xy, moments.mean_y],
    )
    best = (float(fitted[0]), float(fitted[1]))
    # The window is centred on a rounded point so that axes and the default start read cleanly.
    centre = (round(best[0]), round(best[1]))

    def value_and_grad(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = coordinates(xy)
        return moments.loss(a, b), moments.gradient(a, b)

    def value(xy: np.ndarray) -> np.ndarray:
        return moments.loss(*coordinates(xy))

    def grad(xy: np.ndarray) -> np.ndarray:
        return moments.gradient(*coordinates(xy))

    return DataSurface(
        name="regression",
        label="Line fit (mean squared error)",
        latex=r"L(a, b) = \frac{1}{n} \sum_{i=1}^{n} (y_i - a x_i - b)^2",
        value=value,
        grad=grad,
        value_and_grad_fn=value_and_grad,
        x_range=(centre[0] - 5.0, centre[0] + 5.0),
        y_range=(centre[1] - 5.0, centre[1] + 5.0),
        start=(centre[0] - 4.0, centre[1] - 4.0),
        minima=(best,),
        log_levels=True,
        loss_finite_in_limit=True,
        steps=250,
        goal_tol=0.05,
        recommended=RECOMMENDED,
        hessian=((2.0 * float(moments.mean_xx), 2.0 * float(moments.mean_x)), (2.0 * float(moments.mean_x), 2.0)),
        description=(
            f"Fit a line y = a·x + b to {int(n)} noisy points (true slope {slope:g}, intercept "
            f"{intercept:g}, noise {noise:g}). The axes are the slope a and the intercept b. "
            "With a batch size below n, each step sees only a mini-batch: the path jitters "
            "around the full-batch one, and each epoch reshuffles the data."
        ),
        data_x=data_x,
        data_y=data_y,
        settings={"n": int(n), "noise": float(noise), "slope": float(slope),
                  "intercept": float(intercept), "seed": int(seed)},
    )


SURFACE = make_regression()
