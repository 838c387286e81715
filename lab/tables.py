"""Small tables as Markdown: no data-grid bundle to load for a dozen rows of numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_ESCAPE = str.maketrans({"|": "\\|", "*": "\\*", "_": "\\_", "`": "\\`", "$": "\\$", "<": "&lt;", ">": "&gt;"})


def markdown_table(rows: Sequence[dict[str, Any]]) -> str:
    """A GitHub-style Markdown table of ``rows`` (the keys of the first row are the columns)."""
    if not rows:
        return ""
    columns = list(rows[0])
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return str(value).replace("\n", " ").translate(_ESCAPE)


def plain(text: str) -> str:
    """Text shown as it is inside Markdown: a typed formula's ``x**2`` is not bold."""
    return str(text).translate(_ESCAPE)
