"""A student's own f(x, y): the grammar, the hostile-input corpus, the calculus and the surface record."""

from __future__ import annotations

import builtins
import math
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import landscapes
from landscapes import SURFACES
from landscapes.custom import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_TEXT_LENGTH,
    CustomSurface,
    _Formula,
    format_surface_text,
    parse_surface,
)
from landscapes.expression_calculus import OUTER_DERIVATIVES
from landscapes.expression_graph import ALIASES, FUNCTIONS
from landscapes.expression_syntax import parse

ROSENBROCK = "(1-x)**2 + 100*(y-x**2)**2"
# The registered surfaces whose formulas can be typed, as a student would type them.
TYPED = {
    "ravine": "x**2/20 + y**2",
    "rosenbrock": ROSENBROCK,
    "saddle": "y**2 - x**2",
    "monkey_saddle": "x**3 - 3*x*y**2",
    "himmelblau": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "beale": "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
    "rastrigin": "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
}


def value_at(surface: CustomSurface, x: float, y: float) -> float:
    return float(surface.value(np.array([x, y])))


def random_points(count: int, low: tuple[float, float], high: tuple[float, float], seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, size=(count, 2))


def central_differences(surface: CustomSurface, points: np.ndarray, h: float = 1e-6) -> np.ndarray:
    return np.stack(
        [(surface.value(points + h * step) - surface.value(points - h * step)) / (2 * h) for step in np.eye(2)], axis=-1
    )


def assert_gradient_matches_differences(surface: CustomSurface, points: np.ndarray) -> None:
    analytic = surface.grad(points)
    numeric = central_differences(surface, points)
    scale = np.maximum(1.0, np.abs(analytic))
    assert np.max(np.abs(numeric - analytic) / scale) < 1e-6, surface.text


# --- the grammar ----------------------------------------------------------------------------

# Each text beside the same arithmetic written in Python: Python's own precedence is the oracle.
PYTHON_ARITHMETIC = [
    ("-2**2 + x", lambda x, y: -(2**2) + x),
    ("2**3**2*x", lambda x, y: 2**3**2 * x),
    ("2**-1 + y", lambda x, y: 2**-1 + y),
    ("2^3^2 + x^2", lambda x, y: 2**3**2 + x**2),
    ("-x**2", lambda x, y: -(x**2)),
    ("(-x)**2", lambda x, y: (-x) ** 2),
    ("x - -y", lambda x, y: x - -y),
    ("--x + +y", lambda x, y: x + y),
    ("1/2/4*x", lambda x, y: 1 / 2 / 4 * x),
    ("2/x*y", lambda x, y: 2 / x * y),
    ("x - y - 1", lambda x, y: x - y - 1),
    ("x**-y**2", lambda x, y: x ** -(y**2)),
    ("2*x**2*y/3", lambda x, y: 2 * x**2 * y / 3),
    (".5*x + 5.*y + 1e-3 + 2.5E1", lambda x, y: 0.5 * x + 5.0 * y + 1e-3 + 2.5e1),
    ("pi*x + e*y", lambda x, y: math.pi * x + math.e * y),
    ("\tx +  y ", lambda x, y: x + y),
    ("x**y + 2**x", lambda x, y: x**y + 2**x),
    ("-x*y", lambda x, y: (-x) * y),
    ("x*-y", lambda x, y: x * -y),
    ("2**2**-1*x", lambda x, y: 2 ** (2**-1) * x),
    ("(x + y)*(x - y)/(1 + x*x)", lambda x, y: (x + y) * (x - y) / (1 + x * x)),
]


@pytest.mark.parametrize("text, python", PYTHON_ARITHMETIC, ids=[text for text, _ in PYTHON_ARITHMETIC])
def test_precedence_and_associativity_are_pythons(text, python):
    surface = parse_surface(text)
    for x, y in random_points(10, (0.5, -1.5), (2.0, 1.5)):
        assert value_at(surface, x, y) == pytest.approx(python(x, y), rel=1e-13)


def test_hand_worked_values():
    assert value_at(parse_surface("-2**2 + 0*x"), 0, 0) == -4.0
    assert value_at(parse_surface("2**3**2 + 0*x"), 0, 0) == 512.0
    assert value_at(parse_surface("2**-1 + x"), 0, 0) == 0.5
    assert value_at(parse_surface("2^10 + x"), 0, 0) == 1024.0
    assert value_at(parse_surface("x*y - y/x"), 2.0, 3.0) == 4.5
    assert value_at(parse_surface("ln(e) + log10(100) + log2(8) + x"), 0, 0) == 6.0
    assert value_at(parse_surface("sqrt(x) + cbrt(y)"), 9.0, -8.0) == 1.0
    assert value_at(parse_surface("abs(x - y)"), 1.0, 4.0) == 3.0


def test_constants_are_computed_in_float64_not_as_exact_integers():
    # Python's int 2**1024 is exact, but as a float64 it overflows: the formula is refused.
    assert value_at(parse_surface("2**1000*x"), 1.0, 0.0) == 2.0**1000
    with pytest.raises(ValueError, match="'2\\*\\*1024' at column 1 overflows to inf"):
        parse_surface("2**1024*x")


def test_every_function_and_alias_is_callable_with_one_argument():
    for name in [*FUNCTIONS, *ALIASES]:
        surface = parse_surface(f"{name}(0.3 + 0.1*x) + y")
        assert np.isfinite(value_at(surface, 1.0, 0.0)), name


# --- canonical text and LaTeX --------------------------------------------------------------

CANONICAL = [
    ("(1-x)^2 + 100*(y-x^2)^2", "(1 - x)**2 + 100*(y - x**2)**2"),
    (".50*x", "0.5*x"),
    ("2.5E1 + x", "25 + x"),
    ("1e-3*x + 1e-05*y + 1e16", "0.001*x + 1e-5*y + 1e16"),
    ("ln(x) + asin(y) + acos(y) + atan(y)", "log(x) + arcsin(y) + arccos(y) + arctan(y)"),
    ("+x", "x"),
    ("--x", "--x"),
    ("x--y", "x - -y"),
    ("x-(y-1)", "x - (y - 1)"),
    ("(x-y)-1", "x - y - 1"),
    ("x+(y+1)", "x + (y + 1)"),
    ("x/(y*2)", "x/(y*2)"),
    ("(x/y)*2", "x/y*2"),
    ("(2**3)**x", "(2**3)**x"),
    ("2**(3**x)", "2**3**x"),
    ("(-2)**x", "(-2)**x"),
    ("-(2**x)", "-2**x"),
    ("2**(-x)", "2**-x"),
    ("-(x*y)", "-(x*y)"),
    ("(-x)*y", "-x*y"),
    ("sin( x )\t*  cos(y)", "sin(x)*cos(y)"),
    ("((((x))))", "x"),
]


@pytest.mark.parametrize("text, canonical", CANONICAL, ids=[text for text, _ in CANONICAL])
def test_canonical_text(text, canonical):
    assert format_surface_text(text) == canonical
    assert format_surface_text(canonical) == canonical
    assert parse_surface(text).text == canonical


LATEX = [
    (ROSENBROCK, r"f(x, y) = \left(1 - x\right)^{2} + 100 \, \left(y - x^{2}\right)^{2}"),
    ("x/y + 1", r"f(x, y) = \frac{x}{y} + 1"),
    ("sqrt(x) + cbrt(y) + abs(x)", r"f(x, y) = \sqrt{x} + \sqrt[3]{y} + \left|x\right|"),
    ("exp(-x**2)", r"f(x, y) = e^{-x^{2}}"),
    ("exp(x)**2", r"f(x, y) = \left(e^{x}\right)^{2}"),
    ("log(x) + log10(y)", r"f(x, y) = \ln\left(x\right) + \log_{10}\left(y\right)"),
    ("2*3*x", r"f(x, y) = 2 \cdot 3 \, x"),
    ("1e-5*x + 2.5e300*y", r"f(x, y) = 10^{-5} \, x + 2.5 \cdot 10^{300} \, y"),
    ("pi*x - -y", r"f(x, y) = \pi \, x - -y"),
    ("-(x + y)*x", r"f(x, y) = -\left(x + y\right) \, x"),
    ("x*(y/2)", r"f(x, y) = x \, \frac{y}{2}"),
]


@pytest.mark.parametrize("text, expected", LATEX, ids=[text for text, _ in LATEX])
def test_latex(text, expected):
    assert parse_surface(text).latex == expected


def test_every_function_has_a_latex_rendering_and_a_derivative():
    for name in FUNCTIONS:
        rendered = parse_surface(f"{name}(x + 2) + y").latex
        assert rendered.startswith("f(x, y) = ") and name not in rendered.replace("\\" + name, ""), rendered
    assert set(FUNCTIONS) <= set(OUTER_DERIVATIVES)


# --- the hostile corpus ----------------------------------------------------------------------

HOSTILE = [
    ("x + 2*z", "unknown name 'z' at column 7"),
    ("x.__class__", "character '_' at column 3"),
    ("x.real", "'.' at column 2 is not part of a number"),
    ("__import__('os')", "character '_' at column 1"),
    ("__builtins__", "character '_' at column 1"),
    ("lambda: 0", "character ':' at column 7"),
    ("lambda x: x", "character ':'"),
    ("x[0]", "character '['"),
    ("{x}", "character '{'"),
    ("'x'", "character \"'\" at column 1"),
    ('"x"', "character '\"' at column 1"),
    ("x; import os", "character ';' at column 2"),
    ("x\ny", "control character '\\n' at column 2"),
    ("x\r\ny", "control character '\\r'"),
    ("ｘ**2 + y", "U+FF58 (FULLWIDTH LATIN SMALL LETTER X) at column 1"),
    ("𝑥**2", "U+1D465 (MATHEMATICAL ITALIC SMALL X)"),
    ("x\u200b+y", "U+200B (ZERO WIDTH SPACE) at column 2"),
    ("\u202ex+y", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ("\u200fx+y", "U+200F (RIGHT-TO-LEFT MARK)"),
    ("x\u00a0+ y", "U+00A0 (NO-BREAK SPACE)"),
    ("\u0445 + y", "U+0445 (CYRILLIC SMALL LETTER HA)"),
    ("π*x", "type pi"),
    ("9**9**9**9", "'9**9**9' at column 4 overflows to inf"),
    ("10**400*x", "'10**400' at column 1 overflows"),
    ("2**2**2**2**2**2", "overflows to inf"),
    ("1e999", "the number 1e999 at column 1 is too large"),
    ("x**1e999", "the number 1e999 at column 4 is too large"),
    ("inf", "'inf' at column 1 is not allowed"),
    ("-inf*x", "'inf' at column 2 is not allowed"),
    ("nan", "'nan' at column 1 is not allowed"),
    ("NaN + x", "'NaN' at column 1 is not allowed"),
    ("x + Infinity", "'Infinity' at column 5 is not allowed"),
    ("0/0 + x", "'0/0' at column 1 is not a real number (nan)"),
    ("log(-1)*x", "'log(-1)' at column 1 is not a real number"),
    ("(" * 10_000, "it has 10000 characters; at most 200"),
    ("-" * 10_000 + "x", "it has 10001 characters"),
    ("x" + "**x" * 5_000, "it has 15001 characters"),
    ("x" * 100_000, "it has 100000 characters"),
    ("(" * 40 + "x" + ")" * 40, "nested too deeply at column 31"),
    ("-" * 150 + "x", "nested too deeply"),
    ("x" + "**x" * 60, "nested too deeply"),
    ("x+" * 70 + "x", f"more than {MAX_NODES} numbers, names and operators"),
    ("", "it is empty"),
    ("   \t ", "it is empty"),
    ("x y", "missing operator before 'y' at column 3"),
    ("2x", "missing operator before 'x' at column 2 (write * for a product, e.g. 2*x)"),
    ("xy", "unknown name 'xy' at column 1 (write * between factors: x*y)"),
    ("x +", "ends too early after '+'"),
    ("x **", "ends too early after '**'"),
    ("x*", "ends too early after '*'"),
    ("*x", "'*' at column 1 needs a number"),
    ("x*/y", "found '/'"),
    ("foo(x)", "unknown name 'foo' at column 1"),
    ("exp", "'exp' at column 1 needs its argument in parentheses"),
    ("exp x", "'exp' at column 1 needs its argument in parentheses"),
    ("sin(x, y)", "'sin' takes exactly one argument; found ',' at column 6"),
    ("sin()", "needs an argument"),
    ("True", "unknown name 'True'"),
    ("False + x", "unknown name 'False'"),
    ("None", "unknown name 'None'"),
    ("Sin(x)", "names are lower case: write 'sin'"),
    ("x if y else 1", "missing operator before 'if'"),
    ("x // 2", "'//' at column 3 (floor division)"),
    ("x % 2", "character '%' at column 3"),
    ("x == y", "character '='"),
    ("x @ y", "character '@'"),
    ("x & y | ~x", "character '&'"),
    ("x < y", "character '<'"),
    ("#x", "character '#'"),
    ("`x`", "character '`'"),
    ("x\\y", "character '\\\\'"),
    ("$x", "character '$'"),
    ("getattr(x, 'y')", "character \"'\" at column 12"),
    ("x,y", "',' at column 2 is not allowed here"),
    ("sin(x)(y)", "missing operator before '(' at column 7"),
    ("()", "empty parentheses at column 1"),
    ("(x", "missing ')' to close '(' at column 1"),
    ("x)", "unmatched ')' at column 2"),
    ("sqrt(-1 - x**2 - y**2)", "not a finite number anywhere"),
    ("exp(1000 + x)", "not a finite number anywhere"),
    (b"x", "expected text, got bytes"),
    (None, "expected text, got NoneType"),
]


class Forbidden(BaseException):
    """Raised by a patched builtin: a BaseException, so no ``except Exception`` can hide it."""


@pytest.mark.parametrize("text, message", HOSTILE, ids=[f"hostile{i:02d}" for i in range(len(HOSTILE))])
def test_hostile_text_is_refused_quickly_without_running_anything(text, message, monkeypatch):
    calls = []

    def forbidden(*args, **kwargs):
        calls.append(args[:1])
        raise Forbidden

    with monkeypatch.context() as patched:
        for name in ("eval", "exec", "compile", "__import__"):
            patched.setattr(builtins, name, forbidden)
        started = time.perf_counter()
        try:
            parse_surface(text)
            outcome = "accepted"
        except ValueError as error:
            outcome = str(error)
        except Forbidden:
            outcome = "ran a forbidden builtin"
        elapsed = time.perf_counter() - started
    assert calls == []
    assert outcome.startswith("Invalid formula: ") and message in outcome, outcome
    assert elapsed < 0.05


def test_the_corpus_is_large():
    assert len(HOSTILE) >= 40


def test_limits_are_exact():
    assert parse_surface("x" + " " * (MAX_TEXT_LENGTH - 1)).text == "x"
    with pytest.raises(ValueError, match=f"it has {MAX_TEXT_LENGTH + 1} characters"):
        parse_surface("x" + " " * MAX_TEXT_LENGTH)
    assert parse_surface("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH).text == "x"
    assert parse_surface("-" * MAX_DEPTH + "x").text == "-" * MAX_DEPTH + "x"
    with pytest.raises(ValueError, match="nested too deeply"):
        parse_surface("-" * (MAX_DEPTH + 1) + "x")
    factors = (MAX_NODES + 1) // 2  # k factors joined by * make 2k - 1 nodes
    assert parse_surface("*".join(["x"] * factors))
    with pytest.raises(ValueError, match="more than"):
        parse_surface("*".join(["x"] * (factors + 1)))


def test_canonical_text_always_fits_the_length_limit():
    # 50 terms: 99 characters typed, 197 written out; 51 terms would be 201 written out.
    assert len(parse_surface("+".join(["x"] * 50)).text) == 197
    with pytest.raises(ValueError, match="written out in full .* it has 201 characters"):
        parse_surface("+".join(["x"] * 51))


# --- random input ----------------------------------------------------------------------------

ALPHABET = "xy0123456789.e+-*/^() \tsincoqrtlgpaebh,_[]'ｘ\u200b"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_any_text_gives_a_surface_or_a_value_error(text):
    try:
        surface = parse_surface(text)
    except ValueError as error:
        assert str(error).startswith("Invalid formula: ")
        return
    assert surface.text == format_surface_text(surface.text)


def _formula_texts() -> st.SearchStrategy[str]:
    atoms = st.sampled_from(["x", "y", "pi", "e", "2", "0.5", "3", ".25", "1e-1", "10"])
    functions = st.sampled_from(sorted([*FUNCTIONS, *ALIASES]))

    def wrap(text: str, parenthesise: bool) -> str:
        return f"({text})" if parenthesise else text

    def compound(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.builds(
            lambda a, op, b, left, right: f"{wrap(a, left)}{op}{wrap(b, right)}",
            children, st.sampled_from(["+", "-", "*", "/", "**", "^", " + ", " - "]), children, st.booleans(),
            st.booleans(),
        )
        unary = st.builds(lambda sign, a, p: f"{sign}{wrap(a, p)}", st.sampled_from(["-", "+"]), children, st.booleans())
        call = st.builds(lambda f, a: f"{f}({a})", functions, children)
        return st.one_of(binary, unary, call)

    return st.recursive(atoms, compound, max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(_formula_texts())
def test_canonical_text_reads_back_to_the_same_formula(text):
    try:
        canonical = format_surface_text(text)
    except ValueError:
        assume(False)
    assert format_surface_text(canonical) == canonical
    original, again = parse(text), parse(canonical)
    assert (original.graph.ops, original.graph.args, original.root) == (again.graph.ops, again.graph.args, again.root)
    points = random_points(16, (-3.0, -3.0), (3.0, 3.0))
    first, second = _Formula(original), _Formula(again)
    np.testing.assert_array_equal(first.value(points), second.value(points))
    np.testing.assert_array_equal(first.grad(points), second.grad(points))
    assert not np.isnan(first.value(points)).any() and not np.isnan(first.grad(points)).any()


# --- derivatives -----------------------------------------------------------------------------

# Each function on an argument inside its domain for x, y in [-1, 1]^2, away from kinks and poles.
SMALL_ARGUMENT = ("0.3*x + 0.2*y + 0.4", lambda x, y: 0.3 * x + 0.2 * y + 0.4)
POSITIVE_ARGUMENT = ("2 + 0.3*x*y + 0.2*y", lambda x, y: 2 + 0.3 * x * y + 0.2 * y)
FUNCTION_ARGUMENTS = {name: SMALL_ARGUMENT for name in FUNCTIONS}
FUNCTION_ARGUMENTS.update({name: POSITIVE_ARGUMENT for name in ("log", "log10", "log2", "sqrt", "cbrt")})


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_matches_numpy_and_central_differences(name):
    argument, python = FUNCTION_ARGUMENTS[name]
    surface = parse_surface(f"y*{name}({argument}) + x")
    points = random_points(64, (-1.0, -1.0), (1.0, 1.0))
    x, y = points[:, 0], points[:, 1]
    np.testing.assert_allclose(surface.value(points), y * FUNCTIONS[name](python(x, y)) + x, rtol=1e-14, atol=1e-15)
    assert_gradient_matches_differences(surface, points)


OPERATOR_FORMULAS = [
    "x + y", "x - y", "x*y", "x/y", "y/x**2", "x**y", "x**3", "x**-2", "2**(x*y)", "-x*y", "(x*y)**0.5",
    "x**(y**2)", "pi**x + e**y", "(x + y)**2/(1 + x**2)", "x**x", "1/(x*y)",
]


@pytest.mark.parametrize("text", OPERATOR_FORMULAS)
def test_every_operator_matches_central_differences(text):
    # x and y positive and away from 0, where every formula above is smooth.
    assert_gradient_matches_differences(parse_surface(text), random_points(64, (0.5, 0.5), (2.0, 2.0)))


def test_hand_worked_gradients():
    cases = [
        ("sin(x)*y", (0.5, 2.0), (2 * math.cos(0.5), math.sin(0.5))),
        ("exp(x*y)", (1.0, 2.0), (2 * math.exp(2), math.exp(2))),
        ("log(x) + sqrt(y)", (2.0, 4.0), (0.5, 0.25)),
        ("x**y", (2.0, 3.0), (12.0, 8 * math.log(2))),
        ("abs(x - y)", (1.0, 3.0), (-1.0, 1.0)),
        ("arctan(x) + tanh(y)", (1.0, 0.0), (0.5, 1.0)),
        ("x^2/20 + y^2", (-7.0, 2.0), (-0.7, 4.0)),
        ("arcsin(x) + arccos(y)", (0.6, 0.8), (1.25, -1 / 0.6)),
        ("cbrt(x)*log10(y)", (8.0, 100.0), (2 / 12, 2 / (100 * math.log(10)))),
    ]
    for text, point, expected in cases:
        np.testing.assert_allclose(parse_surface(text).grad(np.array(point)), expected, rtol=1e-13, err_msg=text)


@pytest.mark.parametrize("name", sorted(TYPED))
def test_typed_formulas_are_the_registered_surfaces(name):
    registered = SURFACES[name]
    surface = parse_surface(TYPED[name], x_range=registered.x_range, y_range=registered.y_range)
    points = random_points(200, (registered.x_range[0], registered.y_range[0]),
                           (registered.x_range[1], registered.y_range[1]))
    np.testing.assert_allclose(surface.value(points), registered.value(points), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(surface.grad(points), registered.grad(points), rtol=1e-11, atol=1e-10)
    # The log-level choice agrees with the one made by hand for each registered surface.
    assert surface.log_levels == registered.log_levels
    if registered.hessian is not None:
        np.testing.assert_allclose(surface.hessian, registered.hessian, rtol=1e-14)
    else:
        assert surface.hessian is None
    assert len(surface.minima) == len(registered.minima)
    for minimum in registered.minima:
        assert np.min(np.hypot(*(surface.minima_array() - minimum).T)) < 1e-8


def test_rosenbrock_text_gives_exactly_the_registered_rosenbrock():
    registered, surface = SURFACES["rosenbrock"], parse_surface(ROSENBROCK)
    points = random_points(500, (-2.0, -1.0), (2.0, 3.0))
    np.testing.assert_allclose(surface.value(points), registered.value(points), rtol=1e-14)
    np.testing.assert_allclose(surface.grad(points), registered.grad(points), rtol=1e-13, atol=1e-12)
    assert surface.minima == ((1.0, 1.0),)
    np.testing.assert_array_equal(surface.grad(np.array([1.0, 1.0])), [0.0, 0.0])


# --- where the formula has no real value ------------------------------------------------------

def test_undefined_values_are_plus_infinity_and_gradients_never_nan():
    log_x = parse_surface("log(x) + y**2")
    assert value_at(log_x, -1.0, 0.0) == math.inf
    assert value_at(parse_surface("arcsin(x) + y"), 2.0, 0.0) == math.inf
    assert value_at(parse_surface("sqrt(x) + y"), -4.0, 0.0) == math.inf
    assert value_at(parse_surface("1/x + y"), 0.0, 0.0) == math.inf
    assert value_at(parse_surface("log(x**2) + y"), 0.0, 0.0) == -math.inf
    # The tip of a cone: 0/0 in the derivative, 0 (a subgradient) in the gradient.
    np.testing.assert_array_equal(parse_surface("sqrt(x**2 + y**2)").grad(np.zeros(2)), [0.0, 0.0])
    assert not np.isnan(log_x.grad(np.array([-1.0, 0.5]))).any()


@pytest.mark.parametrize("text", ["log(x*y)", "sqrt(x) + sqrt(-y)", "x**y", "arccos(x/3)*y", "1/(x - y)", "0*log(x) + y",
                                  "exp(x**3)", "tan(x*y)", "abs(x)/abs(y)"])
def test_no_nan_ever_reaches_a_chart(text):
    surface = parse_surface(text, x_range=(-5.0, 5.0), y_range=(-5.0, 5.0))
    grid = np.stack(np.meshgrid(np.linspace(-5, 5, 41), np.linspace(-5, 5, 41)), axis=-1)
    loss, gradient = surface.value_and_grad(grid)
    assert not np.isnan(loss).any() and not np.isnan(gradient).any()
    assert not np.isnan(surface.value(grid)).any() and not np.isnan(surface.grad(grid)).any()


# --- the surface record ----------------------------------------------------------------------

def test_the_record_is_complete():
    surface = parse_surface("x^2 + 3*y^2")
    assert isinstance(surface, CustomSurface) and isinstance(surface, landscapes.Surface)
    assert surface.name == "custom" and surface.text == "x**2 + 3*y**2"
    assert surface.text in surface.label and surface.text in surface.description
    assert surface.latex == "f(x, y) = x^{2} + 3 \\, y^{2}"
    assert surface.x_range == surface.y_range == (-5.0, 5.0)
    assert surface.x_range[0] < surface.start[0] < surface.x_range[1]
    assert surface.y_range[0] < surface.start[1] < surface.y_range[1]
    assert surface.minima == ((0.0, 0.0),) and surface.goal == "minimum"
    assert surface.hessian == ((2.0, 0.0), (0.0, 6.0))
    assert landscapes.parse_surface is parse_surface


def test_value_and_grad_broadcast_and_agree():
    surface = parse_surface("sin(x)*exp(-y**2) + x*y")
    grid = random_points(12, (-2.0, -2.0), (2.0, 2.0)).reshape(3, 4, 2)
    assert surface.value(grid).shape == (3, 4) and surface.grad(grid).shape == (3, 4, 2)
    loss, gradient = surface.value_and_grad(grid)
    np.testing.assert_array_equal(loss, surface.value(grid))
    np.testing.assert_array_equal(gradient, surface.grad(grid))
    assert np.ndim(surface.value(np.array(surface.start))) == 0
    constant = parse_surface("3")
    np.testing.assert_array_equal(constant.value(grid), np.full((3, 4), 3.0))
    np.testing.assert_array_equal(constant.grad(grid), np.zeros((3, 4, 2)))


def test_the_same_formula_gives_the_same_object():
    assert parse_surface("x^2+y^2") is parse_surface("x**2 + y**2")
    assert parse_surface("x**2 + y**2", x_range=(-1, 1)) is not parse_surface("x**2 + y**2")


def test_a_given_window_is_kept_and_checked():
    surface = parse_surface("x**2 + y**2", x_range=(-1, 3), y_range=(0.5, 2))
    assert surface.x_range == (-1.0, 3.0) and surface.y_range == (0.5, 2.0)
    assert surface.minima == ()  # (0, 0) is outside the window
    for bad in [(1, 1), (2, 1), (float("nan"), 1), (0, math.inf), (0, 1e7), "ab", "12", 3, (1, 2, 3)]:
        with pytest.raises(ValueError, match="Invalid x_range: .* must be two finite numbers"):
            parse_surface("x", x_range=bad)


def test_the_window_shrinks_to_where_the_formula_is_defined():
    surface = parse_surface("log(x) + y**2")
    assert 0 < surface.x_range[0] < 0.5 and surface.x_range[1] == 5.0
    assert surface.y_range == (-5.0, 5.0)
    assert np.isfinite(surface.value(np.array(surface.start)))
    with pytest.raises(ValueError, match="finite only on a line or a point"):
        parse_surface("sqrt(-x**2) + y")


def test_reported_minima_are_verified_and_lowest():
    for text in ["(x - 1)**2 + (y + 2)**2", TYPED["himmelblau"], TYPED["rastrigin"], "cos(x) + cos(y)",
                 "(x**2 - 1)**2 + 0.1*x + y**2", "exp(x*x + y*y - x)"]:
        surface = parse_surface(text)
        minima = surface.minima_array()
        assert len(minima), text
        np.testing.assert_allclose(surface.grad(minima), 0.0, atol=1e-8, err_msg=text)
        h = 1e-5
        for point in minima:
            hessian = np.array([(surface.grad(point + h * e) - surface.grad(point - h * e)) / (2 * h) for e in np.eye(2)])
            assert np.all(np.linalg.eigvalsh((hessian + hessian.T) / 2) > 0), text
        lowest = surface.value(minima).min()
        grid = random_points(4000, (-5.0, -5.0), (5.0, 5.0))
        assert np.all(surface.value(grid) >= lowest - 1e-9), text
    assert parse_surface("(x - 1)**2 + (y + 2)**2").minima == ((1.0, -2.0),)
    assert parse_surface("(x**2 - 1)**2 + 0.1*x + y**2").minima[0][0] < 0  # the deeper of two wells
    assert len(parse_surface(TYPED["himmelblau"]).minima) == 4


@pytest.mark.parametrize("text", ["x**4 + y**4", "y**2 - x**2", "x**3 - 3*x*y**2", "x + y", "(x - 10)**2 + y**2", "3"])
def test_no_minimum_is_reported_unless_verified(text):
    # Degenerate (zero Hessian), saddles, unbounded, or outside the window.
    surface = parse_surface(text)
    assert surface.minima == () and surface.goal == "local"


def test_log_levels_follow_the_spread_of_values():
    assert parse_surface("x**4 + y**4").log_levels
    assert parse_surface("exp(x + y)").log_levels
    assert not parse_surface("x**2 + y**2").log_levels
    assert not parse_surface("sin(x) + cos(y)").log_levels


@pytest.mark.parametrize("text", ["1e308*x + y", "-1e308*x**2 + 1e308*y**2", "1e-310*x**2 + 1e-310*y**2"])
def test_extreme_magnitudes_build_a_usable_surface(text):
    # Values from -1e308 to 1e308 differ by more than the largest float: no overflow may escape.
    surface = parse_surface(text)
    assert math.isfinite(surface.goal_tol) and surface.goal_tol > 0
    assert np.isfinite(surface.value(np.array(surface.start)))


QUADRATICS = [
    ("x**2/20 + y**2", ((0.1, 0.0), (0.0, 2.0))),
    ("(x + 2*y)**2 - x*y + 3", ((2.0, 3.0), (3.0, 8.0))),
    ("2*x - y", ((0.0, 0.0), (0.0, 0.0))),
    ("-(x - y)**2/2 + pi", ((-1.0, 1.0), (1.0, -1.0))),
]


@pytest.mark.parametrize("text, hessian", QUADRATICS)
def test_quadratics_declare_their_constant_hessian(text, hessian):
    surface = parse_surface(text)
    np.testing.assert_allclose(surface.hessian, hessian, rtol=1e-14, atol=1e-15)
    point, h = np.array([0.3, -0.7]), 1e-5
    numeric = np.array([(surface.grad(point + h * e) - surface.grad(point - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(numeric, surface.hessian, atol=1e-6)


@pytest.mark.parametrize("text", ["x**3 + y**2", "x**2*y", "sin(x) + y**2", "x/y", "x**2.5 + y**2", "1/x + y**2",
                                  "(x**2)**0.5", "exp(x)", "x**y"])
def test_other_formulas_have_no_constant_hessian(text):
    assert parse_surface(text).hessian is None
