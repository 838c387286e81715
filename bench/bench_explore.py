"""Sweeps and basin maps against their targets (measured in one run: this machine is noisy).

- a 100 x 100 sweep of 1,000 steps of momentum on Rosenbrock's valley (10^7 point-steps)
  against a hand-written one-thread NumPy loop of the same update with the same per-cell
  arrays; target: no slower than that loop, and under 1 s in any case;
- a 200 x 200 basin map of 500 steps (SGD on Himmelblau); target: under 1 s;
- 100,000 starts on two cores against one; target: at least 1.6x.

Run: ``python bench/bench_explore.py``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optimizers import basins, sweep  # noqa: E402
from optimizers.explore import _chunked  # noqa: E402
from optimizers.runner import run  # noqa: E402

GRID = {"lr": np.geomspace(1e-4, 1e-2, 100), "momentum": np.linspace(0.0, 0.99, 100)}
REPEATS = 3


def best(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def hand_loop() -> None:
    """PyTorch's momentum on Rosenbrock for every cell, one NumPy loop over steps, no checks."""
    lr_grid, momentum_grid = np.meshgrid(GRID["lr"], GRID["momentum"], indexing="ij")
    lr = np.repeat(lr_grid.reshape(-1, 1), 2, axis=1)
    momentum = np.repeat(momentum_grid.reshape(-1, 1), 2, axis=1)
    theta = np.tile([-1.5, 2.0], (lr.shape[0], 1))
    buffer = np.zeros_like(theta)
    gradient = np.empty_like(theta)
    with np.errstate(all="ignore"):
        for step in range(1000):
            x, y = theta[:, 0], theta[:, 1]
            valley = y - x * x
            gradient[:, 0] = -2.0 * (1.0 - x) - 400.0 * x * valley
            gradient[:, 1] = 200.0 * valley
            if step == 0:
                buffer[:] = gradient
            else:
                buffer *= momentum
                buffer += gradient
            theta -= lr * buffer


def main() -> None:
    cores = os.cpu_count() or 1
    loop = best(hand_loop)
    engine = best(lambda: sweep("momentum", "rosenbrock", start=(-1.5, 2.0), steps=1000, grid=GRID))
    one_thread = best(lambda: sweep("momentum", "rosenbrock", start=(-1.5, 2.0), steps=1000, grid=GRID, workers=1))
    print(f"100x100 sweep x 1,000 steps (10^7 point-steps), {cores} cores, best of {REPEATS}:")
    print(f"  hand-written one-thread NumPy loop : {loop:6.3f} s")
    print(f"  sweep(), all cores                 : {engine:6.3f} s   ({loop / engine:4.2f}x the loop; target >= 1x, < 1 s)")
    print(f"  sweep(), one thread                : {one_thread:6.3f} s")

    basin = best(lambda: basins("sgd", "himmelblau", resolution=200, steps=500, lr=0.01))
    print(f"200x200 basin map x 500 steps        : {basin:6.3f} s   (target < 1 s)")

    starts = np.random.default_rng(0).uniform(-2, 2, size=(100_000, 2))

    def many(workers: int) -> None:
        _chunked(len(starts), lambda rows: run("adam", "rosenbrock", start=starts[rows], steps=200, lr=0.01,
                                               keep="final"), None, workers)

    single, double = best(lambda: many(1)), best(lambda: many(2))
    print(f"100,000 starts x 200 steps of Adam   : 1 thread {single:6.3f} s, 2 threads {double:6.3f} s "
          f"({single / double:4.2f}x; target >= 1.6x)")


if __name__ == "__main__":
    main()
