"""Plotly figure builders: plain functions from engine results to figures, no Streamlit.

Each builder takes :class:`viz.paths.PathView` records (a Trajectory cut at its last finite
point, with the gradient norm along it) and a Surface, and returns a ``plotly`` Figure.
"""

from viz.animation import animation_figure
from viz.contour import contour_figure
from viz.curves import curves_figure
from viz.data_fit import data_fit_figure
from viz.paths import PathView, path_view
from viz.summary import summary_rows
from viz.surface3d import surface_figure

__all__ = ["PathView", "path_view", "contour_figure", "surface_figure", "curves_figure",
           "animation_figure", "data_fit_figure", "summary_rows"]
