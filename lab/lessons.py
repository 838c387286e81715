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

    def state(self) -> PageState:
        return page(self.surface, _racers(self.racers), **dict(self.settings))

    def stage(self, state: PageState) -> str | None:
        """"start" or "next" when ``state`` is this lesson's race (or its try-next race), else None.

        Settings that only change the view (presentation mode, the inspector) do not count.
        """
        for stage, race in (("start", self.state()), ("next", self.next_state())):
            if race is not None and _same_race(race, state):
                return stage
        return None

    def next_state(self) -> PageState | None:
        return None if self.try_next is None else self.try_next.apply(self.state())


VIEW_ONLY = ("present", "inspect", "istep")


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
                "The ravine x²/20 + y² is twenty times steeper across (y) than along (x). SGD's step is "
                "the learning rate times the slope, so at lr 0.9 it overshoots across the valley on every "
                "step and bounces from wall to wall, while its progress along the gentle floor is slow. "
                "Press Play and watch the bounce; switch on the −∇f arrows: the gradient points across "
                "the valley, not towards the minimum."
            ),
            surface="ravine", racers=(("sgd", {"lr": 0.9}),), settings={"steps": 60, "start": (-7.0, 2.0)},
            try_next=TryNext(
                "Lower the learning rate to 0.1",
                "No more bouncing, but now the steps along the floor are tiny: after 60 steps SGD is still "
                "far from the minimum. With plain SGD one learning rate cannot suit both directions.",
                racers=(("sgd", {"lr": 0.1}),),
            ),
        ),
        Lesson(
            id="momentum", title="Momentum", topic="Momentum damps the zig-zag",
            notice=(
                "Each racer runs at a learning rate that suits it. Momentum keeps a velocity, a running sum "
                "of gradients: the components across the valley change sign every step and cancel, the "
                "component along the floor keeps its sign and builds up. Compare the loss curves: momentum "
                "reaches the minimum orders of magnitude sooner."
            ),
            surface="ravine", racers=(("sgd", {"lr": 0.9}), ("momentum", {"lr": 1.0, "momentum": 0.5})),
            settings={"steps": 60, "start": (-7.0, 2.0)},
            try_next=TryNext(
                "Raise momentum to 0.9",
                "Too much momentum: the ball overshoots and spirals into the minimum, slower than at 0.5. "
                "The best momentum depends on how elongated the ravine is (see the stability page).",
                racers=(("sgd", {"lr": 0.9}), ("momentum", {"lr": 1.0, "momentum": 0.9})),
            ),
        ),
        Lesson(
            id="nesterov", title="Nesterov", topic="Nesterov looks ahead before it steps",
            notice=(
                "Same learning rate, same momentum. Nesterov's update uses the gradient plus the velocity's "
                "next step (PyTorch's form of looking ahead), so it brakes before it overshoots: its path "
                "swings less around Rosenbrock's valley than plain momentum's."
            ),
            surface="rosenbrock", racers=(("momentum", {"lr": 0.001, "momentum": 0.9}),
                                          ("nesterov", {"lr": 0.001, "momentum": 0.9})),
            settings={"steps": 600},
            try_next=TryNext(
                "Raise momentum to 0.97 for both",
                "With more momentum plain momentum swings wildly; Nesterov still brakes in time.",
                racers=(("momentum", {"lr": 0.001, "momentum": 0.97}), ("nesterov", {"lr": 0.001, "momentum": 0.97})),
            ),
        ),
        Lesson(
            id="valley", title="Valley", topic="Adaptive methods in Rosenbrock's valley",
            notice=(
                "Rosenbrock's valley is curved, with walls 100 times steeper than its floor. SGD must use a "
                "small learning rate not to fly off the walls, so it drops into the valley and then crawls. "
                "Adam and RMSprop divide each coordinate's step by its recent gradient size, so they keep "
                "walking along the floor towards (1, 1)."
            ),
            surface="rosenbrock", racers=(("sgd", {"lr": 0.002}), ("rmsprop", {"lr": 0.01}), ("adam", {"lr": 0.05})),
            settings={"steps": 1000},
            try_next=TryNext(
                "Give SGD a larger learning rate (0.004)",
                "A little more and SGD diverges on the steep wall: with one learning rate for both "
                "coordinates it cannot go faster along the floor.",
                racers=(("sgd", {"lr": 0.004}), ("rmsprop", {"lr": 0.01}), ("adam", {"lr": 0.05})),
            ),
        ),
        Lesson(
            id="saddle", title="Saddle", topic="Escaping a saddle point",
            notice=(
                "At the saddle point of y² − x² the gradient is zero though it is no minimum. Starting almost "
                "on the ridge x = 0, the gradient barely points sideways: SGD slides down to the saddle and "
                "lingers; momentum carries speed through it; Adam rescales the tiny sideways gradient into "
                "full-size steps. The lower panel's log axis turns the escape into a straight line."
            ),
            surface="saddle", racers=(("sgd", {"lr": 0.01}), ("momentum", {"lr": 0.01, "momentum": 0.9}),
                                      ("adam", {"lr": 0.05})),
            settings={"steps": 150, "start": (0.001, 1.5)},
            try_next=TryNext(
                "Add gradient noise (σ = 0.1)",
                "Noise kicks SGD off the ridge: stochastic gradients help to escape saddle points.",
                settings={"grad_noise": 0.1},
            ),
        ),
        Lesson(
            id="adagrad", title="Adagrad", topic="Adagrad's steps only ever shrink",
            notice=(
                "Adagrad divides the learning rate by the square root of the sum of all squared gradients so "
                "far. The steep start fills that sum for good, so its steps keep shrinking and it falls far "
                "behind; RMSprop averages recent gradients only and keeps its pace. Open the step inspector: "
                "Adagrad's effective step size only ever falls."
            ),
            surface="rosenbrock", racers=(("adagrad", {"lr": 0.5}), ("rmsprop", {"lr": 0.01})),
            settings={"steps": 800, "inspect": "adagrad", "istep": 400},
            try_next=TryNext(
                "Give Adagrad a larger learning rate (1.5)",
                "A larger lr postpones the stall but does not cure it: the sum keeps growing.",
                racers=(("adagrad", {"lr": 1.5}), ("rmsprop", {"lr": 0.01})),
            ),
        ),
        Lesson(
            id="bias", title="Bias correction", topic="Why Adam corrects its averages",
            notice=(
                "Adam's averages m and v start at zero, so early on they are too small: v after one step is "
                "only (1 − β₂) g². Adam divides them by (1 − βᵗ) to undo that. RMSprop with momentum keeps the "
                "same averages without the correction, so its first steps are about 1/√(1 − β₂) ≈ 30 times too "
                "large. Compare the first steps, and inspect step 1: m̂ and v̂ against m and v."
            ),
            surface="rosenbrock", racers=(("adam", {"lr": 0.01}), ("rmsprop", {"lr": 0.01, "alpha": 0.999, "momentum": 0.9})),
            settings={"steps": 300, "inspect": "adam", "istep": 1},
            try_next=TryNext(
                "Set β₂ = 0.99 for RMSprop (α)",
                "A shorter memory shrinks the error: the first steps are now √(1/0.01) = 10 times too large.",
                racers=(("adam", {"lr": 0.01}), ("rmsprop", {"lr": 0.01, "alpha": 0.99, "momentum": 0.9})),
            ),
        ),
        Lesson(
            id="minibatch", title="Mini-batch", topic="Mini-batch noise against the full batch",
            notice=(
                "Fitting a line to 100 noisy points: the map's axes are the slope and the intercept. Each "
                "mini-batch of 5 points gives a different estimate of the gradient, so the stochastic path "
                "jitters around the full-batch one (dashed) while heading for the same least-squares fit, at a "
                "twentieth of the cost per step."
            ),
            surface="regression", racers=(("sgd", {"lr": 0.05}),),
            settings={"batch_size": 5, "epochs": 5, "start": (-2.0, -3.0)},
            try_next=TryNext(
                "One data point per step (batch size 1)",
                "Pure stochastic gradient descent: far noisier steps, and the same place in expectation.",
                settings={"batch_size": 1, "epochs": 2},
            ),
        ),
        Lesson(
            id="schedule", title="Schedules", topic="Warm-up and learning-rate schedules",
            notice=(
                "With mini-batches the gradient never stops being noisy, so at a constant learning rate the "
                "path keeps jittering around the minimum instead of settling. Look at the end of the path and "
                "the flat, noisy end of the loss curve."
            ),
            surface="regression", racers=(("sgd", {"lr": 0.1}),),
            settings={"batch_size": 5, "epochs": 10, "start": (-2.0, -3.0)},
            try_next=TryNext(
                "Cosine decay after a 20-step warm-up",
                "The warm-up starts gently while the gradients are large; the cosine schedule then shrinks "
                "the steps towards zero and the path settles on the fit.",
                settings={"schedule": "cosine", "warmup_steps": 20},
            ),
        ),
        Lesson(
            id="decay", title="Weight decay", topic="L2 penalty against decoupled weight decay",
            notice=(
                "Same learning rate, same λ. Adam's weight_decay adds λθ to the gradient, so the penalty is "
                "divided by Adam's adaptive denominator like the rest of the gradient; AdamW shrinks the "
                "parameters by lr·λ·θ outside it. The two do not end at the same point: with Adam the pull "
                "towards the origin is weakest where the gradients are largest."
            ),
            surface="rosenbrock", racers=(("adam", {"lr": 0.02, "weight_decay": 0.3}),
                                          ("adamw", {"lr": 0.02, "weight_decay": 0.3})),
            settings={"steps": 1500},
            try_next=TryNext(
                "Turn weight decay off for both",
                "Without decay the two are the same algorithm and finish together at (1, 1).",
                racers=(("adam", {"lr": 0.02, "weight_decay": 0.0}), ("adamw", {"lr": 0.02, "weight_decay": 0.0})),
            ),
        ),
    )
}

DEFAULT_LESSON = "zigzag"


def default_state() -> PageState:
    """What a visitor sees with nothing in the URL: the first lesson."""
    return LESSONS[DEFAULT_LESSON].state()
