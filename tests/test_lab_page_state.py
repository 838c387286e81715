"""The page state: racers as keys, labels that say what differs, completion with defaults."""

from __future__ import annotations

import pytest

from lab.page_state import PageState, Racer, next_key, optimizer_of, page, racer


def test_racer_keys_name_an_optimizer_and_a_number():
    assert optimizer_of("sgd") == "sgd" and optimizer_of("sgd-2") == "sgd" and optimizer_of("adam-9") == "adam"
    for bad in ("sgd-1", "sgd-10", "SGD", "nope", "sgd-", "sgd_2", "", "adam-２"):
        assert optimizer_of(bad) is None
    assert next_key("sgd", ()) == "sgd"
    assert next_key("sgd", ("sgd", "sgd-2")) == "sgd-3"
    with pytest.raises(ValueError):
        racer("bogus")


def test_the_legend_names_what_differs():
    state = page("ravine", (racer("sgd", lr=0.01), racer("sgd-2", lr=0.1), racer("momentum", lr=0.05, momentum=0.8)))
    labels = [state.racer_label(r) for r in state.racers]
    assert labels == ["SGD, lr = 0.01", "SGD, lr = 0.1", "SGD + momentum, lr = 0.05"]
    twins = page("ravine", (racer("adam", lr=0.1, betas=(0.9, 0.99)), racer("adam-2", lr=0.1)))
    assert [twins.racer_label(r) for r in twins.racers] == ["Adam, lr = 0.1, betas = (0.9, 0.99)",
                                                           "Adam, lr = 0.1, betas = (0.9, 0.999)"]
    wrapped = page("ravine", (racer("lookahead", inner="sgd", lr=0.1),))
    assert wrapped.racer_label(wrapped.racers[0]) == "Lookahead, inner = SGD, lr = 0.1"


def test_complete_fills_defaults_and_drops_what_does_not_belong():
    state = PageState(values={"surface": "rosenbrock", "bogus": 1}, racers=(Racer("adam", "adam", {"lr": 0.1, "x": 1}),))
    done = state.complete()
    assert "bogus" not in done.values and done["steps"] == 100 and done["inspect"] == "adam"
    assert dict(done.racers[0].hyper) == {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
                                          "amsgrad": False}
    assert done.complete() == done
    assert PageState(values={"surface": "nowhere"}).complete().surface == "ravine"


def test_settings_not_in_force_are_left_out():
    state = page("ravine", (racer("sgd"),), schedule="constant", gamma=0.9)
    assert "gamma" not in state.in_force() and "batch_size" not in state.in_force()
    stepped = state.with_values(schedule="step")
    assert stepped.in_force()["gamma"] == 0.9
    batched = page("regression", (racer("sgd"),), batch_size=5)
    assert "epochs" in batched.in_force() and "steps" not in batched.in_force()
