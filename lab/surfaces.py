"""The surface a page draws: a fixed test surface, or one built by a factory from its parameters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from lab.settings import surface_settings
from landscapes import SURFACES, Surface, make_regression, parse_surface

# Surfaces whose shape depends on parameters (declared in lab.settings.SURFACE_SETTINGS).
FACTORIES: dict[str, Callable[..., Surface]] = {"regression": make_regression, "custom": parse_surface}


def surface_for(name: str, params: Mapping[str, Any] | None = None) -> Surface:
    """The surface to draw and run on, rebuilt from ``params`` when it has a factory."""
    if not surface_settings(name):
        return SURFACES[name]
    return _built(name, tuple(sorted((params or {}).items())))


@lru_cache(maxsize=32)
def _built(name: str, params: tuple[tuple[str, Any], ...]) -> Surface:
    # One object per parameter set: figure grids are cached by surface identity.
    return FACTORIES[name](**dict(params))
