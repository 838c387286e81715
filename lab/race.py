"""From a setup to engine requests, and from outcomes to what the figures draw."""

from __future__ import annotations

from dataclasses import dataclass

from lab.compute import Outcome, Request
from lab.controls import DATA_POINTS, max_epochs, per_epoch
from lab.surfaces import surface_for
from lab.url_state import Setup
from optimizers import OPTIMIZERS
from viz.colors import FULL_BATCH_COLOR, path_color
from viz.paths import PathView, path_view


def minibatch_active(setup: Setup) -> bool:
    """Mini-batches only exist on the line fit, and only below the full data set."""
    return setup.surface == "regression" and setup.batch < DATA_POINTS


def run_length(setup: Setup) -> int:
    """Steps each racer takes: the steps setting, or epochs x batches with mini-batches."""
    if minibatch_active(setup):
        return min(setup.epochs, max_epochs(setup.batch)) * per_epoch(setup.batch)
    return setup.steps


def request_for(setup: Setup, optimizer: str, *, full_batch: bool = False) -> Request:
    """The engine call for one racer; ``full_batch`` gives the comparison run without batches."""
    hyper = tuple(sorted(setup.hyper[optimizer].items()))
    surface = surface_for(setup.surface, setup.data_noise)
    stop = setup.stop
    schedule = (("kind", setup.schedule), ("gamma", setup.gamma), ("step_size", setup.step_size),
                ("warmup_steps", setup.warmup))
    batched = minibatch_active(setup) and not full_batch
    return Request(
        optimizer=optimizer, surface=setup.surface, data_noise=float(setup.data_noise),
        start=(float(setup.start[0]), float(setup.start[1])),
        steps=None if batched else run_length(setup), hyper=hyper, schedule=schedule,
        grad_noise=float(setup.noise), seed=int(setup.seed),
        batch_size=setup.batch if batched else None,
        epochs=min(setup.epochs, max_epochs(setup.batch)) if batched else None,
        stop_distance=float(setup.tol) if stop and len(surface.minima) else None,
        stop_grad=float(setup.gtol) if stop else None,
    )


@dataclass(frozen=True)
class Racer:
    """One optimizer's result as the page shows it: drawable paths or the engine's message."""

    name: str
    label: str
    paths: tuple[PathView, ...]
    error: str | None = None

    @property
    def main(self) -> PathView | None:
        return self.paths[0] if self.paths else None


def racer_from(setup: Setup, index: int, name: str, outcome: Outcome, full: Outcome | None = None) -> Racer:
    """Cut the runs of racer ``index`` for drawing (the full-batch run dashed beside it)."""
    label = OPTIMIZERS[name].label
    if outcome.error is not None or outcome.trajectory is None:
        return Racer(name, label, (), outcome.error or "the run returned nothing")
    surface = surface_for(setup.surface, setup.data_noise)
    color = path_color(index)
    paths = [path_view(outcome.trajectory, surface, label, color, name=name)]
    if full is not None and full.trajectory is not None:
        # The full-batch companion is dark and dashed: it must stand out from the jitter.
        paths.append(path_view(full.trajectory, surface, f"{label} (full batch)", FULL_BATCH_COLOR,
                               name=f"{name}-full", dash="dash"))
    return Racer(name, label, tuple(paths))


def divergence_advice(path: PathView) -> str:
    return f"diverged at step {path.diverged_at}: try a smaller learning rate"
