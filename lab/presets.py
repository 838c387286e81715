"""The classic lessons as plain data: one click sets the whole page up to show each point.

Each preset was tuned by running the engine: the numbers in its blurb are what it shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lab.url_state import Setup


@dataclass(frozen=True)
class Preset:
    id: str
    title: str
    blurb: str
    surface: str
    start: tuple[float, float]
    steps: int
    optimizers: tuple[tuple[str, dict[str, Any]], ...]
    settings: dict[str, Any] = field(default_factory=dict)  # any other Setup field
    inspect: str = ""
    expect_divergence: tuple[str, ...] = ()  # racers meant to blow up (none so far)

    def setup(self) -> Setup:
        """The page this lesson opens: the racers with these hyperparameters, the rest default."""
        return Setup(
            surface=self.surface, optimizers=tuple(name for name, _ in self.optimizers), start=self.start,
            steps=self.steps, hyper={name: dict(values) for name, values in self.optimizers},
            inspect=self.inspect, **self.settings,
        ).complete()


PRESETS: dict[str, Preset] = {
    preset.id: preset
    for preset in (
        Preset(
            id="ravine",
            title="Zig-zag",
            blurb=(
                "The ravine x²/20 + y² is twenty times steeper across than along. Plain SGD with a large "
                "learning rate overshoots the steep direction on every step and bounces from wall to wall; "
                "momentum averages the bounces away and its velocity builds up along the gentle floor."
            ),
            surface="ravine", start=(-7.0, 2.0), steps=60,
            optimizers=(("sgd", {"lr": 0.9}), ("momentum", {"lr": 0.2, "momentum": 0.8})),
        ),
        Preset(
            id="rosenbrock",
            title="Valley",
            blurb=(
                "Rosenbrock's valley is curved and almost flat along its floor. SGD at PyTorch's default "
                "learning rate drops into the valley quickly and then crawls along it; Adam rescales each "
                "coordinate by its recent gradient size and keeps moving towards (1, 1)."
            ),
            surface="rosenbrock", start=(-1.5, 2.0), steps=800,
            optimizers=(("sgd", {"lr": 0.001}), ("adam", {"lr": 0.1})),
            settings={"tol": 0.05},
        ),
        Preset(
            id="saddle",
            title="Saddle",
            blurb=(
                "Starting almost exactly on the ridge of y² − x², the gradient barely points sideways. "
                "SGD rolls down to the saddle point and lingers there; momentum carries speed through it, "
                "and Adam's per-coordinate scaling blows the tiny sideways gradient up into full steps."
            ),
            surface="saddle", start=(0.001, 1.5), steps=120,
            optimizers=(("sgd", {"lr": 0.01}), ("momentum", {"lr": 0.01, "momentum": 0.9}), ("adam", {"lr": 0.05})),
        ),
        Preset(
            id="adagrad",
            title="Adagrad",
            blurb=(
                "Adagrad divides by the square root of the sum of all squared gradients so far. The steep "
                "start fills that sum for good, so its steps shrink and it stalls far from (1, 1); RMSprop "
                "forgets old gradients and keeps going. Open the step inspector: Adagrad's effective "
                "learning rate only ever falls."
            ),
            surface="rosenbrock", start=(-1.5, 2.0), steps=500,
            optimizers=(("adagrad", {"lr": 0.5}), ("rmsprop", {"lr": 0.01})),
            inspect="adagrad", settings={"istep": 200},
        ),
        Preset(
            id="minibatch",
            title="Mini-batch",
            blurb=(
                "Fitting a line to 100 noisy points: each mini-batch of 5 gives a different estimate of the "
                "gradient, so the stochastic path jitters around the full-batch one (dashed) while heading "
                "to the same least-squares fit, at a twentieth of the cost per step."
            ),
            surface="regression", start=(-2.0, -3.0), steps=100,
            optimizers=(("sgd", {"lr": 0.05}),),
            settings={"batch": 5, "epochs": 5, "data_noise": 2.0, "tol": 0.1},
        ),
    )
}

DEFAULT_PRESET = "ravine"


def default_setup() -> Setup:
    """What a visitor sees with no parameters in the URL: the first lesson."""
    return PRESETS[DEFAULT_PRESET].setup()
