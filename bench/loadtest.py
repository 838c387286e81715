"""Load test: a class on the app, over Streamlit's websocket protocol, from a cold start.

Starts the real server fresh (``--replicas 1``: ``streamlit run app.py``; ``--replicas 2``:
``deploy/serve``, nginx in front), opens N sessions at one moment (a class following the
teacher's link), then each session changes a random widget to a valid random value, over and
over, for a set time:

- ``--think 2.0``: every 2 s (a student clicking along);
- ``--after 0.5``: 0.5 s after its last rerun finished (students clicking as fast as the page
  lets them).

Prints sessions held, rerun latency (median / p95 / max: from sending the change to the
server's ``script_finished``, as the browser sees it), errors (exceptions on pages, dropped
sockets, timeouts), bytes per rerun, the servers' resident memory over time (summed over
replicas, from /proc) with its growth over the second half, and reruns per second; then PASS or
FAIL for each target of the scenario. Loopback only; every loop is bounded in time and count.

    python bench/loadtest.py                      # the three scenarios below (about 3 minutes)
    python bench/loadtest.py --scenario class     # one of them
    python bench/loadtest.py --sessions 10 --after 0.5 --duration 30 --replicas 1

The load-test client shares the machine with the servers; its own CPU time is printed too.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.servers import NGINX, Server, command_line, descendants, rss_bytes, start_serve, start_streamlit  # noqa: E402
from bench.st_session import RunTimeout, SessionDropped, StreamlitSession  # noqa: E402

MAX_SESSIONS = 200
MAX_DURATION_S = 600.0
RUN_TIMEOUT_S = 60.0
SAMPLE_EVERY_S = 1.0


@dataclass(frozen=True)
class Target:
    """One pass/fail line: a measured figure against a limit."""

    label: str
    figure: str  # key into Report.figures()
    limit: float
    unit: str


@dataclass(frozen=True)
class Scenario:
    name: str
    sessions: int
    duration: float
    replicas: int
    think: float | None = None  # seconds between changes, whatever a rerun took
    after: float | None = None  # seconds after the last rerun finished
    targets: tuple[Target, ...] = ()
    query: str = ""

    def describe(self) -> str:
        pace = (
            f"a change every {self.think:g} s"
            if self.think is not None
            else f"a change {self.after:g} s after each rerun"
        )
        where = "streamlit run app.py" if self.replicas == 1 else f"deploy/serve --replicas {self.replicas}"
        return f"{self.sessions} sessions, {pace}, {self.duration:g} s, {where}"


SUITE = (
    Scenario(
        "class", sessions=30, think=2.0, duration=60, replicas=2,
        targets=(
            Target("no errors", "errors", 0, ""),
            Target("rerun latency p95", "p95", 1.0, "s"),
            Target("memory growth over the second half", "growth", 5.0, "%"),
        ),
    ),
    Scenario(
        "busy", sessions=20, after=0.5, duration=60, replicas=1,
        targets=(
            Target("rerun latency p95", "p95", 1.5, "s"),
            Target("memory growth over the second half", "growth", 5.0, "%"),
        ),
    ),
    Scenario(
        "one", sessions=1, after=0.1, duration=20, replicas=1,
        targets=(Target("one session: median time per rerun", "median", 0.050, "s"),),
    ),
)  # fmt: skip


@dataclass
class SessionLog:
    """What one simulated browser saw."""

    first_page_s: float | None = None
    latencies: list[float] = field(default_factory=list)
    bytes_per_rerun: list[int] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    dropped: int = 0
    timeouts: int = 0
    held: bool = False
    server: str = ""


@dataclass
class Report:
    scenario: Scenario
    ready_s: float
    logs: list[SessionLog]
    rss_samples: list[tuple[float, int]]  # (seconds since the load started, bytes)
    wall_s: float
    client_cpu_s: float

    @property
    def latencies(self) -> list[float]:
        return [x for log in self.logs for x in log.latencies]

    def growth_percent(self) -> float:
        """RSS at the end against RSS at half time (medians of a few samples around each)."""
        if len(self.rss_samples) < 4:
            return float("nan")
        end_t = self.rss_samples[-1][0]
        window = max(2.0, end_t * 0.1)
        mid = [r for t, r in self.rss_samples if abs(t - end_t / 2) <= window / 2]
        end = [r for t, r in self.rss_samples if t >= end_t - window]
        if not mid or not end:
            return float("nan")
        return (statistics.median(end) - statistics.median(mid)) / statistics.median(mid) * 100

    def figures(self) -> dict[str, float]:
        latencies = sorted(self.latencies)
        return {
            "errors": float(sum(len(log.exceptions) + log.dropped + log.timeouts for log in self.logs)),
            "median": statistics.median(latencies) if latencies else float("nan"),
            "p95": percentile(latencies, 95),
            "max": latencies[-1] if latencies else float("nan"),
            "growth": self.growth_percent(),
        }

    def print(self) -> bool:
        s = self.scenario
        figures = self.figures()
        latencies = self.latencies
        firsts = sorted(log.first_page_s for log in self.logs if log.first_page_s is not None)
        byte_counts = [b for log in self.logs for b in log.bytes_per_rerun]
        exceptions = [e for log in self.logs for e in log.exceptions]
        print(f"\n== {s.name}: {s.describe()} ==")
        first = (
            f"first pages (all opened at once): median {statistics.median(firsts):.2f} s, max {firsts[-1]:.2f} s"
            if firsts
            else "no first page loaded"
        )
        print(f"server ready in {self.ready_s:.1f} s; {first}")
        servers = sorted({log.server for log in self.logs if log.server})
        if len(servers) > 1:
            print(
                "sessions per replica: "
                + ", ".join(f"{sv}={sum(log.server == sv for log in self.logs)}" for sv in servers)
            )
        print(f"sessions held        {sum(log.held for log in self.logs)}/{s.sessions}")
        print(f"reruns               {len(latencies)} ({len(latencies) / self.wall_s:.1f} per second)")
        print(
            f"rerun latency        median {figures['median'] * 1000:.0f} ms, p95 {figures['p95'] * 1000:.0f} ms, "
            f"max {figures['max'] * 1000:.0f} ms"
        )
        print(
            f"errors               {len(exceptions)} exceptions on pages, "
            f"{sum(log.dropped for log in self.logs)} dropped sockets, {sum(log.timeouts for log in self.logs)} timeouts"
        )
        for message in sorted(set(exceptions))[:3]:
            print(f"                     {message[:150]}")
        if byte_counts:
            print(
                f"bytes per rerun      median {statistics.median(byte_counts) / 1024:.0f} KiB, "
                f"mean {statistics.mean(byte_counts) / 1024:.0f} KiB, max {max(byte_counts) / 1024:.0f} KiB"
            )
        step = max(1, len(self.rss_samples) // 7)
        series = ", ".join(f"{t:.0f}s {r / 2**20:.0f}" for t, r in self.rss_samples[::step])
        print(f"server RSS (MiB)     {series}")
        print(f"memory growth        {figures['growth']:+.1f} % over the second half")
        print(
            f"load-test client     {self.client_cpu_s:.1f} s CPU ({self.client_cpu_s / self.wall_s * 100:.0f} % of one core)"
        )
        all_pass = True
        for target in s.targets:
            value = figures[target.figure]
            ok = value <= target.limit  # NaN fails
            all_pass &= ok
            shown = f"{value:.3g}{target.unit}" if target.unit != "s" else f"{value * 1000:.0f} ms"
            limit = f"{target.limit:g}{target.unit}" if target.unit != "s" else f"{target.limit * 1000:.0f} ms"
            print(f"{'PASS' if ok else 'FAIL'}  {target.label}: {shown} (target <= {limit})")
        return all_pass


def percentile(sorted_values: list[float], q: float) -> float:
    """The q-th percentile of sorted values, nearest rank (no interpolation)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-q * len(sorted_values) // 100)))  # ceil(q/100 * n)
    return sorted_values[min(rank, len(sorted_values)) - 1]


def drive(
    url: str,
    index: int,
    scenario: Scenario,
    start_together: threading.Barrier,
    load_started: threading.Event,
    deadline: list[float],
    log: SessionLog,
) -> None:
    """One browser: open the page with the others, then change widgets until the deadline."""
    rng = random.Random(1000 + index)
    session = StreamlitSession(url, timeout=RUN_TIMEOUT_S)
    try:
        try:
            session.connect()
            log.server = session.server
        finally:
            start_together.wait(timeout=RUN_TIMEOUT_S)
        session.query_string = scenario.query
        first = session.rerun()
        log.first_page_s = first.seconds
        log.exceptions += [str(e) for e in first.errors]
        load_started.wait(timeout=RUN_TIMEOUT_S * 2)
        # Spread the first changes over one period, so the class does not click in lockstep.
        period = scenario.think if scenario.think is not None else scenario.after or 0.0
        next_at = time.monotonic() + rng.uniform(0, period)
        reruns = 0
        while reruns < 100_000:
            if next_at >= deadline[0]:
                break
            time.sleep(max(0.0, next_at - time.monotonic()))
            started = time.monotonic()
            try:
                run = session.change_random(rng)
            except SessionDropped:
                log.dropped += 1
                if not _reconnect(session, log):
                    return
                next_at = time.monotonic()
                continue
            except RunTimeout:
                log.timeouts += 1
                if not _reconnect(session, log):
                    return
                next_at = time.monotonic()
                continue
            except ValueError:
                run = session.rerun()  # no changeable widget left on this page: reload it
            reruns += 1
            log.latencies.append(run.seconds)
            log.bytes_per_rerun.append(run.bytes_received)
            log.exceptions += [str(e) for e in run.errors]
            if scenario.think is not None:
                next_at = max(started + scenario.think, time.monotonic())
            else:
                next_at = time.monotonic() + (scenario.after or 0.0)
        log.held = session.connected
    except (SessionDropped, RunTimeout, threading.BrokenBarrierError) as error:
        log.exceptions.append(f"could not open the page: {type(error).__name__}: {error}")
    finally:
        session.close()


def _reconnect(session: StreamlitSession, log: SessionLog) -> bool:
    """What the frontend does after a drop; False when the server is gone for good."""
    try:
        run = session.reconnect()
    except (SessionDropped, RunTimeout):
        return False
    log.exceptions += [str(e) for e in run.errors]
    return True


def server_pids(server: Server) -> list[int]:
    """The processes serving the app: the Streamlit replicas (under deploy/serve) and the engine
    workers each of them starts (lab.engine_pool), which hold memory of their own."""
    replicas = [pid for pid in descendants(server.pid) if "streamlit" in command_line(pid)] if server.own_group \
        else [server.pid]
    return replicas + [child for pid in replicas for child in descendants(pid)]


def run_scenario(scenario: Scenario, workdir: Path) -> Report:
    if scenario.replicas > 1:
        if not Path(NGINX).is_file():
            raise SystemExit(
                f"{NGINX} not found: --replicas {scenario.replicas} needs Debian's nginx (apt-get install nginx)"
            )
        server = start_serve(workdir / f"{scenario.name}-serve.log", scenario.replicas)
    else:
        server = start_streamlit(workdir / f"{scenario.name}-streamlit.log")
    launched = time.monotonic()
    with server:
        server.wait_healthy(timeout=90)
        if server.own_group:
            while "serving http" not in server.log() and time.monotonic() - launched < 30:
                time.sleep(0.1)
        ready_s = time.monotonic() - launched
        logs = [SessionLog() for _ in range(scenario.sessions)]
        barrier = threading.Barrier(scenario.sessions)
        load_started = threading.Event()
        deadline = [float("inf")]
        threads = [
            threading.Thread(
                target=drive, args=(server.url, i, scenario, barrier, load_started, deadline, logs[i]), daemon=True
            )
            for i in range(scenario.sessions)
        ]
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        for thread in threads:
            thread.start()
        # The load starts when every first page is in (or has failed).
        first_pages_by = time.monotonic() + RUN_TIMEOUT_S * 2
        while time.monotonic() < first_pages_by and any(
            log.first_page_s is None and not log.exceptions for log in logs
        ):
            time.sleep(0.05)
        started = time.monotonic()
        deadline[0] = started + scenario.duration
        load_started.set()
        samples: list[tuple[float, int]] = []
        while any(thread.is_alive() for thread in threads) and time.monotonic() < deadline[0] + RUN_TIMEOUT_S:
            samples.append((time.monotonic() - started, sum(rss_bytes(pid) for pid in server_pids(server))))
            time.sleep(SAMPLE_EVERY_S)
        for thread in threads:
            thread.join(timeout=5)
        wall_s = min(time.monotonic(), deadline[0]) - started
        cpu_after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    samples = [(t, r) for t, r in samples if t <= scenario.duration]
    return Report(scenario, ready_s, logs, samples, max(wall_s, 1e-9), client_cpu)


def parse_args(argv: list[str]) -> list[Scenario]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=[s.name for s in SUITE], action="append", help="run these of the suite")
    parser.add_argument("--sessions", type=int, help="a custom run: this many sessions")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--think", type=float, help="each session changes a widget every THINK seconds")
    pace.add_argument("--after", type=float, help="each session changes a widget AFTER seconds after its last rerun")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (custom run)")
    parser.add_argument("--replicas", type=int, default=1, help="1: streamlit run; 2+: deploy/serve (custom run)")
    parser.add_argument("--query", default="", help="the link the class opens, e.g. 'surface=rosenbrock&opt=sgd,adam'")
    parser.add_argument("--quick", action="store_true", help="the suite with 15 s runs (a smoke test, not the figures)")
    args = parser.parse_args(argv)
    if args.sessions is None:
        chosen = [s for s in SUITE if not args.scenario or s.name in args.scenario]
        if args.quick:
            chosen = [Scenario(**{**s.__dict__, "duration": min(s.duration, 15.0)}) for s in chosen]
        return chosen
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be between 1 and {MAX_SESSIONS}, got {args.sessions}")
    if not 1 <= args.duration <= MAX_DURATION_S:
        parser.error(f"--duration must be between 1 and {MAX_DURATION_S:g} seconds, got {args.duration}")
    if not 1 <= args.replicas <= 16:
        parser.error(f"--replicas must be between 1 and 16, got {args.replicas}")
    if args.think is None and args.after is None:
        parser.error("give the pace: --think SECONDS or --after SECONDS")
    if (args.think if args.think is not None else args.after) < 0:
        parser.error("--think/--after must be zero or more seconds")
    return [
        Scenario(
            "custom", sessions=args.sessions, duration=args.duration, replicas=args.replicas,
            think=args.think, after=args.after, query=args.query,
            targets=(Target("no errors", "errors", 0, ""),),
        )
    ]  # fmt: skip


def main(argv: list[str]) -> int:
    scenarios = parse_args(argv)
    workdir = ROOT / "test-artifacts" / "loadtest"
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"load test: {len(scenarios)} scenario(s); server logs in {workdir}")
    results = []
    for scenario in scenarios:
        report = run_scenario(scenario, workdir)
        results.append((scenario.name, report.print()))
    print("\n" + "  ".join(f"{name}: {'PASS' if ok else 'FAIL'}" for name, ok in results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
