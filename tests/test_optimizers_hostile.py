"""Hostile input to optimizers.run: every argument either works or is refused clearly.

The property, for every engine parameter (each optimizer's hyperparameters, found from the
registry, and every setting of run()): the run succeeds and every number it returns is finite,
or it raises ValueError whose message names the parameter and says what is allowed. Nothing
else escapes: no TypeError, OverflowError, ZeroDivisionError or numpy's truth-value error
about an array, and no message that echoes a 10 kB argument back.
"""

from __future__ import annotations

import inspect
import math
import numbers
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from landscapes import SURFACES
from optimizers import MAX_STEPS, OPTIMIZERS, Schedule, Trajectory, run
from optimizers.hyper import KnobInfo
from optimizers.schedules import KINDS

# Deterministic (derandomize, no example database) and small: the parametrized tests below
# multiply these by every knob of every optimizer.
HOSTILE = settings(max_examples=12, derandomize=True, database=None, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
FEW = settings(HOSTILE, max_examples=5)

# What every message must offer after naming the parameter: the rule, the range or the choices.
SAYS_WHAT_IS_ALLOWED = re.compile(r"must|[Aa]llowed|one of|Known|takes|at most|Give|Use |are:")
LONGEST_MESSAGE = 600  # a message that quotes a 10 kB argument back is not one clear line

# Values that have broken validators somewhere: the edges of float, ints float() cannot hold,
# text that float() reads as a number although no one typed a number, and containers.
CORPUS: list[Any] = [
    math.nan, math.inf, -math.inf, -1.0, -1, 0, 0.0, -0.0, 5e-324, 1e-320, 1e308, -1e308,
    10**400, -10**400, 2**63, 2**64,
    "", "x", "0.5", "1e-3", "nan", "inf", "１", "٣", "٠.٥", "\u200b0.5", "\u200f0.5", "0.5\u200e", "a" * 10_000,
    b"", b"0.5", bytearray(b"1"),
    [], [0.5], [[0.5]], (), (0.5,), {}, {"lr": 0.5}, set(), None, 1j, complex(0.5, 0.0), True, False,
    np.float64(0.5), np.float32(math.nan), np.float64(math.inf), np.int64(3), np.uint64(2**63), np.bool_(True),
    np.array(0.5), np.array(math.nan), np.array([0.5]), np.array([[0.5, 0.5]]), np.array("0.5"),
    np.array([]), np.array(1.0 + 0j), np.array([True]), np.array(["0.5"]), np.array([None]),
    Decimal("0.5"), Decimal("NaN"), Decimal("1e999"), Fraction(1, 3), object(),
]

# Generated values around the same themes, for what the corpus does not think of.
hostile_values = st.one_of(
    st.floats(),
    st.floats(min_value=-2.0, max_value=2.0),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.text(max_size=12),
    st.binary(max_size=6),
    st.lists(st.floats(), max_size=3),
    st.complex_numbers(),
    st.booleans(),
    st.none(),
    st.floats(width=32).map(np.float32),
    st.floats().map(np.array),
)


def check_outcome(call: Callable[[], Trajectory], names: tuple[str, ...]) -> Trajectory | None:
    """Run ``call``: a finite Trajectory, or a ValueError naming one of ``names`` clearly."""
    try:
        trajectory = call()
    except ValueError as error:
        message = str(error)
        assert any(name in message for name in names), f"{message!r} does not name any of {names}"
        assert SAYS_WHAT_IS_ALLOWED.search(message), f"{message!r} does not say what is allowed"
        assert len(message) <= LONGEST_MESSAGE and "\n" not in message, message[:200]
        return None
    assert_finite(trajectory)
    return trajectory


def assert_finite(trajectory: Trajectory) -> None:
    assert np.all(np.isfinite(trajectory.xy)), trajectory.xy
    assert np.all(np.isfinite(trajectory.loss)), trajectory.loss
    assert np.all(np.isfinite(trajectory.lr)), trajectory.lr
    for name, values in (trajectory.records or {}).items():
        assert np.all(np.isfinite(values)), name
    for name, value in trajectory.hyper.items():
        numbers_in = np.asarray(value, dtype=object).ravel()
        assert all(math.isfinite(v) for v in numbers_in if isinstance(v, numbers.Real)), name


# ---------------------------------------------------------------------------------------------
# Every hyperparameter of every optimizer, found from the registry


def knob_cases() -> list[tuple[str, str, KnobInfo]]:
    """(optimizer, keyword, knob) for every knob; a wrapper also takes its default inner's knobs."""
    cases = []
    for name, spec in OPTIMIZERS.items():
        own = {knob: info for knob, (_, info) in spec.knobs().items() if knob != "inner_hyper"}
        if spec.wraps_inner:
            inner = OPTIMIZERS[spec.defaults()["inner"]]
            own.update({knob: info for knob, (_, info) in inner.knobs().items() if knob not in own})
        cases += [(name, knob, info) for knob, info in own.items()]
    return cases


KNOB_CASES = knob_cases()
KNOB_IDS = [f"{name}.{knob}" for name, knob, _ in KNOB_CASES]


def run_one(optimizer: str, **kwargs: Any) -> Callable[[], Trajectory]:
    kwargs = {"surface": "rosenbrock", "steps": 3, "record_state": True, **kwargs}
    return lambda: run(optimizer, **kwargs)


def test_the_registry_gives_every_optimizer_and_its_knobs() -> None:
    assert {name for name, _, _ in KNOB_CASES} == set(OPTIMIZERS)
    assert ("adam", "betas", OPTIMIZERS["adam"].knobs()["betas"][1]) in KNOB_CASES
    assert any(name == "lookahead" and knob == "lr" for name, knob, _ in KNOB_CASES)


@pytest.mark.parametrize(("optimizer", "knob", "info"), KNOB_CASES, ids=KNOB_IDS)
def test_every_knob_refuses_the_corpus_clearly_or_runs_finite(optimizer: str, knob: str, info: KnobInfo) -> None:
    for value in CORPUS:
        check_outcome(run_one(optimizer, **{knob: value}), (knob,))


@pytest.mark.parametrize(("optimizer", "knob", "info"), KNOB_CASES, ids=KNOB_IDS)
@HOSTILE
@given(value=hostile_values)
def test_every_knob_under_generated_values(optimizer: str, knob: str, info: KnobInfo, value: Any) -> None:
    check_outcome(run_one(optimizer, **{knob: value}), (knob,))


@pytest.mark.parametrize(("optimizer", "knob", "info"), KNOB_CASES, ids=KNOB_IDS)
def test_every_knob_accepts_its_own_bounds_and_refuses_just_outside(optimizer: str, knob: str, info: KnobInfo) -> None:
    if info.kind in ("bool", "optimizer"):
        return
    inside = [bound for bound, is_open in ((info.low, info.low_open), (info.high, info.high_open))
              if bound is not None and not is_open]
    outside = [np.nextafter(bound, -math.inf if bound == info.low else math.inf)
               for bound in (info.low, info.high) if bound is not None]
    as_value = (lambda v: (v, v)) if info.kind == "betas" else (lambda v: v)
    for value in inside:
        assert check_outcome(run_one(optimizer, **{knob: as_value(value)}), (knob,)) is not None, value
    for value in outside:
        with pytest.raises(ValueError, match=re.escape(knob)):
            run_one(optimizer, **{knob: as_value(value)})()


PER_START_CASES = [case for case in KNOB_CASES if case[2].kind in ("float", "betas")]


@pytest.mark.parametrize(("optimizer", "knob", "info"), PER_START_CASES, ids=[f"{o}.{k}" for o, k, _ in PER_START_CASES])
@FEW
@given(n_starts=st.integers(1, 3), length=st.integers(0, 5), data=st.data())
def test_per_start_arrays_of_any_length_and_content(optimizer: str, knob: str, info: KnobInfo, n_starts: int,
                                                    length: int, data: st.DataObject) -> None:
    low = info.low if info.low is not None else -1e3
    high = info.high if info.high is not None else 1e3
    fine = st.floats(min_value=low, max_value=high, exclude_min=info.low_open, exclude_max=info.high_open)
    values = np.array([data.draw(fine) for _ in range(length)], dtype=float)
    if length:
        odd_one = st.one_of(fine, st.floats(), st.sampled_from([math.nan, math.inf, 1e308, -1.0]))
        values[data.draw(st.integers(0, length - 1))] = data.draw(odd_one)
    value = np.stack([values, values], axis=1) if info.kind == "betas" else values
    starts = np.array([[-1.5, 2.0], [0.5, 0.5], [1.2, -0.3]])[:n_starts]
    trajectory = check_outcome(run_one(optimizer, start=starts, **{knob: value}), (knob,))
    if length != n_starts:
        assert trajectory is None, "an array of the wrong length must be refused"


def test_an_int_knob_refuses_one_value_per_start() -> None:
    int_knobs = [(optimizer, knob) for optimizer, knob, info in KNOB_CASES if info.kind == "int"]
    assert int_knobs
    for optimizer, knob in int_knobs:
        with pytest.raises(ValueError, match=f"{knob} takes a single whole number"):
            run(optimizer, "rosenbrock", start=[[0.0, 0.0], [1.0, 1.0]], steps=2, **{knob: [2, 3]})


# ---------------------------------------------------------------------------------------------
# Unknown keywords, optimizer and surface names

RUN_PARAMETERS = tuple(name for name, parameter in inspect.signature(run).parameters.items()
                       if parameter.kind != inspect.Parameter.VAR_KEYWORD)
NAME_CORPUS = ["", "lr ", " lr", "LR", "ｌｒ", "l\u200br", "\u200flr", "betas[0]", "inner_hyper", "β", "x" * 10_000,
               "__class__", "kwargs", "hyper"]


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@FEW
@given(name=st.one_of(st.sampled_from(NAME_CORPUS), st.text(max_size=20)))
def test_unknown_keywords_are_refused_by_name(optimizer: str, name: str) -> None:
    known = set(RUN_PARAMETERS) | {knob for o, knob, _ in KNOB_CASES if o == optimizer}
    assume(name not in known)
    with pytest.raises(ValueError, match="Unknown hyperparameter") as refused:
        run(optimizer, "rosenbrock", steps=2, **{name: 0.5})
    assert repr(name)[:40] in str(refused.value) or len(name) > 100
    assert len(str(refused.value)) <= LONGEST_MESSAGE


@HOSTILE
@given(name=st.one_of(st.sampled_from(CORPUS + NAME_CORPUS + [" adam", "ADAM", "ａｄａｍ"]), hostile_values))
def test_optimizer_and_surface_names(name: Any) -> None:
    assume(not (isinstance(name, str) and name in OPTIMIZERS))
    check_outcome(lambda: run(name, "rosenbrock", steps=2), ("optimizer",))
    assume(not (isinstance(name, str) and name in SURFACES))
    check_outcome(lambda: run("adam", name, steps=2), ("surface",))


# ---------------------------------------------------------------------------------------------
# The run's own settings

RUN_SETTINGS = tuple(name for name in RUN_PARAMETERS if name not in ("optimizer", "surface", "start", "schedule"))
DATA_SETTINGS = ("batch_size", "epochs")  # only a surface with data takes these


def settings_call(name: str, value: Any) -> Callable[[], Trajectory]:
    if name in DATA_SETTINGS:
        steps = None if name == "epochs" else 3
        return lambda: run("sgd", "regression", steps=steps, **{name: value})
    kwargs = {"steps": 3, "record_state": True, name: value}
    return lambda: run("adam", "rosenbrock", **kwargs)


def affordable(name: str, value: Any) -> bool:
    """A valid count of steps or epochs in the thousands is not hostile, only slow."""
    if name not in ("steps", "epochs") or isinstance(value, (str, bytes)):
        return True
    try:
        return not 50 < float(value) <= MAX_STEPS
    except (TypeError, ValueError, OverflowError):
        return True


def test_the_signature_gives_every_run_setting() -> None:
    assert set(RUN_SETTINGS) >= {"steps", "every", "keep", "grad_noise", "noise_decay", "seed", "batch_size",
                                 "epochs", "stop_distance", "stop_grad", "record_state"}


@pytest.mark.parametrize("name", RUN_SETTINGS)
def test_every_run_setting_refuses_the_corpus_clearly_or_runs_finite(name: str) -> None:
    for value in CORPUS:
        if affordable(name, value):
            check_outcome(settings_call(name, value), (name,))


@pytest.mark.parametrize("name", RUN_SETTINGS)
@HOSTILE
@given(value=hostile_values)
def test_every_run_setting_under_generated_values(name: str, value: Any) -> None:
    assume(affordable(name, value))
    check_outcome(settings_call(name, value), (name,))


def test_data_settings_on_a_surface_without_data_are_refused_by_name() -> None:
    for name in DATA_SETTINGS:
        with pytest.raises(ValueError, match=f"{name}.*need a surface with data|batch_size and epochs"):
            run("sgd", "rosenbrock", **{name: 2})


def test_steps_and_epochs_together_are_refused() -> None:
    with pytest.raises(ValueError, match="either steps or epochs"):
        run("sgd", "regression", steps=3, epochs=2)


# ---------------------------------------------------------------------------------------------
# Schedules: a kind name, a dict of fields, or a Schedule, with every field hostile

SCHEDULE_FIELDS = tuple(Schedule.__dataclass_fields__)


def schedule_call(schedule: Any) -> Callable[[], Trajectory]:
    return lambda: run("adam", "rosenbrock", steps=3, record_state=True, schedule=schedule)


@pytest.mark.parametrize("field", SCHEDULE_FIELDS)
def test_every_schedule_field_refuses_the_corpus_clearly(field: str) -> None:
    for index, value in enumerate(CORPUS):
        fields = {"kind": KINDS[index % len(KINDS)], field: value}
        check_outcome(schedule_call(fields), (field, "schedule"))
        check_outcome(schedule_call(Schedule(**fields)), (field, "schedule"))


@pytest.mark.parametrize("field", SCHEDULE_FIELDS)
@HOSTILE
@given(kind=st.sampled_from(KINDS), value=hostile_values, as_object=st.booleans())
def test_every_schedule_field_under_generated_values(field: str, kind: str, value: Any, as_object: bool) -> None:
    fields = {"kind": kind, field: value}
    check_outcome(schedule_call(Schedule(**fields) if as_object else fields), (field, "schedule"))


@HOSTILE
@given(schedule=st.one_of(st.sampled_from(CORPUS + [" step", "STEP", "ｓｔｅｐ", "cosine\u200b"]), hostile_values,
                          st.dictionaries(st.text(max_size=8), st.floats(), max_size=2)))
def test_schedule_itself_of_any_type(schedule: Any) -> None:
    assume(not (isinstance(schedule, str) and schedule in KINDS))
    check_outcome(schedule_call(schedule), ("schedule",))


def test_valid_schedule_fields_give_a_finite_rate_curve() -> None:
    for kind in KINDS:
        schedule = Schedule(kind=kind, step_size=1, gamma=5e-324, t_max=1, eta_min=100.0, warmup_steps=1_000_000,
                            warmup_start_factor=5e-324)
        trajectory = run("sgd", "ravine", steps=20, lr=100.0, schedule=schedule)
        assert_finite(trajectory)


# ---------------------------------------------------------------------------------------------
# Start points of every shape

START_CORPUS = [
    [], [[]], [1.0], [1.0, 2.0, 3.0], [[1.0, 2.0, 3.0]], [[[1.0, 2.0]]], [[1.0, 2.0], [3.0]], np.zeros((0, 2)),
    np.zeros((2, 2, 2)), "1,2", "12", ["1", "2"], ["１", "٣"], [b"1", b"2"], [1j, 2.0], [True, False], [None, None],
    [math.nan, 0.0], [0.0, math.inf], [1e10, -1e10], [np.nextafter(1e10, 2e10), 0.0], [10**400, 0], [1e308, 1e308],
    {}, {"x": 1.0, "y": 2.0}, 3.0, np.array(3.0), [np.float32(1.5), np.int64(2)], (x for x in (1.0, 2.0)),
    [Fraction(1, 2), Decimal("0.5")], object(),
]


def test_start_refuses_the_corpus_clearly_or_runs_finite() -> None:
    for start in START_CORPUS:
        check_outcome(lambda start=start: run("adam", "rosenbrock", start=start, steps=3), ("start",))


def test_start_at_the_limit_is_taken_and_beyond_it_refused() -> None:
    assert_finite(run("sgd", "ravine", start=[1e10, -1e10], steps=3))
    with pytest.raises(ValueError, match="start"):
        run("sgd", "ravine", start=[np.nextafter(1e10, 2e10), 0.0], steps=3)


@HOSTILE
@given(shape=st.lists(st.integers(0, 3), max_size=3),
       fill=st.one_of(st.floats(), st.floats(min_value=-2e10, max_value=2e10)))
def test_start_of_any_shape_and_value(shape: list[int], fill: float) -> None:
    start = np.full(shape, fill)
    trajectory = check_outcome(lambda: run("adam", "rosenbrock", start=start, steps=3, record_state=True), ("start",))
    well_formed = (len(shape) == 1 and shape == [2]) or (len(shape) == 2 and shape[0] >= 1 and shape[1] == 2)
    if not (well_formed and abs(fill) <= 1e10):
        assert trajectory is None, "a start of this shape or value must be refused"


def test_cosine_floor_far_above_a_tiny_rate_is_refused_not_nan() -> None:
    # The schedule works in factors of lr: eta_min / lr overflows once lr is below ~1e-306.
    with pytest.raises(ValueError, match="eta_min / lr must be a finite number"):
        run("sgd", "ravine", steps=5, lr=5e-324, schedule={"kind": "cosine", "eta_min": 100.0})
    with pytest.raises(ValueError, match="eta_min / lr"):
        run("sgd", "ravine", start=[[1.0, 1.0], [2.0, 2.0]], steps=5, lr=[5e-324, 1.0],
            schedule={"kind": "cosine", "eta_min": 100.0})
    assert_finite(run("sgd", "ravine", steps=5, lr=1e-300, schedule={"kind": "cosine", "eta_min": 100.0}))


def test_planned_steps_checks_what_run_checks() -> None:
    from optimizers.runner import planned_steps

    assert planned_steps("adam", "rosenbrock", steps=7, record_state=True, lr=0.1) == 7
    for name, value in (("record_state", np.array([])), ("keep", np.array(["path"])), ("lr", "０.１"), ("steps", 10**400)):
        with pytest.raises(ValueError, match=f"Invalid {name}"):
            planned_steps("adam", "rosenbrock", **{"steps": 3, name: value})
