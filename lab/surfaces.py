"""The surface a setup draws: a named test surface, or the line fit rebuilt for its data noise."""

from __future__ import annotations

from functools import lru_cache

from landscapes import SURFACES, Surface, make_regression


def surface_for(name: str, data_noise: float = 1.0) -> Surface:
    """The surface to draw and run on; the line fit is rebuilt for its data noise."""
    if name == "regression":
        return _regression(round(float(data_noise), 3))
    return SURFACES[name]


@lru_cache(maxsize=16)
def _regression(noise: float) -> Surface:
    # The same object for the same noise: figure grids are cached by surface identity.
    return make_regression(noise=noise)
