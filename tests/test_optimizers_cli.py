"""The command line prints the catalogue and runs one case, with clear errors."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

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
