"""A parsed formula written back out: canonical text (for share links and caches) and LaTeX.

The canonical text is valid Python and parses back to the same graph: spaces around ``+``
and ``-`` only, ``**`` for powers (never ``^``), aliases replaced (``ln`` -> ``log``), numbers
in their shortest float spelling (``.50`` -> ``0.5``, ``2.5E1`` -> ``25``, ``1e-05`` -> ``1e-5``),
and only the parentheses the tree needs.
"""

from __future__ import annotations

from landscapes.expression_graph import Graph
from landscapes.expression_syntax import SyntaxTree

# Binding strength of what a node is written as; a child weaker than its place needs parentheses.
SUM, PRODUCT, NEGATION, FRACTION, POWER, ATOM = 1, 2, 3, 4, 5, 6

LATEX_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "arcsin": r"\arcsin",
    "arccos": r"\arccos",
    "arctan": r"\arctan",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "tanh": r"\tanh",
    "log": r"\ln",
    "log10": r"\log_{10}",
    "log2": r"\log_{2}",
}
LATEX_CONSTANTS = {"pi": r"\pi", "e": "e"}


def format_number(value: float) -> str:
    """The shortest text that reads back as the same float: 3, 0.5, 1e-5, 2.5e300."""
    spelled = repr(float(value))
    if "e" in spelled:
        mantissa, exponent = spelled.split("e")
        mantissa = mantissa.removesuffix(".0")
        return f"{mantissa}e{int(exponent)}"
    return spelled.removesuffix(".0")


def _wrap(text: str, level: int, needed: int, opening: str = "(", closing: str = ")") -> str:
    return f"{opening}{text}{closing}" if level < needed else text


def canonical_text(tree: SyntaxTree) -> str:
    """The formula in one normalised Python spelling."""
    graph: Graph = tree.graph
    texts: dict[int, tuple[str, int]] = {}
    for node in graph.reachable([tree.root]):
        op, args = graph.ops[node], graph.args[node]
        if op == "number":
            texts[node] = (format_number(args[0]), ATOM)
        elif op in ("variable", "constant"):
            texts[node] = (args[0], ATOM)
        elif op == "call":
            texts[node] = (f"{args[0]}({texts[args[1]][0]})", ATOM)
        elif op == "negate":
            texts[node] = ("-" + _wrap(*texts[args[0]], NEGATION), NEGATION)
        elif op == "**":
            # The base must be an atom; the exponent may carry a sign (2**-x), as in Python.
            base, exponent = texts[args[0]], texts[args[1]]
            texts[node] = (f"{_wrap(*base, ATOM)}**{_wrap(*exponent, NEGATION)}", POWER)
        else:
            level = SUM if op in "+-" else PRODUCT
            joiner = f" {op} " if level == SUM else op
            # Left-associative: a right operand of the same strength keeps its parentheses.
            left, right = texts[args[0]], texts[args[1]]
            texts[node] = (f"{_wrap(*left, level)}{joiner}{_wrap(*right, level + 1)}", level)
    return texts[tree.root][0]


def _latex_number(value: float) -> tuple[str, int]:
    spelled = format_number(value)
    if "e" not in spelled:
        return spelled, ATOM
    mantissa, exponent = spelled.split("e")
    if mantissa == "1":
        return f"10^{{{exponent}}}", POWER
    return rf"{mantissa} \cdot 10^{{{exponent}}}", PRODUCT


def latex(tree: SyntaxTree) -> str:
    """The formula as LaTeX (KaTeX-compatible), starting with ``f(x, y) = ``."""
    graph: Graph = tree.graph
    texts: dict[int, tuple[str, int]] = {}
    for node in graph.reachable([tree.root]):
        op, args = graph.ops[node], graph.args[node]
        if op == "number":
            texts[node] = _latex_number(args[0])
        elif op == "variable":
            texts[node] = (args[0], ATOM)
        elif op == "constant":
            texts[node] = (LATEX_CONSTANTS[args[0]], ATOM)
        elif op == "call":
            texts[node] = _latex_call(args[0], texts[args[1]][0])
        elif op == "negate":
            texts[node] = ("-" + _wrap(*texts[args[0]], NEGATION, r"\left(", r"\right)"), NEGATION)
        elif op == "/":
            texts[node] = (rf"\frac{{{texts[args[0]][0]}}}{{{texts[args[1]][0]}}}", FRACTION)
        elif op == "**":
            base = _wrap(*texts[args[0]], ATOM, r"\left(", r"\right)")
            texts[node] = (f"{base}^{{{texts[args[1]][0]}}}", POWER)
        elif op == "*":
            left, right = texts[args[0]], texts[args[1]]
            left_text = _wrap(*left, PRODUCT, r"\left(", r"\right)")
            # A fraction on the right reads clearly without parentheses; a sign does not.
            right_text = _wrap(*right, NEGATION + 1, r"\left(", r"\right)") if right[1] != FRACTION else right[0]
            # Juxtaposition, except where two numbers would run together (2 \cdot 3).
            joiner = r" \cdot " if right_text[0].isdigit() or right_text[0] == "." else r" \, "
            texts[node] = (f"{left_text}{joiner}{right_text}", PRODUCT)
        else:
            left, right = texts[args[0]], texts[args[1]]
            right_text = _wrap(*right, SUM + 1, r"\left(", r"\right)")
            texts[node] = (f"{left[0]} {op} {right_text}", SUM)
    return "f(x, y) = " + texts[tree.root][0]


def _latex_call(function: str, argument: str) -> tuple[str, int]:
    if function == "sqrt":
        return rf"\sqrt{{{argument}}}", ATOM
    if function == "cbrt":
        return rf"\sqrt[3]{{{argument}}}", ATOM
    if function == "abs":
        return rf"\left|{argument}\right|", ATOM
    if function == "exp":
        return f"e^{{{argument}}}", POWER
    return rf"{LATEX_FUNCTIONS[function]}\left({argument}\right)", ATOM
