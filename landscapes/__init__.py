"""Two-dimensional test surfaces for gradient descent, in pure NumPy.

>>> from landscapes import SURFACES
>>> s = SURFACES["rosenbrock"]
>>> float(s.value([1.0, 1.0]))
0.0
"""

from __future__ import annotations

from landscapes import beale, himmelblau, monkey_saddle, rastrigin, ravine, regression, rosenbrock, saddle
from landscapes.base import Surface
from landscapes.custom import parse_surface
from landscapes.regression import DataSurface, make_regression

# One line per surface: the order is the order the app lists them in.
SURFACES: dict[str, Surface] = {
    module.SURFACE.name: module.SURFACE
    for module in (ravine, rosenbrock, saddle, regression, beale, himmelblau, rastrigin, monkey_saddle)
}


def get_surface(surface: str | Surface) -> Surface:
    """Look a surface up by name, or pass a Surface through unchanged."""
    if isinstance(surface, Surface):
        return surface
    if isinstance(surface, str) and surface in SURFACES:
        return SURFACES[surface]
    shown = repr(surface)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."  # never echo a 10 kB argument back
    raise ValueError(f"Unknown surface: {shown}. Known surfaces: {', '.join(SURFACES)}.")


__all__ = ["SURFACES", "Surface", "DataSurface", "make_regression", "get_surface", "parse_surface"]
