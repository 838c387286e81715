"""The race view's own Plotly build: the release its recipe pins, with every trace the view draws."""

from __future__ import annotations

import json
import re

from lab.lessons import LESSONS
from lab.race import race_of, race_result
from lab.raceview import PLOTLY_JS, _served_folder


def test_the_committed_build_is_the_release_its_recipe_pins():
    # The view's figures are plain dicts written for this release (viz/player.py), so the
    # build, not the installed plotly package, decides what the browser runs.
    recipe = json.loads((PLOTLY_JS.parent / "plotly_build" / "package.json").read_text(encoding="utf-8"))
    release = recipe["devDependencies"]["plotly.js"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", release)  # pinned, so a rebuild gives the same file
    assert f'version="{release}"' in PLOTLY_JS.read_text(encoding="utf-8")


def test_the_build_registers_every_trace_the_view_draws():
    entry = (PLOTLY_JS.parent / "plotly_build" / "entry.js").read_text(encoding="utf-8")
    registered = {"scatter"} | set(re.findall(r'plotly\.js/lib/(\w+)"\)', entry)) - {"core"}
    drawn = set()
    for lesson in LESSONS.values():
        spec = race_result.__wrapped__(race_of(lesson.state())).spec_json
        drawn |= set(re.findall(r'"type": ?"(\w+)"', spec)) - {"log", "linear"}  # axis types
    assert {"contour", "surface", "scatter3d", "scatter"} <= drawn
    assert drawn <= registered, drawn - registered


def test_the_served_folder_holds_the_build_under_the_name_the_page_loads():
    folder = _served_folder()
    assert (folder / "plotly.min.js").read_bytes() == PLOTLY_JS.read_bytes()
    assert 'src="plotly.min.js"' in (folder / "index.html").read_text(encoding="utf-8")
