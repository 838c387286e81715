"""Sweeps and basins: batched, chunked over threads, and equal to run() of each cell alone."""

from __future__ import annotations

import numpy as np
import pytest

from optimizers import basins, grid_keys, run, sweep
from optimizers.explore import MAX_CELLS, MAX_RESOLUTION


def test_a_sweep_cell_is_the_run_of_that_cell_alone():
    grid = {"lr": np.geomspace(1e-4, 3e-2, 7), "momentum": np.linspace(0.0, 0.95, 5)}
    s = sweep("momentum", "rosenbrock", start=(-1.5, 2.0), steps=300, grid=grid, workers=2)
    assert s.final_loss.shape == s.diverged.shape == (7, 5) and s.final_xy.shape == (7, 5, 2)
    assert list(s.axes) == ["lr", "momentum"]
    assert s.diverged.any() and not s.diverged.all()
    assert not np.isnan(s.final_loss).any()
    for i, j in [(0, 0), (3, 2), (6, 4), (5, 1)]:
        alone = run("momentum", "rosenbrock", start=(-1.5, 2.0), steps=300, lr=grid["lr"][i],
                    momentum=grid["momentum"][j])
        assert s.diverged[i, j] == (alone.diverged_at >= 0)
        expected = np.inf if alone.diverged_at >= 0 else alone.final_loss
        assert s.final_loss[i, j] == expected
        np.testing.assert_array_equal(s.final_xy[i, j], alone.final_xy)


def test_threads_and_chunks_do_not_change_the_numbers(monkeypatch):
    import optimizers.explore as explore

    grid = {"lr": np.geomspace(1e-3, 1, 30), "weight_decay": np.linspace(0, 0.5, 40)}
    one = sweep("sgd", "ravine", steps=50, grid=grid, workers=1)
    monkeypatch.setattr(explore, "MIN_CHUNK", 64)
    many = sweep("sgd", "ravine", steps=50, grid=grid, workers=2)
    np.testing.assert_array_equal(one.final_loss, many.final_loss)


def test_steps_to_counts_the_first_step_within_tol():
    grid = {"lr": np.array([0.05, 0.3, 0.9, 1.2])}
    s = sweep("sgd", "ravine", start=(-7.0, 2.0), steps=200, grid=grid)
    arrived = s.steps_to(0.1)
    for i, lr in enumerate(grid["lr"]):
        alone = run("sgd", "ravine", start=(-7.0, 2.0), steps=200, lr=lr)
        within = np.flatnonzero(np.linalg.norm(alone.xy, axis=1) < 0.1)
        expected = -1 if alone.diverged_at >= 0 or len(within) == 0 else int(within[0])
        assert arrived[i] == expected
    assert arrived[-1] == -1  # lr 1.2 > 2/λmax diverges
    assert sweep("sgd", "saddle", steps=10, grid=grid).steps_to(0.1).tolist() == [-1] * 4


def test_basins_of_himmelblau_find_all_four_minima():
    b = basins("sgd", "himmelblau", resolution=40, steps=400, lr=0.01)
    assert b.final_xy.shape == (40, 40, 2) and b.minimum.shape == (40, 40)
    assert set(np.unique(b.minimum)) == {0, 1, 2, 3}
    # Row i is ys[i], column j is xs[j]: a start near a minimum belongs to that minimum's basin.
    for index, (mx, my) in enumerate(b.surface.minima):
        j, i = np.abs(b.xs - mx).argmin(), np.abs(b.ys - my).argmin()
        assert b.minimum[i, j] == index and 0 <= b.steps_to[i, j] < 60
    start = (b.xs[7], b.ys[29])
    alone = run("sgd", "himmelblau", start=start, steps=400, lr=0.01, stop_distance=b.tol)
    np.testing.assert_array_equal(b.final_xy[29, 7], alone.final_xy)


def test_diverged_starts_are_marked_and_a_saddle_gives_escape_directions():
    b = basins("sgd", "himmelblau", resolution=12, steps=100, lr=0.05)
    assert (b.minimum == -2).any() and np.all(np.isinf(b.final_loss[b.minimum == -2]))
    saddle = basins("sgd", "saddle", resolution=11, steps=60, lr=0.05)
    assert np.all(saddle.minimum == -1)
    angles = saddle.escape_angle
    left, right = saddle.xs < 0, saddle.xs > 0
    assert np.all(np.abs(angles[:, right]) < np.pi / 4) and np.all(np.abs(angles[:, left]) > 3 * np.pi / 4)


def test_bad_requests_name_the_problem():
    assert "lr" in grid_keys("sgd") and "amsgrad" not in grid_keys("adam") and "k" not in grid_keys("lookahead")
    with pytest.raises(ValueError, match="can sweep"):
        sweep("adam", "ravine", grid={"amsgrad": [0, 1]})
    with pytest.raises(ValueError, match="at most"):
        sweep("sgd", "ravine", grid={"lr": np.ones(101), "weight_decay": np.ones(100)})
    with pytest.raises(ValueError, match="finite"):
        sweep("sgd", "ravine", grid={"lr": [0.1, np.nan]})
    with pytest.raises(ValueError, match="also given"):
        sweep("sgd", "ravine", grid={"lr": [0.1]}, lr=0.2)
    with pytest.raises(ValueError, match="resolution"):
        basins("sgd", "ravine", resolution=MAX_RESOLUTION + 1)
    with pytest.raises(ValueError, match="Too much work"):
        basins("sgd", "ravine", resolution=400, steps=5000)
    assert MAX_CELLS == 100 * 100


def test_progress_reaches_one():
    seen = []
    sweep("sgd", "ravine", steps=20, grid={"lr": np.geomspace(1e-3, 0.5, 50)}, progress=seen.append)
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
