"""Work caps: one module holds them, every entry point enforces them, messages name them."""

from __future__ import annotations

import numpy as np
import pytest

import optimizers
import optimizers.runner as runner
from landscapes import make_regression
from optimizers import basins, limits, point_steps, run, sweep


def test_point_steps_by_hand():
    assert point_steps(100, 1_000) == 100_000
    # a mini-batch of 32 points is read once per step for all starts
    assert point_steps(10, 100, batch_size=32) == 1_000 + 3_200
    assert limits.check_work(2, 3) == 6


def test_the_caps_live_in_limits_and_are_importable_where_they_were():
    assert runner.MAX_STEPS is limits.MAX_STEPS and optimizers.MAX_STEPS == limits.MAX_STEPS
    assert runner.MAX_STARTS == optimizers.MAX_STARTS == limits.MAX_STARTS
    assert limits.MAX_CELLS == optimizers.explore.MAX_CELLS and limits.MAX_RESOLUTION == optimizers.MAX_RESOLUTION
    assert set(limits.caps()) >= {"MAX_STEPS", "MAX_STARTS", "MAX_EPOCHS", "MAX_CELLS", "MAX_RESOLUTION",
                                  "MAX_POINT_STEPS"}
    # the biggest map and the biggest sweep of the default length fit the per-call cap
    assert limits.MAX_RESOLUTION**2 * 1_000 <= limits.MAX_POINT_STEPS
    assert limits.MAX_CELLS * 10_000 <= limits.MAX_POINT_STEPS


@pytest.mark.parametrize("call, words", [
    (lambda: run("sgd", "ravine", start=np.zeros((300_000, 2)), steps=1_000, keep="final"),
     ["300,000 starts x 1,000 steps", "MAX_POINT_STEPS", "200,000,000"]),
    (lambda: run("sgd", "ravine", steps=limits.MAX_STEPS + 1), ["steps", "100000"]),
    (lambda: run("sgd", "ravine", start=np.zeros((limits.MAX_STARTS + 1, 2))), ["start", "MAX_STARTS"]),
    (lambda: run("sgd", make_regression(n=100), epochs=limits.MAX_EPOCHS + 1), ["epochs", "100000"]),
    (lambda: run("sgd", make_regression(n=100_000), batch_size=50_000, steps=5_000),
     ["5,000 steps x 50,000 data points", "MAX_POINT_STEPS"]),
    (lambda: sweep("sgd", "ravine", grid={"lr": np.full(10_000, 0.1)}, steps=50_000),
     ["10,000 cells x 50,000 steps", "MAX_POINT_STEPS"]),
    (lambda: sweep("sgd", "ravine", grid={"lr": np.full(101, 0.1), "weight_decay": np.zeros(100)}),
     ["10,100 cells", "MAX_CELLS"]),
    (lambda: basins("sgd", "ravine", resolution=400, steps=2_000), ["160,000 starts x 2,000 steps"]),
    (lambda: basins("sgd", "ravine", resolution=401), ["resolution", "400", "MAX_RESOLUTION"]),
])
def test_every_knob_that_scales_work_is_capped_by_name(call, words):
    with pytest.raises(ValueError) as caught:
        call()
    for word in words:
        assert word in str(caught.value)


def test_work_just_under_the_cap_is_accepted_without_running_it():
    # planned_steps validates like run() and says how many steps a request takes
    assert runner.planned_steps("sgd", make_regression(n=100), epochs=10, batch_size=10) == 100
    assert runner.planned_steps("sgd", "ravine", start=np.zeros((200_000, 2)), steps=1_000, keep="final") == 1_000
