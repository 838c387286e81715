"""The basin map's categories: what each start's colour is called in the legend."""

import numpy as np

from optimizers import basins
from viz.basin_map import basin_figure, settle_categories


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


def test_the_legend_names_each_category_in_code_order_with_its_colour():
    b = basins("sgd", "himmelblau", resolution=30, steps=300, lr=0.01)
    codes, names, _ = settle_categories(b)
    assert names == [f"minimum ({x:.3g}, {y:.3g})" for x, y in b.surface.minima]  # all four, nothing else
    figure = basin_figure(b, "where it settles")
    swatches = [trace for trace in figure.data if trace.showlegend]
    assert [trace.name for trace in swatches] == names
    assert [trace.marker.color for trace in swatches] == list(settle_categories(b)[2])
    assert figure.data[0].showscale is False and figure.layout.legend.orientation == "h"
    assert sorted(set(codes.ravel().tolist())) == [0, 1, 2, 3]
