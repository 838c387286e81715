"""Differentiation and evaluation of a parsed formula, symbolically, on a graph of shared nodes.

``Calculus.of(tree)`` copies the student's syntax graph into a graph where constants are
numbers and a few identities simplify as nodes are made:

- an operation on numbers is folded, in float64, when the result is finite;
- ``a + 0``, ``a - 0``, ``a * 1``, ``a / 1``, ``a ** 1`` are ``a``; ``0 - a`` is ``-a``;
  ``a * 0``, ``0 / a`` are 0 and ``a ** 0`` is 1 (whatever ``a`` is: a derivative's
  zero term then disappears instead of becoming 0·inf = nan at a domain edge);
- ``-(-a)`` is ``a``, ``a + (-b)`` is ``a - b``, ``a - (-b)`` is ``a + b``, ``-1 * a`` is ``-a``.

Equal nodes are shared, so a derivative reuses the value's sub-expressions (the derivative of
``exp(u)`` is the very node ``exp(u)`` times ``u'``) and stays linear in the formula's size.
A ``Program`` then evaluates chosen nodes at arrays of x and y: one NumPy call per node.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from landscapes.expression_graph import CONSTANTS, Graph, evaluate_constant, ufunc_of
from landscapes.expression_syntax import SyntaxTree

# A derivative graph is a small multiple of the formula; this only guards against surprises.
MAX_DERIVED_NODES = 20_000
# Highest polynomial degree tracked; anything above counts as "more than quadratic".
DEGREE_CAP = 3


class Calculus:
    """A graph with simplifying node constructors, derivatives and the polynomial degree."""

    def __init__(self) -> None:
        self.graph = Graph(max_nodes=MAX_DERIVED_NODES)

    @classmethod
    def of(cls, tree: SyntaxTree) -> tuple[Calculus, int]:
        """A calculus graph holding the formula, and the formula's node in it."""
        calculus = cls()
        source = tree.graph
        copied: dict[int, int] = {}
        for node in source.reachable([tree.root]):
            op, args = source.ops[node], source.args[node]
            if op == "number":
                copied[node] = calculus.number(args[0])
            elif op == "constant":
                copied[node] = calculus.number(CONSTANTS[args[0]])
            elif op == "variable":
                copied[node] = calculus.graph.node("variable", args[0])
            elif op == "call":
                copied[node] = calculus.call(args[0], copied[args[1]])
            elif op == "negate":
                copied[node] = calculus.negate(copied[args[0]])
            else:
                copied[node] = calculus.binary(op, copied[args[0]], copied[args[1]])
        return calculus, copied[tree.root]

    # --- simplifying constructors -----------------------------------------------------

    def number(self, value: float) -> int:
        return self.graph.node("number", float(value))

    def number_value(self, node: int) -> float | None:
        return self.graph.args[node][0] if self.graph.ops[node] == "number" else None

    def _is(self, node: int, value: float) -> bool:
        return self.number_value(node) == value

    def _folded(self, op: str, args: tuple, inputs: tuple[int, ...]) -> int | None:
        values = tuple(self.number_value(child) for child in inputs)
        if any(value is None for value in values):
            return None
        result = evaluate_constant(op, args, values)
        # A non-finite constant stays an operation, so it is computed (and mapped) at run time.
        return self.number(result) if math.isfinite(result) else None

    def negate(self, a: int) -> int:
        folded = self._folded("negate", (a,), (a,))
        if folded is not None:
            return folded
        if self.graph.ops[a] == "negate":
            return self.graph.args[a][0]
        return self.graph.node("negate", a)

    def call(self, function: str, a: int) -> int:
        folded = self._folded("call", (function, a), (a,))
        return folded if folded is not None else self.graph.node("call", function, a)

    def binary(self, op: str, a: int, b: int) -> int:
        folded = self._folded(op, (a, b), (a, b))
        if folded is not None:
            return folded
        ops = self.graph.ops
        if op == "+":
            if self._is(a, 0.0):
                return b
            if self._is(b, 0.0):
                return a
            if ops[b] == "negate":
                return self.binary("-", a, self.graph.args[b][0])
        elif op == "-":
            if self._is(b, 0.0):
                return a
            if self._is(a, 0.0):
                return self.negate(b)
            if ops[b] == "negate":
                return self.binary("+", a, self.graph.args[b][0])
        elif op == "*":
            if self._is(a, 0.0) or self._is(b, 0.0):
                return self.number(0.0)
            if self._is(a, 1.0):
                return b
            if self._is(b, 1.0):
                return a
            if self._is(a, -1.0):
                return self.negate(b)
            if self._is(b, -1.0):
                return self.negate(a)
        elif op == "/":
            if self._is(a, 0.0):
                return self.number(0.0)
            if self._is(b, 1.0):
                return a
        elif op == "**":
            if self._is(b, 0.0):
                return self.number(1.0)
            if self._is(b, 1.0):
                return a
        return self.graph.node(op, a, b)

    def add(self, a: int, b: int) -> int:
        return self.binary("+", a, b)

    def subtract(self, a: int, b: int) -> int:
        return self.binary("-", a, b)

    def multiply(self, a: int, b: int) -> int:
        return self.binary("*", a, b)

    def divide(self, a: int, b: int) -> int:
        return self.binary("/", a, b)

    def power(self, a: int, b: int) -> int:
        return self.binary("**", a, b)

    # --- derivatives ------------------------------------------------------------------

    def derivative(self, root: int, variable: str) -> int:
        """The node of d(root)/d(variable), built children first (no recursion)."""
        zero, one = self.number(0.0), self.number(1.0)
        derivatives: dict[int, int] = {}
        for node in self.graph.reachable([root]):
            op, args = self.graph.ops[node], self.graph.args[node]
            if op == "number":
                derivatives[node] = zero
            elif op == "variable":
                derivatives[node] = one if args[0] == variable else zero
            elif op == "negate":
                derivatives[node] = self.negate(derivatives[args[0]])
            elif op == "call":
                inner = derivatives[args[1]]
                derivatives[node] = zero if inner == zero else self.multiply(
                    OUTER_DERIVATIVES[args[0]](self, args[1], node), inner
                )
            else:
                derivatives[node] = self._binary_derivative(node, op, *args, derivatives[args[0]], derivatives[args[1]])
        return derivatives[root]

    def _binary_derivative(self, node: int, op: str, a: int, b: int, da: int, db: int) -> int:
        if op == "+":
            return self.add(da, db)
        if op == "-":
            return self.subtract(da, db)
        if op == "*":
            return self.add(self.multiply(da, b), self.multiply(a, db))
        if op == "/":
            return self.subtract(self.divide(da, b), self.divide(self.multiply(a, db), self.multiply(b, b)))
        # a ** b
        exponent = self.number_value(b)
        if exponent is not None:
            return self.multiply(self.multiply(b, self.power(a, self.number(exponent - 1.0))), da)
        if self.number_value(a) is not None:
            return self.multiply(self.multiply(node, self.call("log", a)), db)
        # d(a**b) = a**b * (b' log a + b a' / a)
        return self.multiply(
            node,
            self.add(self.multiply(db, self.call("log", a)), self.divide(self.multiply(b, da), a)),
        )

    def gradient(self, root: int) -> tuple[int, int]:
        return self.derivative(root, "x"), self.derivative(root, "y")

    def hessian(self, dx: int, dy: int) -> tuple[int, int, int]:
        """Nodes of f_xx, f_xy, f_yy, given the nodes of f_x and f_y."""
        return self.derivative(dx, "x"), self.derivative(dx, "y"), self.derivative(dy, "y")

    # --- structure --------------------------------------------------------------------

    def polynomial_degree(self, root: int) -> int | None:
        """Degree of the formula as a polynomial in x and y (capped at ``DEGREE_CAP``), or
        None where it is not one (a function of x or y, a division by x or y, a power that
        is not a whole number)."""
        degrees: dict[int, int | None] = {}
        for node in self.graph.reachable([root]):
            op, args = self.graph.ops[node], self.graph.args[node]
            if op == "number":
                degree: int | None = 0
            elif op == "variable":
                degree = 1
            elif op == "negate":
                degree = degrees[args[0]]
            elif op == "call":
                degree = 0 if degrees[args[1]] == 0 else None
            else:
                left, right = degrees[args[0]], degrees[args[1]]
                degree = _combined_degree(op, left, right, self.number_value(args[1]))
            degrees[node] = None if degree is None else min(degree, DEGREE_CAP)
        return degrees[root]


def _combined_degree(op: str, left: int | None, right: int | None, right_number: float | None) -> int | None:
    if left is None or right is None:
        return None
    if op in "+-":
        return max(left, right)
    if op == "*":
        return left + right
    if op == "/":
        return left if right == 0 and right_number not in (None, 0.0) else None
    # **: a whole, non-negative, constant exponent
    if right == 0 and right_number is not None and right_number >= 0 and float(right_number).is_integer():
        return left * int(min(right_number, DEGREE_CAP))
    return None


def _square(c: Calculus, u: int) -> int:
    return c.power(u, c.number(2.0))


# f'(u) for each function f, given u's node and the node f(u) itself (shared where it helps).
OUTER_DERIVATIVES: dict[str, Callable[[Calculus, int, int], int]] = {
    "sin": lambda c, u, f: c.call("cos", u),
    "cos": lambda c, u, f: c.negate(c.call("sin", u)),
    "tan": lambda c, u, f: c.divide(c.number(1.0), _square(c, c.call("cos", u))),
    "arcsin": lambda c, u, f: c.divide(c.number(1.0), c.call("sqrt", c.subtract(c.number(1.0), _square(c, u)))),
    "arccos": lambda c, u, f: c.negate(
        c.divide(c.number(1.0), c.call("sqrt", c.subtract(c.number(1.0), _square(c, u))))
    ),
    "arctan": lambda c, u, f: c.divide(c.number(1.0), c.add(c.number(1.0), _square(c, u))),
    "sinh": lambda c, u, f: c.call("cosh", u),
    "cosh": lambda c, u, f: c.call("sinh", u),
    "tanh": lambda c, u, f: c.subtract(c.number(1.0), _square(c, f)),
    "exp": lambda c, u, f: f,
    "log": lambda c, u, f: c.divide(c.number(1.0), u),
    "log10": lambda c, u, f: c.divide(c.number(1.0), c.multiply(u, c.number(math.log(10.0)))),
    "log2": lambda c, u, f: c.divide(c.number(1.0), c.multiply(u, c.number(math.log(2.0)))),
    "sqrt": lambda c, u, f: c.divide(c.number(0.5), f),
    "cbrt": lambda c, u, f: c.divide(c.number(1.0), c.multiply(c.number(3.0), _square(c, f))),
    "abs": lambda c, u, f: c.call("sign", u),
    "sign": lambda c, u, f: c.number(0.0),
}


class Program:
    """Evaluates chosen nodes of a graph at arrays ``x`` and ``y``: one NumPy call per node,
    in node order, all under ``np.errstate(all="ignore")`` (overflow gives inf, a domain
    error gives nan; the caller decides what they mean)."""

    def __init__(self, graph: Graph, roots: tuple[int, ...]) -> None:
        order = graph.reachable(roots)
        slot = {node: index for index, node in enumerate(order)}
        self._template: list[object] = [None] * len(order)
        self._x_slot = self._y_slot = -1
        steps: list[tuple[int, np.ufunc, int, int]] = []
        for node in order:
            op, args = graph.ops[node], graph.args[node]
            if op == "number":
                self._template[slot[node]] = np.float64(args[0])
            elif op == "variable":
                if args[0] == "x":
                    self._x_slot = slot[node]
                else:
                    self._y_slot = slot[node]
            else:
                inputs = graph.children(node)
                second = slot[inputs[1]] if len(inputs) == 2 else -1
                steps.append((slot[node], ufunc_of(op, args), slot[inputs[0]], second))
        self._steps = steps
        self._root_slots = tuple(slot[root] for root in roots)

    def __len__(self) -> int:
        return len(self._steps)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> list:
        values = self._template.copy()
        if self._x_slot >= 0:
            values[self._x_slot] = x
        if self._y_slot >= 0:
            values[self._y_slot] = y
        with np.errstate(all="ignore"):
            for out, function, first, second in self._steps:
                values[out] = function(values[first]) if second < 0 else function(values[first], values[second])
        return [values[index] for index in self._root_slots]
