"""Browser-test harness: one Streamlit server per session, driven by Debian's Chromium.

pytest-playwright supplies ``page``/``context``/``browser``; this file points them at
``/usr/bin/chromium`` (never a downloaded browser) and at a server started on a free port.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bench.servers import CHROMIUM, CHROMIUM_ARGS, start_streamlit

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"

# Short on purpose: a wrong selector should fail in seconds, not after 30 s.
DEFAULT_TIMEOUT_MS = 8_000
SERVER_START_TIMEOUT_S = 30.0


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def _missing(reason: str) -> None:
    """No browser or no app: fail loudly on CI (a skipped suite is a green lie), skip elsewhere."""
    if on_ci():
        pytest.fail(f"{reason} (CI=true: browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing(f"{CHROMIUM} not found: install Debian's Chromium with `apt-get install chromium`")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, chromium_path: str) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path,
        "args": CHROMIUM_ARGS,
        "timeout": 30_000,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": {"width": 1400, "height": 900}}


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[str]:
    """Start ``streamlit run app.py`` on a free port (``bench.servers``); yield its URL; stop it by its own PID."""
    if not (ROOT / "app.py").is_file():
        _missing(f"{ROOT / 'app.py'} does not exist")
    if importlib.util.find_spec("streamlit") is None:
        _missing("streamlit is not installed: `pip install -r requirements-dev.txt`")
    ARTIFACTS.mkdir(exist_ok=True)
    server = start_streamlit(ARTIFACTS / "streamlit.log")
    try:
        try:
            server.wait_healthy(SERVER_START_TIMEOUT_S)
        except RuntimeError as err:
            pytest.fail(f"streamlit did not start: {err}", pytrace=False)
        yield server.url
    finally:
        server.stop(timeout=10)


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    """Emptied once per session, so every picture in it comes from this run."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def _fresh_screenshots(request: pytest.FixtureRequest) -> None:
    """Empty the screenshots folder before the first browser test (the fast suite leaves it alone)."""
    if request.node.get_closest_marker("browser"):
        request.getfixturevalue("screenshots_dir")


@pytest.fixture(scope="session")
def base_url(streamlit_server: str) -> str:
    """pytest-playwright passes this to every context, so ``page.goto("/?surface=...")`` works."""
    return streamlit_server


def short_timeouts(context: BrowserContext) -> BrowserContext:
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(15_000)
    return context


@pytest.fixture(scope="session")
def shared_context(browser: Browser, browser_context_args: dict) -> Iterator[BrowserContext]:
    context = short_timeouts(browser.new_context(**browser_context_args))
    yield context
    context.close()


@pytest.fixture
def page(shared_context: BrowserContext) -> Iterator[Page]:
    """A new tab per test in one browser context kept for the session.

    The app's JavaScript then stays in the HTTP cache, which halves every page load (about
    2.5 s instead of 5 s here); each navigation still opens a fresh Streamlit session, so no
    state leaks between tests. Tests that need a clean browser use ``new_context()``.
    """
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    tab = shared_context.new_page()
    yield tab
    tab.close()


@pytest.fixture
def new_tab(shared_context: BrowserContext) -> Iterator[Callable[[], Page]]:
    """Open more tabs (each a fresh Streamlit session) that are closed after the test."""
    tabs: list[Page] = []

    def open_tab() -> Page:
        tabs.append(shared_context.new_page())
        return tabs[-1]

    yield open_tab
    for tab in tabs:
        tab.close()
