"""Argument checks shared by the runner and the schedules, with one message style."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def whole_number(name: str, value: Any, low: int, high: int, *, integral_float: bool = False) -> int:
    """``value`` as an int in [low, high], else ValueError naming ``name`` and the range.

    ``integral_float`` also admits floats such as 3.0 (the runner's counts come from sliders
    and JSON); schedules keep their fields as given, so they accept ints only.
    """
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if integral_float and isinstance(value, float) and value.is_integer():
        ok, value = True, int(value)
    if not ok or not low <= value <= high:
        raise ValueError(f"Invalid {name}: {value!r}. {name} must be a whole number from {low} to {high}.")
    return int(value)


def finite_number(name: str, value: Any, low: float, high: float, low_open: bool = False) -> float:
    """``value`` as a finite float above ``low`` (strictly with ``low_open``) and <= ``high``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    above = number > low if low_open else number >= low
    if isinstance(value, (bool, np.bool_)) or not (math.isfinite(number) and above and number <= high):
        bound = ">" if low_open else ">="
        raise ValueError(f"Invalid {name}: {value!r}. {name} must be a finite number {bound} {low:g} and <= {high:g}.")
    return number
