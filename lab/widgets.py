"""A widget for any :class:`lab.settings.Setting`, driven through session state.

Every widget's key is its setting's URL key (``steps``, ``sgd-2.lr``, ``regression.noise``)
and it is created without ``value=``: its value lives in ``st.session_state[key]``, put there
from the page state before the widget is drawn. Presets, surface switches, a click on the map
and the URL all move a widget by writing that one key, and AppTest addresses every widget by
the name a link uses.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lab.settings import Setting

# Pair settings are two widgets: `<key>#0` and `<key>#1` (start x and y, beta1 and beta2).
PART_KEYS = ("#0", "#1")


def _holds(setting: Setting, value: Any) -> bool:
    """True when a widget of ``setting`` can show ``value`` as it is."""
    if value is None:
        return setting.kind == "optional"
    if setting.kind == "choice":
        return value in setting.options
    if setting.kind == "bool":
        return isinstance(value, bool)
    if setting.kind == "text":
        return isinstance(value, str)
    if setting.kind == "int":
        return isinstance(value, int) and not isinstance(value, bool) and setting.low <= value <= setting.high
    try:
        return setting.check(value) == value and isinstance(value, float)
    except (TypeError, ValueError):
        return False


def seed(key: str, setting: Setting, value: Any, *, force: bool = False) -> None:
    """Put ``value`` in the widget's state, unless it already holds a value it can show."""
    if setting.kind in ("betas", "point"):
        pair = setting.coerce(value)
        for index, suffix in enumerate(PART_KEYS):
            current = st.session_state.get(key + suffix)
            if force or not isinstance(current, float) or setting.kind == "betas" and current not in setting.stops():
                st.session_state[key + suffix] = float(pair[index])
        return
    if force or not _holds(setting, st.session_state.get(key)):
        st.session_state[key] = setting.coerce(value)


def _label(value: Any) -> str:
    return "off" if value is None else f"{value:g}"


def draw(key: str, setting: Setting, *, container: Any = None, label: str | None = None, disabled: bool = False,
         bounds: tuple[float, float] | None = None, on_change: Any = None, args: tuple = ()) -> Any:
    """Draw the widget of ``setting`` under ``key``; return its value in the setting's type.

    ``bounds`` narrows a number's range for this page (the start point inside the surface's
    window, the epochs that fit the step cap).
    """
    box = container if container is not None else st
    label = label or setting.label
    common = dict(help=setting.help or None, disabled=disabled, on_change=on_change, args=args)
    if setting.kind == "bool":
        return box.toggle(label, key=key, **common)
    if setting.kind == "choice":
        formatter = setting.option_label or str
        return box.selectbox(label, setting.options, key=key, format_func=formatter, **common)
    if setting.kind == "text":
        return box.text_input(label, key=key, max_chars=int(setting.high or 200), **common)
    if setting.kind in ("log", "optional"):
        current = st.session_state.get(key)
        return box.select_slider(label, setting.stops(current), key=key, format_func=_label, **common)
    if setting.kind == "betas":
        first = box.select_slider(f"{label} β₁", setting.stops(), key=key + PART_KEYS[0], format_func=_label, **common)
        second = box.select_slider(f"{label} β₂", setting.stops(), key=key + PART_KEYS[1], format_func=_label, **common)
        return (first, second)
    if setting.kind == "point":
        low_x, high_x, low_y, high_y = bounds
        left, right = box.columns(2)
        step = float(f"{(high_x - low_x) / 100:.2g}")
        x = left.number_input(f"{label} x", float(low_x), float(high_x), step=step, key=key + PART_KEYS[0],
                              format="%.4g", **common)
        y = right.number_input(f"{label} y", float(low_y), float(high_y), step=step, key=key + PART_KEYS[1],
                               format="%.4g", **common)
        return (float(x), float(y))
    low, high = bounds or (setting.low, setting.high)
    if setting.kind == "int":
        if setting.widget == "number":
            return int(box.number_input(label, int(low), int(high), step=1, key=key, **common))
        if int(high) <= int(low):
            return int(low)
        return int(box.slider(label, int(low), int(high), step=1, key=key, **common))
    return float(box.slider(label, float(low), float(high), step=float(setting.step), key=key, format="%.3g",
                            **common))
