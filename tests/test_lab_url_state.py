"""URL state: every setup survives a round trip; bad links fall back with a notice."""

from __future__ import annotations

import pytest

from lab.controls import MAX_OPTIMIZERS, SETTINGS, knob_controls
from lab.presets import PRESETS, default_setup
from lab.url_state import Setup, decode, encode
from optimizers import OPTIMIZERS


def roundtrip(setup: Setup) -> Setup:
    decoded, notices = decode(encode(setup))
    assert notices == []
    return decoded


@pytest.mark.parametrize("preset", list(PRESETS))
def test_presets_round_trip_exactly(preset):
    setup = PRESETS[preset].setup()
    assert roundtrip(setup) == setup


def test_every_optimizer_round_trips_with_non_default_values():
    names = list(OPTIMIZERS)
    for first in range(0, len(names), MAX_OPTIMIZERS):
        race = tuple(names[first:first + MAX_OPTIMIZERS])
        setup = Setup(surface="rosenbrock", optimizers=race, start=(-1.25, 2.5), steps=321, seed=7,
                      schedule="step", gamma=0.9, step_size=25, warmup=5, noise=0.1, tol=0.05, stop=True,
                      gtol=1e-8, present=True, inspect=race[-1], istep=12).complete()
        for name in race:
            for knob, control in knob_controls(name, setup.hyper[name].get("inner")).items():
                if control.kind == "log":
                    setup.hyper[name][knob] = control.options[len(control.options) // 3]
                elif control.kind == "betas":
                    setup.hyper[name][knob] = (0.8, 0.99)
                elif control.kind == "bool":
                    setup.hyper[name][knob] = not control.default
        assert roundtrip(setup) == setup


def test_contract_parameter_names():
    params = encode(Setup(surface="rosenbrock", optimizers=("adam", "sgd"), start=(-1.5, 2.0)).complete())
    assert params["surface"] == "rosenbrock"
    assert params["opt"] == "adam,sgd"
    assert params["start"] == "-1.5,2"
    assert params["adam.lr"] == "0.001" and params["adam.betas"] == "0.9,0.999"
    assert params["present"] == "0" and "steps" in params and "seed" in params


def test_no_parameters_gives_the_opening_lesson_without_notices():
    setup, notices = decode({}, fallback=default_setup())
    assert setup == default_setup() and notices == []


def test_lookahead_takes_its_inner_optimizers_knobs():
    setup, notices = decode({"surface": "ravine", "opt": "lookahead", "lookahead.inner": "sgd",
                             "lookahead.lr": "0.5", "lookahead.k": "7"})
    assert setup.hyper["lookahead"]["inner"] == "sgd"
    assert setup.hyper["lookahead"]["lr"] == 0.5 and setup.hyper["lookahead"]["k"] == 7
    assert "betas" not in setup.hyper["lookahead"]
    assert all("lookahead" not in notice for notice in notices)


@pytest.mark.parametrize("params, fragment", [
    ({"surface": "volcano"}, "Unknown surface"),
    ({"opt": "adam,bogus"}, "Unknown optimizer"),
    ({"opt": ""}, "No known optimizer"),
    ({"steps": "abc"}, "steps="),
    ({"steps": "999999"}, "steps="),
    ({"steps": "2.5"}, "steps="),
    ({"seed": "-1"}, "seed="),
    ({"start": "nan,1"}, "start="),
    ({"start": "1;2"}, "start="),
    ({"start": "100,100"}, "start="),
    ({"opt": "adam", "adam.lr": "1e9"}, "adam.lr="),
    ({"opt": "adam", "adam.lr": "inf"}, "adam.lr="),
    ({"opt": "adam", "adam.betas": "0.9"}, "adam.betas="),
    ({"opt": "adam", "adam.betas": "1.5,0.9"}, "adam.betas="),
    ({"opt": "adam", "adam.amsgrad": "maybe"}, "adam.amsgrad="),
    ({"opt": "adam", "adam.nonsense": "1"}, "Ignored unknown"),
    ({"opt": "lookahead", "lookahead.inner": "lookahead"}, "lookahead.inner="),
    ({"schedule": "__import__('os')"}, "schedule="),
    ({"present": "2"}, "present="),
    ({"hack": "x" * 500}, "over-long"),
])
def test_malformed_values_fall_back_with_a_notice(params, fragment):
    setup, notices = decode(params)
    assert any(fragment in notice for notice in notices), notices
    assert setup.optimizers and all(name in OPTIMIZERS for name in setup.optimizers)
    assert encode(setup)  # whatever came in, what comes out is a valid setup


def test_defaults_replace_bad_values():
    setup, _ = decode({"surface": "rosenbrock", "steps": "abc", "opt": "adam", "adam.lr": "-3", "start": "x,y"})
    assert setup.steps == SETTINGS["steps"].default
    assert setup.hyper["adam"]["lr"] == OPTIMIZERS["adam"].defaults()["lr"]
    assert setup.start == (-1.5, 2.0)


def test_race_is_capped_and_deduplicated():
    setup, notices = decode({"opt": ",".join(list(OPTIMIZERS) + ["adam"])})
    assert len(setup.optimizers) == MAX_OPTIMIZERS and len(set(setup.optimizers)) == MAX_OPTIMIZERS
    assert any("At most" in notice for notice in notices)


def test_numbers_snap_to_the_widget_grid():
    setup, notices = decode({"opt": "adam", "adam.lr": "0.0512", "adam.betas": "0.91,0.9989"})
    assert setup.hyper["adam"]["lr"] == 0.05
    assert setup.hyper["adam"]["betas"] == (0.9, 0.999)


def test_too_many_parameters_are_ignored_as_a_whole():
    setup, notices = decode({f"p{i}": "1" for i in range(400)}, fallback=default_setup())
    assert setup == default_setup() and "ignored" in notices[0]


def test_notices_escape_markup_from_the_link():
    _, notices = decode({"surface": "$\\alpha$ [x](javascript:alert(1))"})
    assert "\\$" in notices[0] and "\\[" in notices[0]


def test_repeated_parameter_uses_the_last_value():
    setup, _ = decode({"surface": ["ravine", "saddle"], "opt": ["sgd"]})
    assert setup.surface == "saddle"
