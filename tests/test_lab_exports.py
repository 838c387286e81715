"""Taking a race home: each export holds the race exactly, and the snippet reruns it."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np

from lab.codec import decode, encode
from lab.engine_pool import execute
from lab.exports import CSV_COLUMNS, python_snippet, race_html, settings_json, trajectories_csv
from lab.page_state import page, racer
from lab.request import request_for
from viz.paths import path_view
from viz.player import race_spec, spec_json

STATE = page("rosenbrock", (racer("adam", lr=0.05), racer("adam-2", lr=0.01), racer("sgd", lr=0.05)), steps=40,
             schedule="cosine", warmup_steps=5)


def paths_of(state):
    out = []
    for r in state.racers:
        trajectory = execute(request_for(state, r)).trajectory
        surface = request_for(state, r).surface_object()
        out.append(path_view(trajectory, surface, state.racer_label(r), "#000", name=r.key))
    return out


def test_csv_has_every_step_of_every_racer_with_the_engines_numbers():
    paths = paths_of(STATE)
    rows = list(csv.DictReader(io.StringIO(trajectories_csv(paths))))
    assert tuple(rows[0]) == CSV_COLUMNS
    adam = [row for row in rows if row["racer"] == "adam"]
    assert [int(row["step"]) for row in adam] == list(range(41))
    np.testing.assert_allclose([float(row["x"]) for row in adam], paths[0].xy[:, 0], rtol=1e-9)
    blown = [row for row in rows if row["racer"] == "sgd"]
    assert paths[2].diverged and len(blown) == paths[2].diverged_at
    assert {row["diverged_at"] for row in blown} == {str(paths[2].diverged_at)}


def test_settings_json_is_the_share_links_state():
    document = json.loads(settings_json(STATE))
    assert document["query"] == encode(STATE)
    assert decode(document["query"])[0] == STATE
    assert [r["label"] for r in document["racers"]] == ["Adam, lr = 0.05", "Adam, lr = 0.01", "SGD, lr = 0.05"]
    assert document["settings"]["schedule"] == "cosine" and document["settings"]["start"] == [-1.5, 2.0]


def test_the_python_snippet_reruns_the_race_exactly():
    namespace: dict = {}
    exec(compile(python_snippet(STATE, "?x"), "race.py", "exec"), namespace)  # our own generated code
    runs = namespace["runs"]
    assert list(runs) == [STATE.racer_label(r) for r in STATE.racers]
    for r, trajectory in zip(STATE.racers, runs.values(), strict=True):
        expected = execute(request_for(STATE, r)).trajectory
        np.testing.assert_array_equal(trajectory.xy, expected.xy)


def test_the_python_snippet_rebuilds_a_surface_with_data():
    state = page("regression", (racer("sgd", lr=0.05),), surface_params={"noise": 2.5}, batch_size=5, epochs=2)
    namespace: dict = {}
    code = python_snippet(state)
    assert "make_regression(noise=2.5)" in code
    exec(compile(code, "race.py", "exec"), namespace)
    expected = execute(request_for(state, state.racers[0])).trajectory
    np.testing.assert_array_equal(next(iter(namespace["runs"].values())).xy, expected.xy)


def test_the_html_page_carries_plotly_the_player_and_the_race():
    paths = paths_of(STATE)
    surface = request_for(STATE, STATE.racers[0]).surface_object()
    text = spec_json(race_spec(surface, paths, STATE["start"], total_steps=40))
    page_html = race_html(text, "Race on <Rosenbrock>", "?surface=rosenbrock&opt=adam")
    assert page_html.count("<script>") == 3 and "RaceView.mount(" in page_html
    assert "Race on &lt;Rosenbrock&gt;" in page_html
    assert len(page_html) > 1_500_000 and 'version="4.1.1"' in page_html  # plotly.js is inside: it opens offline
    embedded = re.search(r"JSON\.parse\((\".*?\")\), \{\}\)", page_html, re.S).group(1)
    assert json.loads(json.loads(embedded))["racers"][0]["label"] == "Adam, lr = 0.05"
    scripts = re.findall(r"<script>(.*?)</script>", page_html, re.S)
    assert all("</script" not in script for script in scripts)
