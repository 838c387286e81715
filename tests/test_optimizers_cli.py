"""The command line prints the catalogue and runs one case, with clear errors."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizers.cli import main

ROOT = Path(__file__).resolve().parent.parent


def call(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_list_names_every_surface_and_optimizer_with_defaults() -> None:
    code, out, _ = call("list")
    assert code == 0
    assert "rosenbrock" in out and "himmelblau" in out
    assert "adam" in out and "betas=(0.9, 0.999)" in out and "eps=1e-10" in out


def test_run_prints_csv_path() -> None:
    code, out, _ = call("run", "--surface", "ravine", "--optimizer", "sgd", "--start", "-7", "2",
                        "--steps", "2", "--set", "lr=0.1")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 3
    assert float(rows[1]["x"]) == -6.93 and float(rows[1]["y"]) == 1.6
    assert float(rows[0]["loss"]) == 6.45


def test_run_prints_json_with_hyperparameters() -> None:
    code, out, _ = call("run", "--surface", "rosenbrock", "--optimizer", "adam", "--steps", "5",
                        "--set", "lr=0.05", "--set", "betas=0.8,0.99", "--format", "json")
    payload = json.loads(out)
    assert code == 0 and payload["hyper"]["betas"] == [0.8, 0.99]
    assert len(payload["xy"]) == 6 and payload["diverged_at"] == -1


def test_bad_input_is_a_message_not_a_traceback() -> None:
    code, _, err = call("run", "--set", "lr=-3")
    assert code == 2 and "Invalid lr" in err and "> 0" in err
    code, _, err = call("run", "--set", "nonsense")
    assert code == 2 and "name=value" in err
    code, _, err = call("run", "--optimizer", "nope")
    assert code == 2 and "Known optimizers" in err


def test_module_entry_point() -> None:
    done = subprocess.run([sys.executable, "-m", "optimizers", "run", "--steps", "1", "--set", "lr=0.1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("step,x,y,loss")


# ---------------------------------------------------------------------------------------------
# Hostile arguments: one error line and exit status 2, never a traceback or argparse's usage

HOSTILE_ARGV = [
    ["run", "--steps", "x"], ["run", "--steps", "1e400"], ["run", "--steps", "9" * 500], ["run", "--steps", "0"],
    ["run", "--steps", "٣"], ["run", "--start", "١", "٣"], ["run", "--start", "１", "2"], ["run", "--start", "nan", "0"],
    ["run", "--start", "1e400", "0"], ["run", "--start", "1"], ["run", "--set", "lr=١"], ["run", "--set", "lr=１"],
    ["run", "--set", "lr=nan"], ["run", "--set", "lr=-inf"], ["run", "--set", "lr=1e400"], ["run", "--set", "lr=" + "1" * 10_000],
    ["run", "--set", "lr=0.1\u200b"], ["run", "--set", "lr=\u200f0.1"], ["run", "--set", "lr="], ["run", "--set", "=1"],
    ["run", "--set", "lr"], ["run", "--set", "x" * 10_000 + "=1"], ["run", "--set", "betas=0.9,x"],
    ["run", "--optimizer", "adam", "--set", "betas=0.9,0.99,0.5"], ["run", "--optimizer", "adam", "--set", "betas=0.9,٣"],
    ["run", "--optimizer", "adam", "--set", "amsgrad=yes"], ["run", "--optimizer", "lookahead", "--set", "inner=[1,2]"],
    ["run", "--optimizer", "lookahead", "--set", "inner=lookahead"], ["run", "--optimizer", "lookahead", "--set", "k=2.5"],
    ["run", "--set", "steps=3"], ["run", "--set", "schedule=step"], ["run", "--set", "surface=beale"],
    ["run", "--surface", "x" * 10_000], ["run", "--surface", "\ud800"], ["run", "--optimizer", ""],
    ["run", "--grad-noise", "1e400"], ["run", "--grad-noise", "-1"], ["run", "--seed", "-1"], ["run", "--seed", str(2**70)],
    ["run", "--batch-size", "5"], ["run", "--surface", "regression", "--batch-size", "0"],
    ["run", "--surface", "regression", "--epochs", "3", "--steps", "3"], ["run", "--surface", "regression", "--data-noise", "nan"],
    ["run", "--data-noise", "1"], ["run", "--warmup-steps", "-1"], ["run", "--warmup-steps", str(10**30)],
    ["run", "--schedule", "nope"], ["run", "--format", "xml"], [], ["nope"], ["run", "--unknown"], ["run", "extra"],
]


def assert_one_error_line(code: int, out: str, err: str) -> None:
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err[:300]
    assert "Traceback" not in err and "usage:" not in err and len(lines[0]) <= 400, lines[0][:300]


@pytest.mark.parametrize("argv", HOSTILE_ARGV, ids=[" ".join(a)[:40] for a in HOSTILE_ARGV])
def test_hostile_arguments_give_one_error_line_and_status_2(argv: list[str]) -> None:
    assert_one_error_line(*call(*argv))


def test_digits_that_are_not_ascii_are_not_read_as_numbers() -> None:
    # float('٣') == 3.0 and int('３') == 3 in Python: the command line must not take them silently.
    code, _, err = call("run", "--steps", "３")
    assert code == 2 and "--steps" in err and "invalid int value" in err
    code, _, err = call("run", "--set", "lr=٠.٥")
    assert code == 2 and "Invalid lr" in err
    code, out, _ = call("run", "--steps", "3", "--set", "lr=0.25")
    assert code == 0 and len(out.splitlines()) == 5


OPTIONS = ["--surface", "--optimizer", "--start", "--steps", "--set", "--schedule", "--warmup-steps", "--grad-noise",
           "--seed", "--batch-size", "--epochs", "--data-noise", "--format"]
TOKENS = ["", "-1", "0", "1e400", "nan", "inf", "-inf", "٣", "１", "\u200b", "\u200f", "x" * 10_000, "lr=1e9", "lr=",
          "betas=1,1", "k=0", "regression", "adam", "lookahead", "cosine", "=", ",", "1,2,3", "true", "\x00"]
tokens = st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)).filter(lambda t: not t.startswith(("-h", "--h")))


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(argv=st.lists(st.one_of(st.sampled_from(OPTIONS), tokens), max_size=6))
def test_any_arguments_run_or_give_one_error_line(argv: list[str]) -> None:
    code, out, err = call("run", *argv)
    if code == 0:
        assert out.startswith(("step,x,y,loss", "{")) and err == ""
    else:
        assert_one_error_line(code, out, err)


def test_module_entry_point_with_bad_arguments_prints_no_traceback() -> None:
    done = subprocess.run([sys.executable, "-m", "optimizers", "run", "--steps", "x", "--set", "lr=٣"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr and "--steps" in done.stderr
