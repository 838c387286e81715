"""Every bound on the work one engine call may ask for, and an estimate of that work.

The engine refuses, with a ValueError naming the parameter and its cap, any call that would
exceed these; a page that wants tighter limits (a shared server) sets its own below them and
can ask :func:`point_steps` what a request costs before making it.

One *point-step* is one optimizer step of one start point: a gradient, an update and the
checks, a few dozen NumPy operations on one row. About 10-30 ns each in a large batch here
(2 cores), so the cap on one call, 2·10^8, is a few seconds of work.
"""

from __future__ import annotations

MAX_STEPS = 100_000  # steps of one run
MAX_STARTS = 1_000_000  # start points of one run
MAX_EPOCHS = 100_000  # passes over a surface's data
MAX_CELLS = 10_000  # cells of a sweep's grid: up to 100 x 100
MAX_RESOLUTION = 400  # a basin map's side: up to 400 x 400 starts
MAX_POINT_STEPS = 200_000_000  # starts x steps (plus data points read) in one call
MAX_RECORDED_BYTES = 4 * 2**30  # the arrays a run keeps (path, loss curve, recorded state)
MAX_NOISE = 1e6  # gradient-noise standard deviation (a range, not work; kept with its siblings)


def point_steps(starts: int, steps: int, batch_size: int | None = None) -> int:
    """The work of running ``starts`` points for ``steps`` steps, in point-steps.

    A mini-batch of ``batch_size`` data points is read once per step for all starts together;
    each point read costs about what one start's step does, so it adds ``steps x batch_size``.
    (A full batch costs nothing extra: the surfaces keep the sums a full gradient needs.)
    """
    return int(starts) * int(steps) + (int(steps) * int(batch_size) if batch_size else 0)


def check_work(starts: int, steps: int, batch_size: int | None = None, *, what: str = "starts") -> int:
    """The work of a call (see :func:`point_steps`), or ValueError when it exceeds MAX_POINT_STEPS.

    ``what`` names the quantity that multiplies ``steps`` in the message ("starts", "cells").
    """
    work = point_steps(starts, steps, batch_size)
    if work > MAX_POINT_STEPS:
        data = f" + {steps:,} steps x {batch_size:,} data points" if batch_size else ""
        raise ValueError(
            f"Too much work: {starts:,} {what} x {steps:,} steps{data} = {work:,} point-steps; at most "
            f"{MAX_POINT_STEPS:,} (MAX_POINT_STEPS) in one call. Use fewer {what} or fewer steps."
        )
    return work


def caps() -> dict[str, float]:
    """Every cap by name, for a page or the command line to show."""
    return {
        "MAX_STEPS": MAX_STEPS, "MAX_STARTS": MAX_STARTS, "MAX_EPOCHS": MAX_EPOCHS, "MAX_CELLS": MAX_CELLS,
        "MAX_RESOLUTION": MAX_RESOLUTION, "MAX_POINT_STEPS": MAX_POINT_STEPS,
        "MAX_RECORDED_BYTES": MAX_RECORDED_BYTES, "MAX_NOISE": MAX_NOISE,
    }
