"""Sweeps and basin maps against their targets (measured in one run: this machine is noisy).

- a 100 x 100 sweep of 1,000 steps of momentum on Rosenbrock's valley (10^7 point-steps)
  against a hand-written one-thread NumPy loop of the same update with the same per-cell
  arrays; target: no slower than that loop, and under 1 s in any case. Two grids: the one a
  page would show (a third of the cells blow up within a few steps) and one where none do.
  The same loop with its arrays laid out column by column, as the engine's are, is printed
  for reference;
- a 200 x 200 basin map of 500 steps (SGD on Himmelblau); target: under 1 s;
- 100,000 starts on two threads against one; target: at least 1.6x;
- with ``--chunks``: the chunk sizes that chose ``explore.CHUNK`` and ``explore.PARALLEL_CHUNK``.

Run: ``python bench/bench_explore.py [--chunks]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import optimizers.explore as explore  # noqa: E402
from optimizers import basins, sweep  # noqa: E402
from optimizers.runner import run_ends  # noqa: E402

START = (-1.5, 2.0)
STEPS = 1_000
PAGE_GRID = {"lr": np.geomspace(1e-4, 1e-2, 100), "momentum": np.linspace(0.0, 0.99, 100)}
CALM_GRID = {"lr": np.geomspace(1e-5, 1e-3, 100), "momentum": np.linspace(0.0, 0.9, 100)}
REPEATS = 5


def best(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def hand_loop(grid: dict[str, np.ndarray], order: str = "C") -> None:
    """PyTorch's momentum on Rosenbrock for every cell: one NumPy loop over steps, no checks,
    hyperparameters per cell stored per coordinate as the engine does. ``order="F"`` lays every
    array out column by column, as the engine's sweeps do (for reference: the target is the
    loop as one would write it, point by point)."""
    lr_grid, momentum_grid = np.meshgrid(grid["lr"], grid["momentum"], indexing="ij")
    lr = np.repeat(lr_grid.reshape(-1, 1), 2, axis=1)
    momentum = np.repeat(momentum_grid.reshape(-1, 1), 2, axis=1)
    theta = np.tile(START, (lr.shape[0], 1))
    if order == "F":
        lr, momentum, theta = np.asfortranarray(lr), np.asfortranarray(momentum), np.asfortranarray(theta)
    buffer = np.zeros_like(theta)
    gradient = np.empty_like(theta)
    with np.errstate(all="ignore"):
        for step in range(STEPS):
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


def sweeps() -> None:
    cores = os.cpu_count() or 1
    print(f"100 x 100 sweep x {STEPS:,} steps of momentum on Rosenbrock (10^7 point-steps), {cores} cores, "
          f"best of {REPEATS}:")
    for label, grid in (("page's grid (1/3 of cells blow up)", PAGE_GRID), ("calm grid (none blow up)", CALM_GRID)):
        loop = best(lambda grid=grid: hand_loop(grid))
        engine = best(lambda grid=grid: sweep("momentum", "rosenbrock", start=START, steps=STEPS, grid=grid))
        alone = best(lambda grid=grid: sweep("momentum", "rosenbrock", start=START, steps=STEPS, grid=grid,
                                             workers=1))
        by_column = best(lambda grid=grid: hand_loop(grid, order="F"))
        print(f"  {label}:")
        print(f"    hand-written one-thread NumPy loop : {loop:6.3f} s")
        print(f"    the same loop, column by column    : {by_column:6.3f} s   (for reference)")
        print(f"    sweep(), all cores                 : {engine:6.3f} s   ({loop / engine:4.2f}x the loop; "
              "target >= 1x, < 1 s)")
        print(f"    sweep(), one thread                : {alone:6.3f} s   ({loop / alone:4.2f}x the loop)")


def memory() -> None:
    tracemalloc.start()
    result = sweep("momentum", "rosenbrock", start=START, steps=STEPS, grid=CALM_GRID)
    started = time.perf_counter()
    arrived = result.steps_to(0.1)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"  sweep + steps_to(0.1), calm grid: peak {peak / 2**20:5.1f} MiB of NumPy buffers (target < 100 MiB); "
          f"steps_to took {seconds:5.3f} s ({(arrived >= 0).mean():.0%} of cells arrive)")


def basin_map() -> None:
    seconds = best(lambda: basins("sgd", "himmelblau", resolution=200, steps=500, lr=0.01))
    b = basins("sgd", "himmelblau", resolution=200, steps=500, lr=0.01)
    print(f"200 x 200 basin map x 500 steps (SGD, Himmelblau): {seconds:6.3f} s   (target < 1 s; "
          f"{(b.minimum >= 0).mean():.0%} of starts arrive, {b.diverged.mean():.0%} blow up)")


STARTS = np.random.default_rng(0).uniform(-2, 2, size=(100_000, 2))


def many(workers: int) -> None:
    explore._chunked(len(STARTS), lambda rows: run_ends("adam", "rosenbrock", start=STARTS[rows], steps=200,
                                                         lr=0.01), None, workers)


def threads() -> None:
    single, double = best(lambda: many(1), 3), best(lambda: many(2), 3)
    print(f"100,000 starts x 200 steps of Adam on Rosenbrock, chunks of {explore.PARALLEL_CHUNK:,}: one thread "
          f"{single:6.3f} s, two {double:6.3f} s ({single / double:4.2f}x; target >= 1.6x)")


def chunks() -> None:
    print("Chunk size (starts):     100,000 Adam starts, 1 thread / 2 threads   |   calm sweep, 2 threads")
    chosen = explore.CHUNK, explore.PARALLEL_SHARE, explore.PARALLEL_CHUNK
    try:
        for size in (2_048, 4_096, 8_192, 16_384, 32_768, 65_536):
            explore.CHUNK = explore.PARALLEL_CHUNK = size
            explore.PARALLEL_SHARE = size // 2  # 100,000 starts: chunks of `size` on two threads
            single, double = best(lambda: many(1), 3), best(lambda: many(2), 3)
            grid = best(lambda: sweep("momentum", "rosenbrock", start=START, steps=STEPS, grid=CALM_GRID), 3)
            print(f"  {size:6,d}                 {single:6.3f} s / {double:6.3f} s ({single / double:4.2f}x)"
                  f"       |   {grid:6.3f} s")
    finally:
        explore.CHUNK, explore.PARALLEL_SHARE, explore.PARALLEL_CHUNK = chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", action="store_true", help="also time a range of chunk sizes")
    args = parser.parse_args()
    sweeps()
    memory()
    basin_map()
    threads()
    if args.chunks:
        chunks()


if __name__ == "__main__":
    main()
