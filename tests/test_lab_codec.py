"""The URL codec: every page state round-trips, old links still work, bad links get one clear notice."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lab.codec import MAX_PARAMS, decode, encode, notice
from lab.lessons import DEFAULT_LESSON, LESSONS
from lab.page_state import PageState, page, racer
from lab.settings import GLOBAL_SETTINGS, hyper_settings
from landscapes import SURFACES
from optimizers import OPTIMIZERS

README_LINK = {"surface": "rosenbrock", "opt": "sgd,momentum,adam", "adam.lr": "0.05"}


def on_page(state: PageState, page: str = "race") -> PageState:
    """``state`` with the settings of other pages at their defaults (a page's link omits them)."""
    values = {name: value if GLOBAL_SETTINGS[name].on(page) else GLOBAL_SETTINGS[name].default
              for name, value in state.values.items()}
    return PageState(values=values, surface_params=state.surface_params, racers=state.racers).complete()


def round_trip(state: PageState) -> None:
    params = encode(state)
    back, problems = decode(params)
    assert problems == []
    assert back == on_page(state.complete())
    assert encode(back) == params


def test_lessons_and_handwritten_links_open_without_a_notice():
    for query in (README_LINK, {"present": "1"}, {"surface": "saddle"}, {"opt": "adam"}, {"steps": "30"}):
        state, problems = decode(query)
        assert problems == [], query
    state, _ = decode(README_LINK)
    assert state.keys == ("sgd", "momentum", "adam") and state.racer("adam").hyper["lr"] == 0.05
    assert state["start"] == SURFACES["rosenbrock"].start


def test_a_link_of_view_settings_alone_shows_the_front_page_race_in_that_view():
    front = LESSONS[DEFAULT_LESSON].state()
    state, problems = decode({"present": "1"}, fallback=front)
    assert problems == [] and state == front.with_values(present=True)
    second = front.racers[-1].key
    state, problems = decode({"present": "1", "inspect": second}, fallback=front)
    assert problems == [] and state["inspect"] == second and state.racers == front.racers
    state, problems = decode({"present": "maybe", "inspect": "adamw-7"}, fallback=front)
    assert state.racers == front.racers and not state["present"] and state["inspect"] == front.racers[0].key
    assert [problem.split("=")[0] for problem in problems] == ["present", "inspect"]
    # One setting of the race itself and the link describes its own race, from the defaults.
    state, problems = decode({"present": "1", "steps": "30"}, fallback=front)
    assert problems == [] and state == PageState().with_values(present=True, steps=30).complete()


def test_round_trips_with_racers_of_one_optimizer_wrappers_and_every_surface():
    for name in SURFACES:
        round_trip(page(name, (racer("sgd", lr=0.01), racer("sgd-2", lr=0.1), racer("sgd-3", lr=1.0))))
    round_trip(page("ravine", (racer("lookahead", inner="sgd", lr=0.2, k=7), racer("adam", betas=(0.8, 0.99)))))
    round_trip(page("regression", (racer("sgd", lr=0.05),), surface_params={"noise": 2.5}, batch_size=5, epochs=7))
    round_trip(page("ravine", (racer("adam"),), schedule="step", gamma=0.9, step_size=20, grad_noise=0.2,
                    noise_decay=0.55, stop_distance=0.001, stop_grad=1e-8, present=True, tol=0.1))


def test_the_issue_example_link_races_sgd_against_itself():
    state, problems = decode({"surface": "ravine", "opt": "sgd,sgd-2", "sgd.lr": "0.01", "sgd-2.lr": "0.1"})
    assert problems == []
    assert [(r.key, r.hyper["lr"]) for r in state.racers] == [("sgd", 0.01), ("sgd-2", 0.1)]


def test_links_from_the_previous_version_keep_working():
    state, problems = decode({"surface": "regression", "opt": "sgd", "noise": "0.1", "batch": "5", "epochs": "3",
                              "data_noise": "2", "warmup": "4", "stop": "1", "tol": "0.05", "gtol": "1e-7"})
    assert problems == []
    assert state["grad_noise"] == 0.1 and state["batch_size"] == 5 and state["warmup_steps"] == 4
    assert state.surface_params == {"noise": 2.0}
    assert state["stop_distance"] == 0.05 and state["stop_grad"] == 1e-7
    off, problems = decode({"opt": "sgd", "noise": "0", "stop": "0", "tol": "0.05"})
    assert problems == [] and off["grad_noise"] is None and off["stop_distance"] is None
    twice, problems = decode({"opt": "sgd,sgd"})
    assert problems == [] and twice.keys == ("sgd", "sgd-2")


def test_a_link_with_many_bad_values_gets_one_notice_naming_each_and_keeps_the_rest():
    query = {"surface": "rosenbrock", "opt": "sgd,adam,bogus", "steps": "abc", "adam.lr": "nan", "sgd.lr": "0.02",
             "start": "99,99", "seed": "-1", "schedule": "wavy", "whatever": "1", "present": "2"}
    state, problems = decode(query)
    assert state.surface == "rosenbrock" and state.keys == ("sgd", "adam") and state.racer("sgd").hyper["lr"] == 0.02
    assert state["steps"] == GLOBAL_SETTINGS["steps"].default and state.racer("adam").hyper["lr"] == 0.001
    assert state["start"] == SURFACES["rosenbrock"].start
    text = notice(problems)
    for fragment in ("bogus", "steps='abc'", "adam.lr='nan'", "start='99,99'", "seed='-1'", "schedule='wavy'",
                     "whatever", "present='2'"):
        assert fragment in text, fragment
    assert text.count("\n") == 0 and len(text) < 700


def test_repeated_long_and_too_many_parameters():
    state, problems = decode({"surface": ["saddle", "beale"], "opt": "sgd"})
    assert state.surface == "beale" and any("given 2 times" in p for p in problems)
    state, problems = decode({"opt": "sgd", "steps": "1" * 5000})
    assert state["steps"] == 100 and any("too long" in p for p in problems)
    state, problems = decode({f"k{i}": "1" for i in range(MAX_PARAMS + 1)})
    assert len(problems) == 1 and "ignored" in problems[0]


def test_encode_writes_only_what_differs_from_the_defaults():
    params = encode(page("ravine", (racer("adam", lr=0.05),)))
    assert params == {"surface": "ravine", "opt": "adam", "start": "-7,2", "adam.lr": "0.05"}


def test_notices_escape_markdown_and_hide_control_characters():
    _, problems = decode({"opt": "sgd", "steps": "**bold**`code`$x$\u202e"})
    text = notice(problems)
    assert r"\*\*bold\*\*" in text and r"\`code\`" in text and r"\$x\$" in text and "\u202e" not in text


KNOWN_KEYS = sorted(set(GLOBAL_SETTINGS) | {"opt", "regression.noise", "noise", "batch", "data_noise", "stop", "tol",
                                          "gtol", "warmup"} | {f"{o}.{k}" for o in OPTIMIZERS for k in hyper_settings(o)}
                    | {"sgd-2.lr", "adam-3.betas", "lookahead.inner"})
HOSTILE = st.one_of(
    st.sampled_from(["nan", "NaN", "inf", "-inf", "1e999", "-0", "0", "-1", "1e-400", "", " ", "1,2", "1,2,3",
                     "adam,sgd", "sgd,sgd,sgd", "ｘ", "١٢", "\u200b", "\u202e1", "<script>", "$x$", "None", "True",
                     "off", "0.9,0.999", "-7,2", "99,99", "rosenbrock", "custom", "x" * 10_000]),
    st.text(max_size=40),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12)),
                       st.one_of(HOSTILE, st.lists(HOSTILE, min_size=1, max_size=3)), max_size=12))
def test_any_query_decodes_to_a_working_state_that_round_trips(query):
    state, problems = decode(query)
    assert state == state.complete()
    assert 1 <= len(state.racers) <= 8
    surface = SURFACES[state.surface]
    if not surface.has_data:
        assert surface.x_range[0] <= state["start"][0] <= surface.x_range[1]
    text = notice(problems)
    assert text is None or (len(text) < 1200 and "\n" not in text)
    round_trip(state)


def test_unknown_keys_are_listed_briefly():
    _, problems = decode({"opt": "sgd", **{f"x{i}": "1" for i in range(9)}})
    (problem,) = problems
    assert re.fullmatch(r"unknown settings x0, x1, x2, x3, x4 …", problem)
