"""The basin map's categories (what each start's colour is called in the key under it) and its size."""

import re

import numpy as np
import pytest

from optimizers import basins
from viz.basin_map import (
    COLOR_BAR_HEIGHT,
    EXPECTED_MAP_WIDTH,
    FRAME_HEIGHT,
    MAP_HEIGHTS,
    basin_figure,
    basin_view,
    fitted_height,
    settle_categories,
)


def test_starts_still_creeping_into_a_known_minimum_are_named_for_it_and_never_minus_zero():
    # SGD at lr 0.9 on the ravine: y settles at once, x shrinks by 0.91 a step, so after 60 steps
    # the starts far out in x are within 0.05 of (0, 0) but not within 0.01.
    b = basins("sgd", "ravine", resolution=40, steps=60, lr=0.9, tol=0.01)
    codes, names, colors = settle_categories(b)
    assert names[0] == "minimum (0, 0)"
    assert "approaching (0, 0)" in names
    assert not any("-0" in name for name in names)
    assert codes.min() >= 0 and codes.max() == len(names) - 1 == len(colors) - 1
    near = codes == names.index("approaching (0, 0)")
    assert np.all(np.abs(b.final_xy[near]) < 0.05) and np.all(b.minimum[near] == -1)


def test_local_minima_the_surface_does_not_list_are_places_of_their_own():
    b = basins("sgd", "rastrigin", resolution=30, steps=300, lr=0.002)
    _, names, _ = settle_categories(b)
    places = [name for name in names if name.startswith("settles near")]
    assert len(places) >= 4 and names[0] == "minimum (0, 0)"
    assert not any(name.startswith("approaching") for name in names)


def test_starts_creeping_along_a_flat_floor_head_for_its_minimum_and_are_no_places_of_their_own():
    # SGD at lr 0.05 on the ravine: along the floor x shrinks by 0.995 a step, so after 300 steps
    # the starts from |x| < 4.5 have |x| < 1, where the gradient x/10 is under ten times tol.
    # Flat, but not at a minimum: Newton's step from each lands on (0, 0), the one minimum.
    b = basins("sgd", "ravine", resolution=40, steps=300, lr=0.05, tol=0.01)
    codes, names, _ = settle_categories(b)
    assert names == ["minimum (0, 0)", "approaching (0, 0)", "elsewhere, or still moving"]
    creeping = codes == 1
    ends = b.final_xy[creeping]
    assert creeping.sum() > 200 and np.all(np.abs(ends[:, 0]) < 1.0) and np.all(np.abs(ends[:, 1]) < 1e-6)
    assert np.all(np.abs(b.final_xy[codes == 2][:, 0]) >= 0.95)


def test_a_start_settles_near_an_unlisted_minimum_only_within_tol_of_it():
    b = basins("sgd", "rastrigin", resolution=30, steps=300, lr=0.002)
    codes, names, _ = settle_categories(b)
    step, _ = b.surface.newton_step(b.final_xy)
    for index, name in enumerate(names):
        if name.startswith("settles near"):
            assert np.all(np.hypot(*step[codes == index].T) < b.tol), name


def test_the_key_names_each_category_in_code_order_with_its_colour():
    b = basins("sgd", "himmelblau", resolution=30, steps=300, lr=0.01)
    codes, names, colors = settle_categories(b)
    assert names == [f"minimum ({x:.3g}, {y:.3g})" for x, y in b.surface.minima]  # all four, nothing else
    assert sorted(set(codes.ravel().tolist())) == [0, 1, 2, 3]
    figure, key = basin_view(b, "where it settles")
    listed = re.findall(r'background:(#[0-9A-Fa-f]{6});[^>]*></span>([^<]*)</span>', key)
    assert listed == list(zip(colors, names, strict=True))
    assert figure.data[0].showscale is False and not any(trace.showlegend for trace in figure.data)
    assert basin_view(b, "final loss")[1] == "" and basin_view(b, "steps to arrive")[1] == ""


def test_a_map_is_as_tall_as_its_window_is_at_a_projectors_width_within_bounds():
    least, most = MAP_HEIGHTS
    ravine = basins("sgd", "ravine", resolution=20, steps=10, lr=0.1)  # a 20 x 8 window: 0.4 as tall as wide
    himmelblau = basins("sgd", "himmelblau", resolution=20, steps=10, lr=0.01)  # a square one
    assert basin_figure(ravine, "where it settles").layout.height == FRAME_HEIGHT + max(least, round(0.4 * EXPECTED_MAP_WIDTH))
    assert basin_figure(himmelblau, "where it settles").layout.height == FRAME_HEIGHT + min(most, EXPECTED_MAP_WIDTH)
    assert basin_figure(himmelblau, "where it settles", height=300).layout.height == 300


def test_between_its_bounds_a_maps_height_follows_its_windows_shape():
    xs, ys = np.linspace(0.0, 10.0, 11), np.linspace(0.0, 6.0, 7)  # cells span 11 by 7
    assert fitted_height(xs, ys) == FRAME_HEIGHT + int(EXPECTED_MAP_WIDTH * 7 / 11)


def test_on_rastrigin_touching_basins_never_share_a_colour():
    # The dimples' basins are a lattice of squares around the one listed minimum: the colours
    # repeat over 121 places, but never across an edge, and never the listed minimum's own.
    b = basins("sgd", "rastrigin", resolution=60, steps=300, lr=0.002)
    codes, names, colors = settle_categories(b)
    color = np.array(colors)[codes]
    across = (codes[:, 1:] != codes[:, :-1], codes[1:, :] != codes[:-1, :])
    assert across[0].sum() > 100 and across[1].sum() > 100
    assert not (color[:, 1:] == color[:, :-1])[across[0]].any()
    assert not (color[1:, :] == color[:-1, :])[across[1]].any()
    assert colors.count(colors[names.index("minimum (0, 0)")]) == 1


@pytest.mark.parametrize("colour_by", ["final loss", "steps to arrive", "escape direction"])
def test_a_colour_bar_lies_under_the_map_in_room_of_its_own(colour_by):
    b = basins("sgd", "saddle", resolution=20, steps=30, lr=0.01)
    plain = fitted_height(b.xs, b.ys)
    figure = basin_figure(b, colour_by)
    bar = next(trace for trace in figure.data if trace.type == "heatmap" and trace.showscale is not False).colorbar
    assert (bar.orientation, bar.yref, bar.y, bar.yanchor, bar.xanchor) == ("h", "container", 0, "bottom", "center")
    assert figure.layout.height == plain + COLOR_BAR_HEIGHT
    assert figure.layout.margin.b >= COLOR_BAR_HEIGHT + 45
