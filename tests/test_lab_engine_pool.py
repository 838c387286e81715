"""Engine runs in worker processes: the same numbers as in-process, and no worker outlives its server."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from lab import engine_pool
from lab.codec import decode
from lab.engine_pool import WORKERS_VARIABLE, execute, run_request, worker_count
from lab.lessons import LESSONS
from lab.request import request_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def two_workers(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(WORKERS_VARIABLE, "2")
    monkeypatch.setattr(engine_pool, "_executor", None)
    yield
    pool = engine_pool._executor
    if pool is not None:
        pool.shutdown(wait=True)
    engine_pool._executor = None


@pytest.mark.parametrize("text, count", [("0", 0), ("3", 3), (" 2 ", 2), ("-1", 0), ("many", 0)])
def test_the_variable_sets_the_workers_and_anything_unreadable_runs_in_process(monkeypatch, text, count):
    monkeypatch.setenv(WORKERS_VARIABLE, text)
    assert worker_count() == count


def test_by_default_one_worker_per_core_and_none_on_one_core(monkeypatch):
    monkeypatch.delenv(WORKERS_VARIABLE, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert worker_count() == 4
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert worker_count() == 0


def test_a_worker_gives_exactly_what_the_engine_gives_here(two_workers):
    state = LESSONS["momentum"].state()
    for racer in state.racers:
        request = request_for(state, racer)
        here, there = execute(request, record_state=True), run_request(request, record_state=True)
        np.testing.assert_array_equal(here.trajectory.xy, there.trajectory.xy)
        np.testing.assert_array_equal(here.trajectory.loss, there.trajectory.loss)
        assert here.trajectory.records.keys() == there.trajectory.records.keys()
    assert engine_pool._executor is not None and len(engine_pool._executor._processes) >= 1  # it did use a worker
    # A typed surface travels as its text and is parsed again in the worker.
    state, _ = decode({"surface": "custom", "custom.text": "x**4/40 - x**2/2 + y**2/4 + sin(3*x)/10", "opt": "adam"})
    request = request_for(state, state.racers[0])
    np.testing.assert_array_equal(execute(request).trajectory.xy, run_request(request).trajectory.xy)


def test_a_bad_request_comes_back_as_its_message(two_workers):
    state = LESSONS["zigzag"].state()
    request = request_for(state, state.racers[0])
    broken = request._replace(hyper=tuple((name, -1.0 if name == "lr" else value) for name, value in request.hyper))
    outcome = run_request(broken)
    assert outcome.trajectory is None and outcome.error == execute(broken).error and "lr" in outcome.error


WORKER_SCRIPT = """
import sys, time
sys.path.insert(0, {root!r})
from lab import engine_pool
from lab.lessons import LESSONS
from lab.request import request_for
state = LESSONS["zigzag"].state()
engine_pool.run_request(request_for(state, state.racers[0]))
print(" ".join(str(pid) for pid in engine_pool._executor._processes), flush=True)
time.sleep(60)
"""


def test_workers_exit_when_their_server_is_killed_outright():
    server = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT.format(root=str(ROOT))], stdout=subprocess.PIPE,
                              env={**os.environ, WORKERS_VARIABLE: "1"}, text=True)
    try:
        workers = [int(pid) for pid in server.stdout.readline().split()]
        assert len(workers) == 1 and _alive(workers[0])
        server.send_signal(signal.SIGKILL)  # no atexit, no pool shutdown: only the worker's own watch
        server.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
    finally:
        if server.poll() is None:
            server.kill()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _deploy_serve():
    loader = importlib.machinery.SourceFileLoader("deploy_serve", str(ROOT / "deploy" / "serve"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("deploy_serve", loader))
    loader.exec_module(module)
    return module


def test_deploy_serve_names_the_variable_the_pool_reads():
    assert _deploy_serve().ENGINE_PROCESSES == WORKERS_VARIABLE


def test_deploy_serve_gives_each_replica_its_share_of_the_cores_and_refuses_a_bad_count(monkeypatch, capsys):
    serve = _deploy_serve()
    monkeypatch.setattr(serve.os, "cpu_count", lambda: 8)
    monkeypatch.delenv(WORKERS_VARIABLE, raising=False)
    assert serve.parse_args(["--replicas", "2", "--nginx", sys.executable]).engine_processes == 4
    assert serve.parse_args(["--replicas", "16", "--nginx", sys.executable]).engine_processes == 1
    monkeypatch.setenv(WORKERS_VARIABLE, "0")
    assert serve.parse_args(["--replicas", "2", "--nginx", sys.executable]).engine_processes == 0
    for bad in ("two", "-1", "1.5", "65"):
        monkeypatch.setenv(WORKERS_VARIABLE, bad)
        with pytest.raises(SystemExit):
            serve.parse_args(["--replicas", "2", "--nginx", sys.executable])
        assert f"{WORKERS_VARIABLE}='{bad}'" in capsys.readouterr().err
