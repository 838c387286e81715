"""Print the README's surface and optimizer tables from the registries.

    python docs/registry_tables.py   # paste between the README's <!-- registry --> markers

tests/e2e/test_readme.py fails when the README's tables and this output drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from landscapes import SURFACES  # noqa: E402
from optimizers import OPTIMIZERS  # noqa: E402


def _start(surface) -> str:
    return f"({', '.join(f'{float(v):g}' for v in surface.start)})"


def tables() -> str:
    lines = ["| surface | what it is | default start |", "|---|---|---|"]
    lines += [f"| `{name}` | {' '.join(s.label.split())} | {_start(s)} |" for name, s in SURFACES.items()]
    lines += ["", "| optimizer | name | defaults (PyTorch's) |", "|---|---|---|"]
    for name, spec in OPTIMIZERS.items():
        defaults = ", ".join(f"{key}={value!r}" for key, value in spec.defaults().items())
        lines.append(f"| `{name}` | {spec.label} | {defaults} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(tables())
