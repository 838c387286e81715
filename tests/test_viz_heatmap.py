"""The sweep heatmap and the category map: no background colour shows around the cells.

Streamlit's chart theme pads the plot area by 8 px painted in the plot's background colour,
and Plotly's autorange adds room for the click markers. On these maps the background means
something (grey: never arrived; red: diverged), so a frame of it would read as a row of such
cells. The axes must end at the outer cells' edges, with no padding.
"""

import numpy as np
import pytest

from optimizers import basins
from viz.basin_map import basin_figure
from viz.heatmap import MAX_LISTED, category_key, category_map, cell_range, sweep_heatmap


def test_cell_range_ends_half_a_cell_beyond_the_outer_centres():
    assert cell_range(np.array([0.0, 1.0, 2.0])) == [-0.5, 2.5]
    # On a log axis Plotly's range is in decades: 1e-3, 1e-2, 1e-1 span -3.5 to -0.5.
    assert cell_range(np.array([1e-3, 1e-2, 1e-1]), log=True) == pytest.approx([-3.5, -0.5])
    assert cell_range(np.array([4.0])) == [3.5, 4.5]


@pytest.mark.parametrize("log_x", [True, False])
def test_a_sweep_map_shows_its_cells_and_nothing_around_them(log_x):
    xs = np.geomspace(1e-3, 1.0, 7) if log_x else np.linspace(0.0, 0.6, 7)
    ys = np.linspace(0.0, 0.9, 5)
    values = np.arange(35, dtype=float).reshape(7, 5) + 1
    figure = sweep_heatmap("lr", xs, "momentum", ys, values, np.zeros((7, 5), bool), metric="final loss",
                           log_color=True, log_x=log_x, log_y=False, marked=(float(xs[2]), 0.45))
    layout = figure.layout
    assert layout.margin.pad == 0
    step = (np.log10(xs[1]) - np.log10(xs[0])) if log_x else xs[1] - xs[0]
    first = np.log10(xs[0]) if log_x else xs[0]
    assert layout.xaxis.range[0] == pytest.approx(first - step / 2)
    assert layout.yaxis.range == pytest.approx((-0.1125, 1.0125))


def test_a_category_map_ends_at_its_outer_pixels_edges():
    xs, ys = np.linspace(-2, 2, 5), np.linspace(-1, 1, 3)
    figure = category_map(xs, ys, np.zeros((3, 5), int), ["minimum (0, 0)"], ["#000000"])
    assert figure.layout.margin.pad == 0
    assert figure.layout.xaxis.range == (-2.5, 2.5) and figure.layout.yaxis.range == (-1.5, 1.5)


@pytest.mark.parametrize("colour_by", ["where it settles", "final loss", "steps to arrive", "escape direction"])
def test_every_basin_map_ends_at_its_outer_pixels_edges(colour_by):
    b = basins("sgd", "saddle", resolution=21, steps=30, lr=0.01)
    figure = basin_figure(b, colour_by, start=(0.0, 1.5))
    half_x, half_y = (b.xs[1] - b.xs[0]) / 2, (b.ys[1] - b.ys[0]) / 2
    assert figure.layout.margin.pad == 0
    assert figure.layout.xaxis.range == pytest.approx((b.xs[0] - half_x, b.xs[-1] + half_x))
    assert figure.layout.yaxis.range == pytest.approx((b.ys[0] - half_y, b.ys[-1] + half_y))


def test_a_category_key_names_what_it_is_given_as_text_and_counts_them_past_its_limit():
    key = category_key(["minimum <b>(0, 0)</b>", "diverged"], ["#E69F00", "#B2182B"])
    assert "&lt;b&gt;" in key and "<b>" not in key
    assert key.index("#E69F00") < key.index("minimum") < key.index("#B2182B") < key.index("diverged")
    many = [f"settles near ({n}, 0)" for n in range(MAX_LISTED + 1)]
    crowded = category_key(many, ["#000000"] * len(many))
    assert f"{MAX_LISTED + 1} categories" in crowded and "settles near" not in crowded
    assert category_key(many[:MAX_LISTED], ["#000000"] * MAX_LISTED).count("settles near") == MAX_LISTED
