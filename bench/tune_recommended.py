"""Find, for every surface and optimizer, a learning rate that suits it: the reproducible source
of the ``recommended`` settings declared in each ``landscapes/<surface>.py``.

For each (surface, optimizer) one batched run tries every rate of a round grid (1, 2, 5 x 10^k)
from the surface's default start for the surface's ``steps``. A rate succeeds when it does not
diverge and reaches the surface's goal by the end and stays there (a known minimum within
``goal_tol``; a local minimum; or, on a saddle, escape). The chosen rate is the working rate
a third of the way up the working range (on a log scale): a margin away from the rates too
small to arrive in time, and well below those that bounce across the surface or blow up.

Run: ``python bench/tune_recommended.py`` (prints a table and the dicts to paste).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from landscapes import SURFACES, Surface  # noqa: E402
from landscapes.goals import steps_to_goal  # noqa: E402
from optimizers import OPTIMIZERS, run  # noqa: E402

GRID = np.array([float(f"{m * 10.0**e:.3g}") for e in range(-5, 2) for m in (1, 1.5, 2, 3, 5, 7)])


def candidates(optimizer: str) -> np.ndarray:
    spec = OPTIMIZERS[optimizer]
    knobs = spec.knobs() if not spec.wraps_inner else OPTIMIZERS["adam"].knobs()
    info = knobs["lr"][1]
    return GRID[(GRID >= info.ui_low) & (GRID <= info.ui_high)]


# Other knobs tried in order, first the PyTorch default, when no learning rate works with it:
# AdamW's decoupled decay pulls every path off the true minimum, and Adadelta's tiny eps makes
# its first steps too small to arrive in a classroom's number of steps.
ALTERNATIVES: dict[str, tuple[dict, ...]] = {
    "adamw": ({}, {"weight_decay": 0.001}, {"weight_decay": 0.0}),
    "adadelta": ({}, {"eps": 1e-4}, {"eps": 1e-3}, {"eps": 1e-2}, {"eps": 0.02, "rho": 0.8}),
    # RAdam's first steps are un-adapted momentum steps: a shorter second-moment memory lets
    # it adapt before a steep wall's gradient throws it off.
    "radam": ({}, {"betas": (0.9, 0.99)}),
}
LOWER_SHARE = 1 / 3  # where in the working range (log scale) the chosen rate sits


def tune(surface: Surface, optimizer: str) -> tuple[dict | None, int | None, np.ndarray, np.ndarray]:
    rates = candidates(optimizer)
    starts = np.tile(np.asarray(surface.start, dtype=float), (len(rates), 1))
    for extra in ALTERNATIVES.get(optimizer, ({},)):
        trajectory = run(optimizer, surface, start=starts, steps=surface.steps, lr=rates, **extra)
        arrived = steps_to_goal(surface, trajectory.xy, trajectory.diverged_at)
        ok = arrived >= 0
        if ok.any():
            working = np.log(rates[ok])
            target = working.min() + LOWER_SHARE * (working.max() - working.min())
            index = int(np.flatnonzero(ok)[np.argmin(np.abs(working - target))])
            return {"lr": float(rates[index]), **extra}, int(arrived[index]), rates, arrived
    return None, None, rates, arrived


def main() -> None:
    for name, surface in SURFACES.items():
        print(f"\n{name} (steps {surface.steps}, goal {surface.goal}, goal_tol {surface.goal_tol:g})")
        chosen = {}
        for optimizer in OPTIMIZERS:
            settings, steps, rates, arrived = tune(surface, optimizer)
            working = ", ".join(f"{r:g}" for r, a in zip(rates, arrived, strict=True) if a >= 0)
            print(f"  {optimizer:10s} {settings!s:32} arrives at step {steps}   works: {working}")
            if settings is not None:
                chosen[optimizer] = settings
        print("  recommended =", chosen)


if __name__ == "__main__":
    main()
