"""``deploy/serve``: two replicas behind nginx, as a class reaches them from one school address.

One ``deploy/serve --replicas 2`` on loopback for the module. Every session is a browser of its
own (a fresh cookie jar) and all come from 127.0.0.1, like a class behind one address. The
tests, in order: sessions spread over both replicas; a browser stays on its replica (HTTP and
websocket, and a new websocket resumes its server session); killing one replica leaves the
other's sessions working; the dropped sessions reconnect with their cookie and land on the
survivor; serve restarts the dead replica; SIGTERM stops every process serve started.

Needs Debian's nginx at /usr/sbin/nginx: skipped without it, failed without it on CI.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.servers import NGINX, Server, command_line, descendants, healthy, start_serve
from bench.st_session import SessionDropped, StreamlitSession

BROWSERS = 16  # both replicas get some unless the hash is broken: (1/2)^16 per replica otherwise
RESTART_DELAY_S = 3.0
STARTED: set[int] = set()  # every process serve started, for the leftover check


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not (os.path.isfile(NGINX) and os.access(NGINX, os.X_OK)):
        reason = f"{NGINX} not found: install Debian's nginx with `apt-get install nginx`"
        if _on_ci():
            pytest.fail(f"{reason} (CI=true: the deploy tests must run, not skip)", pytrace=False)
        pytest.skip(reason)
    server = start_serve(
        tmp_path_factory.mktemp("serve") / "serve.log", replicas=2, extra=("--restart-delay", str(RESTART_DELAY_S))
    )
    try:
        server.wait_healthy(timeout=90)
        _wait_for(lambda: "serving http" in server.log(), 15, "serve to report that nginx is up")
        STARTED.update(descendants(server.pid))
        yield server
    finally:
        server.stop()


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


def _replica_ports(server: Server) -> set[str]:
    port = int(server.url.rsplit(":", 1)[1])
    return {f"127.0.0.1:{port + 1}", f"127.0.0.1:{port + 2}"}


def _replica_pid(server: Server, address: str) -> int:
    port = address.rsplit(":", 1)[1]
    pids = [pid for pid in descendants(server.pid) if f"--server.port {port} " in command_line(pid) + " "]
    assert len(pids) == 1, f"expected one replica on port {port}, found {pids}"
    return pids[0]


@pytest.fixture(scope="module")
def browsers(serve: Server) -> Iterator[list[StreamlitSession]]:
    sessions = [StreamlitSession(serve.url, timeout=30) for _ in range(BROWSERS)]
    try:
        for session in sessions:
            first = session.open("surface=rosenbrock&opt=sgd,adam")
            assert first.status == "finished" and not first.errors, first.errors
        yield sessions
    finally:
        for session in sessions:
            session.close()


@pytest.fixture(scope="module")
def killed(serve: Server, browsers: list[StreamlitSession]) -> str:
    """Kill (SIGKILL, no goodbye) the replica that serves the first browser; its address."""
    victim = browsers[0].server
    os.kill(_replica_pid(serve, victim), signal.SIGKILL)
    _wait_for(lambda: not healthy("http://" + victim), 5, f"{victim} to stop answering")
    return victim


def test_sessions_from_one_address_spread_over_both_replicas(serve: Server, browsers: list[StreamlitSession]) -> None:
    answered = [session.server for session in browsers]
    assert set(answered) == _replica_ports(serve), f"replicas that answered {BROWSERS} browsers: {answered}"
    # Each browser got its own route cookie, not one per address.
    routes = {next(c.value for c in session.cookies if c.name == "lab_route") for session in browsers}
    assert len(routes) == BROWSERS


def test_a_browser_stays_on_its_replica(browsers: list[StreamlitSession]) -> None:
    rng = random.Random(7)
    for session in browsers[:6]:
        replica, session_id = session.server, session.session_id
        for _ in range(3):
            run = session.change_random(rng)
            assert run.status in ("finished", "fragment_finished") and not run.errors, run.errors
            assert session.session_id == session_id
        # Its HTTP requests (downloads, component files) reach the same replica...
        assert session.answering_server() == replica
        # ...and so does a new websocket, where the server resumes the same session.
        rerun = session.reconnect()
        assert session.server == replica and session.session_id == session_id
        assert rerun.status == "finished" and not rerun.errors


def test_killing_a_replica_leaves_the_other_replicas_sessions_working(
    browsers: list[StreamlitSession], killed: str
) -> None:
    survivors = [session for session in browsers if session.server != killed]
    assert survivors, "every browser was on the killed replica"
    rng = random.Random(11)
    for session in survivors:
        run = session.change_random(rng)
        assert run.status in ("finished", "fragment_finished") and not run.errors, run.errors


def test_dropped_sessions_reconnect_to_the_surviving_replica(
    serve: Server, browsers: list[StreamlitSession], killed: str
) -> None:
    dropped = [session for session in browsers if session.server == killed]
    assert dropped, "no browser was on the killed replica"
    (survivor,) = _replica_ports(serve) - {killed}
    for session in dropped:
        query = session.query_string
        with pytest.raises(SessionDropped):
            session.change_random(random.Random(3))
        # What the frontend does: a new websocket with the same cookies, the page rerun from its URL.
        run = session.reconnect()
        assert session.server == survivor
        assert run.status == "finished" and not run.errors, run.errors
        assert run.widgets, "the page drew no widgets after the reconnect"
        assert session.query_string == query  # the state lives in the URL, so the page is the same race


def test_serve_restarts_the_dead_replica(serve: Server, killed: str) -> None:
    _wait_for(lambda: healthy("http://" + killed), RESTART_DELAY_S + 60, f"{killed} to be restarted")
    assert "exited with code -9" in serve.log()
    STARTED.update(descendants(serve.pid))


def test_sigterm_stops_every_process_serve_started(serve: Server, killed: str) -> None:
    STARTED.update(descendants(serve.pid))
    names = {pid: command_line(pid) for pid in STARTED}
    assert any("streamlit" in name for name in names.values()) and any("nginx" in name for name in names.values())
    serve.process.send_signal(signal.SIGTERM)
    assert serve.process.wait(timeout=25) == 0, serve.log()[-2000:]
    left = [f"{pid} {names[pid]}" for pid in STARTED if Path(f"/proc/{pid}").exists() and command_line(pid)]
    assert not left, f"still running after serve stopped: {left}"
    assert not healthy(serve.url)
