"""The course's lessons as data: one click sets the race up, the text says what to notice, and a
"try next" change is one more click away.

Each lesson follows a topic of the course notes (the ravine's zig-zag, momentum, Nesterov,
adaptive methods in Rosenbrock's valley, saddle points, Adagrad's shrinking steps, Adam's
bias correction, mini-batches, schedules, weight decay). Where a lesson races optimizers
against each other, each runs at a setting that suits it; where it isolates one difference
(Nesterov's look-ahead, bias correction, where weight decay is applied, escaping a saddle),
the racers share their settings and the text says so. The numbers quoted in the texts are
checked by tests/test_lab_lessons.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from lab.page_state import PageState, Racer, page, racer
from lab.settings import GLOBAL_SETTINGS, VIEW_SETTINGS

RacerList = tuple[tuple[str, Mapping[str, Any]], ...]


@dataclass(frozen=True)
class TryNext:
    """One change to the lesson's race, with what it shows."""

    label: str
    text: str
    racers: RacerList | None = None  # replaces the racers when given
    settings: Mapping[str, Any] = field(default_factory=dict)
    falls_short: tuple[str, ...] = ()  # racers meant not to reach the surface's goal: the point of the step

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
    # Racers meant not to reach the surface's goal (SGD crawling, Adagrad stalling, weight decay moving
    # the optimum); racers on noisy gradients are judged by how closely they hover instead.
    falls_short: tuple[str, ...] = ()

    def state(self) -> PageState:
        return page(self.surface, _racers(self.racers), **dict(self.settings))

    def stage(self, state: PageState) -> str | None:
        """"start" or "next" when ``state`` is this lesson's race (or its try-next race), else None.

        Settings that only change the view (presentation mode, the inspector) or another page do not count.
        """
        for stage, race in _races(self.id):
            if _same_race(race, state):
                return stage
        return None

    def next_state(self) -> PageState | None:
        return None if self.try_next is None else self.try_next.apply(self.state())


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
        # The other pages' settings (the sweep's axes...) do not change the race either.
        values = {k: v for k, v in state.values.items() if k not in VIEW_SETTINGS and GLOBAL_SETTINGS[k].on("race")}
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
                "The ravine x²/20 + y² is twenty times steeper across (y) than along (x). A learning rate big "
                "enough to make progress along the gentle floor is too big for the steep walls: at lr 0.9 SGD "
                "overshoots the floor on every step and bounces from wall to wall. Tick −∇f after Play: the "
                "gradient points across the valley, not at the minimum."
            ),
            surface="ravine", racers=(("sgd", {"lr": 0.9}),), settings={"steps": 60, "start": (-7.0, 2.0)},
            try_next=TryNext(
                "Lower the learning rate to 0.1",
                "The bouncing stops, but the steps along the gentle floor are now tiny: after 60 steps SGD is "
                "still about 4 units from the minimum. With plain SGD no single learning rate suits both "
                "directions.",
                racers=(("sgd", {"lr": 0.1}),), falls_short=("sgd",),
            ),
        ),
        Lesson(
            id="momentum", title="Momentum", topic="Momentum damps the zig-zag",
            notice=(
                "Each racer runs at a learning rate that suits it. Momentum adds up past gradients: across the "
                "valley they change sign and cancel, along the floor they point the same way and build up speed. "
                "In the table, momentum is within 0.01 of the minimum by step 18, SGD only by step 70."
            ),
            surface="ravine", racers=(("sgd", {"lr": 0.9}), ("momentum", {"lr": 1.0, "momentum": 0.5})),
            settings={"steps": 120, "start": (-7.0, 2.0)},
            try_next=TryNext(
                "Raise momentum to 0.9",
                "Too much momentum: the ball keeps its speed for too long, overshoots and circles the minimum, "
                "and needs 103 steps to get within 0.01, more than plain SGD. For a valley this elongated the "
                "best momentum is about 0.4 (see the Stability page).",
                racers=(("sgd", {"lr": 0.9}), ("momentum", {"lr": 1.0, "momentum": 0.9})),
            ),
        ),
        Lesson(
            id="nesterov", title="Nesterov", topic="Nesterov looks ahead before it steps",
            notice=(
                "Same learning rate, same momentum 0.95. Plain momentum swings from wall to wall of Rosenbrock's "
                "valley dozens of times. Nesterov's step also uses where the velocity is about to take it, so it "
                "brakes before it overshoots, runs down the middle of the valley and is within 0.01 of (1, 1) by "
                "step 321 instead of 487."
            ),
            surface="rosenbrock", racers=(("momentum", {"lr": 0.001, "momentum": 0.95}),
                                          ("nesterov", {"lr": 0.001, "momentum": 0.95})),
            settings={"steps": 600, "start": (-1.2, 1.0)},
            try_next=TryNext(
                "Lower momentum to 0.9 for both",
                "With less momentum plain momentum swings less, but both also lose speed along the floor: after "
                "600 steps each is still about 0.06 from (1, 1). Looking ahead is what lets you keep a high "
                "momentum without the swinging.",
                racers=(("momentum", {"lr": 0.001, "momentum": 0.9}), ("nesterov", {"lr": 0.001, "momentum": 0.9})),
            ),
        ),
        Lesson(
            id="valley", title="Valley", topic="Adam against SGD in Rosenbrock's valley",
            notice=(
                "Rosenbrock's walls are 100 times steeper than its curved floor. SGD must keep its learning rate "
                "small not to fly off the walls (0.0025 is its best here), so in the valley it crawls: after 1000 "
                "steps it is still 0.4 from (1, 1). Adam divides each coordinate's step by its recent gradient "
                "size, keeps stepping about lr along the flat floor and arrives."
            ),
            surface="rosenbrock", racers=(("sgd", {"lr": 0.0025}), ("adam", {"lr": 0.1})),
            settings={"steps": 1000, "start": (-1.2, 1.0)}, falls_short=("sgd",),
            try_next=TryNext(
                "Double SGD's learning rate (0.005)",
                "Larger steps do not help SGD: it gets stuck bouncing between the valley's walls and ends even "
                "farther from (1, 1), about 0.9 away. One learning rate cannot suit both the steep walls and the "
                "flat floor.",
                racers=(("sgd", {"lr": 0.005}), ("adam", {"lr": 0.1})), falls_short=("sgd",),
            ),
        ),
        Lesson(
            id="saddle", title="Saddle", topic="Escaping a saddle point",
            notice=(
                "The gradient is zero at the saddle point of y² − x², yet it is no minimum. From just beside the "
                "ridge x = 0, at one shared learning rate, SGD slides down and lingers near the saddle until "
                "about step 37; momentum adds up the tiny sideways push and escapes by step 18; Adam scales it up "
                "to full-size steps and escapes by step 20 (escaped: loss below −1)."
            ),
            surface="saddle", racers=(("sgd", {"lr": 0.05}), ("momentum", {"lr": 0.05, "momentum": 0.7}),
                                      ("adam", {"lr": 0.05})),
            settings={"steps": 44, "start": (0.03, 0.5)},
            try_next=TryNext(
                "Add gradient noise (σ = 1)",
                "Random kicks push SGD off the ridge, where the slope takes over: it now escapes by step 18 instead "
                "of 37. Noisy, stochastic gradients help to escape saddle points.",
                settings={"grad_noise": 1.0},
            ),
        ),
        Lesson(
            id="adagrad", title="Adagrad", topic="Adagrad's steps only ever shrink",
            notice=(
                "Adagrad divides the learning rate by the root of the sum of all squared gradients so far. From "
                "high on Beale's wall at (3, 3) the first gradients are in the thousands and fill that sum for "
                "good: even at its best rate Adagrad ends 0.8 short of the minimum (3, 0.5). RMSprop averages "
                "only recent gradients, forgets the wall and arrives. The step inspector shows Adagrad's "
                "effective step size."
            ),
            surface="beale", racers=(("adagrad", {"lr": 2.0}), ("rmsprop", {"lr": 0.3})),
            settings={"steps": 1000, "start": (3.0, 3.0), "inspect": "adagrad", "istep": 500},
            falls_short=("adagrad",),
            try_next=TryNext(
                "Start on gentle ground at (0.5, 1)",
                "Here the first gradients are small, so Adagrad's sum stays small and its steps stay useful: "
                "it is within 0.01 of the minimum by step 261, while RMSprop needs the whole race to get close. "
                "Adagrad is not slow by nature; a steep start spoils the rest of its run.",
                settings={"start": (0.5, 1.0)},
            ),
        ),
        Lesson(
            id="bias", title="Bias correction", topic="Why Adam corrects its averages",
            notice=(
                "Adam's averages m and v begin at zero, so at first they are too small: after one step v is "
                "0.001·g². Adam divides by (1 − βᵗ) to undo that, so its first step moves each coordinate exactly "
                "lr. RMSprop with the same memory (α = 0.999) does not: its first step is 1/√0.001 ≈ 32 times "
                "longer and leaves the map, and its next few are still over 10 times longer. See m̂, v̂ and m, v "
                "in the step inspector."
            ),
            surface="ravine", racers=(("adam", {"lr": 0.3}),
                                      ("rmsprop", {"lr": 0.3, "alpha": 0.999, "momentum": 0.9})),
            settings={"steps": 150, "start": (-7.0, 2.0), "inspect": "adam", "istep": 1},
            try_next=TryNext(
                "Give RMSprop a shorter memory (α = 0.99)",
                "With a shorter memory v fills up faster: RMSprop's first step is now 1/√0.01 = 10 times Adam's, "
                "and it stays on the map. The closer β is to 1, the larger the error of an uncorrected average.",
                racers=(("adam", {"lr": 0.3}), ("rmsprop", {"lr": 0.3, "alpha": 0.99, "momentum": 0.9})),
            ),
        ),
        Lesson(
            id="minibatch", title="Mini-batch", topic="Mini-batch noise against the full batch",
            notice=(
                "Fitting a line to 100 noisy points: the map's axes are the slope a and the intercept b. Each "
                "step uses a mini-batch of 5 points, a twentieth of the data, so its gradient is only an "
                "estimate: the path wobbles around the full-batch path (dotted) but heads for the same "
                "least-squares fit."
            ),
            surface="regression", racers=(("sgd", {"lr": 0.05}),),
            settings={"batch_size": 5, "epochs": 10, "start": (-2.0, -3.0)},
            try_next=TryNext(
                "One data point per step (batch size 1)",
                "Pure stochastic gradient descent: every step sees a single point, so the path is far noisier. "
                "It still heads for the same fit, but then keeps hopping around it instead of settling; the "
                "next lesson shows how a shrinking learning rate calms it.",
                settings={"batch_size": 1, "epochs": 2},
            ),
        ),
        Lesson(
            id="schedule", title="Schedules", topic="Warm-up and learning-rate schedules",
            notice=(
                "Mini-batch gradients never stop being noisy, so at a constant learning rate SGD never settles: "
                "the end of its path keeps hopping around the fit and the distance curve stays ragged. Notice "
                "also how its first large, noisy steps jump off the full-batch path (dotted)."
            ),
            surface="regression", racers=(("sgd", {"lr": 0.1}),),
            settings={"batch_size": 5, "epochs": 10, "start": (-2.0, -3.0)},
            try_next=TryNext(
                "Cosine decay after a 20-step warm-up",
                "The warm-up starts at a tenth of the rate and raises it over 20 steps, so the first steps follow "
                "the full-batch path; the cosine schedule then shrinks the rate towards zero, and the path "
                "settles: over the last fifth of the run it spreads more than ten times less than before.",
                settings={"schedule": "cosine", "warmup_steps": 20},
            ),
        ),
        Lesson(
            id="decay", title="Weight decay", topic="L2 penalty against decoupled weight decay",
            notice=(
                "Both use λ = 1 (and β₂ = 0.99, so both settle in time). Adam's weight_decay adds λθ to the "
                "gradient, so Adam ends at the minimum of loss + λ‖θ‖²/2: the ridge fit (1.72, 0.84). AdamW "
                "shrinks θ by lr·λ·θ after its Adam step, which moves a coordinate by at most about lr, so no "
                "coordinate can stay above 1/λ = 1: AdamW ends at the corner (1, 1)."
            ),
            surface="regression", racers=(("adam", {"lr": 0.1, "weight_decay": 1.0, "betas": (0.9, 0.99)}),
                                          ("adamw", {"lr": 0.1, "weight_decay": 1.0, "betas": (0.9, 0.99)})),
            settings={"steps": 1500, "start": (-2.0, -3.0)}, falls_short=("adam", "adamw"),
            try_next=TryNext(
                "Turn weight decay off for both",
                "Without decay the two are the same algorithm: identical paths, both to the least-squares fit "
                "(1.97, 0.96).",
                racers=(("adam", {"lr": 0.1, "weight_decay": 0.0, "betas": (0.9, 0.99)}),
                        ("adamw", {"lr": 0.1, "weight_decay": 0.0, "betas": (0.9, 0.99)})),
            ),
        ),
    )
}

DEFAULT_LESSON = "zigzag"


def default_state() -> PageState:
    """What a visitor sees with nothing in the URL: the first lesson."""
    return LESSONS[DEFAULT_LESSON].state()
