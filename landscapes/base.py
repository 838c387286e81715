"""The record every test surface is: formula, value, analytic gradient and how to draw it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Array = np.ndarray
PointFunction = Callable[[Array], Array]

# What a run on a surface is meant to show, checked by the tests of its recommended settings
# (landscapes.goals): "minimum": end within goal_tol (a distance, at most 2.5% of the
# window's width) of any known minimum; "local": settle in any local minimum, where the
# gradient norm is below goal_tol and the Hessian is positive definite; "escape": get below
# the loss goal_tol (a negative level: the path has left the saddle and is sliding down).
GOALS = ("minimum", "local", "escape")


@dataclass(frozen=True, eq=False)
class Surface:
    """A 2-D loss surface f(x, y).

    ``value`` maps points of shape ``(..., 2)`` to losses of shape ``(...)`` and ``grad``
    maps them to gradients of shape ``(..., 2)``; both broadcast over every leading axis,
    so the same functions draw a contour grid ``(H, W, 2)`` and step a batch ``(B, 2)``.
    A single point ``(2,)`` gives a scalar loss.

    ``recommended`` maps every optimizer's name to hyperparameters that suit this surface (at
    least ``lr``; an optimizer names the same knobs on every surface, so switching surfaces
    replaces them all) and ``steps`` is a run length that shows the surface's point: from
    ``start``, each optimizer at its settings reaches the surface's ``goal`` (see ``GOALS``)
    within ``goal_tol`` by then, without blowing up. bench/tune_recommended.py finds them.
    ``hessian`` is the constant Hessian of a quadratic surface, None otherwise.

    ``loss_finite_in_limit`` promises that ``value`` is finite at every point whose coordinates
    are finite and within the runner's divergence limit (±1e10; tests/test_landscapes_extremes.py
    checks every surface that makes the promise). The runner then catches a blow-up by that
    limit alone and evaluates the loss only at the steps it keeps, stepping on ``grad`` in
    between, so ``grad`` must equal ``value_and_grad``'s gradient bit for bit (also checked).
    """

    name: str
    label: str
    latex: str
    value: PointFunction
    grad: PointFunction
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...] = ()
    log_levels: bool = False
    description: str = ""
    recommended: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    steps: int = 100
    goal: str = "minimum"
    goal_tol: float = 0.01
    hessian: tuple[tuple[float, float], tuple[float, float]] | None = None
    loss_finite_in_limit: bool = False
    # Optional fused evaluation: sharing sub-expressions makes the runner's hot loop cheaper.
    value_and_grad_fn: Callable[[Array], tuple[Array, Array]] | None = field(default=None, repr=False)

    def value_and_grad(self, xy: Array) -> tuple[Array, Array]:
        """Loss ``(...)`` and gradient ``(..., 2)`` at ``xy`` in one call."""
        if self.value_and_grad_fn is not None:
            return self.value_and_grad_fn(xy)
        return self.value(xy), self.grad(xy)

    @property
    def has_data(self) -> bool:
        """True where the loss is a mean over a data set, so mini-batches make sense."""
        return False

    def minima_array(self) -> Array:
        """Known minima as a ``(K, 2)`` float array (``K`` may be 0)."""
        return np.asarray(self.minima, dtype=float).reshape(-1, 2)

    def newton_step(self, xy: Array) -> tuple[Array, Array]:
        """Newton's step ``H⁻¹∇f`` ``(..., 2)`` at each point, and whether the Hessian ``H`` is
        positive definite there ``(...)``: where it is, ``xy - step`` estimates the local minimum
        the point is near, and ``|step|`` its distance. ``H`` comes from central differences of
        the gradient, so every surface has one; the step is NaN where ``H`` is singular.
        """
        xy = np.asarray(xy, dtype=float)
        # A central difference errs by about h² times the third derivative and by eps |∇f| / h:
        # this h keeps both far below any tolerance a page offers.
        h = 1e-5 * np.maximum(1.0, np.max(np.abs(xy), axis=-1, keepdims=True))
        with np.errstate(all="ignore"):
            along_x = (self.grad(xy + h * (1.0, 0.0)) - self.grad(xy - h * (1.0, 0.0))) / (2 * h)
            along_y = (self.grad(xy + h * (0.0, 1.0)) - self.grad(xy - h * (0.0, 1.0))) / (2 * h)
            hxx, hyy = along_x[..., 0], along_y[..., 1]
            hxy = (along_x[..., 1] + along_y[..., 0]) / 2  # a smooth f's Hessian is symmetric
            determinant = hxx * hyy - hxy * hxy
            gradient = self.grad(xy)
            gx, gy = gradient[..., 0], gradient[..., 1]
            step = np.stack([hyy * gx - hxy * gy, hxx * gy - hxy * gx], axis=-1) / determinant[..., None]
        step[~np.isfinite(step)] = np.nan
        return step, (hxx > 0) & (determinant > 0) & np.isfinite(step).all(axis=-1)

    def distance_to_nearest_minimum(self, xy: Array) -> Array | None:
        """Euclidean distance ``(...)`` from each point to the closest known minimum, or None."""
        if not self.minima:
            return None
        xy = np.asarray(xy, dtype=float)
        x, y = xy[..., 0], xy[..., 1]
        # One pass per minimum (there are a handful) instead of a (..., K, 2) temporary: the
        # runner's stop rule asks this at every step for every start of a basin map.
        nearest = None
        for mx, my in self.minima:
            dx, dy = x - mx, y - my
            squared = dx * dx + dy * dy
            nearest = squared if nearest is None else np.minimum(nearest, squared, out=nearest)
        return np.sqrt(nearest)


def coordinates(xy: Array) -> tuple[Array, Array]:
    """Split ``(..., 2)`` points into their x and y arrays."""
    xy = np.asarray(xy, dtype=float)
    return xy[..., 0], xy[..., 1]


def empty_gradient(x: Array) -> Array:
    """An uninitialised ``(..., 2)`` gradient for points whose x coordinates are ``x``, laid out
    like the points: column by column when ``x`` is a contiguous column (the runner's batches
    are), else point by point. Arithmetic between arrays of different layouts costs several
    times more than between arrays of the same one.

    A surface on the runner's hot path computes each partial derivative straight into its
    column (``out=gradient[..., 0]``), which saves the two copies ``stack_gradient`` makes.
    """
    if x.ndim == 1 and x.strides[0] == x.itemsize:
        return np.empty((2, x.shape[0])).T
    return np.empty(x.shape + (2,))


def stack_gradient(dx: Array, dy: Array, like: Array | None = None) -> Array:
    """Join partial derivatives into a ``(..., 2)`` gradient, laid out as ``empty_gradient(like)``
    when ``like`` (the points' x coordinates) is given and has their shape."""
    # Filling one preallocated array is several times cheaper than np.stack on the hot path,
    # and equal shapes (the usual case) skip np.broadcast_shapes, a few microseconds a step.
    dx_shape, dy_shape = np.shape(dx), np.shape(dy)
    shape = dx_shape if dx_shape == dy_shape else np.broadcast_shapes(dx_shape, dy_shape)
    gradient = empty_gradient(like) if like is not None and np.shape(like) == shape else np.empty(shape + (2,))
    gradient[..., 0] = dx
    gradient[..., 1] = dy
    return gradient
