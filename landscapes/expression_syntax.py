"""Reading a student's formula f(x, y) safely: characters, tokens, then a syntax graph.

Nothing here executes the text: there is no eval, exec, compile, ast.parse or sympy. The text
is checked in this order, each check cheap and bounded before the next:

1. it is a ``str`` of at most ``MAX_TEXT_LENGTH`` characters;
2. every character is on an allow-list (ASCII letters and digits, ``. + - * / ^ ( ) ,``,
   space and tab); anything else, including every non-ASCII character, is refused by
   name (Python itself would fold look-alikes such as fullwidth 'ｘ' or italic '𝑥' into 'x');
3. a tokenizer reads numbers as Python writes them (``3``, ``0.5``, ``.5``, ``5.``,
   ``1e-3``, ``2.5E1``) and names;
4. a recursive-descent parser with an explicit depth limit builds the graph.

The grammar is Python's arithmetic, restricted to a whitelist::

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := ("+" | "-") factor | power
    power      := primary [("**" | "^") factor]
    primary    := NUMBER | x | y | pi | e | FUNCTION "(" expression ")" | "(" expression ")"

so precedence and associativity are Python's: ``-2**2`` is -4, ``2**3**2`` is 512 and
``2**-1`` is 0.5. ``^`` is accepted as another spelling of ``**`` (students type it; Python's
bitwise XOR means nothing for real numbers). Functions take exactly one argument.

Every constant part of the formula (``2**10``, ``log(2)``, ``9**9**9**9``) is computed in
float64 as it is read, and the formula is refused if one is not finite: inf and nan cannot
be spelled in any way, not as a name (``inf``, ``nan``), a literal (``1e999``) or an
expression (``0/0``, ``10**400``).
"""

from __future__ import annotations

import math
import re
import string
import unicodedata
from dataclasses import dataclass

from landscapes.expression_graph import ALIASES, CONSTANTS, FUNCTIONS, VARIABLES, Graph, evaluate_constant

MAX_TEXT_LENGTH = 200
# Numbers, names and operators in one formula (parentheses do not count).
MAX_NODES = 120
# Levels of parentheses, function calls, signs and exponents inside one another.
MAX_DEPTH = 30

ALLOWED_CHARACTERS = frozenset(string.ascii_letters + string.digits + ".+-*/^(), \t")
NUMBER = re.compile(r"(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?", re.ASCII)
NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*", re.ASCII)
NON_FINITE_NAMES = frozenset({"inf", "infinity", "nan"})
# Hints for characters students paste from textbooks and word processors.
CHARACTER_HINTS = {
    "π": "type pi",
    "²": "type **2",
    "³": "type **3",
    "×": "type *",
    "·": "type *",
    "÷": "type /",
    "−": "type the ASCII minus -",
    "–": "type the ASCII minus -",
    "√": "type sqrt(...)",
    "\n": "a formula is one line",
    "\r": "a formula is one line",
    "[": "use round parentheses ( )",
    "]": "use round parentheses ( )",
    "{": "use round parentheses ( )",
    "}": "use round parentheses ( )",
    "=": "type only the formula, without 'f(x, y) ='",
    "%": "only + - * / and ** (or ^) are allowed",
    "_": "names are x, y, pi, e and functions such as sin, and numbers have no separators (1000, not 1_000)",
}


def _invalid(message: str) -> ValueError:
    return ValueError(f"Invalid formula: {message}")


def _allowed_names() -> str:
    return "x, y, pi, e and the functions " + ", ".join(sorted(FUNCTIONS))


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "operator", "(", ")", ",", "end"
    text: str  # as typed ("^" for a power written that way)
    column: int  # 1-based position of the first character
    value: float = 0.0  # a number token's value


@dataclass(frozen=True, eq=False)
class SyntaxTree:
    """A parsed formula: the graph as the student wrote it (no folding) and its root."""

    graph: Graph
    root: int


def check_characters(text: object) -> str:
    """The text itself, if it is a short string of allowed characters that is not blank."""
    if not isinstance(text, str):
        raise _invalid(f"expected text, got {type(text).__name__}.")
    if len(text) > MAX_TEXT_LENGTH:
        raise _invalid(f"it has {len(text)} characters; at most {MAX_TEXT_LENGTH} are allowed.")
    for index, character in enumerate(text):
        if character in ALLOWED_CHARACTERS:
            continue
        column = index + 1
        hint = CHARACTER_HINTS.get(character)
        if ord(character) > 127:
            name = unicodedata.name(character, "unnamed character")
            described = f"non-ASCII character U+{ord(character):04X} ({name})"
            hint = hint or "type plain ASCII letters, digits and operators"
        elif character.isprintable():
            described = f"character {character!r}"
        else:
            described = f"control character {character!r}"
        hint = hint or "allowed are letters, digits, spaces, . + - * / ** ^ ( )"
        raise _invalid(f"{described} at column {column} is not allowed; {hint}.")
    if not text.strip():
        raise _invalid("it is empty; type an expression in x and y, for example x**2 + y**2.")
    return text


def tokenize(text: str) -> list[Token]:
    """Tokens of a text that passed ``check_characters``, ending with an "end" token."""
    tokens: list[Token] = []
    index, length = 0, len(text)
    while index < length:
        character = text[index]
        column = index + 1
        if character in " \t":
            index += 1
            continue
        if character.isdigit() or character == ".":
            match = NUMBER.match(text, index)
            if match is None:
                raise _invalid(
                    f"'.' at column {column} is not part of a number; write decimals like 0.5 "
                    "(attribute access such as x.real is not allowed)."
                )
            spelled = match.group()
            value = float(spelled)
            if not math.isfinite(value):
                raise _invalid(f"the number {spelled} at column {column} is too large (the largest is about 1.8e308).")
            tokens.append(Token("number", spelled, column, value))
            index = match.end()
        elif character.isalpha():
            match = NAME.match(text, index)
            tokens.append(Token("name", match.group(), column))
            index = match.end()
        elif text.startswith("**", index):
            tokens.append(Token("operator", "**", column))
            index += 2
        elif text.startswith("//", index):
            raise _invalid(f"'//' at column {column} (floor division) is not supported; use / to divide.")
        elif character == "^":
            tokens.append(Token("operator", "^", column))
            index += 1
        elif character in "+-*/":
            tokens.append(Token("operator", character, column))
            index += 1
        else:  # one of ( ) ,
            tokens.append(Token(character, character, column))
            index += 1
    tokens.append(Token("end", "", length + 1))
    return tokens


class _Parser:
    """Recursive descent over the tokens, one method per grammar rule."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.position = 0
        self.depth = 0
        self.size = 0
        self.graph = Graph(max_nodes=MAX_NODES + 1)
        # Value of every node that does not depend on x or y, computed in float64.
        self.constant_values: dict[int, float] = {}

    # --- tokens -----------------------------------------------------------------------

    def peek(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def previous(self) -> Token | None:
        return self.tokens[self.position - 1] if self.position else None

    def end_of(self, token: Token) -> int:
        """Index in the text just after ``token``."""
        return token.column - 1 + len(token.text)

    def unexpected(self, token: Token) -> ValueError:
        previous = self.previous()
        if token.kind == "end":
            after = f" after '{previous.text}'" if previous is not None else ""
            return _invalid(f"it ends too early{after}; something is missing at column {token.column}.")
        if token.kind in ("number", "name", "("):
            example = ""
            if previous is not None and previous.kind in ("number", "name", ")") and token.kind != "(":
                example = f", e.g. {previous.text}*{token.text}"
            return _invalid(
                f"missing operator before '{token.text}' at column {token.column} (write * for a product{example})."
            )
        if token.kind == ",":
            return _invalid(
                f"',' at column {token.column} is not allowed here; functions take exactly one argument "
                "and decimals are written with a point (0.5)."
            )
        if token.kind == ")":
            return _invalid(f"unmatched ')' at column {token.column}.")
        return _invalid(f"unexpected '{token.text}' at column {token.column}.")

    # --- nodes ------------------------------------------------------------------------

    def make(self, start: Token, op: str, *args: object) -> int:
        self.size += 1
        if self.size > MAX_NODES:
            raise _invalid(f"it is too long: more than {MAX_NODES} numbers, names and operators.")
        node = self.graph.node(op, *args)
        if op == "constant":
            self.constant_values[node] = CONSTANTS[args[0]]
        elif op == "number":
            self.constant_values[node] = args[0]
        elif op != "variable":
            inputs = self.graph.children(node)
            if all(child in self.constant_values for child in inputs):
                value = evaluate_constant(op, self.graph.args[node], tuple(self.constant_values[c] for c in inputs))
                if not math.isfinite(value):
                    self.refuse_non_finite(start, value)
                self.constant_values[node] = value
        return node

    def refuse_non_finite(self, start: Token, value: float) -> None:
        spelled = self.text[start.column - 1 : self.end_of(self.previous())].strip()
        what = "is not a real number (nan)" if math.isnan(value) else f"overflows to {value:g}"
        raise _invalid(f"the constant part '{spelled}' at column {start.column} {what}; the formula must stay finite.")

    def deeper(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _invalid(
                f"it is nested too deeply at column {token.column} (more than {MAX_DEPTH} levels of "
                "parentheses, functions, signs and powers inside one another)."
            )

    # --- grammar ----------------------------------------------------------------------

    def parse(self) -> SyntaxTree:
        root = self.expression()
        if self.peek().kind != "end":
            raise self.unexpected(self.peek())
        return SyntaxTree(graph=self.graph, root=root)

    def expression(self) -> int:
        start = self.peek()
        node = self.term()
        while self.peek().kind == "operator" and self.peek().text in "+-":
            operator = self.advance().text
            node = self.make(start, operator, node, self.term())
        return node

    def term(self) -> int:
        start = self.peek()
        node = self.factor()
        while self.peek().kind == "operator" and self.peek().text in ("*", "/"):
            operator = self.advance().text
            node = self.make(start, operator, node, self.factor())
        return node

    def factor(self) -> int:
        token = self.peek()
        if token.kind == "operator" and token.text in "+-":
            self.advance()
            self.deeper(token)
            operand = self.factor()
            self.depth -= 1
            # A unary plus changes nothing, so the graph does not keep it.
            return operand if token.text == "+" else self.make(token, "negate", operand)
        return self.power()

    def power(self) -> int:
        start = self.peek()
        base = self.primary()
        token = self.peek()
        if token.kind == "operator" and token.text in ("**", "^"):
            self.advance()
            self.deeper(token)
            exponent = self.factor()
            self.depth -= 1
            return self.make(start, "**", base, exponent)
        return base

    def primary(self) -> int:
        token = self.advance()
        if token.kind == "number":
            return self.make(token, "number", token.value)
        if token.kind == "name":
            return self.name(token)
        if token.kind == "(":
            if self.peek().kind == ")":
                raise _invalid(f"empty parentheses at column {token.column}.")
            self.deeper(token)
            node = self.expression()
            self.depth -= 1
            self.close(token, "'('")
            return node
        self.position -= 1
        if token.kind == "operator":
            raise _invalid(
                f"'{token.text}' at column {token.column} needs a number, x, y, a function or '(' before it."
                if self.previous() is None
                else f"expected a number, x, y, a function or '(' at column {token.column}, found '{token.text}'."
            )
        if token.kind == ")" and self.previous() is not None and self.previous().kind == "operator":
            raise _invalid(f"expected a number, x, y, a function or '(' at column {token.column}, found ')'.")
        raise self.unexpected(token)

    def name(self, token: Token) -> int:
        name = token.text
        if name in VARIABLES:
            return self.make(token, "variable", name)
        if name in CONSTANTS:
            return self.make(token, "constant", name)
        function = ALIASES.get(name, name)
        if function in FUNCTIONS:
            return self.call(token, function)
        if name.lower() in NON_FINITE_NAMES:
            raise _invalid(f"'{name}' at column {token.column} is not allowed; the formula must give finite numbers.")
        lowered = name.lower()
        if lowered in VARIABLES or lowered in CONSTANTS or ALIASES.get(lowered, lowered) in FUNCTIONS:
            raise _invalid(f"unknown name '{name}' at column {token.column}; names are lower case: write '{lowered}'.")
        product = ""
        if set(name) <= set("xye0123456789"):
            product = f" (write * between factors: {'*'.join(re.findall(r'[a-z]|[0-9]+', name))})"
        raise _invalid(
            f"unknown name '{name}' at column {token.column}{product}; allowed names are {_allowed_names()}."
        )

    def call(self, token: Token, function: str) -> int:
        opening = self.peek()
        if opening.kind != "(":
            raise _invalid(
                f"the function '{token.text}' at column {token.column} needs its argument in parentheses, "
                f"e.g. {token.text}(x)."
            )
        self.advance()
        if self.peek().kind == ")":
            raise _invalid(f"'{token.text}()' at column {token.column} needs an argument, e.g. {token.text}(x).")
        self.deeper(opening)
        argument = self.expression()
        self.depth -= 1
        if self.peek().kind == ",":
            raise _invalid(
                f"'{token.text}' takes exactly one argument; found ',' at column {self.peek().column}."
            )
        self.close(opening, f"'{token.text}('")
        return self.make(token, "call", function, argument)

    def close(self, opening: Token, what: str) -> None:
        token = self.peek()
        if token.kind == ")":
            self.advance()
            return
        if token.kind == "end":
            raise _invalid(f"missing ')' to close {what} at column {opening.column}.")
        raise self.unexpected(token)


def parse(text: object) -> SyntaxTree:
    """Parse a formula in x and y; raise ValueError with a message a student understands."""
    checked = check_characters(text)
    return _Parser(checked, tokenize(checked)).parse()
