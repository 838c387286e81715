"""Argument checks shared by the runner and the schedules, with one message style."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

SHOWN_LENGTH = 60  # a message quotes at most this much of a bad argument


def shown(value: Any) -> str:
    """``repr(value)`` cut short, so a message never echoes a 10 kB argument back."""
    if isinstance(value, np.ndarray) and value.size <= 16:
        value = value.tolist()
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 3] + "..."


def real_array(value: Any) -> np.ndarray | None:
    """``value`` as a float array if it holds only real numbers, else None.

    Refuses what ``np.asarray(value, dtype=float)`` would quietly convert or choke on: text
    (float() reads '１' and '٣' as digits), bytes, bools, complex numbers, objects, ragged lists
    and ints too large for a float (OverflowError). A Fraction or other ``numbers.Real`` passes.
    """
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        try:
            return np.asarray(float(value))
        except OverflowError:
            return None
    if isinstance(value, (str, bytes, bytearray)):
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return array.astype(float) if array.dtype.kind in "iuf" else None


def whole_number(name: str, value: Any, low: int, high: int, *, integral_float: bool = False) -> int:
    """``value`` as an int in [low, high], else ValueError naming ``name`` and the range.

    ``integral_float`` also admits floats such as 3.0 (the runner's counts come from sliders
    and JSON); schedules keep their fields as given, so they accept ints only.
    """
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    number = value
    if integral_float and isinstance(value, float) and value.is_integer():
        ok, number = True, int(value)
    if not ok or not low <= number <= high:
        raise ValueError(f"Invalid {name}: {shown(value)}. {name} must be a whole number from {low} to {high}.")
    return int(number)


def finite_number(name: str, value: Any, low: float, high: float, low_open: bool = False) -> float:
    """``value`` as a finite float above ``low`` (strictly with ``low_open``) and <= ``high``."""
    array = real_array(value)
    number = float(array) if array is not None and array.ndim == 0 else math.nan
    above = number > low if low_open else number >= low
    if not (math.isfinite(number) and above and number <= high):
        bound = ">" if low_open else ">="
        raise ValueError(f"Invalid {name}: {shown(value)}. {name} must be a finite number {bound} {low:g} and <= {high:g}.")
    return number
