"""Arrays as plotly.js typed-array specs: compact JSON, no float formatting, exact round trip."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

_CODES = {"f4": np.float32, "f8": np.float64, "i4": np.int32}


def typed(values: Any, dtype: str = "f4", *, gaps: bool = False) -> dict[str, Any]:
    """``{"dtype", "bdata"[, "shape"]}`` as plotly.js 3 reads it; inf is clipped, and NaN
    becomes 0 unless ``gaps`` keeps it (plotly.js leaves a NaN cell of a contour undrawn)."""
    array = np.asarray(values, dtype=float)
    if not gaps:
        array = _finite(array)
    elif np.isinf(array).any():
        array = np.where(np.isinf(array), np.nan, array)
    array = np.ascontiguousarray(array, dtype=_CODES[dtype])
    spec: dict[str, Any] = {"dtype": dtype, "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = ", ".join(str(n) for n in array.shape)
    return spec


def packed(values: Any) -> str:
    """Float32 little-endian bytes in base64, for the race view's own frame arrays."""
    array = np.ascontiguousarray(_finite(values), dtype="<f4")
    return base64.b64encode(array.tobytes()).decode("ascii")


def _finite(values: Any) -> np.ndarray:
    # float32 tops out near 3.4e38: anything beyond, or not finite, must not reach a chart as inf.
    array = np.asarray(values, dtype=float)
    if array.size and np.abs(array).max() <= 3e38:  # the usual case, one pass (NaN fails the test)
        return array
    return np.clip(np.nan_to_num(array, nan=0.0, posinf=3e38, neginf=-3e38), -3e38, 3e38)
