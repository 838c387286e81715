"""Every lesson shows its point, fairly: the numbers its text quotes are what the engine gives."""

from __future__ import annotations

import numpy as np
import pytest

from lab.codec import decode, encode
from lab.compute import execute
from lab.lessons import LESSONS
from lab.page_state import PageState
from lab.request import request_for
from lab.settings import hyper_settings
from landscapes.goals import steps_to_goal

STAGES = [(lid, stage) for lid, lesson in LESSONS.items() for stage in ("start", "next")
          if stage == "start" or lesson.try_next is not None]


def state_of(lesson_id: str, stage: str) -> PageState:
    lesson = LESSONS[lesson_id]
    return lesson.state() if stage == "start" else lesson.next_state()


def runs(state: PageState) -> dict:
    out = {}
    for racer in state.racers:
        request = request_for(state, racer)
        out[racer.key] = (execute(request).trajectory, request.surface_object())
    return out


def arrival(state: PageState, key: str) -> int:
    trajectory, surface = runs(state)[key]
    return int(steps_to_goal(surface, trajectory.xy, trajectory.diverged_at))


@pytest.mark.parametrize(("lesson_id", "stage"), STAGES)
def test_no_racer_diverges_and_every_racer_reaches_the_goal_unless_the_lesson_says_otherwise(lesson_id, stage):
    lesson = LESSONS[lesson_id]
    state = state_of(lesson_id, stage)
    short = lesson.falls_short if stage == "start" else lesson.try_next.falls_short
    assert set(short) <= set(state.keys)
    for key, (trajectory, surface) in runs(state).items():
        assert trajectory.diverged_at < 0, f"{key} diverged at step {trajectory.diverged_at}"
        reached = steps_to_goal(surface, trajectory.xy, trajectory.diverged_at) >= 0
        assert reached == (key not in short), f"{lesson_id}/{stage}: {key} reached={reached}"


@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_lessons_round_trip_through_a_link_and_fit_the_widgets(lesson_id):
    lesson = LESSONS[lesson_id]
    for state in (lesson.state(), lesson.next_state()):
        if state is None:
            continue
        back, problems = decode(encode(state))
        assert problems == [] and back == state
        for racer in state.racers:
            settings = hyper_settings(racer.optimizer, racer.hyper.get("inner"))
            for name, value in racer.hyper.items():
                settings[name].check(value)
    assert lesson.next_state() is None or lesson.next_state() != lesson.state()
    assert lesson.stage(lesson.state()) == "start"
    assert len(lesson.notice) < 520 and len(lesson.title) <= 16


def test_zigzag_bounces_and_a_small_rate_crawls():
    trajectory, _ = runs(LESSONS["zigzag"].state())["sgd"]
    y_steps = np.diff(trajectory.xy[:, 1])
    assert np.sum(np.diff(np.sign(y_steps[:30])) != 0) >= 25  # it crosses the valley floor on almost every step
    slow, _ = runs(LESSONS["zigzag"].next_state())["sgd"]
    assert 3.5 < np.linalg.norm(slow.final_xy) < 4.5  # "still about 4 units from the minimum"


def test_momentum_ends_about_a_trillion_times_lower_and_too_much_momentum_is_slower():
    race = runs(LESSONS["momentum"].state())
    ratio = race["sgd"][0].final_loss / race["momentum"][0].final_loss
    assert 1e11 < ratio < 1e14
    heavy = runs(LESSONS["momentum"].next_state())["momentum"][0]
    assert heavy.final_loss > race["momentum"][0].final_loss * 1e6


def test_nesterov_swings_less_and_arrives_in_about_half_the_steps():
    state = LESSONS["nesterov"].state()
    race = runs(state)

    def swings(trajectory) -> int:
        return int(np.sum(np.diff(np.sign(np.diff(trajectory.xy[:, 0]))) != 0))

    assert swings(race["momentum"][0]) >= 5 * swings(race["nesterov"][0])
    ratio = arrival(state, "nesterov") / arrival(state, "momentum")
    assert 0.35 < ratio < 0.65
    alike = LESSONS["nesterov"].next_state()
    assert abs(arrival(alike, "nesterov") - arrival(alike, "momentum")) < 0.15 * arrival(alike, "momentum")


def test_adam_walks_the_valley_while_sgd_crawls_and_a_larger_sgd_rate_does_not_help():
    race = runs(LESSONS["valley"].state())
    sgd, surface = race["sgd"]
    assert surface.distance_to_nearest_minimum(race["adam"][0].final_xy) < 0.05
    assert surface.distance_to_nearest_minimum(sgd.final_xy) > 0.25
    bigger = runs(LESSONS["valley"].next_state())["sgd"][0]
    assert surface.distance_to_nearest_minimum(bigger.final_xy) > surface.distance_to_nearest_minimum(sgd.final_xy)


def test_at_one_learning_rate_sgd_lingers_at_the_saddle_and_noise_helps_it_escape():
    state = LESSONS["saddle"].state()
    escape = {key: arrival(state, key) for key in state.keys}
    assert escape["sgd"] > 2.5 * max(escape["momentum"], escape["adam"])
    assert len({r.hyper["lr"] for r in state.racers}) == 1  # the same learning rate for all three
    noisy = arrival(LESSONS["saddle"].next_state(), "sgd")
    assert 30 <= escape["sgd"] - noisy <= 70  # "about 50 steps sooner"


def test_adagrads_step_size_only_falls_and_it_stalls_where_rmsprop_arrives():
    state = LESSONS["adagrad"].state()
    recorded = execute(request_for(state, state.racer("adagrad")), record_state=True).trajectory
    effective = recorded.records["effective_lr"]
    assert np.all(np.diff(effective, axis=0) <= 0)  # only ever falls
    assert effective[0].max() < state.racer("adagrad").hyper["lr"] / 100  # the first step filled the sum
    rmsprop = execute(request_for(state, state.racer("rmsprop")), record_state=True).trajectory
    assert np.all(rmsprop.records["effective_lr"][-1] > 30 * rmsprop.records["effective_lr"][0])  # it forgets
    race = runs(state)
    surface = race["adagrad"][1]
    assert surface.distance_to_nearest_minimum(race["adagrad"][0].final_xy) > 0.1
    assert arrival(LESSONS["adagrad"].next_state(), "adagrad") > arrival(state, "rmsprop")


def test_bias_correction_keeps_adams_first_step_at_lr_while_rmsprops_is_about_32_times_longer():
    state = LESSONS["bias"].state()
    race = runs(state)
    first = {key: np.abs(trajectory.xy[1] - trajectory.xy[0]) for key, (trajectory, _) in race.items()}
    np.testing.assert_allclose(first["adam"], 0.1, rtol=1e-6)  # lr in each coordinate
    ratio = first["rmsprop"] / first["adam"]
    assert np.all((30 < ratio) & (ratio < 34))  # 1/sqrt(1 - 0.999) = 31.6
    shorter = runs(LESSONS["bias"].next_state())
    ratio = np.abs(shorter["rmsprop"][0].xy[1] - shorter["rmsprop"][0].xy[0]) / first["adam"]
    assert np.all((9.5 < ratio) & (ratio < 10.5))


def test_minibatches_jitter_around_the_full_batch_path_which_reaches_the_fit():
    state = LESSONS["minibatch"].state()
    racer = state.racers[0]
    noisy = execute(request_for(state, racer)).trajectory
    full = execute(request_for(state, racer, full_batch=True)).trajectory
    surface = request_for(state, racer).surface_object()
    assert steps_to_goal(surface, full.xy, full.diverged_at) >= 0
    assert surface.distance_to_nearest_minimum(noisy.final_xy) < 0.3
    assert np.mean(np.linalg.norm(noisy.xy - full.xy, axis=1)) > 0.02  # it jitters around, not on, the full path


def test_a_decaying_schedule_settles_where_a_constant_rate_keeps_jittering():
    def spread(state: PageState) -> float:
        trajectory, _ = runs(state)["sgd"]
        tail = trajectory.xy[-len(trajectory.xy) // 5:]
        return float(np.linalg.norm(np.ptp(tail, axis=0)))

    assert spread(LESSONS["schedule"].state()) > 5 * spread(LESSONS["schedule"].next_state())


def test_adam_settles_at_the_l2_minimum_and_adamw_nearer_the_origin():
    race = runs(LESSONS["decay"].state())
    adam, surface = race["adam"]
    adamw = race["adamw"][0]
    # The minimum of f + 0.05‖θ‖² has gradient ∇f + 0.1θ = 0: Adam's end point is stationary there.
    np.testing.assert_allclose(surface.grad(adam.final_xy) + 0.1 * adam.final_xy, 0.0, atol=1e-3)
    np.testing.assert_allclose(adam.final_xy, [0.89, 0.78], atol=0.01)
    np.testing.assert_allclose(adamw.final_xy, [0.69, 0.48], atol=0.03)
    off = runs(LESSONS["decay"].next_state())
    np.testing.assert_array_equal(off["adam"][0].xy, off["adamw"][0].xy)
