"""A student's own surface f(x, y), typed as text and read without executing anything.

>>> surface = parse_surface("(1 - x)^2 + 100*(y - x^2)^2")
>>> surface.text
'(1 - x)**2 + 100*(y - x**2)**2'
>>> surface.minima
((1.0, 1.0),)

The text is parsed by our own tokenizer and parser (``landscapes.expression_syntax``, which
lists the grammar and every check), differentiated symbolically
(``landscapes.expression_calculus``) and written back as canonical text and LaTeX
(``landscapes.expression_render``). The app is a public server, so the text is hostile
until proven otherwise: whatever it holds, the answer is a surface or a ValueError with a
message a student understands, quickly.

What the built surface does where the formula has no real value (log or sqrt of a negative
number, 0/0, arcsin(2)): the loss is +inf there, so a run that steps there is marked
diverged by the runner, and a chart never receives a nan. A gradient component that comes out
as nan (0/0 at a kink, e.g. the tip of the cone sqrt(x**2 + y**2)) is 0, a subgradient there.
Overflow gives inf, which the runner also treats as divergence.

How the rest of the record is chosen:

- **Window** (what a contour plot shows): [-5, 5] on each axis unless given; where the
  formula is finite on only part of it (log(x), sqrt(y)), an axis not given shrinks to the
  span of the grid points where it is finite.
- **Minima**: a 49 x 49 grid over the window gives candidates (grid points no higher than
  their eight neighbours, and the lowest point), Newton's method refines them, and a point is
  kept only if its gradient is about zero and its Hessian positive definite, so a degenerate
  minimum such as x**4's is not reported. Of those, the lowest (and any of equal depth) are
  reported, as for the registered surfaces.
- **Log levels** when much of the window lies far below its walls: the lowest tenth of the
  sampled values spans less than 4% of their whole range (with evenly spaced levels that
  tenth would show as one flat patch). This threshold reproduces the choice made by hand for
  every registered surface.
- **Hessian** when the formula is a polynomial of degree at most 2 (then it is constant).
- **Goal**: the minimum within 1% of the window's size if one was found, else a point where
  the gradient has nearly vanished.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from landscapes.base import Surface, coordinates
from landscapes.expression_calculus import Calculus, Program
from landscapes.expression_render import canonical_text, latex
from landscapes.expression_syntax import MAX_DEPTH, MAX_NODES, MAX_TEXT_LENGTH, SyntaxTree, parse

__all__ = [
    "MAX_TEXT_LENGTH",
    "MAX_NODES",
    "MAX_DEPTH",
    "DEFAULT_RANGE",
    "CustomSurface",
    "format_surface_text",
    "parse_surface",
]

DEFAULT_RANGE = (-5.0, 5.0)
# A window coordinate beyond this is refused (the runner calls points past 1e6 diverged anyway).
MAX_COORDINATE = 1e6
GRID_POINTS = 49
NEWTON_STEPS = 25
MAX_CANDIDATES = 16
MAX_REPORTED_MINIMA = 8
LOG_LEVEL_RATIO = 0.04
CACHE_SIZE = 128
LARGEST = float(np.finfo(float).max)
STEPS = 200
# Where in the window (as fractions of its width and height) the default start may go, best first.
START_POSITIONS = ((0.2, 0.8), (0.8, 0.8), (0.2, 0.2), (0.8, 0.2), (0.5, 0.9), (0.1, 0.5), (0.9, 0.5), (0.5, 0.1))


@dataclass(frozen=True, eq=False)
class CustomSurface(Surface):
    """A surface built from a student's formula; ``text`` is its canonical spelling."""

    text: str = ""


def format_surface_text(text: str) -> str:
    """The canonical spelling of a formula (for a share link or a cache key); raises
    ValueError on a formula ``parse_surface`` would refuse for its text.

    The canonical text is at most ``MAX_TEXT_LENGTH`` characters long, like every text
    accepted, so it always reads back: a formula that only grows past the limit when written
    out (spaces around + and -, numbers in full) is refused here.
    """
    canonical = canonical_text(parse(text))
    if len(canonical) > MAX_TEXT_LENGTH:
        raise ValueError(
            f"Invalid formula: written out in full (spaces around + and -, numbers as Python writes them) it has "
            f"{len(canonical)} characters; at most {MAX_TEXT_LENGTH} are allowed."
        )
    return canonical


def parse_surface(
    text: str,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
) -> CustomSurface:
    """Build the surface f(x, y) = ``text``, with its analytic gradient.

    The grammar is Python's arithmetic on x, y, numbers, ``pi``, ``e`` and the one-argument
    functions of ``landscapes.expression_graph.FUNCTIONS``; ``^`` is accepted for ``**``.
    ``x_range`` and ``y_range`` fix the view window; left out, each is chosen as the module
    docstring says. Raises ValueError with a message a student understands (the text is
    refused, or the formula is not finite anywhere in the window). Surfaces are cached by
    canonical text and window, so the same formula gives the very same object.
    """
    canonical = format_surface_text(text)
    return _build(canonical, _checked_range("x_range", x_range), _checked_range("y_range", y_range))


def _checked_range(name: str, value: object) -> tuple[float, float] | None:
    if value is None:
        return None
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    problem = (
        f"Invalid {name}: {shown}. {name} must be two finite numbers (low, high) with low < high, "
        f"between {-MAX_COORDINATE:g} and {MAX_COORDINATE:g}."
    )
    if isinstance(value, (str, bytes)):
        raise ValueError(problem)
    try:
        low, high = (float(bound) for bound in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        raise ValueError(problem) from None
    if not (math.isfinite(low) and math.isfinite(high) and -MAX_COORDINATE <= low < high <= MAX_COORDINATE):
        raise ValueError(problem)
    return low, high


class _Formula:
    """Value, gradient and Hessian of a parsed formula as NumPy programs."""

    def __init__(self, tree: SyntaxTree) -> None:
        calculus, root = Calculus.of(tree)
        dx, dy = calculus.gradient(root)
        hessian = calculus.hessian(dx, dy)
        self.degree = calculus.polynomial_degree(root)
        self._value = Program(calculus.graph, (root,))
        self._gradient = Program(calculus.graph, (dx, dy))
        self._value_and_gradient = Program(calculus.graph, (root, dx, dy))
        self._hessian = Program(calculus.graph, hessian)

    def value(self, xy: np.ndarray) -> np.ndarray:
        x, y = coordinates(xy)
        return _loss(self._value(x, y)[0], x.shape)

    def grad(self, xy: np.ndarray) -> np.ndarray:
        x, y = coordinates(xy)
        return _gradient(*self._gradient(x, y), x.shape)

    def value_and_grad(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = coordinates(xy)
        loss, dx, dy = self._value_and_gradient(x, y)
        return _loss(loss, x.shape), _gradient(dx, dy, x.shape)

    def hessian(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(f_xx, f_xy, f_yy) at points x, y, nan where undefined."""
        return tuple(np.broadcast_to(part, np.shape(x)).astype(float) for part in self._hessian(x, y))


def _loss(loss: object, shape: tuple[int, ...]) -> np.ndarray:
    out = np.empty(shape)
    out[...] = loss
    # A value outside the formula's domain is nan: +inf makes the runner report divergence.
    np.copyto(out, np.inf, where=np.isnan(out))
    return out if out.ndim else out[()]


def _gradient(dx: object, dy: object, shape: tuple[int, ...]) -> np.ndarray:
    out = np.empty(shape + (2,))
    out[..., 0] = dx
    out[..., 1] = dy
    # 0/0 in a derivative happens at kinks (the tip of a cone): 0 is a subgradient there.
    np.copyto(out, 0.0, where=np.isnan(out))
    return out


@dataclass(frozen=True)
class _Samples:
    """The formula on a GRID_POINTS x GRID_POINTS grid over a window."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    points: np.ndarray  # (H, W, 2)
    values: np.ndarray  # (H, W), +inf where undefined

    @classmethod
    def over(cls, formula: _Formula, x_range: tuple[float, float], y_range: tuple[float, float]) -> _Samples:
        xs, ys = np.linspace(*x_range, GRID_POINTS), np.linspace(*y_range, GRID_POINTS)
        points = np.stack(np.meshgrid(xs, ys), axis=-1)
        return cls(x_range, y_range, points, formula.value(points))

    @property
    def finite(self) -> np.ndarray:
        return np.isfinite(self.values)

    @property
    def size(self) -> float:
        return max(self.x_range[1] - self.x_range[0], self.y_range[1] - self.y_range[0])

    def describe(self) -> str:
        return f"x in [{self.x_range[0]:g}, {self.x_range[1]:g}], y in [{self.y_range[0]:g}, {self.y_range[1]:g}]"


@lru_cache(maxsize=CACHE_SIZE)
def _build(
    text: str, x_range: tuple[float, float] | None, y_range: tuple[float, float] | None
) -> CustomSurface:
    tree = parse(text)
    formula = _Formula(tree)
    samples = _window(formula, x_range, y_range)
    finite_values = samples.values[samples.finite]
    with np.errstate(over="ignore"):
        # Finite values can still differ by more than the largest float (-1e308 to 1e308).
        spread = min(float(finite_values.max() - finite_values.min()), LARGEST)
    # Typical slope across the window: the yardstick for "the gradient is about zero".
    slope = max(spread / samples.size, 1e-300)
    minima = _minima(formula, samples, spread, slope)
    goal_tol = 0.01 * samples.size if minima else max(1e-3 * slope, 1e-12)
    start = _start(formula, samples, minima, goal_tol)
    return CustomSurface(
        name="custom",
        label=_label(text),
        latex=latex(tree),
        value=formula.value,
        grad=formula.grad,
        value_and_grad_fn=formula.value_and_grad,
        x_range=samples.x_range,
        y_range=samples.y_range,
        start=start,
        minima=minima,
        log_levels=_log_levels(finite_values),
        description=_description(text, samples, minima),
        steps=STEPS,
        goal="minimum" if minima else "local",
        goal_tol=goal_tol,
        hessian=_constant_hessian(formula),
        text=text,
    )


def _label(text: str) -> str:
    return "Custom  " + (text if len(text) <= 40 else text[:39] + "…")


def _description(text: str, samples: _Samples, minima: tuple) -> str:
    found = (
        "Minimum found at " + ", ".join(f"({x:.4g}, {y:.4g})" for x, y in minima) + "."
        if minima
        else "No minimum with a positive-definite Hessian was found in the window."
    )
    return (
        f"Your formula f(x, y) = {text}, drawn over {samples.describe()}. {found} Where the formula has "
        "no real value (log or sqrt of a negative number, 0/0) the loss counts as +inf, so a run that "
        "steps there is marked diverged."
    )


def _window(
    formula: _Formula, x_range: tuple[float, float] | None, y_range: tuple[float, float] | None
) -> _Samples:
    samples = _Samples.over(formula, x_range or DEFAULT_RANGE, y_range or DEFAULT_RANGE)
    finite = samples.finite
    if not finite.any():
        raise ValueError(
            f"Invalid formula: f(x, y) is not a finite number anywhere in {samples.describe()}; "
            "check for log or sqrt of negative numbers, or values that overflow."
        )
    if x_range is not None and y_range is not None:
        return samples
    # Shrink an axis that was not given to the grid points where the formula is finite.
    columns, rows = np.flatnonzero(finite.any(axis=0)), np.flatnonzero(finite.any(axis=1))
    if (x_range is None and columns[0] == columns[-1]) or (y_range is None and rows[0] == rows[-1]):
        raise ValueError(
            f"Invalid formula: f(x, y) is finite only on a line or a point of {samples.describe()}, "
            "so there is no surface to draw."
        )
    xs, ys = samples.points[0, :, 0], samples.points[:, 0, 1]
    new_x = x_range or (float(xs[columns[0]]), float(xs[columns[-1]]))
    new_y = y_range or (float(ys[rows[0]]), float(ys[rows[-1]]))
    if new_x == samples.x_range and new_y == samples.y_range:
        return samples
    return _Samples.over(formula, new_x, new_y)


def _log_levels(finite_values: np.ndarray) -> bool:
    # Scaled first, so that values near the largest float do not overflow when subtracted.
    scale = float(np.max(np.abs(finite_values)))
    if scale == 0:
        return False
    heights = finite_values / scale - finite_values.min() / scale
    top = float(heights.max())
    return bool(top > 0 and np.percentile(heights, 10) < LOG_LEVEL_RATIO * top)


def _constant_hessian(formula: _Formula) -> tuple[tuple[float, float], tuple[float, float]] | None:
    if formula.degree is None or formula.degree > 2:
        return None
    xx, xy, yy = (float(part[0]) for part in formula.hessian(np.zeros(1), np.zeros(1)))
    if not all(math.isfinite(value) for value in (xx, xy, yy)):
        return None
    return ((xx, xy), (xy, yy))


def _minima(formula: _Formula, samples: _Samples, spread: float, slope: float) -> tuple[tuple[float, float], ...]:
    candidates = _candidates(samples)
    cell = samples.size / (GRID_POINTS - 1)
    points = _newton(formula, candidates, cell)
    with np.errstate(all="ignore"):
        loss, gradient = formula.value_and_grad(points)
        xx, xy, yy = formula.hessian(points[:, 0], points[:, 1])
        # Eigenvalues of the symmetric 2 x 2 Hessian.
        middle, radius = (xx + yy) / 2, np.hypot((xx - yy) / 2, xy)
        lowest, highest = middle - radius, middle + radius
        inside = (
            (points[:, 0] >= samples.x_range[0]) & (points[:, 0] <= samples.x_range[1])
            & (points[:, 1] >= samples.y_range[0]) & (points[:, 1] <= samples.y_range[1])
        )
        flat = np.hypot(gradient[:, 0], gradient[:, 1]) <= 1e-8 * slope
        curved_up = (lowest > 0) & (lowest >= 1e-9 * highest)
        verified = np.isfinite(loss) & inside & flat & curved_up
    if not verified.any():
        return ()
    points, loss = _tidy(formula, points[verified], loss[verified])
    depth = loss.min()
    tolerance = 1e-9 * max(spread, abs(float(depth)), 1e-300)
    kept: list[np.ndarray] = []
    for index in np.lexsort((points[:, 1], points[:, 0], loss)):
        if loss[index] > depth + tolerance or len(kept) == MAX_REPORTED_MINIMA:
            break
        if all(np.hypot(*(points[index] - other)) > 1e-6 * samples.size for other in kept):
            kept.append(points[index])
    return tuple((float(x), float(y)) for x, y in kept)


def _candidates(samples: _Samples) -> np.ndarray:
    """Grid points no higher than their eight neighbours, and the lowest point, lowest first."""
    padded = np.pad(samples.values, 1, constant_values=np.inf)
    height, width = samples.values.shape
    lowest_around = np.full(samples.values.shape, np.inf)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dx or dy:
                shifted = padded[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width]
                lowest_around = np.minimum(lowest_around, shifted)
    pits = samples.finite & (samples.values <= lowest_around)
    pits.flat[np.argmin(samples.values)] = True
    rows, columns = np.nonzero(pits)
    order = np.argsort(samples.values[rows, columns], kind="stable")[:MAX_CANDIDATES]
    return samples.points[rows[order], columns[order]]


def _newton(formula: _Formula, points: np.ndarray, cell: float) -> np.ndarray:
    """Damped Newton steps from each point (a gradient step where the Hessian is not positive
    definite), at most two grid cells long, kept only where the loss does not rise."""
    points = points.copy()
    loss, gradient = formula.value_and_grad(points)
    scale = np.ones(len(points))
    with np.errstate(all="ignore"):
        for _ in range(NEWTON_STEPS):
            xx, xy, yy = formula.hessian(points[:, 0], points[:, 1])
            gx, gy = gradient[:, 0], gradient[:, 1]
            determinant = xx * yy - xy * xy
            newton = -np.stack([yy * gx - xy * gy, xx * gy - xy * gx], axis=-1) / determinant[:, None]
            norm = np.hypot(gx, gy)
            downhill = -gradient * np.where(norm > 0, cell / norm, 0.0)[:, None]
            usable = (xx > 0) & (determinant > 0) & np.all(np.isfinite(newton), axis=-1)
            step = np.where(usable[:, None], newton, downhill)
            length = np.hypot(step[:, 0], step[:, 1])
            step *= np.minimum(1.0, 2 * cell / np.where(length > 0, length, 1.0))[:, None]
            step *= scale[:, None]
            # Done: every point has stopped moving, or has failed to go downhill 30 times in a row.
            if not np.any((np.hypot(step[:, 0], step[:, 1]) > 1e-15 * cell) & (scale > 1e-9)):
                break
            trial = points + step
            trial_loss, trial_gradient = formula.value_and_grad(trial)
            better = trial_loss <= loss
            points = np.where(better[:, None], trial, points)
            loss = np.where(better, trial_loss, loss)
            gradient = np.where(better[:, None], trial_gradient, gradient)
            scale = np.where(better, np.minimum(1.0, 2 * scale), scale / 2)
    return points


def _tidy(formula: _Formula, points: np.ndarray, loss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Round minima to 9 decimals where that is no worse, in loss and in gradient: (1, 1), not
    (0.9999999999999998, 1), while an irrational minimum such as (pi, pi) keeps every digit."""
    rounded = np.round(points, 9) + 0.0  # + 0.0 turns -0.0 into 0.0
    rounded_loss, rounded_gradient = formula.value_and_grad(rounded)
    gradient = formula.grad(points)
    better = (rounded_loss <= loss) & (
        np.hypot(rounded_gradient[:, 0], rounded_gradient[:, 1]) <= np.hypot(gradient[:, 0], gradient[:, 1])
    )
    return np.where(better[:, None], rounded, points), np.where(better, rounded_loss, loss)


def _start(
    formula: _Formula, samples: _Samples, minima: tuple[tuple[float, float], ...], goal_tol: float
) -> tuple[float, float]:
    """The first of START_POSITIONS where the loss and gradient are finite, the gradient is
    not zero and no minimum is near; else the first where they are finite; else the lowest
    finite point inside the grid."""
    (x_low, x_high), (y_low, y_high) = samples.x_range, samples.y_range
    fractions = np.array(START_POSITIONS)
    starts = np.column_stack([x_low + fractions[:, 0] * (x_high - x_low), y_low + fractions[:, 1] * (y_high - y_low)])
    starts = np.array([[_round_inside(x, x_low, x_high), _round_inside(y, y_low, y_high)] for x, y in starts])
    loss, gradient = formula.value_and_grad(starts)
    finite = np.isfinite(loss) & np.all(np.isfinite(gradient), axis=-1)
    good = finite & np.any(gradient != 0, axis=-1)
    if minima:
        gaps = starts[:, None, :] - np.array(minima)[None, :, :]
        good &= np.min(np.hypot(gaps[..., 0], gaps[..., 1]), axis=1) > 2 * goal_tol
    # A flat formula has no slope anywhere: any finite position will do.
    for choice in (good, finite):
        if choice.any():
            x, y = starts[np.argmax(choice)]
            return float(x), float(y)
    inner = np.where(samples.finite[1:-1, 1:-1], samples.values[1:-1, 1:-1], np.inf)
    row, column = np.unravel_index(np.argmin(inner), inner.shape)
    x, y = samples.points[1:-1, 1:-1][row, column]
    return float(x), float(y)


def _round_inside(value: float, low: float, high: float) -> float:
    """``value`` to three significant digits when that stays strictly inside (low, high)."""
    rounded = float(f"{value:.3g}")
    return rounded if low < rounded < high else float(value)
