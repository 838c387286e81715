"""Widgets built from :class:`lab.controls.Control` records, driven through session state.

Every widget has an explicit key and is created without a ``value=``: its value lives in
``st.session_state[key]``, seeded from the setup before the widget is drawn. That single
source lets presets, the reset buttons, a click on the map and the URL all move a widget
by writing its key, and lets AppTest address every widget.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from lab.controls import Control


def hyper_key(optimizer: str, knob: str) -> str:
    return f"hp.{optimizer}.{knob}"


def fits(control: Control, value: Any) -> bool:
    """True when ``value`` is something the widget for ``control`` can show as it is."""
    try:
        if control.kind == "bool":
            return isinstance(value, bool)
        if control.kind == "choice":
            return value in control.options
        if control.kind in ("log", "grid"):
            return value in control.options
        if control.kind == "betas":
            return False  # betas are two widgets: checked one by one with the beta options
        if control.kind == "int":
            return isinstance(value, int) and not isinstance(value, bool) and control.low <= value <= control.high
        return isinstance(value, float) and control.low <= value <= control.high
    except TypeError:
        return False


def seed_state(key: str, control: Control, value: Any, *, force: bool = False) -> None:
    """Put ``value`` in the widget's state unless it already holds a valid one."""
    if control.kind == "betas":
        for index in (0, 1):
            current = st.session_state.get(f"{key}.{index}")
            if force or current not in control.options:
                st.session_state[f"{key}.{index}"] = control.coerce(value)[index]
        return
    if force or not fits(control, st.session_state.get(key)):
        st.session_state[key] = value if fits(control, value) else control.coerce(value)


def control_widget(key: str, control: Control, label: str | None = None, *, container: Any = st,
                   disabled: bool = False) -> Any:
    """Draw the widget for ``control`` under ``key`` and return its value."""
    label = label or control.label
    help_text = control.help or None
    if control.kind == "bool":
        return container.checkbox(label, key=key, help=help_text, disabled=disabled)
    if control.kind == "choice":
        return container.selectbox(label, control.options, key=key, help=help_text, disabled=disabled)
    if control.kind in ("log", "grid"):
        return container.select_slider(label, control.options, key=key, help=help_text, disabled=disabled,
                                       format_func=lambda value: f"{value:g}")
    if control.kind == "betas":
        first = container.select_slider(f"{label} β₁", control.options, key=f"{key}.0", help=help_text,
                                        disabled=disabled, format_func=lambda value: f"{value:g}")
        second = container.select_slider(f"{label} β₂", control.options, key=f"{key}.1", help=help_text,
                                         disabled=disabled, format_func=lambda value: f"{value:g}")
        return (first, second)
    if control.kind == "int":
        return container.slider(label, int(control.low), int(control.high), step=1, key=key, help=help_text,
                                disabled=disabled)
    return container.slider(label, float(control.low), float(control.high), step=float(control.step), key=key,
                            help=help_text, disabled=disabled, format="%.3g")
