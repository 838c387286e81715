"""Unit tests of the figure builders: plain engine results in, Plotly figures out."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.io as pio
import pytest

from landscapes import SURFACES
from optimizers import run
from viz import (
    animation_figure,
    contour_figure,
    curves_figure,
    data_fit_figure,
    path_view,
    summary_rows,
    surface_figure,
)
from viz.animation import MAX_FRAMES, frame_steps
from viz.paths import round_sig, thin_index


def view(name="adam", surface="rosenbrock", color="#D55E00", label=None, **kwargs):
    s = SURFACES[surface]
    traj = run(name, s, **kwargs)
    return path_view(traj, s, label or name.upper(), color, name=name), s


def _finite(node) -> bool:
    if isinstance(node, dict):
        if "bdata" in node:  # Plotly's base64 typed arrays
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            return bool(np.all(np.isfinite(values)))
        return all(_finite(value) for value in node.values())
    if isinstance(node, list):
        return all(_finite(value) for value in node)
    if isinstance(node, float):
        return np.isfinite(node)
    return True


def no_nan(fig) -> bool:
    """True when nothing in the figure's JSON (plain or base64 arrays) is NaN or infinite."""
    def refuse(constant):
        raise AssertionError(f"{constant} in figure JSON")

    return _finite(json.loads(pio.to_json(fig, validate=False), parse_constant=refuse))


def test_contour_first_trace_is_surface_and_paths_are_named_by_label():
    adam, s = view("adam", lr=0.05, steps=50, label="Adam")
    sgd, _ = view("sgd", lr=0.001, steps=50, label="SGD", color="#0072B2")
    fig = contour_figure(s, [adam, sgd], s.start)
    assert fig.data[0].type == "contour"
    names = [trace.name for trace in fig.data]
    assert "Adam" in names and "SGD" in names
    assert "start" in names and "minimum" in names
    assert no_nan(fig)


def test_every_path_starts_at_the_start_point():
    start = (-1.0, 2.5)
    path, s = view("momentum", start=start, lr=0.001, steps=30)
    fig = contour_figure(s, [path], start)
    trace = next(t for t in fig.data if t.name == "MOMENTUM")
    assert (trace.x[0], trace.y[0]) == pytest.approx(start)
    sheet = surface_figure(s, [path])
    trace3d = next(t for t in sheet.data if t.name == "MOMENTUM")
    assert (trace3d.x[0], trace3d.y[0]) == pytest.approx(start)


def test_hover_carries_step_loss_and_gradient_norm():
    path, s = view("adam", lr=0.05, steps=20)
    trace = next(t for t in contour_figure(s, [path], s.start).data if t.name == "ADAM")
    custom = np.asarray(trace.customdata)
    assert custom.shape == (21, 3)
    assert list(custom[:, 0]) == list(range(21))
    loss = s.value(np.column_stack([trace.x, trace.y]))
    assert np.allclose(custom[:, 1], loss, rtol=1e-3)
    assert "step" in trace.hovertemplate and "∇f" in trace.hovertemplate


def test_divergence_is_drawn_up_to_the_last_finite_point_with_a_cross():
    path, s = view("sgd", surface="rosenbrock", lr=0.9, steps=100)
    assert path.diverged
    assert path.last_step == path.diverged_at - 1
    fig = contour_figure(s, [path], s.start)
    cross = next(t for t in fig.data if t.name == "SGD diverged")
    assert cross.marker.symbol == "x"
    line = next(t for t in fig.data if t.name == "SGD")
    assert len(line.x) == path.diverged_at
    # The view stays on the surface window, not on the runaway point.
    assert list(fig.layout.xaxis.range) == list(s.x_range)
    assert list(fig.layout.yaxis.range) == list(s.y_range)
    assert fig.layout.xaxis.autorange is False
    assert no_nan(fig) and no_nan(curves_figure([path])) and no_nan(surface_figure(s, [path]))


def test_stopped_path_ends_at_the_stop():
    path, s = view("adam", lr=0.1, steps=800, stop_distance=0.05)
    assert path.stopped_at > 0 and path.last_step == path.stopped_at
    assert path.distance[-1] < 0.05


def test_loss_axis_is_log_when_positive_and_linear_when_unbounded_below():
    bowl, _ = view("adam", lr=0.05, steps=40)
    assert curves_figure([bowl]).layout.yaxis.type == "log"
    saddle, s = view("adam", surface="saddle", lr=0.05, steps=60)
    assert saddle.loss.min() < 0
    fig = curves_figure([saddle], has_minima=False)
    assert fig.layout.yaxis.type == "linear"
    assert "no known minimum" in fig.layout.xaxis.title.text
    assert list(fig.layout.xaxis.domain) == [0.0, 1.0]  # the loss panel takes the whole width
    assert all(trace.xaxis in (None, "x") for trace in fig.data)
    assert fig.layout.xaxis.rangemode == "nonnegative"
    assert no_nan(fig)


def test_surface3d_keeps_camera_with_uirevision_and_drops_points_off_the_window():
    path, s = view("adam", surface="saddle", lr=0.05, steps=120)
    fig = surface_figure(s, [path], uirevision="saddle")
    assert fig.layout.uirevision == "saddle" and fig.layout.scene.uirevision == "saddle"
    trace = next(t for t in fig.data if t.name == "ADAM")
    assert max(np.abs(trace.x)) <= 2.0 and len(trace.x) < len(path.steps)
    assert fig.data[0].type == "surface" and np.asarray(fig.data[0].z).shape == (45, 45)


def test_animation_frames_have_play_pause_and_a_slider():
    paths = [view(name, lr=0.05, steps=500, label=name)[0] for name in ("adam", "rmsprop")]
    s = SURFACES["rosenbrock"]
    fig = animation_figure(s, paths, s.start, 500)
    assert 2 <= len(fig.frames) <= MAX_FRAMES
    labels = [button.label for button in fig.layout.updatemenus[0].buttons]
    assert any("Play" in label for label in labels) and any("Pause" in label for label in labels)
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)
    assert fig.frames[-1].name == "500"
    last = fig.frames[-1].data[0]
    assert (last.x[-1], last.y[-1]) == pytest.approx(tuple(paths[0].xy[-1]), rel=1e-3)
    assert no_nan(fig)


def test_frame_steps_cover_short_and_long_runs():
    assert list(frame_steps(10)) == list(range(11))
    long = frame_steps(5000)
    assert long[0] == 0 and long[-1] == 5000 and len(long) <= MAX_FRAMES
    assert np.all(np.diff(long) > 0)


def test_payload_for_four_racers_of_500_steps_is_under_two_megabytes():
    s = SURFACES["rosenbrock"]
    paths = [view(name, lr=0.01, steps=500, label=name)[0] for name in ("sgd", "momentum", "adam", "rmsprop")]
    figs = [contour_figure(s, paths, s.start), surface_figure(s, paths), curves_figure(paths),
            animation_figure(s, paths, s.start, 500)]
    size = sum(len(pio.to_json(fig, validate=False)) for fig in figs)
    assert size < 2_000_000


def test_summary_reports_arrival_and_divergence():
    good, _ = view("adam", lr=0.1, steps=800, label="Adam")
    bad, _ = view("sgd", lr=0.9, steps=50, label="SGD")
    rows = summary_rows([good, bad], tolerance=0.05)
    assert rows[0]["diverged"] == "no" and rows[0]["within 0.05 of a minimum at step"].isdigit()
    assert rows[1]["diverged"] == "yes" and rows[1]["status"].startswith("diverged at step")
    json.dumps(rows)


def test_thinning_and_rounding_helpers():
    index = thin_index(5001, 1000)
    assert index[0] == 0 and index[-1] == 5000 and len(index) <= 1000
    assert list(thin_index(5, 10)) == [0, 1, 2, 3, 4]
    assert list(round_sig(np.array([123456.0, 0.000123456, 0.0, -1.23456]), 3)) == [123000.0, 0.000123, 0.0, -1.23]


def test_data_fit_draws_the_data_and_each_paths_current_line():
    s = SURFACES["regression"]
    full = path_view(run("sgd", s, steps=50, lr=0.1), s, "SGD", "#0072B2", name="sgd")
    mini = path_view(run("sgd", s, epochs=2, batch_size=10, lr=0.1), s, "SGD mini", "#D55E00", name="mini")
    fig = data_fit_figure(s, [full, mini])
    data = fig.data[0]
    assert data.name == "data" and len(data.x) == s.n_points
    fitted = fig.data[1]
    slope, intercept = s.minima[0]
    np.testing.assert_allclose(fitted.y, slope * np.asarray(fitted.x) + intercept)
    for trace, path in zip(fig.data[2:], (full, mini), strict=True):
        a, b = path.xy[-1]
        np.testing.assert_allclose(trace.y, a * np.asarray(trace.x) + b)
        assert str(path.last_step) in trace.name
    assert no_nan(fig)
