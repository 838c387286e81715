"""Figure builders: plain functions from engine results to figures, no Streamlit.

Each builder takes :class:`viz.paths.PathView` records (a Trajectory cut at its last finite
point, with the gradient norm along it) and a Surface. The race view's figures are plain
dicts drawn by its own plotly.js page (``viz.player``); the others return Plotly Figures.
"""

from viz.curves import curves_figure
from viz.data_fit import data_fit_figure
from viz.paths import PathView, path_view
from viz.player import race_spec, spec_json
from viz.race_map import map_figure
from viz.state_curves import state_figure
from viz.summary import summary_rows
from viz.surface3d import sheet_figure

__all__ = ["PathView", "path_view", "map_figure", "sheet_figure", "curves_figure", "race_spec", "spec_json",
           "state_figure", "data_fit_figure", "summary_rows"]
