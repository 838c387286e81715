"""The README stays true: its commands, its Python example and its lists (no browser needed)."""

from __future__ import annotations

import doctest
import os
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def _blocks(text: str, lang: str) -> list[str]:
    return [b.strip() for b in re.findall(rf"```{lang}\n(.*?)```", text, re.S)]


def test_quick_start_is_a_venv_then_two_one_line_commands() -> None:
    section = _section("Quick start")
    commands = _blocks(section, "bash")
    assert commands == [
        "python3 -m venv .venv && . .venv/bin/activate",
        "pip install -r requirements.txt && streamlit run app.py",
        "pip install -r requirements-dev.txt && python -m pytest",
    ]
    # A newcomer needs the address (the server is headless) and to know the app holds its terminal.
    assert "http://localhost:8501" in section and "second terminal" in section


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK), ".ci/run must be executable"
    text = script.read_text()
    assert "set -euo pipefail" in text
    last_command = [line for line in text.splitlines() if line.strip() and not line.startswith("#")][-1]
    assert last_command == _blocks(_section("Quick start"), "bash")[-1]


def test_engine_example_runs_as_written() -> None:
    (example,) = _blocks(_section("Engine"), "pycon")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(example, {}, "README Engine", "README.md", 0)
    result = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE).run(test)
    assert result.failed == 0 and result.attempted >= 3


def test_engine_shell_commands_run() -> None:
    (block,) = _blocks(_section("Engine"), "bash")
    for command in block.splitlines():
        assert command.startswith("python -m optimizers ")
        argv = [sys.executable, "-m", "optimizers", *shlex.split(command)[3:]]
        result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{command!r} failed:\n{result.stderr}"
        assert result.stdout.strip(), f"{command!r} printed nothing"


def test_surface_and_optimizer_tables_match_the_registries() -> None:
    tables = runpy.run_path(str(ROOT / "docs" / "registry_tables.py"))["tables"]()
    match = re.search(r"<!-- registry:[^\n]*-->\n(.*?)\n<!-- /registry -->", README, re.S)
    assert match, "README lacks the <!-- registry --> block"
    assert match.group(1).strip() == tables.strip(), "regenerate with: python docs/registry_tables.py"


def test_screenshot_is_a_committed_png() -> None:
    assert "](docs/screenshot.png)" in README
    data = (ROOT / "docs" / "screenshot.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
