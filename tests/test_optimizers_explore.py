"""Sweeps and basins: batched, chunked over threads, and equal to run() of each cell alone."""

from __future__ import annotations

import numpy as np
import pytest

import optimizers.explore as explore
from optimizers import MAX_CELLS, MAX_RESOLUTION, OPTIMIZERS, basins, grid_keys, run, sweep


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
        assert s.diverged_at[i, j] == alone.diverged_at
        assert s.final_loss[i, j] == (np.inf if alone.diverged_at >= 0 else alone.final_loss)
        np.testing.assert_array_equal(s.final_xy[i, j], alone.final_xy)
        np.testing.assert_array_equal(s.trajectory(i, j).xy, alone.xy)
    assert s.cell(3, 2) == {"lr": grid["lr"][3], "momentum": grid["momentum"][2]}


def test_chunks_and_threads_do_not_change_the_numbers(monkeypatch):
    grid = {"lr": np.geomspace(1e-3, 1.5, 30), "weight_decay": np.linspace(0, 0.5, 40)}
    one = sweep("sgd", "ravine", steps=60, grid=grid, workers=1)
    monkeypatch.setattr(explore, "PARALLEL_SHARE", 64)
    monkeypatch.setattr(explore, "PARALLEL_CHUNK", 64)  # 20 chunks on 2 threads
    many = sweep("sgd", "ravine", steps=60, grid=grid, workers=2)
    assert one.diverged.any()
    np.testing.assert_array_equal(one.final_loss, many.final_loss)
    np.testing.assert_array_equal(one.final_xy, many.final_xy)
    np.testing.assert_array_equal(one.diverged_at, many.diverged_at)


def _two_values(name: str, key: str) -> list[float]:
    """Two values 30% and 60% of the way across the knob's widget range."""
    info = dict(explore._sweepable(name, None))[key][1]
    low = info.ui_low if info.ui_low is not None else info.low
    high = min(info.ui_high if info.ui_high is not None else info.high, 0.99 if info.high == 1 else np.inf)
    if info.log:
        return [float(low * (high / low) ** share) for share in (0.3, 0.6)]
    return [float(low + (high - low) * share) for share in (0.3, 0.6)]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_grid_key_of_every_optimizer_sweeps_like_separate_runs(name):
    for key in grid_keys(name):
        values = [0.01, 0.05] if key == "lr" else _two_values(name, key)
        fixed = {} if key == "lr" else {"lr": 0.02}
        s = sweep(name, "ravine", start=(-7.0, 2.0), steps=12, grid={key: values}, **fixed)
        for i, value in enumerate(values):
            alone = s.trajectory(i)
            hyper = {"betas": (value, 0.999) if key == "betas[0]" else (0.9, value)} if "[" in key else {key: value}
            np.testing.assert_array_equal(alone.xy, run(name, "ravine", start=(-7.0, 2.0), steps=12,
                                                        **fixed, **hyper).xy)
            # One value per start goes through other arithmetic than a scalar (powers of
            # arrays), so the last bits may differ.
            np.testing.assert_allclose(s.final_xy[i], alone.final_xy, rtol=1e-12, atol=1e-15, err_msg=key)


def test_betas_are_swept_one_member_at_a_time_with_the_other_fixed():
    s = sweep("adam", "ravine", start=(-7.0, 2.0), steps=30, lr=0.1, betas=(0.9, 0.5),
              grid={"betas[0]": [0.0, 0.9]})
    alone = run("adam", "ravine", start=(-7.0, 2.0), steps=30, lr=0.1, betas=(0.0, 0.5))
    np.testing.assert_allclose(s.final_xy[0], alone.final_xy, rtol=1e-12)
    assert "betas[0]" in grid_keys("adam") and "betas" not in grid_keys("adam")


def test_lookahead_sweeps_its_own_alpha_and_its_inner_optimizers_settings():
    assert {"alpha", "lr", "momentum"} <= set(grid_keys("lookahead", inner="momentum"))
    assert "k" not in grid_keys("lookahead") and "betas[1]" in grid_keys("lookahead")
    s = sweep("lookahead", "ravine", start=(-7.0, 2.0), steps=20, inner="momentum",
              grid={"alpha": [0.3, 0.8], "momentum": [0.0, 0.9]})
    alone = run("lookahead", "ravine", start=(-7.0, 2.0), steps=20, inner="momentum", alpha=0.8, momentum=0.9)
    np.testing.assert_array_equal(s.final_xy[1, 1], alone.final_xy)


def test_steps_to_counts_the_first_step_within_tol():
    grid = {"lr": np.array([0.05, 0.3, 0.9, 1.2])}
    s = sweep("sgd", "ravine", start=(-7.0, 2.0), steps=200, grid=grid)
    arrived = s.steps_to(0.1)
    for i, lr in enumerate(grid["lr"]):
        alone = run("sgd", "ravine", start=(-7.0, 2.0), steps=200, lr=lr)
        within = np.flatnonzero(np.linalg.norm(alone.xy, axis=1) < 0.1)
        expected = -1 if alone.diverged_at >= 0 or len(within) == 0 else int(within[0])
        assert arrived[i] == expected
    assert arrived[1] > 0 and arrived[-1] == -1  # lr 1.2 > 2/λmax diverges
    assert (s.steps_to(1.0) <= arrived)[arrived >= 0].all()
    assert sweep("sgd", "saddle", steps=10, grid=grid).steps_to(0.1).tolist() == [-1] * 4


def test_basins_of_himmelblau_find_all_four_minima():
    b = basins("sgd", "himmelblau", resolution=40, steps=400, lr=0.01)
    assert b.final_xy.shape == (40, 40, 2) and b.minimum.shape == (40, 40)
    assert set(np.unique(b.minimum)) == {0, 1, 2, 3}
    # Row i is ys[i], column j is xs[j]: a start near a minimum belongs to that minimum's basin.
    for index, (mx, my) in enumerate(b.surface.minima):
        j, i = np.abs(b.xs - mx).argmin(), np.abs(b.ys - my).argmin()
        assert b.minimum[i, j] == index and 0 <= b.steps_to[i, j] < 60
    alone = run("sgd", "himmelblau", start=(b.xs[7], b.ys[29]), steps=400, lr=0.01, stop_distance=b.tol)
    np.testing.assert_array_equal(b.final_xy[29, 7], alone.final_xy)
    assert b.steps_to[29, 7] == alone.stopped_at
    np.testing.assert_array_equal(b.trajectory(29, 7).xy, alone.xy)
    centres, label = b.attractors()
    assert len(centres) == 4 and np.array_equal(label >= 0, b.minimum >= 0)
    np.testing.assert_allclose(centres, sorted(b.surface.minima), atol=2e-3)


def test_rastrigin_local_minima_are_attractors_of_their_own():
    b = basins("sgd", "rastrigin", resolution=30, steps=300, lr=0.001)
    centres, label = b.attractors()
    assert len(centres) > 20  # the global minimum is one of many
    assert (b.minimum == 0).sum() < (label >= 0).sum()
    # each centre is a local minimum near an integer lattice point (pulled a little towards 0)
    np.testing.assert_allclose(centres, np.round(centres), atol=0.03)
    gradient = b.surface.grad(centres)
    assert np.all(np.linalg.norm(gradient, axis=1) < 1e-2)


def test_diverged_starts_are_marked_and_a_saddle_gives_escape_directions():
    b = basins("sgd", "himmelblau", resolution=12, steps=100, lr=0.05)
    assert (b.minimum == -2).any() and np.all(np.isinf(b.final_loss[b.minimum == -2]))
    assert np.array_equal(b.minimum == -2, b.diverged)
    assert np.isfinite(b.final_grad_norm).all()
    saddle = basins("sgd", "saddle", resolution=11, steps=150, lr=0.05)
    assert np.all(saddle.minimum == -1) and np.all(saddle.steps_to == -1)
    angles = saddle.escape_angle
    left, right = saddle.xs < 0, saddle.xs > 0
    assert np.all(np.abs(angles[:, right]) < np.pi / 4) and np.all(np.abs(angles[:, left]) > 3 * np.pi / 4)
    # the start at x = 0 slides into the saddle point and stays: no direction, and no NaN
    assert not saddle.escaped[:, 5].any() and np.all(angles[:, 5] == explore.NO_ESCAPE)
    assert saddle.escaped[:, right | left].all()


def test_bad_requests_name_the_problem():
    assert "lr" in grid_keys("sgd") and "amsgrad" not in grid_keys("adam") and "k" not in grid_keys("lookahead")
    with pytest.raises(ValueError, match="can sweep lr, betas\\[0\\], betas\\[1\\], eps, weight_decay"):
        sweep("adam", "ravine", grid={"amsgrad": [0, 1]})
    with pytest.raises(ValueError, match="MAX_CELLS"):
        sweep("sgd", "ravine", grid={"lr": np.ones(101), "weight_decay": np.ones(100)})
    with pytest.raises(ValueError, match="grid value for lr: nan"):
        sweep("sgd", "ravine", grid={"lr": [0.1, np.nan]})
    with pytest.raises(ValueError, match="grid value for momentum: 1.5. momentum must be"):
        sweep("momentum", "ravine", grid={"momentum": [0.5, 1.5]})
    with pytest.raises(ValueError, match="also given"):
        sweep("sgd", "ravine", grid={"lr": [0.1]}, lr=0.2)
    with pytest.raises(ValueError, match="one or two"):
        sweep("adam", "ravine", grid={"lr": [0.1], "eps": [1e-8], "weight_decay": [0.0]})
    with pytest.raises(ValueError, match="Invalid seed"):
        sweep("sgd", "ravine", grid={"lr": [0.1]}, seed=-1)
    with pytest.raises(ValueError, match="Invalid inner"):
        sweep("lookahead", "ravine", grid={"lr": [0.1]}, inner="lookahead")
    with pytest.raises(ValueError, match="resolution.*MAX_RESOLUTION"):
        basins("sgd", "ravine", resolution=MAX_RESOLUTION + 1)
    with pytest.raises(ValueError, match="MAX_POINT_STEPS"):
        basins("sgd", "ravine", resolution=400, steps=5000)
    with pytest.raises(ValueError, match="cells x 100,000 steps"):
        sweep("sgd", "ravine", grid={"lr": np.full(10_000, 0.1)}, steps=100_000)
    with pytest.raises(ValueError, match="use tol"):
        basins("sgd", "ravine", stop_distance=0.1)
    with pytest.raises(ValueError, match="x_range"):
        basins("sgd", "ravine", x_range=(1, -1))
    assert MAX_CELLS == 100 * 100


def test_progress_reaches_one_in_order(monkeypatch):
    monkeypatch.setattr(explore, "CHUNK", 16)
    seen = []
    sweep("sgd", "ravine", steps=20, grid={"lr": np.geomspace(1e-3, 0.5, 50)}, progress=seen.append)
    assert seen == [1 / 4, 2 / 4, 3 / 4, 1.0]  # 50 cells in 4 chunks of 12 or 13


@pytest.mark.parametrize("count", [1, 500, 2_048, 10_000, 40_000, 65_535, 65_536, 100_000, 160_000, 400 * 400])
def test_chunks_cover_every_cell_once_in_equal_shares(count):
    slices = explore._chunk_slices(count)
    covered = np.concatenate([np.arange(count)[rows] for rows in slices])
    np.testing.assert_array_equal(covered, np.arange(count))
    sizes = [rows.stop - rows.start for rows in slices]
    assert max(sizes) - min(sizes) <= 1
    if count >= 2 * explore.PARALLEL_SHARE:
        assert max(sizes) <= explore.PARALLEL_CHUNK and len(slices) % 2 == 0  # two cores get equal shares
    else:
        assert max(sizes) <= explore.CHUNK


def test_pair_member_names_the_pair_and_the_index():
    assert explore.pair_member("betas[0]") == ("betas", 0)
    assert explore.pair_member("betas[1]") == ("betas", 1)
    for whole in ("lr", "momentum", "betas", "x[2]", "[0]x"):
        assert explore.pair_member(whole) is None, whole
