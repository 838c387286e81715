"""The course's lessons as data: one click sets the race up, the text says what to notice, and a
"try next" change is one more click away.

Each lesson follows a topic of the course notes (the ravine's zig-zag, momentum, Nesterov,
adaptive methods in Rosenbrock's valley, saddle points, Adagrad's shrinking steps, Adam's
bias correction, mini-batches, schedules, weight decay). Where a lesson compares optimizers,
each racer runs at a setting that suits it, so the comparison is fair; the numbers quoted
in the texts are checked by tests/test_lab_lessons.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from lab.page_state import PageState, Racer, page, racer

RacerList = tuple[tuple[str, Mapping[str, Any]], ...]


@dataclass(frozen=True)
class TryNext:
    """One change to the lesson's race, with what it shows."""

    label: str
    text: str
    racers: RacerList | None = None  # replaces the racers when given
    settings: Mapping[str, Any] = field(default_factory=dict)
    falls_short: tuple[str, ...] = ()  # racers meant not to reach the goal: the point of the step

    def apply(self, state: PageState) -> PageState:
        racers = state.racers if self.racers is None else _racers(self.racers)
        return PageState(values={**state.values, **self.settings}, surface_params=state.surface_params,
                         racers=racers).complete()


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str  # short: a pill in a row of ten
    topic: str
    notice: str  # what to notice, in a sentence or three
    surface: str
    racers: RacerList
    settings: Mapping[str, Any] = field(default_factory=dict)
    try_next: TryNext | None = None
    falls_short: tuple[str, ...] = ()  # racers meant not to reach the goal (SGD crawling, Adagrad stalling)

    def state(self) -> PageState:
        return page(self.surface, _racers(self.racers), **dict(self.settings))

    def stage(self, state: PageState) -> str | None:
        """"start" or "next" when ``state`` is this lesson's race (or its try-next race), else None.

        Settings that only change the view (presentation mode, the inspector) do not count.
        """
        for stage, race in _races(self.id):
            if _same_race(race, state):
                return stage
        return None

    def next_state(self) -> PageState | None:
        return None if self.try_next is None else self.try_next.apply(self.state())


VIEW_ONLY = ("present", "inspect", "istep")


@cache
def _races(lesson_id: str) -> tuple[tuple[str, PageState], ...]:
    """A lesson's races, built once: every rerun asks every lesson whether it is on the page."""
    lesson = LESSONS[lesson_id]
    races = [("start", lesson.state())]
    if lesson.try_next is not None:
        races.append(("next", lesson.next_state()))
    return tuple(races)


def _same_race(a: PageState, b: PageState) -> bool:
    def race(state: PageState) -> tuple:
        values = {k: v for k, v in state.values.items() if k not in VIEW_ONLY}
        return values, dict(state.surface_params), [(r.key, dict(r.hyper)) for r in state.racers]

    return race(a) == race(b)


def _racers(entries: RacerList) -> tuple[Racer, ...]:
    return tuple(racer(key, **dict(hyper)) for key, hyper in entries)


LESSONS: dict[str, Lesson] = {
    lesson.id: lesson
    for lesson in (
        Lesson(
            id="zigzag", title="Zig-zag", topic="SGD zig-zags across a ravine",
            notice=(
                "The ravine x²/20 + y² is twenty times steeper across (y) than along (x). SGD steps by the "
                "learning rate times the slope, so at lr 0.9 it overshoots across the valley on every step and "
                "bounces from wall to wall while it creeps along the floor. Press Play, and tick −∇f: the "
                "gradient points across the valley, not at the minimum."
            ),
            surface="ravine", racers=(("sgd", {"lr": 0.9}),), settings={"steps": 60, "start": (-7.0, 2.0)},
            try_next=TryNext(
                "Lower the learning rate to 0.1",
                "No more bouncing, but now the steps along the floor are tiny: after 60 steps SGD is still about "
                "4 units from the minimum. With plain SGD one learning rate cannot suit both directions.",
                racers=(("sgd", {"lr": 0.1}),), falls_short=("sgd",),
            ),
        ),
        Lesson(
            id="momentum", title="Momentum", topic="Momentum damps the zig-zag",
            notice=(
                "Each racer runs at a learning rate that suits it. Momentum keeps a velocity, a running sum of "
                "gradients: the parts across the valley change sign every step and cancel, the part along the "
                "floor keeps its sign and builds up. Look at the loss curves: momentum ends about a trillion "
                "times lower."
            ),
            surface="ravine", racers=(("sgd", {"lr": 0.9}), ("momentum", {"lr": 1.0, "momentum": 0.5})),
            settings={"steps": 60, "start": (-7.0, 2.0)},
            try_next=TryNext(
                "Raise momentum to 0.9",
                "Too much momentum: the ball overshoots and circles into the minimum, and after 60 steps it is "
                "still on its way. The best momentum depends on how elongated the ravine is (see the Stability "
                "page).",
                racers=(("sgd", {"lr": 0.9}), ("momentum", {"lr": 1.0, "momentum": 0.9})), falls_short=("momentum",),
            ),
        ),
        Lesson(
            id="nesterov", title="Nesterov", topic="Nesterov looks ahead before it steps",
            notice=(
                "Same learning rate, same momentum 0.95. Plain momentum swings from wall to wall of Rosenbrock's "
                "valley; Nesterov's update adds the velocity's next step to the gradient (PyTorch's form of "
                "looking ahead), so it brakes before it overshoots, runs straight down the valley and arrives in "
                "about half the steps."
            ),
            surface="rosenbrock", racers=(("momentum", {"lr": 0.001, "momentum": 0.95}),
                                          ("nesterov", {"lr": 0.001, "momentum": 0.95})),
            settings={"steps": 600, "start": (-1.2, 1.0)},
            try_next=TryNext(
                "Lower momentum to 0.9 for both",
                "With less momentum there is less to brake: the two paths are alike and arrive together. Looking "
                "ahead matters most when momentum is high.",
                racers=(("momentum", {"lr": 0.001, "momentum": 0.9}), ("nesterov", {"lr": 0.001, "momentum": 0.9})),
            ),
        ),
        Lesson(
            id="valley", title="Valley", topic="Adam against SGD in Rosenbrock's valley",
            notice=(
                "Rosenbrock's valley is curved, and its walls are 100 times steeper than its floor. SGD needs a "
                "small learning rate not to fly off the walls, so it drops into the valley and then crawls along "
                "it. Adam divides each coordinate's step by its recent gradient size and keeps walking along the "
                "floor to (1, 1)."
            ),
            surface="rosenbrock", racers=(("sgd", {"lr": 0.002}), ("adam", {"lr": 0.05})),
            settings={"steps": 1500, "start": (-1.2, 1.0)}, falls_short=("sgd",),
            try_next=TryNext(
                "Give SGD a larger learning rate (0.005)",
                "Larger steps do not help SGD: it bounces between the valley's walls and ends even farther from "
                "(1, 1). One learning rate cannot suit both the steep walls and the flat floor.",
                racers=(("sgd", {"lr": 0.005}), ("adam", {"lr": 0.05})), falls_short=("sgd",),
            ),
        ),
        Lesson(
            id="saddle", title="Saddle", topic="Escaping a saddle point",
            notice=(
                "At the saddle point of y² − x² the gradient is zero though it is no minimum. Starting almost on "
                "the ridge x = 0, the gradient barely points sideways. At the same learning rate SGD slides down "
                "to the saddle and lingers; momentum carries speed through it; Adam rescales the tiny sideways "
                "gradient into full-size steps. The log axis of the lower curve turns escape into a straight line."
            ),
            surface="saddle", racers=(("sgd", {"lr": 0.025}), ("momentum", {"lr": 0.025, "momentum": 0.9}),
                                      ("adam", {"lr": 0.025})),
            settings={"steps": 160, "start": (0.001, 1.5)},
            try_next=TryNext(
                "Add gradient noise (σ = 0.1)",
                "Noise kicks SGD off the ridge: it escapes about 50 steps sooner. Noisy, stochastic gradients "
                "help to escape saddle points.",
                settings={"grad_noise": 0.1, "steps": 140},
            ),
        ),
        Lesson(
            id="adagrad", title="Adagrad", topic="Adagrad's steps only ever shrink",
            notice=(
                "Adagrad divides the learning rate by the square root of the sum of all squared gradients so far. "
                "Starting on Beale's steep wall fills that sum for good, so its steps keep shrinking and it stalls "
                "short of the minimum at (3, 0.5); RMSprop averages recent gradients only and arrives. Open the "
                "step inspector: Adagrad's effective step size only ever falls."
            ),
            surface="beale", racers=(("adagrad", {"lr": 1.0}), ("rmsprop", {"lr": 0.03})),
            settings={"steps": 1000, "start": (2.0, 2.0), "inspect": "adagrad", "istep": 500},
            falls_short=("adagrad",),
            try_next=TryNext(
                "Give Adagrad three times the learning rate",
                "At lr 3 Adagrad does arrive, late: a larger rate postpones the stall but cannot cure it, because "
                "the sum only grows.",
                racers=(("adagrad", {"lr": 3.0}), ("rmsprop", {"lr": 0.03})),
            ),
        ),
        Lesson(
            id="bias", title="Bias correction", topic="Why Adam corrects its averages",
            notice=(
                "Adam's averages m and v start at zero, so early on they are too small: after one step v is only "
                "(1 − β₂)·g². Adam divides them by (1 − βᵗ) to undo that, so its first step is lr long. RMSprop "
                "with momentum keeps the same averages uncorrected: its first step is 1/√(1 − 0.999) ≈ 32 times "
                "longer and flies across the ravine. Inspect step 1: m̂ and v̂ against m and v."
            ),
            surface="ravine", racers=(("adam", {"lr": 0.1}),
                                      ("rmsprop", {"lr": 0.1, "alpha": 0.999, "momentum": 0.9})),
            settings={"steps": 150, "start": (-7.0, 2.0), "inspect": "adam", "istep": 1},
            try_next=TryNext(
                "Give RMSprop a shorter memory (α = 0.99)",
                "A shorter memory shrinks the error: RMSprop's first step is now 1/√0.01 = 10 times too long.",
                racers=(("adam", {"lr": 0.1}), ("rmsprop", {"lr": 0.1, "alpha": 0.99, "momentum": 0.9})),
            ),
        ),
        Lesson(
            id="minibatch", title="Mini-batch", topic="Mini-batch noise against the full batch",
            notice=(
                "Fitting a line to 100 noisy points: the map's axes are the slope and the intercept. Each "
                "mini-batch of 5 points gives a different estimate of the gradient, so the stochastic path "
                "jitters around the full-batch one (dotted) while heading for the same least-squares fit, at a "
                "twentieth of the cost per step."
            ),
            surface="regression", racers=(("sgd", {"lr": 0.05}),),
            settings={"batch_size": 5, "epochs": 10, "start": (-2.0, -3.0)},
            try_next=TryNext(
                "One data point per step (batch size 1)",
                "Pure stochastic gradient descent: every step sees one point, so the path is far noisier, yet it "
                "heads to the same place.",
                settings={"batch_size": 1, "epochs": 2}, falls_short=("sgd",),
            ),
        ),
        Lesson(
            id="schedule", title="Schedules", topic="Warm-up and learning-rate schedules",
            notice=(
                "With mini-batches the gradient never stops being noisy, so at a constant learning rate the path "
                "keeps jittering around the minimum instead of settling: look at the end of the path and the "
                "ragged end of the loss curve."
            ),
            surface="regression", racers=(("sgd", {"lr": 0.1}),),
            settings={"batch_size": 5, "epochs": 10, "start": (-2.0, -3.0)}, falls_short=("sgd",),
            try_next=TryNext(
                "Cosine decay after a 20-step warm-up",
                "The warm-up starts gently while the gradients are large; the cosine schedule then shrinks the "
                "steps towards zero, and the path settles on the fit.",
                settings={"schedule": "cosine", "warmup_steps": 20},
            ),
        ),
        Lesson(
            id="decay", title="Weight decay", topic="L2 penalty against decoupled weight decay",
            notice=(
                "Same learning rate, same λ = 0.1. Adam's weight_decay adds λθ to the gradient, and Adam divides it "
                "by its adaptive denominator with the rest: Adam settles exactly at the minimum of "
                "f + λ‖θ‖²/2, near (0.89, 0.78). AdamW shrinks θ by lr·λ·θ every step outside that division, at "
                "full strength, and ends much closer to the origin, near (0.69, 0.48)."
            ),
            surface="rosenbrock", racers=(("adam", {"lr": 0.05, "weight_decay": 0.1}),
                                          ("adamw", {"lr": 0.05, "weight_decay": 0.1})),
            settings={"steps": 1500, "start": (-1.2, 1.0)}, falls_short=("adam", "adamw"),
            try_next=TryNext(
                "Turn weight decay off for both",
                "Without decay the two are the same algorithm: identical paths, both to (1, 1).",
                racers=(("adam", {"lr": 0.05, "weight_decay": 0.0}), ("adamw", {"lr": 0.05, "weight_decay": 0.0})),
            ),
        ),
    )
}

DEFAULT_LESSON = "zigzag"


def default_state() -> PageState:
    """What a visitor sees with nothing in the URL: the first lesson."""
    return LESSONS[DEFAULT_LESSON].state()
