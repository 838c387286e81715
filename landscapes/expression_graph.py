"""A formula as a graph of shared nodes, numbered children first.

Every pass over a formula (checking, rendering, differentiating, evaluating) is then a loop
over node numbers in increasing order, never a recursion, so no formula can exhaust Python's
stack outside the parser, which has its own explicit depth limit.

A node is ``(op, args)``:

- ``("number", (value,))`` a finite float64;
- ``("variable", ("x",))`` or ``("variable", ("y",))``;
- ``("constant", ("pi",))`` or ``("constant", ("e",))`` (kept by name for display);
- ``("negate", (a,))``;
- ``("+", (a, b))``, ``("-", ...)``, ``("*", ...)``, ``("/", ...)``, ``("**", ...)``;
- ``("call", (function_name, a))``, one argument, a name from ``FUNCTIONS`` (or ``sign``,
  which only derivatives create).
"""

from __future__ import annotations

import numpy as np

# The whitelist of one-argument functions a formula may call: name -> NumPy ufunc.
FUNCTIONS: dict[str, np.ufunc] = {
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "arcsin": np.arcsin,
    "arccos": np.arccos,
    "arctan": np.arctan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "log2": np.log2,
    "sqrt": np.sqrt,
    "cbrt": np.cbrt,
    "abs": np.absolute,
}
# Other spellings students type; the canonical text uses the name they stand for.
ALIASES: dict[str, str] = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "ln": "log"}
# Functions that only the differentiator creates: a student cannot call them.
DERIVED_FUNCTIONS: dict[str, np.ufunc] = {"sign": np.sign}
CONSTANTS: dict[str, float] = {"pi": float(np.pi), "e": float(np.e)}
VARIABLES = ("x", "y")
BINARY_OPERATORS: dict[str, np.ufunc] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.true_divide,
    "**": np.power,
}
LEAVES = ("number", "variable", "constant")


def ufunc_of(op: str, args: tuple) -> np.ufunc:
    """The NumPy function that computes an inner node from its children's values."""
    if op == "call":
        name = args[0]
        return FUNCTIONS[name] if name in FUNCTIONS else DERIVED_FUNCTIONS[name]
    if op == "negate":
        return np.negative
    return BINARY_OPERATORS[op]


def children(op: str, args: tuple) -> tuple[int, ...]:
    """The node numbers an ``(op, args)`` node depends on."""
    if op in LEAVES:
        return ()
    if op == "call":
        return (args[1],)
    return args


def evaluate_constant(op: str, args: tuple, child_values: tuple[float, ...]) -> float:
    """Value of an inner node whose children are constants, in float64 (never exact integers,
    so ``9**9**9**9`` overflows to inf at once instead of computing a huge integer)."""
    with np.errstate(all="ignore"):
        return float(ufunc_of(op, args)(*(np.float64(v) for v in child_values)))


class Graph:
    """Nodes numbered in creation order; an equal node is created once and then shared."""

    def __init__(self, max_nodes: int) -> None:
        self.ops: list[str] = []
        self.args: list[tuple] = []
        self._numbers: dict[tuple, int] = {}
        self._max_nodes = max_nodes

    def __len__(self) -> int:
        return len(self.ops)

    def node(self, op: str, *args: object) -> int:
        """The number of node ``(op, args)``, created if new."""
        key = (op, *args)
        found = self._numbers.get(key)
        if found is not None:
            return found
        if len(self.ops) >= self._max_nodes:
            raise ValueError(f"Invalid formula: it is too complex (more than {self._max_nodes} distinct parts to compute).")
        self.ops.append(op)
        self.args.append(tuple(args))
        self._numbers[key] = len(self.ops) - 1
        return len(self.ops) - 1

    def children(self, node: int) -> tuple[int, ...]:
        return children(self.ops[node], self.args[node])

    def reachable(self, roots: list[int] | tuple[int, ...]) -> list[int]:
        """Every node the roots depend on (roots included), in increasing order: children first."""
        seen = set(roots)
        # Children always have smaller numbers than their parents, so one downward sweep
        # over the numbers finds everything without a stack.
        for node in range(max(roots), -1, -1):
            if node in seen:
                seen.update(self.children(node))
        return sorted(seen)
