"""Engine throughput and memory: point-steps per second of Adam on Rosenbrock, float64.

    python bench/bench_engine.py            # full run (about a minute)
    python bench/bench_engine.py --quick    # smaller sizes, for a smoke check

Prints, for N = 1, 100, 10,000 and 100,000 starts, the best-of-several wall time of
``optimizers.run`` through its full API (validation, divergence checks, whole path kept) and
the resulting point-steps per second, beside a plain-Python loop over points of the same Adam
math as the baseline. Then the peak memory of 100,000 starts x 1,000 steps kept three ways.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from optimizers import run  # noqa: E402

LR, BETA1, BETA2, EPS = 0.01, 0.9, 0.999, 1e-8


def plain_python_adam(starts: np.ndarray, steps: int) -> list[tuple[float, float]]:
    """The same Adam on Rosenbrock, one point at a time, in plain Python floats."""
    finals = []
    for x0, y0 in starts.tolist():
        x, y = x0, y0
        mx = my = vx = vy = 0.0
        for t in range(1, steps + 1):
            gx = -2.0 * (1.0 - x) - 400.0 * x * (y - x * x)
            gy = 200.0 * (y - x * x)
            mx = BETA1 * mx + (1 - BETA1) * gx
            my = BETA1 * my + (1 - BETA1) * gy
            vx = BETA2 * vx + (1 - BETA2) * gx * gx
            vy = BETA2 * vy + (1 - BETA2) * gy * gy
            c1, c2 = 1 - BETA1**t, math.sqrt(1 - BETA2**t)
            x -= LR / c1 * mx / (math.sqrt(vx) / c2 + EPS)
            y -= LR / c1 * my / (math.sqrt(vy) / c2 + EPS)
        finals.append((x, y))
    return finals


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def starts_for(count: int) -> np.ndarray:
    return np.random.default_rng(0).uniform([-2.0, -1.0], [2.0, 3.0], size=(count, 2))


def throughput(sizes: list[int], steps: int) -> None:
    baseline_points = 200
    baseline = best_time(lambda: plain_python_adam(starts_for(baseline_points), steps), 3)
    baseline_rate = baseline_points * steps / baseline
    engine = run("adam", "rosenbrock", start=starts_for(baseline_points), steps=steps, lr=LR)
    check = np.array(plain_python_adam(starts_for(baseline_points), steps))
    agree = np.max(np.abs(engine.xy[-1] - check))
    print(f"Adam on Rosenbrock, {steps} steps, float64, whole path kept (best of several runs)")
    print(f"  plain-Python loop over points : {baseline_rate:12.3g} point-steps/s  (max |engine - loop| = {agree:.1e})")
    for count in sizes:
        starts = starts_for(count)
        repeats = 20 if count <= 100 else 5 if count <= 10_000 else 3
        seconds = best_time(lambda starts=starts: run("adam", "rosenbrock", start=starts, steps=steps, lr=LR), repeats)
        rate = count * steps / seconds
        print(
            f"  engine, N = {count:>7,d}          : {rate:12.3g} point-steps/s  "
            f"({seconds * 1e3:8.1f} ms, {rate / baseline_rate:6.1f}x the loop)"
        )


def memory(count: int, steps: int) -> None:
    print(f"Peak memory, {count:,d} starts x {steps:,d} steps (tracemalloc, NumPy buffers included)")
    starts = starts_for(count)
    for label, kwargs in [
        ("final point + loss every step", {"keep": "final"}),
        ("final point + loss every 10th", {"keep": "final", "every": 10}),
        ("path and loss every 10th", {"every": 10}),
    ]:
        tracemalloc.start()
        started = time.perf_counter()
        run("adam", "rosenbrock", start=starts, steps=steps, lr=LR, **kwargs)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  {label:32s}: peak {peak / 2**20:8.1f} MiB, {seconds:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args()
    if args.quick:
        throughput([1, 100, 1_000], steps=50)
        memory(10_000, 100)
    else:
        throughput([1, 100, 10_000, 100_000], steps=300)
        memory(100_000, 1_000)


if __name__ == "__main__":
    main()
