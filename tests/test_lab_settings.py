"""The page's settings: derived from the engine's declarations, strict about what a link may say."""

from __future__ import annotations

import math

import pytest

from lab.settings import GLOBAL_SETTINGS, SURFACE_SETTINGS, VIEW_SETTINGS, hyper_settings
from landscapes import SURFACES
from optimizers import OPTIMIZERS
from optimizers.schedules import KINDS


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_hyperparameter_settings_come_from_the_engine(optimizer):
    settings = hyper_settings(optimizer)
    for name, (default, info) in OPTIMIZERS[optimizer].knobs().items():
        setting = settings[name]
        assert setting.name == name and setting.feeds == "run"
        expected = tuple(default) if isinstance(default, tuple) else default
        assert setting.default == expected, (optimizer, name)
        assert setting.check(setting.default) == setting.default
        if info.kind in ("float", "int") and info.ui_low is not None:
            assert (setting.low, setting.high) == (info.ui_low, info.ui_high)
        assert "PyTorch's default" in setting.help


def test_a_wrapper_lists_its_inner_optimizers_settings_after_its_own():
    settings = hyper_settings("lookahead", "sgd")
    assert list(settings)[:3] == ["inner", "k", "alpha"]
    assert set(hyper_settings("sgd")) <= set(settings)
    assert "betas" not in settings and "betas" in hyper_settings("lookahead", "adam")


def test_engine_facts_are_imported_not_copied():
    assert GLOBAL_SETTINGS["schedule"].options is KINDS
    assert GLOBAL_SETTINGS["batch_size"].high == SURFACES["regression"].n_points
    assert GLOBAL_SETTINGS["surface"].options == (*SURFACES, "custom")


@pytest.mark.parametrize("name", list(GLOBAL_SETTINGS))
def test_every_global_setting_round_trips_its_default(name):
    setting = GLOBAL_SETTINGS[name]
    assert setting.parse(setting.format(setting.default)) == setting.default
    assert setting.label and setting.help


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e999", "", "   ", "1_000", "١", "５", "0x10", "1e", "--1",
                                  "1,2", "a" * 500, "\u200b1"])
def test_numbers_in_a_link_are_plain_finite_ascii(text):
    with pytest.raises(ValueError, match="from 1 to"):
        GLOBAL_SETTINGS["steps"].parse(text)


def test_ranges_and_whole_numbers_are_enforced_with_the_allowed_values_in_the_message():
    steps = GLOBAL_SETTINGS["steps"]
    assert steps.parse("250") == 250
    for bad in ("0", "5001", "2.5", "-3"):
        with pytest.raises(ValueError) as err:
            steps.parse(bad)
        assert str(err.value) == "a whole number from 1 to 5000"
    lr = hyper_settings("adam")["lr"]
    assert lr.parse("0.035") == 0.035  # off the slider's grid, kept exactly
    with pytest.raises(ValueError, match="from 1e-05 to 10"):
        lr.parse("20")


def test_an_optional_setting_is_off_or_in_range():
    noise = GLOBAL_SETTINGS["grad_noise"]
    assert noise.parse("off") is None and noise.format(None) == "off"
    assert noise.parse("0.5") == 0.5
    with pytest.raises(ValueError, match="or 'off'"):
        noise.parse("-1")


def test_betas_are_a_pair_each_below_one():
    betas = hyper_settings("adam")["betas"]
    assert betas.parse("0.8,0.99") == (0.8, 0.99)
    for bad in ("0.9", "0.9,1", "0.9,1.5", "nan,0.9", "0.9,0.9,0.9"):
        with pytest.raises(ValueError, match="two numbers"):
            betas.parse(bad)


def test_bools_and_choices():
    assert GLOBAL_SETTINGS["present"].parse("1") is True and GLOBAL_SETTINGS["present"].parse("off") is False
    with pytest.raises(ValueError, match="0 or 1"):
        GLOBAL_SETTINGS["present"].parse("maybe")
    with pytest.raises(ValueError, match="one of constant, step"):
        GLOBAL_SETTINGS["schedule"].parse("linear")


def test_slider_stops_include_an_off_grid_value_so_nothing_is_snapped():
    lr = hyper_settings("sgd")["lr"]
    assert 0.035 not in lr.options and 0.035 in lr.stops(0.035)
    assert lr.stops(0.035) == tuple(sorted(lr.stops(0.035)))
    assert GLOBAL_SETTINGS["grad_noise"].stops()[0] is None


def test_surface_parameters_feed_the_factory_under_its_own_names():
    import inspect

    from landscapes import make_regression

    for name, setting in SURFACE_SETTINGS["regression"].items():
        parameter = inspect.signature(make_regression).parameters[name]
        assert setting.feeds == "surface" and math.isclose(setting.default, parameter.default)


def test_the_view_settings_are_presentation_and_the_inspector_and_feed_nothing_else():
    # A link of these alone opens the front page's lesson, and they never take a lesson off the page.
    assert set(VIEW_SETTINGS) == {"present", "inspect", "istep"}
    assert all(GLOBAL_SETTINGS[name].feeds == "view" for name in VIEW_SETTINGS)
