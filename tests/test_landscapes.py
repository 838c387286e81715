"""Every registered surface: analytic gradients, broadcasting, minima, and the data surface."""

import numpy as np
import pytest

from landscapes import SURFACES, Surface, get_surface, make_regression, parse_surface

NAMES = sorted(SURFACES)


def sample_points(surface: Surface, count: int = 64) -> np.ndarray:
    rng = np.random.default_rng(7)
    low = [surface.x_range[0], surface.y_range[0]]
    high = [surface.x_range[1], surface.y_range[1]]
    return rng.uniform(low, high, size=(count, 2))


@pytest.mark.parametrize("name", NAMES)
def test_gradient_matches_central_differences(name: str) -> None:
    surface = SURFACES[name]
    points = sample_points(surface)
    h = 1e-6
    numeric = np.stack(
        [(surface.value(points + h * e) - surface.value(points - h * e)) / (2 * h) for e in np.eye(2)], axis=-1
    )
    analytic = surface.grad(points)
    scale = np.maximum(1.0, np.abs(analytic))
    assert np.max(np.abs(numeric - analytic) / scale) < 1e-5


@pytest.mark.parametrize("name", NAMES)
def test_value_and_grad_broadcast_over_leading_axes(name: str) -> None:
    surface = SURFACES[name]
    grid = sample_points(surface, 12).reshape(3, 4, 2)
    assert surface.value(grid).shape == (3, 4)
    assert surface.grad(grid).shape == (3, 4, 2)
    loss, grad = surface.value_and_grad(grid)
    np.testing.assert_allclose(loss, surface.value(grid), rtol=1e-13)
    np.testing.assert_allclose(grad, surface.grad(grid), rtol=1e-13)
    single = surface.value(np.array(surface.start))
    assert np.ndim(single) == 0
    in_batch = surface.value(np.vstack([grid.reshape(-1, 2), surface.start]))[-1]
    np.testing.assert_allclose(single, in_batch, rtol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_known_minima_are_flat_and_lowest(name: str) -> None:
    surface = SURFACES[name]
    minima = surface.minima_array()
    if len(minima) == 0:
        assert name in ("saddle", "monkey_saddle")
        return
    np.testing.assert_allclose(surface.grad(minima), 0.0, atol=1e-8)
    lowest = surface.value(minima).min()
    assert np.all(surface.value(sample_points(surface, 2000)) >= lowest - 1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_declared_metadata_is_usable(name: str) -> None:
    surface = SURFACES[name]
    assert surface.name == name and surface.label and surface.latex and surface.description
    assert surface.x_range[0] < surface.start[0] < surface.x_range[1]
    assert surface.y_range[0] < surface.start[1] < surface.y_range[1]


def test_required_formulas() -> None:
    point = np.array([1.5, -0.5])
    x, y = point
    assert SURFACES["ravine"].value(point) == pytest.approx(x**2 / 20 + y**2)
    assert SURFACES["rosenbrock"].value(point) == pytest.approx((1 - x) ** 2 + 100 * (y - x**2) ** 2)
    assert SURFACES["saddle"].value(point) == pytest.approx(y**2 - x**2)
    assert SURFACES["monkey_saddle"].value(point) == pytest.approx(x**3 - 3 * x * y**2)
    np.testing.assert_allclose(SURFACES["saddle"].grad([0.0, 0.0]), [0.0, 0.0])


def test_regression_is_the_mean_squared_error_of_its_data() -> None:
    surface = make_regression(n=50, noise=0.7, slope=-1.0, intercept=3.0, seed=11)
    a, b = 0.4, -1.2
    residual = surface.data_y - a * surface.data_x - b
    assert surface.value([a, b]) == pytest.approx(np.mean(residual**2), rel=1e-12)
    np.testing.assert_allclose(
        surface.grad([a, b]),
        [-2 * np.mean(residual * surface.data_x), -2 * np.mean(residual)], rtol=1e-12,
    )
    fitted = np.polyfit(surface.data_x, surface.data_y, 1)
    np.testing.assert_allclose(surface.minima[0], fitted, rtol=1e-10)


def test_regression_data_are_reproducible_from_the_seed() -> None:
    first, again, other = make_regression(seed=3), make_regression(seed=3), make_regression(seed=4)
    np.testing.assert_array_equal(first.data_x, again.data_x)
    np.testing.assert_array_equal(first.data_y, again.data_y)
    assert not np.array_equal(first.data_y, other.data_y)
    assert first.has_data and not SURFACES["ravine"].has_data


def test_batch_gradients_average_to_the_full_gradient() -> None:
    surface = make_regression(n=40, seed=1)
    point = np.array([[0.5, -2.0], [3.0, 1.0]])
    halves = [np.arange(0, 20), np.arange(20, 40)]
    mean_of_halves = sum(surface.batch_grad(point, half) for half in halves) / 2
    np.testing.assert_allclose(mean_of_halves, surface.grad(point), rtol=1e-12)
    np.testing.assert_allclose(surface.batch_grad(point, np.arange(40)), surface.grad(point), rtol=1e-12)


@pytest.mark.parametrize("kwargs", [{"n": 1}, {"n": 2.5}, {"noise": -1.0}, {"noise": float("nan")}, {"seed": -3}])
def test_regression_settings_are_validated(kwargs: dict) -> None:
    with pytest.raises(ValueError, match="Invalid"):
        make_regression(**kwargs)


def test_get_surface_names_the_choices() -> None:
    assert get_surface("ravine") is SURFACES["ravine"]
    with pytest.raises(ValueError, match="Known surfaces: ravine"):
        get_surface("nope")


# ---------------------------------------------------------------- what the runner's lean loop relies on

def _layouts(surface: Surface) -> dict[str, np.ndarray]:
    points = sample_points(surface, 50)
    return {
        "points one by one": points,
        "column by column": np.asfortranarray(points),
        "a grid": sample_points(surface, 12).reshape(3, 4, 2),
        "one point": points[0].copy(),
        "a single row": points[:1].copy(),
    }


@pytest.mark.parametrize("name", NAMES + ["custom"])
def test_grad_is_value_and_grads_gradient_bit_for_bit(name: str) -> None:
    # Between kept steps the runner steps on grad alone and at kept steps on value_and_grad:
    # a start's path must not depend on which steps were kept.
    surface = parse_surface("x^4 - 3*x*y + sin(y)") if name == "custom" else SURFACES[name]
    for layout, points in _layouts(surface).items():
        loss, gradient = surface.value_and_grad(points)
        assert np.array_equal(surface.grad(points), gradient), layout
        assert np.array_equal(surface.value(points), loss), layout
        assert surface.grad(points).shape == points.shape, layout


@pytest.mark.parametrize("name", NAMES)
def test_the_gradient_is_laid_out_like_the_points(name: str) -> None:
    # Arithmetic between a column-by-column batch and a point-by-point gradient runs several
    # times slower than between two arrays of the same layout.
    surface = SURFACES[name]
    by_column = np.asfortranarray(sample_points(surface, 50))
    assert surface.grad(by_column).flags.f_contiguous
    assert surface.value_and_grad(by_column)[1].flags.f_contiguous
    assert surface.grad(sample_points(surface, 50)).flags.c_contiguous
    assert surface.grad(sample_points(surface, 12).reshape(3, 4, 2)).flags.c_contiguous


def test_every_built_in_surface_promises_a_finite_loss_inside_the_limit_and_a_typed_one_does_not() -> None:
    # The promise lets the runner skip the loss between kept steps; for the built-in surfaces it
    # is backed by test_landscapes_extremes (finite, with no intermediate overflow, at the limit).
    # A typed formula may overflow anywhere (exp(x) at x = 800), so it is checked at every step.
    assert all(surface.loss_finite_in_limit for surface in SURFACES.values())
    assert not parse_surface("exp(x) + y^2").loss_finite_in_limit
    assert make_regression(slope=100.0, intercept=-100.0, noise=100.0, n=10, seed=1).loss_finite_in_limit


def test_newtons_step_from_anywhere_on_a_quadratic_lands_on_its_minimum() -> None:
    # f = x²/20 + y²: H = diag(0.1, 2), so H⁻¹∇f = (x, y) exactly, from any point.
    points = np.array([[3.0, -1.5], [-7.0, 2.0], [0.25, 0.0]])
    step, positive_definite = get_surface("ravine").newton_step(points)
    assert np.allclose(step, points, rtol=1e-6) and positive_definite.all()
    # A tilted quadratic with a cross term: f = x² + xy + y² - x, minimum where 2x + y = 1 and x + 2y = 0.
    tilted = parse_surface("x**2 + x*y + y**2 - x")
    step, positive_definite = tilted.newton_step(np.array([[4.0, -3.0]]))
    assert np.allclose(np.array([[4.0, -3.0]]) - step, [[2 / 3, -1 / 3]], atol=1e-6) and positive_definite.all()


def test_newtons_step_says_where_the_hessian_is_not_positive_definite() -> None:
    # The saddle x² - y² has H = diag(2, -2) everywhere; Rastrigin is a bowl at each dimple's
    # centre and curves down between the dimples, at (0.5, 0.5).
    assert not get_surface("saddle").newton_step(np.array([[0.3, 0.2], [0.0, 0.0]]))[1].any()
    rastrigin = get_surface("rastrigin")
    _, positive_definite = rastrigin.newton_step(np.array([[1.02, -0.97], [0.5, 0.5]]))
    assert positive_definite.tolist() == [True, False]
    # Off a non-quadratic minimum by 0.02, one Newton step comes within its square.
    step, positive_definite = get_surface("himmelblau").newton_step(np.array([[3.01, 2.02]]))
    assert positive_definite.all() and np.allclose(np.array([[3.01, 2.02]]) - step, [[3.0, 2.0]], atol=1e-3)
