"""Colours and dash patterns: one pair per racer, and quiet colour scales for the surface."""

from __future__ import annotations

# Okabe & Ito's palette (yellow left out: it vanishes on a pale map), distinguishable with the
# common colour-vision deficiencies and on a washed-out projector. A dash pattern per racer
# keeps eight racers apart even in greyscale.
PATH_COLORS: tuple[str, ...] = (
    "#D55E00",  # vermillion
    "#0072B2",  # blue
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#7F4F24",  # brown
)
PATH_DASHES: tuple[str, ...] = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash")

# Pale greys-to-cream, darker towards the minimum: the coloured paths stay the loudest thing.
SURFACE_SCALE: list[list] = [
    [0.0, "#6b7a8f"],
    [0.25, "#a3b1c2"],
    [0.5, "#cfd8e3"],
    [0.75, "#e8edf2"],
    [1.0, "#fbfaf5"],
]

# The 3-D sheet needs more contrast than the map to show its shape under lighting.
SHEET_SCALE: list[list] = [
    [0.0, "#2f4468"],
    [0.35, "#5f7fa8"],
    [0.7, "#a9bdd6"],
    [1.0, "#eef2f7"],
]

START_COLOR = "#111111"
FULL_BATCH_COLOR = "#333333"
MINIMUM_COLOR = "#FFD700"


def path_color(index: int) -> str:
    """The colour of the ``index``-th racer (wraps after eight)."""
    return PATH_COLORS[index % len(PATH_COLORS)]


def path_dash(index: int) -> str:
    """The dash pattern of the ``index``-th racer."""
    return PATH_DASHES[index % len(PATH_DASHES)]
