"""The race view as a Streamlit component: map with its player, 3-D view and loss curves in step.

Plotly's own animation frames cannot step one frame back or forward, nor move three charts
together, so the view is a small page of ours (``raceview_assets/``) that draws the figures
with a slim build of the plotly.js release inside the plotly Python package, and plays the
race in the browser. The component's files are copied once into a folder of their own, because Streamlit
serves a component only from inside its folder (symlinks out of it are refused).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

ASSETS = Path(__file__).with_name("raceview_assets")
# Plotly with only the traces the view draws, built from plotly.js 4.1.1 (the release inside
# the plotly package) by raceview_assets/plotly_build: 1.7 MB to parse instead of 4.8 MB.
PLOTLY_JS = ASSETS / "plotly-race.min.js"
FILES = ("index.html", "raceview.js", "raceview.css")


def asset_text(name: str) -> str:
    """One of the view's own files (the HTML export inlines them)."""
    return (ASSETS / name).read_text(encoding="utf-8")


def plotly_js() -> str:
    return PLOTLY_JS.read_text(encoding="utf-8")


def _served_folder() -> Path:
    """A folder holding the view's files and plotly.min.js, named by their content."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((ASSETS / name).read_bytes())
    digest.update(PLOTLY_JS.read_bytes())
    folder = Path(tempfile.gettempdir()) / f"loss-landscape-raceview-{digest.hexdigest()[:16]}"
    if not (folder / "plotly.min.js").is_file():
        # Several servers may start at once: build aside, then move into place atomically.
        scratch = Path(tempfile.mkdtemp(prefix="raceview-", dir=tempfile.gettempdir()))
        for name in FILES:
            shutil.copyfile(ASSETS / name, scratch / name)
        shutil.copyfile(PLOTLY_JS, scratch / "plotly.min.js")
        try:
            os.rename(scratch, folder)
        except OSError:
            shutil.rmtree(scratch, ignore_errors=True)  # another process got there first
    return folder


_component = components.declare_component("raceview", path=str(_served_folder()))


def race_view(spec_json: str, *, key: str) -> dict[str, Any] | None:
    """Draw the race view; returns the last thing the visitor did in it, or None.

    The value is ``{"kind": "start", "x": .., "y": .., "nonce": ..}`` after a click on the
    map, or ``{"kind": "inspect", "step": .., "nonce": ..}``; ``nonce`` differs every time, so
    a second click on the same point is a new click.
    """
    return _component(spec=spec_json, key=key, default=None)
