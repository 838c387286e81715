"""``bench.st_session`` speaks Streamlit's protocol the way the browser does.

A probe app with one widget of every kind the client can change echoes the values the
server deserialised; the client discovers the widgets from the deltas, sends random valid
values, and the echo must match what it sent. It also checks fragment reruns, one-shot
buttons, exceptions on the page, the URL's query string and the cache of large messages.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

import pytest

from bench.servers import Server, start_streamlit
from bench.st_session import StreamlitSession

PROBE_APP = """
import json
import streamlit as st

values = {
    "Slider": st.slider("Slider", 0, 10, 3, key="slider"),
    "Range": st.slider("Range", 0.0, 1.0, (0.2, 0.8), step=0.1, key="range"),
    "Select slider": st.select_slider("Select slider", ["a", "b", "c", "d"], value="b", key="select_slider"),
    "Selectbox": st.selectbox("Selectbox", ["x", "y", "z"], key="selectbox"),
    "Radio": st.radio("Radio", ["r1", "r2", "r3"], key="radio"),
    "Checkbox": st.checkbox("Checkbox", key="checkbox"),
    "Toggle": st.toggle("Toggle", value=True, key="toggle"),
    "Int": st.number_input("Int", 0, 100, 5, key="number_int"),
    "Float": st.number_input("Float", 0.0, 1.0, 0.5, step=0.1, key="number_float"),
    "Multi": st.multiselect("Multi", ["m1", "m2", "m3", "m4"], default=["m1"], key="multiselect"),
    "Seg": st.segmented_control("Seg", ["s1", "s2", "s3"], default="s1", key="segmented"),
    "Pills": st.pills("Pills", ["p1", "p2", "p3"], selection_mode="multi", default=["p1"], key="pills"),
}
if st.button("Boom", key="boom"):
    st.exception(RuntimeError("the button was pressed"))
st.query_params["slider"] = str(values["Slider"])
st.markdown("values=" + json.dumps(values))
# A large element: cached by the browser after its first run, sent as a reference after that.
st.markdown("padding " + "x" * 20_000)


@st.fragment
def panel():
    st.markdown(f"fragment={st.slider('Fragment slider', 0, 5, 1, key='fragment_slider')}")


panel()
"""


def _echo(markdown: list[str]) -> dict:
    (line,) = [text for text in markdown if text.startswith("values=")]
    return json.loads(line[len("values=") :])


def _by_label(session: StreamlitSession) -> dict:
    return {widget.label: widget for widget in session.widgets.values()}


def _as_echoed(widget, value):
    """The Python value the app receives for a wire value."""
    if widget.kind == "slider":
        numbers = [int(v) if widget.is_int else round(v, 6) for v in value]
        return numbers if widget.is_range else numbers[0]
    if widget.kind in ("select_slider", "segmented_control"):
        return value[0] if value else None
    if widget.kind == "number_input":
        return int(value) if widget.is_int else round(value, 6)
    return value


def _rounded(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("probe")
    (folder / "app.py").write_text(PROBE_APP)
    with start_streamlit(folder / "server.log", root=folder) as server:
        server.wait_healthy()
        yield server


def test_first_run_discovers_every_widget_with_its_kind_value_and_range(probe: Server) -> None:
    with StreamlitSession(probe.url) as session:
        run = session.open()
        assert run.status == "finished" and not run.exceptions
        widgets = _by_label(session)
        kinds = {label: widget.kind for label, widget in widgets.items()}
        assert kinds == {
            "Slider": "slider", "Range": "slider", "Select slider": "select_slider", "Selectbox": "selectbox",
            "Radio": "radio", "Checkbox": "checkbox", "Toggle": "toggle", "Int": "number_input",
            "Float": "number_input", "Multi": "multiselect", "Seg": "segmented_control", "Pills": "pills",
            "Boom": "button", "Fragment slider": "slider",
        }  # fmt: skip
        assert widgets["Slider"].value == [3] and (widgets["Slider"].low, widgets["Slider"].high) == (0, 10)
        assert widgets["Range"].is_range and widgets["Range"].value == pytest.approx([0.2, 0.8])
        assert widgets["Select slider"].options == ["a", "b", "c", "d"] and widgets["Select slider"].value == ["b"]
        assert widgets["Selectbox"].value == "x" and widgets["Radio"].options == ["r1", "r2", "r3"]
        assert widgets["Checkbox"].value is False and widgets["Toggle"].value is True
        assert widgets["Int"].is_int and widgets["Int"].value == 5 and widgets["Float"].step == pytest.approx(0.1)
        assert widgets["Multi"].value == ["m1"] and widgets["Seg"].value == ["s1"] and widgets["Pills"].value == ["p1"]
        assert widgets["Fragment slider"].fragment_id and not widgets["Slider"].fragment_id
        assert session.query_string == "slider=3"
        assert run.bytes_received > 20_000


def test_random_changes_reach_the_script_as_sent(probe: Server) -> None:
    rng = random.Random(5)
    with StreamlitSession(probe.url) as session:
        session.open()
        for _ in range(3):
            for label in ["Slider", "Range", "Select slider", "Selectbox", "Radio", "Checkbox", "Toggle", "Int",
                          "Float", "Multi", "Seg", "Pills"]:  # fmt: skip
                widget = _by_label(session)[label]
                before = widget.value
                value = widget.random_value(rng)
                assert value != before, f"{label}: the random value should change the widget"
                run = session.change(widget.id, value)
                assert run.status == "finished" and not run.exceptions
                assert _rounded(_echo(run.markdown)[label]) == _rounded(_as_echoed(widget, value)), label
                assert _by_label(session)[label].value == value  # kept for the next rerun, as the frontend does
        assert session.query_string == f"slider={_echo(run.markdown)['Slider']}"


def test_a_button_is_one_shot_and_its_exception_is_reported(probe: Server) -> None:
    with StreamlitSession(probe.url) as session:
        session.open()
        pressed = session.change(_by_label(session)["Boom"].id, True)
        assert [(e.type, e.message) for e in pressed.errors] == [("RuntimeError", "the button was pressed")]
        assert not session.rerun().exceptions


def test_a_widget_in_a_fragment_reruns_only_the_fragment(probe: Server) -> None:
    with StreamlitSession(probe.url) as session:
        first = session.open()
        widget = _by_label(session)["Fragment slider"]
        run = session.change(widget.id, [4.0])
        assert run.status == "fragment_finished" and run.fragment_id == widget.fragment_id
        assert run.markdown == ["fragment=4"]
        assert run.bytes_received < first.bytes_received / 4
        assert "Slider" in _by_label(session)  # a fragment run forgets no widget outside it


def test_large_elements_come_back_as_references_and_are_resolved(probe: Server) -> None:
    with StreamlitSession(probe.url) as cached, StreamlitSession(probe.url, use_message_cache=False) as uncached:
        cached.open()
        uncached.open()
        again, again_uncached = cached.rerun(), uncached.rerun()
        assert any(text.startswith("padding ") for text in again.markdown)  # resolved from the cache
        assert again.bytes_received < again_uncached.bytes_received - 15_000
