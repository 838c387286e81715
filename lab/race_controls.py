"""The race page's controls: the sidebar's widgets and the actions behind its buttons.

Widgets are drawn from the setting records (``lab.widgets.draw``); each action is a callback
that edits the page state kept in the session and asks for the widgets to be re-seeded, so a
lesson, a surface switch or a new racer moves every widget it touches.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st

from lab import state as io
from lab.budget import MAX_RACE_STEPS
from lab.page_state import PageState, Racer, next_key
from lab.request import per_epoch
from lab.settings import GLOBAL_SETTINGS, MAX_RACERS, default_hyper, hyper_settings, surface_settings, with_range
from lab.surfaces import surface_for
from lab.widgets import PART_KEYS, draw, seed
from optimizers import OPTIMIZERS

UNDO = "surface_undo"
NOTE = "surface_note"  # (surface, text): the note is shown while the page is on that surface


# ---------------------------------------------------------------------------------------------
# Actions


def _current() -> PageState:
    return st.session_state[io.STATE]


def switch_surface() -> None:
    """Apply the new surface's recommended settings to every racer, with a note and an undo."""
    before = _current()
    name = st.session_state["surface"]
    if name not in GLOBAL_SETTINGS["surface"].options or name == before.surface:
        return
    params = {key: setting.default for key, setting in surface_settings(name).items()}
    surface = surface_for(name, params)
    racers = tuple(replace(r, hyper={**r.hyper, **dict(surface.recommended.get(r.optimizer, {}))}).complete()
                   for r in before.racers)
    after = PageState(values={**before.values, "surface": name, "start": tuple(surface.start),
                              "steps": min(int(surface.steps), MAX_RACE_STEPS)},
                      surface_params=params, racers=racers).complete()
    io.replace(after)
    changed = [r for r, old in zip(racers, before.racers, strict=True) if dict(r.hyper) != dict(old.hyper)]
    st.session_state[UNDO] = (before.racers, before["steps"])
    if changed or after["steps"] != before["steps"]:
        parts = ", ".join(f"{after.racer_label(r)}" for r in changed)
        text = (f"Switched to {surface.label}: applied its recommended settings "
                f"({parts + '; ' if parts else ''}{after['steps']:,} steps).")
        if not surface.recommended:
            text = f"Switched to {GLOBAL_SETTINGS['surface'].show(name)}: {after['steps']:,} steps."
        st.session_state[NOTE] = (name, text)
    else:
        st.session_state.pop(NOTE, None)


def surface_note(state: PageState) -> str | None:
    """The note of the last surface switch while ``state`` is on the surface it switched to:
    Back to the earlier link, or a lesson elsewhere, leaves it behind (Forward brings it back)."""
    note = st.session_state.get(NOTE)
    return note[1] if note is not None and note[0] == state.surface else None


def undo_surface() -> None:
    """Keep the new surface, put back the racers' settings and the steps from before."""
    racers, steps = st.session_state.pop(UNDO, (None, None))
    st.session_state.pop(NOTE, None)
    if racers is not None:
        io.replace(replace(_current().with_values(steps=steps), racers=racers))


def add_racer() -> None:
    optimizer = st.session_state.get("add_racer")
    current = _current()
    if optimizer not in OPTIMIZERS or len(current.racers) >= MAX_RACERS:
        return
    surface = surface_for(current.surface, current.surface_params)
    hyper = {**default_hyper(optimizer), **dict(surface.recommended.get(optimizer, {}))}
    racer = Racer(next_key(optimizer, current.keys), optimizer, hyper).complete()
    io.replace(replace(current, racers=current.racers + (racer,)))


def copy_racer(key: str) -> None:
    """Race an optimizer against itself: a copy with the same settings, to change one of them."""
    current = _current()
    source = current.racer(key)
    if source is None or len(current.racers) >= MAX_RACERS:
        return
    copy = Racer(next_key(source.optimizer, current.keys), source.optimizer, dict(source.hyper))
    io.replace(replace(current, racers=current.racers + (copy,)))


def remove_racer(key: str) -> None:
    current = _current()
    io.replace(replace(current, racers=tuple(r for r in current.racers if r.key != key)))


def reset_racer(key: str) -> None:
    """Back to PyTorch's defaults (the inner optimizer of a wrapper is kept)."""
    current = _current()
    racers = tuple(Racer(r.key, r.optimizer, default_hyper(r.optimizer, r.hyper.get("inner"))) if r.key == key else r
                   for r in current.racers)
    io.replace(replace(current, racers=racers))


def change_inner(key: str) -> None:
    """A wrapper's inner optimizer changed: its knobs become the new inner's defaults."""
    current = _current()
    inner = st.session_state.get(f"{key}.inner")

    def rebuilt(r: Racer) -> Racer:
        own = {name: value for name, value in r.hyper.items() if name in OPTIMIZERS[r.optimizer].knobs()}
        return Racer(r.key, r.optimizer, {**default_hyper(r.optimizer, inner), **own, "inner": inner})

    io.replace(replace(current, racers=tuple(rebuilt(r) if r.key == key else r for r in current.racers)))


# ---------------------------------------------------------------------------------------------
# The sidebar


def sidebar(state: PageState, force: bool) -> PageState:
    """Draw every control of the race page and return the state they now say."""
    sb = st.sidebar
    values: dict[str, Any] = dict(state.values)

    sb.subheader("Surface")
    seed("surface", GLOBAL_SETTINGS["surface"], state.surface, force=force)
    values["surface"] = draw("surface", GLOBAL_SETTINGS["surface"], container=sb, on_change=switch_surface)
    params = dict(state.surface_params)
    for name, setting in surface_settings(values["surface"]).items():
        key = f"{values['surface']}.{name}"
        seed(key, setting, params.get(name, setting.default), force=force)
        entered = draw(key, setting, container=sb)
        try:
            params[name] = setting.check(entered)
        except ValueError as err:
            # The widget keeps what was typed, to be corrected; the page keeps the last good value.
            sb.error(f"{err} The map still shows the last formula that worked.", icon="✏️")
    surface = surface_for(values["surface"], params)
    if surface.has_data:
        values.update(_batches(state, values, surface, force))
    start = state["start"]
    inside = (surface.x_range[0] <= start[0] <= surface.x_range[1] and surface.y_range[0] <= start[1] <= surface.y_range[1])
    if not inside:
        start = tuple(surface.start)
    seed("start", GLOBAL_SETTINGS["start"], start, force=force or not inside)
    values["start"] = draw("start", GLOBAL_SETTINGS["start"], container=sb,
                           bounds=(*surface.x_range, *surface.y_range))

    sb.subheader("Racers")
    racers = tuple(_racer_controls(state, racer, force) for racer in state.racers)
    if len(racers) < MAX_RACERS:
        left, right = sb.columns([3, 2], vertical_alignment="bottom")
        left.selectbox("Add a racer", list(OPTIMIZERS), key="add_racer", format_func=lambda n: OPTIMIZERS[n].label,
                       help="Any optimizer, as often as you like (up to eight racers): race SGD against itself "
                            "at three learning rates.")
        right.button("Add", key="add_racer_button", on_click=add_racer, width="stretch")
    else:
        sb.caption(f"{MAX_RACERS} racers: remove one to add another.")

    sb.subheader("Run")
    for name in ("steps", "seed", "schedule", "gamma", "step_size", "warmup_steps", "grad_noise", "noise_decay"):
        setting = GLOBAL_SETTINGS[name]
        if name in ("batch_size", "epochs") or not setting.in_force(values):
            continue
        seed(name, setting, values[name], force=force)
        values[name] = draw(name, setting, container=sb)

    sb.subheader("Arrival")
    for name in ("tol", "stop_distance", "stop_grad"):
        if name == "stop_distance" and not surface.minima:
            continue
        seed(name, GLOBAL_SETTINGS[name], values[name], force=force)
        values[name] = draw(name, GLOBAL_SETTINGS[name], container=sb)
    seed("present", GLOBAL_SETTINGS["present"], values["present"], force=force)
    values["present"] = draw("present", GLOBAL_SETTINGS["present"], container=sb)
    return PageState(values=values, surface_params=params, racers=racers).complete()


def _batches(state: PageState, values: dict[str, Any], surface: Any, force: bool) -> dict[str, Any]:
    """Batch size and epochs; the epochs' range keeps epochs x batches within the step cap."""
    out = {}
    batch = with_range(GLOBAL_SETTINGS["batch_size"], high=surface.n_points)
    seed("batch_size", batch, min(values["batch_size"], surface.n_points), force=force)
    out["batch_size"] = draw("batch_size", batch, container=st.sidebar)
    if out["batch_size"] < surface.n_points:
        batches = per_epoch(state.with_values(batch_size=out["batch_size"]))
        most = max(1, MAX_RACE_STEPS // batches)
        epochs = with_range(GLOBAL_SETTINGS["epochs"], high=most)
        seed("epochs", epochs, min(values["epochs"], most), force=force)
        out["epochs"] = draw("epochs", epochs, container=st.sidebar, bounds=(1, most))
        st.sidebar.caption(f"{out['epochs']} epochs × {batches} mini-batches = {out['epochs'] * batches:,} steps.")
    return out


def _racer_controls(state: PageState, racer: Racer, force: bool) -> Racer:
    """One racer's expander: its hyperparameters and its buttons."""
    spec = OPTIMIZERS[racer.optimizer]
    with st.sidebar.expander(state.racer_label(racer), expanded=len(state.racers) <= 3):
        st.caption(spec.summary)
        values = dict(racer.hyper)
        settings = hyper_settings(racer.optimizer, racer.hyper.get("inner"))
        for name, setting in settings.items():
            key = f"{racer.key}.{name}"
            seed(key, setting, values.get(name, setting.default), force=force)
            callback = dict(on_change=change_inner, args=(racer.key,)) if name == "inner" else {}
            values[name] = draw(key, setting, **callback)
        full = len(state.racers) >= MAX_RACERS
        buttons = st.container(horizontal=True, gap="small")
        buttons.button("Copy", key=f"{racer.key}.copy", on_click=copy_racer, args=(racer.key,), disabled=full,
                    help="Race this optimizer against itself: a copy to change one setting of.")
        buttons.button("Reset", key=f"{racer.key}.reset", on_click=reset_racer, args=(racer.key,),
                     help="Back to PyTorch's defaults.")
        buttons.button("Remove", key=f"{racer.key}.remove", on_click=remove_racer, args=(racer.key,),
                       disabled=len(state.racers) <= 1)
    return Racer(racer.key, racer.optimizer, values)


def seed_start(point: tuple[float, float]) -> None:
    """Move the start widgets (a click on the map, before they are drawn)."""
    for index, suffix in enumerate(PART_KEYS):
        st.session_state["start" + suffix] = float(point[index])
