"""Taking a race home: the trajectories as CSV, the settings as JSON, the race view as one HTML
file with its player, and a Python snippet that reruns the race with the engine.

Plain functions of the page state and the drawn paths; the race page offers them as downloads.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from lab.codec import encode
from lab.page_state import PageState
from lab.raceview import asset_text, plotly_js
from lab.request import request_for
from lab.settings import surface_settings
from lab.surfaces import surface_for
from optimizers import __version__ as ENGINE_VERSION
from viz.paths import PathView

CSV_COLUMNS = ("racer", "label", "step", "x", "y", "loss", "grad_norm", "distance_to_minimum", "diverged_at")


def trajectories_csv(paths: Sequence[PathView]) -> str:
    """Every step of every drawn path (nothing thinned), one row per racer and step."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for path in paths:
        for row in range(len(path.steps)):
            distance = "" if path.distance is None else f"{path.distance[row]:.10g}"
            writer.writerow([path.name, path.label, int(path.steps[row]), f"{path.xy[row, 0]:.10g}",
                             f"{path.xy[row, 1]:.10g}", f"{path.loss[row]:.10g}", f"{path.grad_norm[row]:.10g}",
                             distance, path.diverged_at if path.diverged else ""])
    return out.getvalue()


def settings_json(state: PageState) -> str:
    """The same state as the share URL: its query parameters, and the full settings they mean."""
    state = state.complete()
    document = {
        "app": "loss-landscape lab",
        "engine_version": ENGINE_VERSION,
        "query": encode(state),
        "surface": {"name": state.surface, "parameters": dict(state.surface_params)},
        "racers": [{"key": racer.key, "optimizer": racer.optimizer, "label": state.racer_label(racer),
                    "hyperparameters": _plain(dict(racer.hyper))} for racer in state.racers],
        "settings": _plain(state.in_force()),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def race_html(spec_json: str, title: str, subtitle: str = "") -> str:
    """One self-contained HTML file: plotly.js, the race view and its player, the race's data."""
    css = asset_text("raceview.css")
    script = asset_text("raceview.js")
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_html(title)}</title>
<style>{css}
body {{ margin: 16px 24px; }} h1 {{ font-size: 20px; margin: 0 0 4px 0; }} .sub {{ color: #52606d; margin: 0 0 10px 0; }}
</style>
<script>{_script(plotly_js())}</script>
<script>{_script(script)}</script>
</head>
<body>
<h1>{_html(title)}</h1>
<p class="sub">{_html(subtitle)}</p>
<div id="raceview" class="raceview" tabindex="0"></div>
<script>
RaceView.mount(document.getElementById("raceview"), JSON.parse({_script(json.dumps(spec_json))}), {{}});
</script>
</body>
</html>
"""


def python_snippet(state: PageState, link: str = "") -> str:
    """A script that reruns the race with the engine in a notebook or a terminal."""
    state = state.complete()
    surface = surface_for(state.surface, state.surface_params)
    lines = [
        f'"""The race from the loss-landscape lab, rerun with its engine (optimizers {ENGINE_VERSION}).',
        "",
        f"Link: {link}" if link else f"Surface: {surface.label}",
        '"""',
        "",
    ]
    if surface_settings(state.surface):
        arguments = ", ".join(f"{name}={value!r}" for name, value in sorted(state.surface_params.items()))
        lines += ["from landscapes import make_regression", "from optimizers import run", "",
                  f"surface = make_regression({arguments})"]
        surface_text = "surface"
    else:
        lines += ["from optimizers import run", ""]
        surface_text = repr(state.surface)
    lines += ["", "runs = {}"]
    for racer in state.racers:
        request = request_for(state, racer)
        arguments = [repr(racer.optimizer), surface_text, f"start={request.start!r}"]
        arguments += [f"{name}={value!r}" for name, value in request.run]
        arguments += [f"schedule={dict(request.schedule)!r}"]
        arguments += [f"{name}={value!r}" for name, value in request.hyper]
        lines.append(f"runs[{state.racer_label(racer)!r}] = run(")
        lines.append("    " + ",\n    ".join(arguments) + ",")
        lines.append(")")
    lines += [
        "",
        "for label, trajectory in runs.items():",
        "    status = f\"diverged at step {trajectory.diverged_at}\" if trajectory.diverged_at >= 0 else \"finished\"",
        "    print(f\"{label}: final point {trajectory.final_xy.round(4)}, final loss {trajectory.final_loss:.4g}, {status}\")",
        "",
    ]
    return "\n".join(lines)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {name: list(value) if isinstance(value, tuple) else value for name, value in values.items()}


def _html(text: str) -> str:
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def _script(text: str) -> str:
    # Inside <script>, only "</script" (and "<!--") can end or confuse the element: break them up.
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")
