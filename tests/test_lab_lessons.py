"""Every lesson shows its point, fairly: the numbers its text quotes are what the engine gives.

Each race is run exactly as the race page runs it: the lesson's state, one engine request per
racer (``request_for``), ``execute``. "Within 0.01 ... by step N" in a text is what the page's
summary table shows for that race (``reached_at`` on the drawn path).
"""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

import numpy as np
import pytest

from lab.codec import decode, encode
from lab.engine_pool import execute
from lab.lessons import DEFAULT_LESSON, LESSONS, default_state
from lab.page_state import PageState
from lab.request import minibatches, over_budget, request_for
from lab.settings import hyper_settings
from lab.tune import candidate_rates
from landscapes import Surface
from landscapes.goals import steps_to_goal
from optimizers import DIVERGENCE_LIMIT, Trajectory, run
from viz.paths import path_view
from viz.summary import reached_at

STAGES = [(lid, stage) for lid, lesson in LESSONS.items() for stage in ("start", "next")
          if stage == "start" or lesson.try_next is not None]

# Racers that are meant to end short of the surface's goal, and why. A lesson that marks a racer
# `falls_short` must say why here; such a racer must still be heading for the minimum.
FALLS_SHORT_BECAUSE = {
    ("zigzag", "next"): {"sgd": "a small rate stops the bouncing but crawls along the floor"},
    ("valley", "start"): {"sgd": "SGD at its best rate crawls along Rosenbrock's floor"},
    ("valley", "next"): {"sgd": "a doubled rate traps SGD bouncing between the walls"},
    ("adagrad", "start"): {"adagrad": "a steep start fills Adagrad's sum and stalls it"},
    ("decay", "start"): {"adam": "L2 moves the optimum to the ridge fit",
                         "adamw": "decoupled decay confines it to |θ| ≤ 1/λ"},
}
# On noisy gradients (mini-batches, gradient noise) constant-rate SGD hovers around the minimum
# at a distance set by the rate and the noise: there the goal is to stay that close.
HOVER = 0.5


class Run(NamedTuple):
    trajectory: Trajectory
    surface: Surface


def state_of(lesson_id: str, stage: str) -> PageState:
    lesson = LESSONS[lesson_id]
    return lesson.state() if stage == "start" else lesson.next_state()


@cache
def race(lesson_id: str, stage: str) -> dict[str, Run]:
    return runs(state_of(lesson_id, stage))


def runs(state: PageState) -> dict[str, Run]:
    out = {}
    for racer in state.racers:
        request = request_for(state, racer)
        outcome = execute(request)
        assert outcome.trajectory is not None, outcome.error
        out[racer.key] = Run(outcome.trajectory, request.surface_object())
    return out


def distance(one: Run) -> np.ndarray:
    return one.surface.distance_to_nearest_minimum(one.trajectory.xy)


def table_step(one: Run, tolerance: float = 0.01) -> int | None:
    """The summary table's "within 0.01 of a minimum at step" for this racer."""
    return reached_at(path_view(one.trajectory, one.surface, "", ""), tolerance)


def escape_step(one: Run) -> int:
    return int(steps_to_goal(one.surface, one.trajectory.xy, one.trajectory.diverged_at))


def floor_crossings(xy: np.ndarray) -> int:
    """How often a path crosses the floor y = x² of Rosenbrock's valley (wall-to-wall swings)."""
    side = np.sign(xy[:, 1] - xy[:, 0] ** 2)
    return int(np.sum(side[1:] != side[:-1]))


def over_the_slider(state: PageState, key: str) -> tuple[np.ndarray, Trajectory]:
    """``key``'s race at every candidate rate of its lr slider (one batched run, as Tune does)."""
    racer = state.racer(key)
    request = request_for(state, racer)
    setting = hyper_settings(racer.optimizer)["lr"]
    rates = candidate_rates(setting.low, setting.high)
    starts = np.tile(np.asarray(request.start), (len(rates), 1))
    return rates, run(racer.optimizer, request.surface_object(),
                      **{**request.kwargs(), "start": starts, "lr": rates})


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text))


# ---------------------------------------------------------------------------------------------
# Every lesson, every stage.


@pytest.mark.parametrize(("lesson_id", "stage"), STAGES)
def test_no_racer_diverges_and_every_racer_reaches_its_goal_unless_the_lesson_says_why(lesson_id, stage):
    lesson = LESSONS[lesson_id]
    state = state_of(lesson_id, stage)
    short = set(lesson.falls_short if stage == "start" else lesson.try_next.falls_short)
    because = FALLS_SHORT_BECAUSE.get((lesson_id, stage), {})
    assert short == set(because)
    noisy = minibatches(state) or bool(state["grad_noise"])
    for key, one in race(lesson_id, stage).items():
        trajectory, surface = one.trajectory, one.surface
        assert trajectory.diverged_at < 0, f"{key} diverged at step {trajectory.diverged_at}"
        assert np.abs(trajectory.xy).max() < DIVERGENCE_LIMIT / 100, f"{key} is near the divergence limit"
        if key in short:  # short on purpose, but heading for the minimum
            remaining = distance(one)
            assert remaining[-1] < 0.75 * remaining[0], f"{lesson_id}/{stage}: {key} ({because[key]}) is lost"
        elif noisy and surface.minima:
            tail = distance(one)[-len(trajectory.xy) // 5:]
            assert tail.mean() < HOVER, f"{lesson_id}/{stage}: {key} hovers {tail.mean():.2f} from the minimum"
        else:
            assert escape_step(one) >= 0, f"{lesson_id}/{stage}: {key} never reaches the goal"


@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_lessons_round_trip_through_a_link_fit_the_widgets_and_the_budget(lesson_id):
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
        assert over_budget(state) is None  # the page shows the whole race
    assert lesson.stage(lesson.state()) == "start"
    # The view and the other pages' settings leave the lesson on the page; the race's own do not.
    shown = lesson.state().with_values(present=True, sweep_x="momentum", basin_n=50)
    assert lesson.stage(shown) == "start"
    assert lesson.stage(lesson.state().with_values(steps=lesson.state()["steps"] + 1)) is None
    if lesson.try_next is not None:
        assert lesson.next_state() != lesson.state()
        assert lesson.stage(lesson.next_state()) == "next"


@pytest.mark.parametrize("lesson_id", list(LESSONS))
def test_lesson_texts_are_short(lesson_id):
    lesson = LESSONS[lesson_id]
    assert len(lesson.title) <= 16
    assert sentences(lesson.notice) <= 4 and len(lesson.notice) <= 400  # fits the card at 1024 px
    if lesson.try_next is not None:
        assert sentences(lesson.try_next.text) <= 3 and len(lesson.try_next.text) <= 300


def test_every_race_belongs_to_one_lesson_and_the_default_is_the_first():
    races = [state_of(lid, stage) for lid, stage in STAGES]
    for (lid, stage), state in zip(STAGES, races, strict=True):
        owners = [(other, LESSONS[other].stage(state)) for other in LESSONS if LESSONS[other].stage(state)]
        assert owners == [(lid, stage)]
    assert default_state() == LESSONS[DEFAULT_LESSON].state() and DEFAULT_LESSON == next(iter(LESSONS))


# ---------------------------------------------------------------------------------------------
# Each lesson's own claim.


def test_zigzag_bounces_at_a_large_rate_and_crawls_at_a_small_one():
    bouncing = race("zigzag", "start")["sgd"]
    y_steps = np.diff(bouncing.trajectory.xy[:21, 1])
    assert np.all(y_steps[1:] * y_steps[:-1] < 0)  # it crosses the floor on every one of the first 20 steps
    crawling = race("zigzag", "next")["sgd"]
    assert np.all(crawling.trajectory.xy[:, 1] > 0)  # no more bouncing
    assert 3.5 < distance(crawling)[-1] < 4.5  # "still about 4 units from the minimum"


def test_momentum_beats_sgd_at_both_their_best_rates_and_too_much_momentum_is_slower():
    state = LESSONS["momentum"].state()
    sgd, heavy = race("momentum", "start")["sgd"], race("momentum", "start")["momentum"]
    assert (table_step(heavy), table_step(sgd)) == (18, 70)  # as the text says
    assert sgd.trajectory.final_loss > 1e6 * heavy.trajectory.final_loss
    # Fair: no rate on SGD's slider gets it within 0.01 much sooner than step 70, none on
    # momentum's (at 0.5) much sooner than 18: each runs at about its best.
    for key, best in (("sgd", 70), ("momentum", 18)):
        rates, trajectory = over_the_slider(state, key)
        near = sgd.surface.distance_to_nearest_minimum(np.asarray(trajectory.xy)) <= 0.01  # (steps + 1, rates)
        first = np.where(near.any(axis=0) & (np.asarray(trajectory.diverged_at) < 0), near.argmax(axis=0), 10**6)
        assert first.min() >= best - 2, f"{key} at lr {rates[first.argmin()]} arrives at {first.min()}"
    too_much = race("momentum", "next")["momentum"]
    assert table_step(too_much) == 103 > table_step(sgd)


def test_nesterov_swings_less_than_momentum_and_arrives_sooner():
    plain, ahead = race("nesterov", "start")["momentum"], race("nesterov", "start")["nesterov"]
    assert floor_crossings(plain.trajectory.xy) >= 10 * floor_crossings(ahead.trajectory.xy)
    assert floor_crossings(plain.trajectory.xy) >= 24  # "dozens of times"
    assert (table_step(ahead), table_step(plain)) == (321, 487)
    calmer, calmer_ahead = race("nesterov", "next")["momentum"], race("nesterov", "next")["nesterov"]
    assert floor_crossings(calmer.trajectory.xy) < floor_crossings(plain.trajectory.xy) / 2
    for one in (calmer, calmer_ahead):  # "each is still about 0.06 from (1, 1)"
        assert table_step(one) is None and 0.05 < distance(one)[-1] < 0.08


def test_adam_walks_the_valley_while_sgd_at_any_rate_crawls_or_bounces():
    state = LESSONS["valley"].state()
    sgd, adam = race("valley", "start")["sgd"], race("valley", "start")["adam"]
    assert 0.35 < distance(sgd)[-1] < 0.45  # "still 0.4 from (1, 1)"
    assert table_step(adam) is not None
    rates, trajectory = over_the_slider(state, "sgd")
    final = sgd.surface.distance_to_nearest_minimum(np.asarray(trajectory.final_xy))
    final = np.where(np.asarray(trajectory.diverged_at) >= 0, np.inf, final)
    assert final.min() > 0.35 and rates[final.argmin()] == state.racer("sgd").hyper["lr"]  # 0.0025 is its best
    bouncing = race("valley", "next")["sgd"]
    assert 0.85 < distance(bouncing)[-1] < 0.95  # "about 0.9 away"
    assert floor_crossings(bouncing.trajectory.xy[-100:]) >= 90  # wall to wall on every step
    assert floor_crossings(sgd.trajectory.xy[-100:]) == 0  # the small rate crawls along the floor


def test_at_one_rate_sgd_lingers_at_the_saddle_and_noise_helps_it_escape():
    state = LESSONS["saddle"].state()
    assert len({racer.hyper["lr"] for racer in state.racers}) == 1  # the same learning rate for all three
    escape = {key: escape_step(one) for key, one in race("saddle", "start").items()}
    assert (escape["sgd"], escape["momentum"], escape["adam"]) == (37, 18, 20)  # as the text says
    lingering = {key: int(np.sum(np.linalg.norm(one.trajectory.xy, axis=1) < 0.3))
                 for key, one in race("saddle", "start").items()}
    assert lingering["sgd"] >= max(15, 2 * lingering["momentum"], 2 * lingering["adam"])  # steps near the saddle
    assert escape_step(race("saddle", "next")["sgd"]) == 18  # "by step 18 instead of 37"
    for seed in range(1, 8):  # not one lucky seed: noise helps whatever the draw
        shaken = runs(LESSONS["saddle"].next_state().with_values(seed=seed))["sgd"]
        assert 0 <= escape_step(shaken) < escape["sgd"]


def test_adagrads_step_size_only_falls_and_it_stalls_where_rmsprop_arrives():
    state = LESSONS["adagrad"].state()
    recorded = execute(request_for(state, state.racer("adagrad")), record_state=True).trajectory
    effective = recorded.records["effective_lr"]
    assert np.all(np.diff(effective, axis=0) <= 0)  # only ever falls
    assert effective[0].max() < state.racer("adagrad").hyper["lr"] / 1000  # the steep start filled the sum
    rmsprop = execute(request_for(state, state.racer("rmsprop")), record_state=True).trajectory
    assert np.all(rmsprop.records["effective_lr"][-1] > 30 * rmsprop.records["effective_lr"][0])  # it forgets
    stalled, arrived = race("adagrad", "start")["adagrad"], race("adagrad", "start")["rmsprop"]
    assert 0.75 < distance(stalled)[-1] < 0.85 and table_step(stalled) is None  # "still 0.8 from the minimum"
    assert table_step(arrived) is not None
    # Fair: at no rate on its slider does Adagrad get within 0.75 of the minimum in this race.
    rates, trajectory = over_the_slider(state, "adagrad")
    final = stalled.surface.distance_to_nearest_minimum(np.asarray(trajectory.final_xy))
    assert np.where(np.asarray(trajectory.diverged_at) >= 0, np.inf, final).min() > 0.75
    gentle = race("adagrad", "next")
    assert table_step(gentle["adagrad"]) == 261
    # "RMSprop needs the whole race to get close": it reaches the surface's 0.05 only in the last fifth.
    assert escape_step(gentle["rmsprop"]) >= 0.8 * len(gentle["rmsprop"].trajectory.xy)


def test_bias_correction_keeps_adams_first_step_at_lr_while_rmsprops_is_32_times_longer():
    state = LESSONS["bias"].state()
    lr = state.racer("adam").hyper["lr"]
    assert state.racer("rmsprop").hyper["lr"] == lr
    adam, rmsprop = race("bias", "start")["adam"], race("bias", "start")["rmsprop"]
    adam_steps = np.abs(np.diff(adam.trajectory.xy, axis=0))
    rmsprop_steps = np.abs(np.diff(rmsprop.trajectory.xy, axis=0))
    np.testing.assert_allclose(adam_steps[0], lr, rtol=1e-6)  # each coordinate moves exactly lr
    np.testing.assert_allclose(rmsprop_steps[0] / adam_steps[0], 1 / np.sqrt(1 - 0.999), rtol=1e-4)  # ≈ 32
    later = np.linalg.norm(rmsprop_steps[1:8], axis=1) / np.linalg.norm(adam_steps[1:8], axis=1)
    assert np.all(later > 10)  # "its next few are still more than 10 times longer"
    x_range, y_range = rmsprop.surface.x_range, rmsprop.surface.y_range
    first = rmsprop.trajectory.xy[1]
    assert not (x_range[0] <= first[0] <= x_range[1] and y_range[0] <= first[1] <= y_range[1])  # leaves the map
    shorter = race("bias", "next")["rmsprop"]
    np.testing.assert_allclose(np.abs(np.diff(shorter.trajectory.xy[:2], axis=0))[0] / adam_steps[0], 10, rtol=1e-4)
    xy = shorter.trajectory.xy
    assert np.all((x_range[0] <= xy[:, 0]) & (xy[:, 0] <= x_range[1]) & (y_range[0] <= xy[:, 1]) & (xy[:, 1] <= y_range[1]))


def full_batch_companion(lesson_id: str, stage: str) -> Run:
    state = state_of(lesson_id, stage)
    request = request_for(state, state.racers[0], full_batch=True)
    return Run(execute(request).trajectory, request.surface_object())


def test_minibatches_wobble_around_the_full_batch_path_and_one_point_per_step_never_settles():
    five = race("minibatch", "start")["sgd"]
    full = full_batch_companion("minibatch", "start")
    assert escape_step(full) >= 0  # the dotted path reaches the fit
    wobble = np.linalg.norm(five.trajectory.xy - full.trajectory.xy, axis=1)
    assert 0.02 < wobble.mean() < 0.3  # around the full-batch path, not on it, not far from it
    one = race("minibatch", "next")["sgd"]
    tail = len(one.trajectory.xy) // 5
    assert distance(one)[-tail:].mean() > 2 * distance(five)[-tail:].mean()  # far noisier
    assert distance(one)[-tail:].min() > 0.03  # keeps hopping: never settles on the fit


def test_a_warmup_and_cosine_schedule_settles_where_a_constant_rate_keeps_jittering():
    def spread(one: Run) -> float:
        tail = one.trajectory.xy[-len(one.trajectory.xy) // 5:]
        return float(np.linalg.norm(np.ptp(tail, axis=0)))

    constant, scheduled = race("schedule", "start")["sgd"], race("schedule", "next")["sgd"]
    assert spread(constant) > 10 * spread(scheduled)  # "more than ten times less"

    def off_the_full_batch_path(stage: str, one: Run) -> float:
        full = full_batch_companion("schedule", stage)
        return float(np.linalg.norm(one.trajectory.xy[:21] - full.trajectory.xy[:21], axis=1).max())

    # The warm-up keeps the first, noisiest steps near the full-batch path.
    assert off_the_full_batch_path("start", constant) > 3 * off_the_full_batch_path("next", scheduled)


def test_adam_ends_at_the_ridge_fit_and_adamw_at_the_corner_its_decay_allows():
    state = LESSONS["decay"].state()
    decay = {racer.key: racer.hyper["weight_decay"] for racer in state.racers}
    assert decay["adam"] == decay["adamw"] == 1.0
    adam, adamw = race("decay", "start")["adam"], race("decay", "start")["adamw"]
    # Adam + L2 settles where the gradient of f + λ‖θ‖²/2 vanishes: for the line fit's quadratic,
    # (H + λI) θ = H θ*, the ridge fit.
    hessian, fit = np.array(adam.surface.hessian), np.array(adam.surface.minima[0])
    ridge = np.linalg.solve(hessian + np.eye(2), hessian @ fit)
    np.testing.assert_allclose(ridge, [1.72, 0.84], atol=0.005)  # the text's numbers
    np.testing.assert_allclose(adam.trajectory.final_xy, ridge, atol=1e-3)
    # AdamW's step moves a coordinate by at most about lr and its decay takes lr·λ·θ: |θ| ≤ 1/λ.
    np.testing.assert_allclose(adamw.trajectory.final_xy, [1.0, 1.0], atol=0.005)
    assert np.linalg.norm(adam.trajectory.final_xy - adamw.trajectory.final_xy) > 0.7  # plainly apart on the map
    off = race("decay", "next")
    np.testing.assert_array_equal(off["adam"].trajectory.xy, off["adamw"].trajectory.xy)
    np.testing.assert_allclose(off["adam"].trajectory.final_xy, fit, atol=1e-3)
    np.testing.assert_allclose(fit, [1.97, 0.96], atol=0.005)
