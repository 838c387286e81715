"""A Streamlit browser session without a browser: the websocket protocol, spoken from Python.

What a browser tab does, and what this module does the same way (read from streamlit 1.67's
server, ``web/server/starlette/starlette_websocket.py``, and its frontend bundle):

1. ``GET /_stcore/health`` and ``GET /_stcore/host-config``. The health answer sets the
   ``_streamlit_xsrf`` cookie (and, behind ``deploy/serve``'s nginx, the ``lab_route`` cookie
   that keeps this browser on one replica). Cookies live in one jar per session, as in a browser.
2. A websocket to ``/_stcore/stream`` whose ``Sec-WebSocket-Protocol`` header carries
   ``streamlit, <xsrf cookie value>[, <last session id>]``: the server selects ``streamlit``
   and reads the second entry as the XSRF token and the third as a session to resume.
3. A ``BackMsg.rerun_script`` (a ``ClientState``: query string, every widget's current value,
   the page's script hash, the hashes of cached messages, the browser's context). The server
   answers with ``ForwardMsg``s: ``new_session``, deltas (elements and blocks), ``page_info_changed``
   (the URL's query string), ``navigation`` and finally ``script_finished``.

Widgets are discovered from the deltas, never named here: each widget element carries its id,
its default, its options or range, and (when the script set it) its current value. The session
keeps every widget's value as the frontend does (a widget seen again keeps the visitor's value
unless the script set one; widgets absent from a full run are forgotten) and sends them all
with every rerun. Large elements arrive once; later runs may send only their hash
(``ref_hash``), which the session resolves from its cache, as the browser does.

Usage::

    session = StreamlitSession("http://127.0.0.1:8501")
    first = session.open("surface=rosenbrock")      # connect, run the page, wait for the end
    assert not first.exceptions
    run = session.change_random(random.Random(0))    # one widget, a valid random value
    print(run.seconds, run.bytes_received, run.changed)
    session.close()
"""

from __future__ import annotations

import http.cookiejar
import json
import math
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import websocket  # websocket-client
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ButtonGroup_pb2 import ButtonGroup
from streamlit.proto.Checkbox_pb2 import Checkbox
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

STREAM_PATH = "/_stcore/stream"
HEALTH_PATH = "/_stcore/health"
HOST_CONFIG_PATH = "/_stcore/host-config"
XSRF_COOKIE = "_streamlit_xsrf"
# What the frontend sends when it has no XSRF cookie (it still sends the second entry).
PLACEHOLDER_TOKEN = "PLACEHOLDER_AUTH_TOKEN"
# Response headers that name the process that answered (deploy/serve's nginx adds the first).
SERVER_HEADERS = ("x-lab-upstream",)

FINISHED = ForwardMsg.ScriptFinishedStatus
# A run is over on these; FINISHED_EARLY_FOR_RERUN means another run follows at once.
TERMINAL_STATUSES = {
    FINISHED.FINISHED_SUCCESSFULLY: "finished",
    FINISHED.FINISHED_WITH_COMPILE_ERROR: "compile_error",
    FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment_finished",
}

# Widget kinds a visitor changes with a click or a drag; others are listed but not picked at random.
CHANGEABLE_KINDS = frozenset(
    {
        "slider",
        "select_slider",
        "selectbox",
        "radio",
        "checkbox",
        "toggle",
        "number_input",
        "multiselect",
        "segmented_control",
        "pills",
        "button",
    }
)


class SessionDropped(ConnectionError):
    """The websocket closed (or could not open) while the session needed it."""


class RunTimeout(TimeoutError):
    """The server did not finish a run in time."""


@dataclass
class ShownException:
    """An exception element on the page (``st.exception`` or an uncaught error)."""

    type: str
    message: str
    is_warning: bool

    def __str__(self) -> str:
        return f"{self.type}: {self.message}" if self.type else self.message


@dataclass
class Widget:
    """One widget as the page shows it: what it is, what it holds, what it accepts.

    ``value`` is in wire terms: floats for sliders and number inputs, option labels (strings)
    for every choice widget, a bool for checkboxes, ``None`` for buttons (a click is one-shot).
    """

    id: str
    kind: str
    label: str
    value: Any
    options: list[str] = field(default_factory=list)
    low: float | None = None
    high: float | None = None
    step: float | None = None
    is_int: bool = False
    is_range: bool = False
    max_selections: int = 0
    disabled: bool = False
    in_form: bool = False
    fragment_id: str = ""

    @property
    def changeable(self) -> bool:
        return self.kind in CHANGEABLE_KINDS and not self.disabled and not self.in_form

    def state(self, value: Any) -> WidgetState | None:
        """The ``WidgetState`` the frontend would send for ``value`` (None: send nothing)."""
        state = WidgetState(id=self.id)
        if self.kind == "button":
            if not value:
                return None  # a trigger is sent only in the run its click causes
            state.trigger_value = True
        elif self.kind == "slider":
            state.double_array_value.data.extend(float(v) for v in value)
        elif self.kind in ("select_slider", "multiselect", "segmented_control", "pills"):
            state.string_array_value.data.extend(value)
        elif self.kind in ("selectbox", "radio", "text_input", "text_area", "color_picker"):
            if value is None:
                return None
            state.string_value = value
        elif self.kind in ("checkbox", "toggle"):
            state.bool_value = bool(value)
        elif self.kind == "number_input":
            if value is None:
                return None
            if self.is_int:
                state.int_value = int(value)
            else:
                state.double_value = float(value)
        elif self.kind == "pagination":
            state.int_value = int(value)
        else:
            return None  # components, charts' selections, uploads: not spoken here
        return state

    def random_value(self, rng: random.Random) -> Any:
        """A valid value different from the current one where the widget allows it."""
        if self.kind == "button":
            return True
        if self.kind in ("checkbox", "toggle"):
            return not self.value
        if self.kind == "slider":
            return self._random_slider_value(rng)
        if self.kind == "select_slider":
            if self.is_range:
                low, high = sorted(rng.sample(range(len(self.options)), 2)) if len(self.options) > 1 else (0, 0)
                return [self.options[low], self.options[high]]
            return [_other_choice(rng, self.options, self.value[0] if self.value else None)]
        if self.kind in ("selectbox", "radio"):
            return _other_choice(rng, self.options, self.value)
        if self.kind == "segmented_control" or (self.kind == "pills" and self.max_selections == 1):
            return [_other_choice(rng, self.options, self.value[0] if self.value else None)]
        if self.kind in ("multiselect", "pills"):
            return self._toggle_one_option(rng)
        if self.kind == "number_input":
            return self._random_number()
        raise ValueError(
            f"widget {self.id!r}: kind {self.kind!r} has no random value; allowed: {sorted(CHANGEABLE_KINDS)}"
        )

    def _grid(self) -> tuple[float, float, float]:
        low = self.low if self.low is not None else 0.0
        high = self.high if self.high is not None else low
        step = self.step if self.step else (1.0 if self.is_int else (high - low) / 100 or 1.0)
        return low, high, step

    def _random_slider_value(self, rng: random.Random) -> list[float]:
        low, high, step = self._grid()
        cells = max(0, int(math.floor((high - low) / step + 1e-9)))
        picks = sorted(rng.sample(range(cells + 1), 2)) if self.is_range and cells >= 1 else [rng.randint(0, cells)]
        unchanged = self.value and abs(low + picks[0] * step - self.value[0]) < step / 2
        if not self.is_range and cells >= 1 and unchanged:
            # Move it: a drag that lands where it started sends nothing, so it reruns nothing.
            picks = [(picks[0] + rng.randint(1, cells)) % (cells + 1)]
        values = [_round_to_step(low + p * step, step) for p in picks]
        if self.is_range and cells >= 2 and values == [_round_to_step(v, step) for v in self.value]:
            return self._random_slider_value(rng)  # the same range again would change nothing
        return values

    def _random_number(self) -> float:
        low, high, step = self._grid()
        current = float(self.value) if self.value is not None else low
        rng_step = step if step else 1.0
        candidates = [current + rng_step, current - rng_step]
        if self.low is not None:
            candidates = [c for c in candidates if c >= self.low]
        if self.high is not None:
            candidates = [c for c in candidates if c <= self.high]
        value = candidates[0] if candidates else current  # ArrowUp, else ArrowDown, as a visitor would press
        return int(round(value)) if self.is_int else _round_to_step(value, rng_step)

    def _toggle_one_option(self, rng: random.Random) -> list[str]:
        chosen = list(self.value or [])
        cap = self.max_selections or len(self.options)
        missing = [o for o in self.options if o not in chosen]
        if chosen and (len(chosen) >= cap or not missing or (len(chosen) > 1 and rng.random() < 0.5)):
            if len(chosen) > 1:
                chosen.remove(rng.choice(chosen))
                return chosen
        if missing and len(chosen) < cap:
            return [*chosen, rng.choice(missing)]
        return chosen


def _other_choice(rng: random.Random, options: list[str], current: str | None) -> str | None:
    others = [o for o in options if o != current]
    if others:
        return rng.choice(others)
    return options[0] if options else None


def _round_to_step(value: float, step: float) -> float:
    digits = max(0, -int(math.floor(math.log10(abs(step))))) + 2 if step else 6
    return round(value, digits)


def widget_from_element(element: Any, fragment_id: str = "") -> Widget | None:
    """The widget an ``Element`` proto declares, or None when the element is not a widget."""
    kind = element.WhichOneof("type")
    proto = getattr(element, kind) if kind else None
    widget_id = getattr(proto, "id", "") if proto is not None else ""
    if not widget_id:
        return None
    common = {
        "id": widget_id,
        "label": getattr(proto, "label", ""),
        "disabled": bool(getattr(proto, "disabled", False)),
        "in_form": bool(getattr(proto, "form_id", "")),
        "fragment_id": fragment_id,
    }
    if kind == "slider":
        if proto.type == Slider.SELECT_SLIDER or list(proto.options):
            options = list(proto.options)
            value = (
                list(proto.raw_value)
                if proto.set_value
                else [options[int(i)] for i in proto.default if 0 <= int(i) < len(options)]
            )
            return Widget(
                kind="select_slider", value=value, options=options, is_range=len(proto.default) == 2, **common
            )
        value = list(proto.value) if proto.set_value else list(proto.default)
        return Widget(
            kind="slider",
            value=value,
            low=proto.min,
            high=proto.max,
            step=proto.step,
            is_int=proto.data_type == Slider.INT,
            is_range=len(proto.default) == 2,
            **common,
        )
    if kind in ("selectbox", "radio"):
        options = list(proto.options)
        if proto.set_value:
            value = proto.raw_value if proto.HasField("raw_value") else None
        elif proto.HasField("default") and 0 <= proto.default < len(options):
            value = options[proto.default]
        else:
            value = None
        return Widget(kind=kind, value=value, options=options, **common)
    if kind == "checkbox":
        value = proto.value if proto.set_value else proto.default
        return Widget(kind="toggle" if proto.type == Checkbox.TOGGLE else "checkbox", value=bool(value), **common)
    if kind == "number_input":
        if proto.set_value:
            value = proto.value if proto.HasField("value") else None
        else:
            value = proto.default if proto.HasField("default") else None
        is_int = proto.data_type == NumberInput.INT
        return Widget(
            kind="number_input",
            value=int(value) if is_int and value is not None else value,
            low=proto.min if proto.has_min else None,
            high=proto.max if proto.has_max else None,
            step=proto.step or (1.0 if is_int else 0.01),
            is_int=is_int,
            **common,
        )
    if kind == "multiselect":
        options = list(proto.options)
        value = (
            list(proto.raw_values) if proto.set_value else [options[i] for i in proto.default if 0 <= i < len(options)]
        )
        return Widget(kind="multiselect", value=value, options=options, max_selections=proto.max_selections, **common)
    if kind == "button_group":
        options = [option.content for option in proto.options]
        value = (
            list(proto.raw_values) if proto.set_value else [options[i] for i in proto.default if 0 <= i < len(options)]
        )
        single = proto.click_mode == ButtonGroup.SINGLE_SELECT
        group_kind = "segmented_control" if proto.style == ButtonGroup.SEGMENTED_CONTROL else "pills"
        return Widget(kind=group_kind, value=value, options=options, max_selections=1 if single else 0, **common)
    if kind in ("button", "download_button"):
        if kind == "button" and proto.is_form_submitter:
            return Widget(kind="form_submit_button", value=None, **common)
        return Widget(kind=kind, value=None, **common)
    if kind in ("text_input", "text_area", "color_picker"):
        value = proto.value if proto.set_value else proto.default
        return Widget(kind=kind, value=value, **common)
    if kind == "pagination":
        return Widget(kind="pagination", value=proto.value if proto.set_value else proto.default, **common)
    # Charts with selections, custom components, uploads, chat, dates...: listed, never changed.
    return Widget(kind=kind, value=None, **common)


@dataclass
class RunResult:
    """What one run of the page sent back."""

    status: str  # finished | fragment_finished | compile_error
    seconds: float  # from sending the request to script_finished
    bytes_received: int
    messages: int
    exceptions: list[ShownException]
    widgets: dict[str, Widget]
    query_string: str
    changed: tuple[str, Any] | None = None  # (widget id, value sent) for a widget change
    fragment_id: str = ""
    markdown: list[str] = field(default_factory=list)  # the run's markdown bodies, in order

    @property
    def errors(self) -> list[ShownException]:
        """Exceptions that are errors, not warnings."""
        return [e for e in self.exceptions if not e.is_warning]


class StreamlitSession:
    """One browser tab on a Streamlit server: its cookies, its websocket, its widgets' values."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 60.0,
        cookies: http.cookiejar.CookieJar | None = None,
        use_message_cache: bool = True,
    ) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"base_url must be an http(s) address such as http://127.0.0.1:8501, got {base_url!r}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive seconds, got {timeout!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.cookies = cookies if cookies is not None else http.cookiejar.CookieJar()
        self.use_message_cache = use_message_cache
        self._http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self._ws: websocket.WebSocket | None = None
        self.widgets: dict[str, Widget] = {}
        self.query_string = ""
        self.page_script_hash = ""
        self.session_id = ""
        self.server = ""  # which process answered: an x-lab-upstream header behind deploy/serve
        self.handshake_headers: dict[str, str] = {}
        self._message_cache: dict[str, ForwardMsg] = {}
        self.total_bytes = 0

    # -- connection ------------------------------------------------------------------------

    def _get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.base_url + path, headers={"Origin": self.base_url})
        try:
            with self._http.open(request, timeout=self.timeout) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except (urllib.error.URLError, OSError) as error:
            raise SessionDropped(f"GET {self.base_url + path} failed: {error}") from error

    def _cookie(self, name: str) -> str | None:
        for cookie in self.cookies:
            if cookie.name == name:
                return cookie.value
        return None

    def _cookie_header(self) -> str:
        probe = urllib.request.Request(self.base_url + STREAM_PATH)
        self.cookies.add_cookie_header(probe)
        return probe.get_header("Cookie") or probe.unredirected_hdrs.get("Cookie", "")

    def connect(self) -> None:
        """The browser's opening moves: health and host-config over HTTP, then the websocket."""
        status, headers, _ = self._get(HEALTH_PATH)
        if status != 200:
            raise SessionDropped(f"{self.base_url}{HEALTH_PATH} answered {status}")
        self._note_server(headers)
        self._get(HOST_CONFIG_PATH)
        self._open_socket()

    def answering_server(self, path: str = HEALTH_PATH) -> str:
        """Which process answers this browser's plain HTTP request (downloads, component files) now."""
        _, headers, _ = self._get(path)
        for name in SERVER_HEADERS:
            if headers.get(name):
                return headers[name].split(",")[-1].strip()
        return ""

    def _open_socket(self) -> None:
        tokens = ["streamlit", self._cookie(XSRF_COOKIE) or PLACEHOLDER_TOKEN]
        if self.session_id:
            tokens.append(self.session_id)  # ask to resume; a server that does not know it starts afresh
        ws_url = "ws" + self.base_url[len("http") :] + STREAM_PATH
        cookie = self._cookie_header()
        try:
            self._ws = websocket.create_connection(
                ws_url,
                timeout=self.timeout,
                subprotocols=tokens,
                origin=self.base_url,
                header=[f"Cookie: {cookie}"] if cookie else [],
                enable_multithread=True,
            )
        except (websocket.WebSocketException, OSError) as error:
            self._ws = None
            raise SessionDropped(f"websocket {ws_url} failed: {error}") from error
        self.handshake_headers = {k.lower(): v for k, v in (self._ws.getheaders() or {}).items()}
        self._note_server(self.handshake_headers)

    def _note_server(self, headers: dict[str, str]) -> None:
        for name in SERVER_HEADERS:
            if headers.get(name):
                # nginx lists every replica it tried ("a, b" after a failover): the last one answered.
                self.server = headers[name].split(",")[-1].strip()
                return

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._ws.connected

    def close(self) -> None:
        if self._ws is not None:
            try:
                self._ws.close(timeout=1)
            except (websocket.WebSocketException, OSError):
                pass
            self._ws = None

    def __enter__(self) -> StreamlitSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- runs ------------------------------------------------------------------------------

    def open(self, query: str = "") -> RunResult:
        """Connect and run the page at ``?query`` (what opening a link does)."""
        self.query_string = query.lstrip("?")
        self.connect()
        return self.rerun()

    def reconnect(self) -> RunResult:
        """What the frontend does after its socket dropped: a new socket, the page rerun from its URL."""
        self.close()
        self._open_socket()
        return self.rerun()

    def rerun(self, changes: dict[str, Any] | None = None, *, fragment_id: str = "") -> RunResult:
        """Send every widget's value (``changes`` applied on top) and wait for the run to finish."""
        values = {wid: w.value for wid, w in self.widgets.items() if w.kind != "button"}
        for widget_id, value in (changes or {}).items():
            if widget_id not in self.widgets:
                raise ValueError(f"changes: no widget with id {widget_id!r} on the page; ids: {sorted(self.widgets)}")
            values[widget_id] = value
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self.query_string
        client.page_script_hash = self.page_script_hash
        client.fragment_id = fragment_id
        for widget_id, value in values.items():
            state = self.widgets[widget_id].state(value)
            if state is not None:
                client.widget_states.widgets.append(state)
        if self.use_message_cache:
            client.cached_message_hashes.extend(self._message_cache)
        context = client.context_info
        context.timezone = "UTC"
        context.timezone_offset = 0
        context.locale = "en-US"
        context.url = self.base_url + "/" + (f"?{self.query_string}" if self.query_string else "")
        context.color_scheme = "light"
        for widget_id, value in (changes or {}).items():
            if self.widgets[widget_id].kind != "button":
                self.widgets[widget_id].value = value  # the frontend keeps what the visitor chose
        return self._send_and_collect(message, fragment_id)

    def change(self, widget_id: str, value: Any) -> RunResult:
        """A visitor sets one widget: rerun the page, or only the widget's fragment."""
        if widget_id not in self.widgets:
            raise ValueError(f"widget_id: no widget {widget_id!r} on the page; ids: {sorted(self.widgets)}")
        result = self.rerun({widget_id: value}, fragment_id=self.widgets[widget_id].fragment_id)
        result.changed = (widget_id, value)
        return result

    def changeable_widgets(self, kinds: Iterable[str] = CHANGEABLE_KINDS) -> list[Widget]:
        wanted = set(kinds)
        return [w for w in self.widgets.values() if w.changeable and w.kind in wanted]

    def change_random(self, rng: random.Random, kinds: Iterable[str] = CHANGEABLE_KINDS) -> RunResult:
        """Change one widget picked at random to a valid random value."""
        candidates = self.changeable_widgets(kinds)
        if not candidates:
            raise ValueError(f"kinds: no changeable widget of kinds {sorted(set(kinds))} on the page")
        widget = rng.choice(sorted(candidates, key=lambda w: w.id))
        return self.change(widget.id, widget.random_value(rng))

    def _send_and_collect(self, message: BackMsg, fragment_id: str) -> RunResult:
        if self._ws is None:
            raise SessionDropped("not connected: call connect() or open() first")
        started = time.perf_counter()
        received = count = 0
        exceptions: list[ShownException] = []
        markdown: list[str] = []
        seen: dict[str, Widget] = {}
        deadline = started + self.timeout
        try:
            self._ws.send_binary(message.SerializeToString())
            while True:
                self._ws.settimeout(max(0.05, deadline - time.perf_counter()))
                frame = self._ws.recv()
                if not frame:
                    raise SessionDropped(f"{self.base_url}: the server closed the websocket")
                if isinstance(frame, str):
                    frame = frame.encode()
                received += len(frame)
                count += 1
                msg = ForwardMsg()
                msg.ParseFromString(frame)
                status = self._absorb(msg, seen, exceptions, markdown)
                if status is not None:
                    break
        except websocket.WebSocketTimeoutException as error:
            raise RunTimeout(f"{self.base_url}: no script_finished within {self.timeout} s") from error
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError) as error:
            self._ws = None
            if isinstance(error, SessionDropped):
                raise
            raise SessionDropped(f"{self.base_url}: websocket dropped: {error}") from error
        seconds = time.perf_counter() - started
        self.total_bytes += received
        if status != "fragment_finished":
            # The frontend forgets the widgets a full run did not draw.
            self.widgets = {wid: w for wid, w in self.widgets.items() if wid in seen}
        return RunResult(
            status=status,
            seconds=seconds,
            bytes_received=received,
            messages=count,
            exceptions=exceptions,
            widgets=dict(self.widgets),
            query_string=self.query_string,
            fragment_id=fragment_id,
            markdown=markdown,
        )

    def _absorb(
        self, msg: ForwardMsg, seen: dict[str, Widget], exceptions: list[ShownException], markdown: list[str]
    ) -> str | None:
        """Update the page from one message; the run's final status when it ends the run."""
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self._message_cache.get(msg.ref_hash)
            if cached is None:
                raise SessionDropped(f"server referred to a message this session never received ({msg.ref_hash})")
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(msg.metadata)
            msg, kind = resolved, resolved.WhichOneof("type")
        elif self.use_message_cache and msg.metadata.cacheable and msg.hash:
            self._message_cache[msg.hash] = msg
        if kind == "new_session":
            new_session = msg.new_session
            if new_session.initialize.session_id:
                self.session_id = new_session.initialize.session_id
            if new_session.page_script_hash:
                self.page_script_hash = new_session.page_script_hash
        elif kind == "navigation":
            if msg.navigation.page_script_hash:
                self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            if element.WhichOneof("type") == "exception":
                shown = element.exception
                exceptions.append(ShownException(shown.type, shown.message, shown.is_warning))
            elif element.WhichOneof("type") == "markdown":
                markdown.append(element.markdown.body)
            widget = widget_from_element(element, msg.delta.fragment_id)
            if widget is not None:
                previous = self.widgets.get(widget.id)
                set_by_script = _element_sets_value(element)
                if previous is not None and not set_by_script and widget.kind != "button":
                    widget.value = previous.value
                self.widgets[widget.id] = widget
                seen[widget.id] = widget
        elif kind == "script_finished":
            return TERMINAL_STATUSES.get(msg.script_finished)
        return None

    # -- reading the page ------------------------------------------------------------------

    def describe_widgets(self) -> str:
        """One line per widget: id, kind, value and what it accepts (for a log or a report)."""
        lines = []
        for widget in self.widgets.values():
            accepts = (
                f"options={widget.options}"
                if widget.options
                else (f"range=[{widget.low}, {widget.high}] step={widget.step}" if widget.low is not None else "")
            )
            flags = " disabled" if widget.disabled else ""
            lines.append(f"{widget.kind:18} {widget.label[:30]!r:32} value={json.dumps(widget.value)} {accepts}{flags}")
        return "\n".join(lines)


def _element_sets_value(element: Any) -> bool:
    kind = element.WhichOneof("type")
    return bool(getattr(getattr(element, kind), "set_value", False)) if kind else False
