"""The lesson presets really show their lesson when run by the engine."""

from __future__ import annotations

import numpy as np
import pytest

from lab.compute import execute
from lab.controls import knob_controls
from lab.presets import PRESETS
from lab.race import minibatch_active, request_for, run_length
from lab.widgets import fits

CONTRACT_IDS = {"ravine", "rosenbrock", "saddle", "adagrad", "minibatch"}


def runs(preset_id: str) -> dict:
    setup = PRESETS[preset_id].setup()
    return {name: execute(request_for(setup, name)).trajectory for name in setup.optimizers}


def test_preset_ids_match_the_browser_contract():
    assert set(PRESETS) == CONTRACT_IDS


@pytest.mark.parametrize("preset_id", sorted(CONTRACT_IDS))
def test_presets_run_without_unintended_divergence(preset_id):
    preset = PRESETS[preset_id]
    for name, traj in runs(preset_id).items():
        assert traj is not None, name
        assert (traj.diverged_at >= 0) == (name in preset.expect_divergence), name


@pytest.mark.parametrize("preset_id", sorted(CONTRACT_IDS))
def test_preset_values_sit_on_their_widgets(preset_id):
    setup = PRESETS[preset_id].setup()
    for name, values in setup.hyper.items():
        for knob, control in knob_controls(name, values.get("inner")).items():
            if control.kind == "betas":
                assert all(value in control.options for value in values[knob])
            else:
                assert fits(control, values[knob]), (name, knob, values[knob])


def test_ravine_sgd_zigzags_and_momentum_damps_it():
    result = runs("ravine")
    y_sgd, y_mom = result["sgd"].xy[:30, 1], result["momentum"].xy[:30, 1]
    sign_flips = lambda y: int(np.sum(np.diff(np.sign(y)) != 0))  # noqa: E731
    assert sign_flips(y_sgd) >= 20
    assert sign_flips(y_mom) <= 6
    # damping the bounces is not bought with speed: momentum ends closer to the minimum
    assert result["momentum"].loss[-1] < result["sgd"].loss[-1] / 3


def test_adam_beats_sgd_in_rosenbrocks_valley():
    result = runs("rosenbrock")
    assert result["adam"].loss[-1] < 1e-2 < result["sgd"].loss[-1]


def test_saddle_sgd_lingers_while_momentum_and_adam_escape():
    result = runs("saddle")
    assert abs(result["sgd"].xy[-1, 0]) < 0.05
    assert abs(result["momentum"].xy[-1, 0]) > 1.0 and abs(result["adam"].xy[-1, 0]) > 1.0


def test_adagrad_steps_shrink_and_it_stalls():
    setup = PRESETS["adagrad"].setup()
    traj = execute(request_for(setup, "adagrad"), record_state=True).trajectory
    step_sizes = np.linalg.norm(np.diff(traj.xy, axis=0), axis=1)
    assert step_sizes[-50:].mean() < 0.01 * step_sizes[:5].mean()
    assert runs("adagrad")["rmsprop"].loss[-1] < traj.loss[-1]
    effective = traj.records["effective_lr"][:, 0]
    assert np.all(np.diff(effective) <= 1e-15)


def test_minibatch_path_jitters_around_the_full_batch_one():
    setup = PRESETS["minibatch"].setup()
    assert minibatch_active(setup) and run_length(setup) == 100
    noisy = execute(request_for(setup, "sgd")).trajectory
    full = execute(request_for(setup, "sgd", full_batch=True)).trajectory
    assert noisy.xy.shape == full.xy.shape
    assert not np.allclose(noisy.xy, full.xy)
    assert np.linalg.norm(noisy.xy[-1] - full.xy[-1]) < 0.5
