"""Loss-landscape lab: race gradient-descent optimizers on 2-D test surfaces.

Reads top to bottom: state (session, else URL) -> widgets -> cached engine runs -> figure
builders -> layout -> the URL updated to the setup shown. Figures are built in ``viz``,
engine calls are cached in ``lab.compute``; nothing here computes.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from lab import compute
from lab.controls import DATA_POINTS, MAX_OPTIMIZERS, SETTINGS, Control, knob_controls, max_epochs, per_epoch
from lab.inspect import step_table
from lab.presets import PRESETS, default_setup
from lab.race import Racer, divergence_advice, minibatch_active, racer_from, request_for, run_length
from lab.surfaces import surface_for
from lab.url_state import Setup, decode, encode
from lab.widgets import control_widget, hyper_key, seed_state
from landscapes import SURFACES
from optimizers import OPTIMIZERS
from optimizers import __version__ as ENGINE_VERSION
from viz import animation_figure, contour_figure, curves_figure, data_fit_figure, summary_rows, surface_figure

SIDEBAR_SETTINGS = ("steps", "seed", "schedule", "gamma", "step_size", "warmup", "noise",
                    "batch", "epochs", "data_noise", "tol", "stop", "gtol", "present")

# ---------------------------------------------------------------------------------------------
# 1. State: the setup shown last run, or, on a fresh session, the one in the URL.

if "setup" not in st.session_state:
    first, notices = decode(st.query_params.to_dict(), fallback=default_setup())
    st.session_state.setup = first
    st.session_state.notices = notices
    st.session_state.force_seed = True
setup: Setup = st.session_state.setup


def replace_setup(new: Setup) -> None:
    """Show ``new`` on the next run, overwriting every widget (presets, exit buttons)."""
    st.session_state.setup = new.complete()
    st.session_state.force_seed = True


def load_preset(preset_id: str) -> None:
    new = PRESETS[preset_id].setup()
    new.present = st.session_state.setup.present
    replace_setup(new)
    st.session_state.notices = []
    st.session_state.lesson = preset_id


def reset_optimizer(name: str) -> None:
    """Back to PyTorch's defaults: drop the widget states so the next run re-seeds them."""
    for key in [key for key in st.session_state if str(key).startswith(f"hp.{name}.")]:
        del st.session_state[key]
    current = st.session_state.setup
    hyper = {other: values for other, values in current.hyper.items() if other != name}
    st.session_state.setup = dataclasses.replace(current, hyper=hyper).complete()


def leave_presentation() -> None:
    replace_setup(dataclasses.replace(st.session_state.setup, present=False))


# A click on the contour map moves the start point there (read before the start widgets).
selection = (st.session_state.get("contour") or {}).get("selection") or {}
clicked = (selection.get("points") or [None])[0]
if clicked and "x" in clicked and "y" in clicked:
    point = (float(clicked["x"]), float(clicked["y"]))
    if point != st.session_state.get("applied_click"):
        st.session_state.applied_click = point
        window = surface_for(setup.surface, setup.data_noise)
        x = min(max(point[0], window.x_range[0]), window.x_range[1])
        y = min(max(point[1], window.y_range[0]), window.y_range[1])
        setup = dataclasses.replace(setup, start=(x, y))
        st.session_state.start_x, st.session_state.start_y = x, y

force = st.session_state.pop("force_seed", False)
st.set_page_config(page_title="Loss-landscape lab", page_icon="⛰️", layout="wide",
                   initial_sidebar_state="collapsed" if setup.present else "expanded")


# ---------------------------------------------------------------------------------------------
# 2. Widgets (the sidebar; none in presentation mode, where the setup comes from the URL).

def seed_start(x: float, y: float, *, overwrite: bool) -> None:
    if overwrite or "start_x" not in st.session_state:
        st.session_state.start_x = float(x)
    if overwrite or "start_y" not in st.session_state:
        st.session_state.start_y = float(y)


def optimizer_controls(name: str, previous: dict, slot_holder: dict) -> dict:
    """One racer's expander: its hyperparameters, a reset button, and a slot for its status."""
    spec = OPTIMIZERS[name]
    with st.sidebar.expander(spec.label, expanded=True):
        slot_holder[name] = st.empty()
        st.caption(spec.summary)
        values = {}
        inner = None
        if spec.wraps_inner:
            control = knob_controls(name)["inner"]
            key = hyper_key(name, "inner")
            seed_state(key, control, previous.get("inner", control.default), force=force)
            inner = control_widget(key, control, "inner optimizer")
            values["inner"] = inner
        for knob, control in knob_controls(name, inner).items():
            if knob == "inner":
                continue
            key = hyper_key(name, knob)
            seed_state(key, control, previous.get(knob, control.default), force=force)
            values[knob] = control_widget(key, control)
        st.button("Reset to PyTorch defaults", key=f"reset.{name}", on_click=reset_optimizer, args=(name,))
    return values


def sidebar(setup: Setup, slots: dict) -> Setup:
    """Draw every control and return the setup they now say."""
    sb = st.sidebar
    sb.header("Surface")
    if force or st.session_state.get("surface") not in SURFACES:
        st.session_state.surface = setup.surface
    surface_name = sb.selectbox("Surface", list(SURFACES), key="surface",
                                format_func=lambda name: SURFACES[name].label,
                                help="The loss f(x, y) the optimizers descend.")
    values = {name: getattr(setup, name) for name in SIDEBAR_SETTINGS}
    if surface_name == "regression":
        sb.caption("Mini-batches: each step sees only part of the data.")
        for name in ("data_noise", "batch"):
            seed_state(name, SETTINGS[name], values[name], force=force)
            values[name] = control_widget(name, SETTINGS[name], container=sb)
        epochs = dataclasses.replace(SETTINGS["epochs"], high=max_epochs(values["batch"]))
        seed_state("epochs", epochs, min(values["epochs"], epochs.high), force=force)
        if epochs.high > 1:
            values["epochs"] = control_widget("epochs", epochs, container=sb, disabled=values["batch"] >= DATA_POINTS)
        else:
            values["epochs"] = 1
    surface = surface_for(surface_name, values["data_noise"])

    start = setup.start
    inside = (surface.x_range[0] <= start[0] <= surface.x_range[1]
              and surface.y_range[0] <= start[1] <= surface.y_range[1])
    if surface_name != setup.surface or not inside:
        start = surface.start
    seed_start(*start, overwrite=force or surface_name != setup.surface or not inside)
    left, right = sb.columns(2)
    step = (surface.x_range[1] - surface.x_range[0]) / 100
    x = left.number_input("Start x", float(surface.x_range[0]), float(surface.x_range[1]), step=step,
                          key="start_x", format="%.4f", help="Or click on the contour map.")
    y = right.number_input("Start y", float(surface.y_range[0]), float(surface.y_range[1]), step=step,
                           key="start_y", format="%.4f")

    sb.header("Race")
    if force or not isinstance(st.session_state.get("optimizers"), list):
        st.session_state.optimizers = list(setup.optimizers)
    race = sb.multiselect(f"Optimizers (up to {MAX_OPTIMIZERS})", list(OPTIMIZERS), key="optimizers",
                          max_selections=MAX_OPTIMIZERS, format_func=lambda name: OPTIMIZERS[name].label,
                          help="Every optimizer starts from the same point with its own hyperparameters.")
    hyper = {name: optimizer_controls(name, setup.hyper.get(name, {}), slots) for name in race}

    sb.header("Run")
    batched = surface_name == "regression" and values["batch"] < DATA_POINTS
    for name in ("steps", "seed", "schedule"):
        seed_state(name, SETTINGS[name], values[name], force=force)
    if batched:
        sb.caption(f"With mini-batches: {values['epochs']} epochs × {per_epoch(values['batch'])} batches "
                   f"= {values['epochs'] * per_epoch(values['batch'])} steps.")
    values["steps"] = control_widget("steps", SETTINGS["steps"], container=sb, disabled=batched)
    values["seed"] = int(sb.number_input("Seed", 0, SETTINGS["seed"].high, step=1, key="seed",
                                         help=SETTINGS["seed"].help))
    values["schedule"] = control_widget("schedule", SETTINGS["schedule"], container=sb)
    for name in ("gamma", "step_size", "warmup", "noise"):
        seed_state(name, SETTINGS[name], values[name], force=force)
    if values["schedule"] in ("step", "exponential"):
        values["gamma"] = control_widget("gamma", SETTINGS["gamma"], container=sb)
    if values["schedule"] == "step":
        values["step_size"] = control_widget("step_size", SETTINGS["step_size"], container=sb)
    values["warmup"] = control_widget("warmup", SETTINGS["warmup"], container=sb)
    values["noise"] = control_widget("noise", SETTINGS["noise"], container=sb)

    sb.header("Arrival")
    for name in ("tol", "stop", "gtol", "present"):
        seed_state(name, SETTINGS[name], values[name], force=force)
        values[name] = control_widget(name, SETTINGS[name], container=sb)

    return dataclasses.replace(
        setup, surface=surface_name, optimizers=tuple(race), start=(float(x), float(y)), hyper=hyper,
        **values,
    )


slots: dict = {}
if not setup.present:
    setup = sidebar(setup, slots)
if setup.optimizers:
    setup = setup.complete()
surface = surface_for(setup.surface, setup.data_noise)
total_steps = run_length(setup)

# ---------------------------------------------------------------------------------------------
# 3. Engine runs (cached per racer: changing one racer reruns only that one).

racers: list[Racer] = []
for index, name in enumerate(setup.optimizers):
    outcome = compute.simulate(request_for(setup, name))
    full = compute.simulate(request_for(setup, name, full_batch=True)) if minibatch_active(setup) else None
    racers.append(racer_from(setup, index, name, outcome, full))
paths = [path for racer in racers for path in racer.paths]

# ---------------------------------------------------------------------------------------------
# 4. Figures (plain functions in viz/).

big = setup.present
revision = f"{setup.surface}-{setup.data_noise:g}"
contour = contour_figure(surface, paths, setup.start, height=760 if big else 520, uirevision=revision)
sheet = surface_figure(surface, paths, height=760 if big else 520, uirevision=revision)
curves = curves_figure(paths, height=460 if big else 340, has_minima=bool(surface.minima), uirevision=revision)
replay = animation_figure(surface, paths, setup.start, total_steps, height=700 if big else 520,
                          uirevision=f"{revision}-replay")

# ---------------------------------------------------------------------------------------------
# 5. Layout.

# A compact header: a projector at 1024x768 should show the charts without scrolling far.
heading, formula = st.columns([3, 2], vertical_alignment="center")
heading.markdown(f"## Loss-landscape lab \n**{surface.label}**")
if not big:
    heading.caption(surface.description)
if surface.latex:
    formula.latex(surface.latex)
for notice in st.session_state.pop("notices", []):
    st.info(notice)

if big:
    st.button("Leave presentation mode", key="exit_present", on_click=leave_presentation)
else:
    st.markdown("**Lessons**")
    columns = st.columns(len(PRESETS))
    for column, preset in zip(columns, PRESETS.values(), strict=True):
        column.button(preset.title, key=f"preset_{preset.id}", on_click=load_preset, args=(preset.id,),
                      help=preset.blurb, width="stretch")
    lesson = st.session_state.get("lesson")
    # The lesson's text stays only while the page still shows that lesson's race.
    if lesson in PRESETS and PRESETS[lesson].setup().optimizers == setup.optimizers \
            and PRESETS[lesson].surface == setup.surface:
        st.success(f"**{PRESETS[lesson].title}.** {PRESETS[lesson].blurb}")

if not setup.optimizers:
    st.warning("Pick at least one optimizer in the sidebar to start a race.")

config = {"displaylogo": False, "scrollZoom": False}
if big:
    st.plotly_chart(contour, key="contour", on_select="rerun", selection_mode="points", config=config)
    st.plotly_chart(sheet, key="surface3d", config=config)
else:
    left, right = st.columns(2)
    with left:
        st.plotly_chart(contour, key="contour", on_select="rerun", selection_mode="points", config=config)
        st.caption("○ start, ★ minimum. Hover a path for the step, point, loss and gradient norm; "
                   "click the map to start there.")
    with right:
        st.plotly_chart(sheet, key="surface3d", config=config)
        st.caption("Drag to turn the surface; the camera stays put when you change a setting.")

for racer in racers:
    message = None
    if racer.error:
        message = ("error", f"{racer.label}: {racer.error}")
    elif racer.main is not None and racer.main.diverged:
        message = ("warning", f"{racer.label} {divergence_advice(racer.main)}.")
    if message is None:
        continue
    kind, text = message
    target = slots.get(racer.name) or st
    getattr(target, kind)(text)
    if target is not st:
        getattr(st, kind)(text)

st.plotly_chart(curves, key="loss", config=config)
if surface.has_data and paths:
    st.plotly_chart(data_fit_figure(surface, paths, height=460 if big else 340, uirevision=revision),
                    key="datafit", config=config)
    st.caption("Each point (a, b) of the map is a line y = a·x + b through these data; the minimum is the "
               "least-squares line.")
if paths:
    st.dataframe(summary_rows(paths, setup.tol), hide_index=True, width="stretch")

st.subheader("Replay the race")
st.caption("Play runs in your browser: no waiting on the server.")
st.plotly_chart(replay, key="animation", config=config)

with st.expander("Step inspector: the numbers behind one step", expanded=not big):
    if setup.optimizers:
        numbers, rule = st.columns(2)
        with numbers:
            seed_state("inspect", Control("inspect", "Optimizer", "choice", setup.inspect,
                                          options=setup.optimizers), setup.inspect, force=force)
            chosen = st.selectbox("Optimizer", setup.optimizers, key="inspect",
                                  format_func=lambda name: OPTIMIZERS[name].label)
            istep = 1
            if total_steps >= 2:
                step_control = dataclasses.replace(SETTINGS["istep"], high=total_steps)
                seed_state("istep", step_control, min(setup.istep, total_steps), force=force)
                istep = control_widget("istep", step_control)
            setup = dataclasses.replace(setup, inspect=chosen, istep=istep)
            recorded = compute.simulate_recorded(request_for(setup, chosen))
            if recorded.error:
                st.error(recorded.error)
            elif recorded.trajectory is not None:
                st.dataframe(step_table(recorded.trajectory, istep), hide_index=True, width="stretch")
        with rule:
            spec = OPTIMIZERS[chosen]
            st.markdown(f"**{spec.label}**: {spec.summary}  \n*{spec.paper}* · PyTorch: `{spec.pytorch}`")
            # \small keeps the longer rules (SWATS, NAdam) inside half the page.
            st.latex(r"\small " + spec.update_rule)

st.caption(
    f"Engine `optimizers` {ENGINE_VERSION} · seed {setup.seed} · schedule {setup.schedule} · "
    f"{total_steps} steps · the same setup gives the same numbers on every machine."
)

# ---------------------------------------------------------------------------------------------
# 6. Remember the setup and put it in the address bar, so the URL always reproduces the page.

st.session_state.setup = setup
if setup.optimizers:
    params = encode(setup)
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)
