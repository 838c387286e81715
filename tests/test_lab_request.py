"""From page state to engine calls: one name all the way, nothing that is not in force."""

from __future__ import annotations

import inspect

import numpy as np

from lab.compute import velocity
from lab.engine_pool import execute
from lab.page_state import page, racer
from lab.request import engine_arguments, request_for, total_steps
from lab.settings import GLOBAL_SETTINGS
from optimizers import run
from optimizers.schedules import Schedule

RUN_PARAMETERS = set(inspect.signature(run).parameters)
SCHEDULE_FIELDS = set(Schedule.__dataclass_fields__)


def test_every_engine_setting_is_a_keyword_of_the_engine_under_its_own_name():
    for name, setting in GLOBAL_SETTINGS.items():
        if setting.feeds == "run":
            assert name in RUN_PARAMETERS, name
        elif setting.feeds == "schedule":
            assert name == "schedule" or name in SCHEDULE_FIELDS, name


def test_the_request_carries_only_settings_in_force():
    state = page("ravine", (racer("adam", lr=0.05),), schedule="constant", gamma=0.9, grad_noise=None)
    run_args, schedule = engine_arguments(state)
    assert schedule == {"kind": "constant", "warmup_steps": 0}
    assert "grad_noise" not in run_args and "noise_decay" not in run_args and "batch_size" not in run_args
    assert run_args["steps"] == 100 and run_args["seed"] == 0
    stepped = state.with_values(schedule="step", gamma=0.9, step_size=5, grad_noise=0.3)
    run_args, schedule = engine_arguments(stepped)
    assert schedule == {"kind": "step", "gamma": 0.9, "step_size": 5, "warmup_steps": 0}
    assert run_args["grad_noise"] == 0.3 and run_args["noise_decay"] == 0.0


def test_a_request_reproduces_a_direct_engine_call():
    state = page("rosenbrock", (racer("adam", lr=0.05),), steps=40, schedule="cosine", warmup_steps=5)
    outcome = execute(request_for(state, state.racers[0]))
    direct = run("adam", "rosenbrock", start=(-1.5, 2.0), steps=40, lr=0.05,
                 schedule={"kind": "cosine", "warmup_steps": 5})
    np.testing.assert_array_equal(outcome.trajectory.xy, direct.xy)


def test_minibatches_get_a_full_batch_companion_of_the_same_length():
    state = page("regression", (racer("sgd", lr=0.05),), batch_size=5, epochs=3)
    assert total_steps(state) == 3 * 20
    main = execute(request_for(state, state.racers[0])).trajectory
    full = execute(request_for(state, state.racers[0], full_batch=True)).trajectory
    assert main.steps == full.steps == 60
    assert not np.array_equal(main.xy, full.xy)


def test_a_bad_argument_comes_back_as_the_engines_message():
    state = page("ravine", (racer("sgd"),))
    request = request_for(state, state.racers[0])._replace(run=(("steps", 0),))
    outcome = execute(request)
    assert outcome.trajectory is None and "steps" in outcome.error


def test_velocity_is_minus_lr_times_the_momentum_buffer():
    state = page("ravine", (racer("momentum", lr=0.1, momentum=0.5),), steps=3)
    trajectory = execute(request_for(state, state.racers[0]), record_state=True).trajectory
    v = velocity(trajectory)
    assert v.shape == (4, 2) and np.all(v[0] == 0)
    # With no weight decay the heavy ball's velocity is exactly the step it took.
    np.testing.assert_allclose(v[1:], np.diff(trajectory.xy, axis=0))
    assert velocity(execute(request_for(page("ravine", (racer("sgd"),)), racer("sgd")), record_state=True).trajectory) is None


def test_a_race_over_the_per_rerun_budget_runs_fewer_steps_and_says_so():
    from lab.budget import RACE_POINT_STEPS
    from lab.request import over_budget, steps_run

    small = page("rosenbrock", (racer("sgd"), racer("adam")), steps=4000)
    assert steps_run(small) == 4000 and over_budget(small) is None
    keys = ("sgd", "sgd-2", "momentum", "nesterov", "adam", "rmsprop", "adagrad", "adamw")
    big = page("rosenbrock", tuple(racer(k) for k in keys), steps=5000)
    assert steps_run(big) == RACE_POINT_STEPS // 8
    assert execute(request_for(big, big.racers[0])).trajectory.steps == RACE_POINT_STEPS // 8
    text = over_budget(big)
    assert "8 runs × 5,000 steps" in text and f"first {RACE_POINT_STEPS // 8:,} steps" in text
    batched = page("regression", (racer("sgd"), racer("adam")), batch_size=1, epochs=100)
    per_racer = RACE_POINT_STEPS // 4  # each racer and its full-batch companion
    assert steps_run(batched) == per_racer
    assert execute(request_for(batched, batched.racers[0])).trajectory.steps == per_racer
    assert execute(request_for(batched, batched.racers[0], full_batch=True)).trajectory.steps == per_racer
