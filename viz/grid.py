"""The surface sampled on a grid, and the height scale that suits it (log or linear)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from landscapes import Surface


@dataclass(frozen=True, eq=False)
class Grid:
    """``x`` (W,), ``y`` (H,), raw values ``z`` (H, W) and the heights drawn, ``height`` (H, W).

    On a surface with ``log_levels`` the drawn height is ``log10(f - f_min + offset)``, so the
    levels crowd into the valley floor instead of the walls; :meth:`to_height` maps any loss
    onto the same scale, for paths lying on the 3-D surface.
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    height: np.ndarray
    log: bool
    floor: float
    offset: float

    def to_height(self, loss: np.ndarray) -> np.ndarray:
        loss = np.asarray(loss, dtype=float)
        if not self.log:
            return loss
        return np.log10(np.maximum(loss - self.floor, 0.0) + self.offset)

    @property
    def height_label(self) -> str:
        return "log₁₀(f − f_min + ε)" if self.log else "f(x, y)"


def surface_grid(surface: Surface, size: int, softness: float = 1e-5) -> Grid:
    """Sample ``surface`` on a ``size`` x ``size`` grid over its drawing window (cached).

    ``softness`` sets the log offset as a fraction of the value range: small values resolve
    the valley floor (contour lines), larger ones smooth it (a coarse 3-D sheet would
    otherwise show sawtooth teeth along a narrow valley).
    """
    return _grid(surface, int(size), float(softness))


@lru_cache(maxsize=24)
def _grid(surface: Surface, size: int, softness: float) -> Grid:
    # Surfaces are immutable and hash by identity, so the cache is keyed by the very object.
    x = np.linspace(*surface.x_range, size)
    y = np.linspace(*surface.y_range, size)
    points = np.stack(np.meshgrid(x, y), axis=-1)
    with np.errstate(all="ignore"):
        raw = np.asarray(surface.value(points), dtype=float)
    # Where a typed formula has no value (log of a negative number) the map shows a gap: the
    # colour scale and the levels come from the points that have one.
    defined = np.isfinite(raw)
    finite = raw[defined] if defined.any() else np.zeros(1)
    z = np.where(defined, raw, np.nan)
    floor = float(finite.min())
    offset = 0.0
    height = z
    if surface.log_levels:
        # An offset above the lowest sampled value keeps the log finite at the minimum;
        # softness 1e-5 spreads about five decades of levels over the window.
        offset = max(float(finite.max() - floor) * softness, 1e-12)
        with np.errstate(all="ignore"):
            height = np.log10(z - floor + offset)
    return Grid(x=x, y=y, z=z, height=height, log=surface.log_levels, floor=floor, offset=offset)
