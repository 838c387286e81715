"""Start and stop the app's servers for tests and benchmarks: one Streamlit process, or deploy/serve;
and the Debian Chromium the browser tests and benchmarks drive.

Every server listens on loopback, on a free port, logs to a file (never an unread pipe) and
is stopped by its own process id. ``deploy/serve`` runs in its own process group so that a
test can kill one replica and still find every process it started.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVE = ROOT / "deploy" / "serve"
NGINX = "/usr/sbin/nginx"
CHROMIUM = "/usr/bin/chromium"
# Headless, and quiet: no sandbox (containers), no GPU, no background traffic to the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port(span: int = 1) -> int:
    """A loopback port P such that P..P+span-1 were all free a moment ago."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + span < 65535 and all(_port_free(port + i) for i in range(span)):
            return port
    raise RuntimeError(f"no run of {span} free loopback ports found")


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def streamlit_command(port: int, address: str = "127.0.0.1") -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", address,
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip


class Server:
    """A process that serves the app at ``url``; ``stop()`` ends it and everything it started."""

    def __init__(
        self,
        command: list[str],
        url: str,
        log_path: Path,
        *,
        own_group: bool = False,
        root: Path = ROOT,
        env: dict[str, str] | None = None,
    ) -> None:
        self.url = url
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=root, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=own_group, env={**os.environ, **(env or {})},
            )  # fmt: skip
        self.own_group = own_group

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not healthy(self.url):
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with code {self.process.returncode}; log:\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.url}/_stcore/health did not answer in {timeout} s; log:\n{self.log()[-3000:]}"
                )
            time.sleep(0.1)

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait, then SIGKILL (the whole group for deploy/serve). Returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.own_group:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # leftovers, if serve failed to reap them
            except (ProcessLookupError, PermissionError):
                pass
        return self.process.returncode

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_streamlit(
    log_path: Path, port: int | None = None, root: Path = ROOT, env: dict[str, str] | None = None
) -> Server:
    """A fresh ``streamlit run app.py`` (of ``root``) on loopback; call ``wait_healthy`` next."""
    port = port or free_port()
    return Server(streamlit_command(port), f"http://127.0.0.1:{port}", log_path, root=root, env=env)


def start_serve(log_path: Path, replicas: int, port: int | None = None, extra: tuple[str, ...] = ()) -> Server:
    """``deploy/serve --replicas K`` on loopback, in its own process group."""
    port = port or free_port(replicas + 1)
    command = [sys.executable, str(SERVE), "--replicas", str(replicas), "--port", str(port), "--listen", "127.0.0.1"]
    command += list(extra)
    return Server(command, f"http://127.0.0.1:{port}", log_path, own_group=True)


def rss_bytes(pid: int) -> int:
    """Resident memory of one process, from /proc (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (children, grandchildren, ...), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return ""
