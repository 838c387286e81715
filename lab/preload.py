"""Import, completely and once, what Streamlit and Plotly would otherwise import lazily on first use.

Why this module exists. Streamlit runs every session's script in its own thread, and this app
reaches libraries that import parts of themselves, or each other, only on first use: the first
``st.dataframe`` imports pandas (``streamlit.dataframe.lazy_df_source``), the first Arrow
payload imports pyarrow, the first Plotly figure imports ``plotly.offline`` and
``plotly.io._json``, the engine imports numpy. On a fresh server, when a class opens the link
together, those first uses happen in many threads at once.

A plain ``import`` is safe across threads: Python's per-module import lock makes a second
thread wait until the first has finished the module. But Plotly does not always import:
``_plotly_utils.optional_imports.get_module(name, should_load=False)`` returns
``sys.modules.get(name)``, and Plotly's validators and JSON encoder call it for pandas, numpy
and ``PIL.Image`` on every figure (narwhals' ``get_pandas()``/``get_numpy()`` peek the same
way). While one session's thread is half-way through ``import pandas``, the module already
sits in ``sys.modules``, and another session's thread building a figure gets the half-made
module: ``AttributeError: partially initialized module 'pandas' has no attribute 'Series'``,
and that visitor's page shows "This app has encountered an error". Measured on a fresh server
with 20 sessions arriving together (an app that drew Plotly figures before its first table):
2 to 9 of 20 pages broke in every try.

The fix at the root: ``app.py`` imports this module before anything else of its own, so the first script thread to
start imports everything below completely, and every other thread that reaches
``import lab.preload`` waits on that module's import lock until it is done. After that no
library finds anything half-imported, whatever the page draws first. The cost is paid once per
server process, before the first page is drawn (see ``bench/loadtest.py`` for the figures).

Keep the lists to modules that are imported lazily (inside functions or by module
``__getattr__``); a module the app imports at its top needs no entry here.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import importlib.util

# Libraries that Streamlit or Plotly look up in sys.modules, or import inside functions.
REQUIRED: tuple[str, ...] = (
    "numpy",
    "numpy.ma",  # plotly's JSON encoder reads numpy.ma.core.masked; numpy loads numpy.ma lazily
    "pandas",  # imported by the first st.dataframe / st.table / chart; peeked by plotly and narwhals
    "pyarrow",  # Streamlit's Arrow payloads (tables, custom components' arguments)
    "pyarrow.ipc",
    "pyarrow.compute",
    "pyarrow.pandas_compat",
    "PIL.Image",  # plotly's encoder imports it on first use
    "plotly.graph_objects",
    "plotly.io",
    "plotly.io._json",  # plotly.io.to_json, what st.plotly_chart calls
    "plotly.io._utils",
    "plotly.offline.offline",  # go.Figure() imports it on every first figure
    "plotly.tools",
    "plotly.animation",
    "narwhals",
    "narwhals.dependencies",
)

# Streamlit's own first-use imports (names of one release; absent ones are skipped so that an
# older or newer Streamlit still starts).
OPTIONAL: tuple[str, ...] = (
    "narwhals._interchange.dataframe",
    "streamlit.dataframe_util",
    "streamlit.dataframe.lazy_df_source",
    "streamlit.dataframe.lazy_df_adapters",
    "streamlit.components.v1.component_arrow",
    "streamlit.elements.lib.column_types",
    "streamlit.elements.lib.column_config_utils",
    "streamlit.elements.lib.pandas_styler_utils",
    "streamlit.emojis",
    "streamlit.runtime.scriptrunner.magic_funcs",
)


def _import_all() -> list[str]:
    """Import every module listed; return the optional ones this install does not have."""
    for name in REQUIRED:
        importlib.import_module(name)
    missing = []
    for name in OPTIONAL:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:
            found = False
        if found:
            importlib.import_module(name)
        else:
            missing.append(name)
    return missing


def _warm_plotly() -> None:
    """Build and serialise one small figure: Plotly's validator table and JSON path load here."""
    import plotly.graph_objects as go
    import plotly.io

    figure = go.Figure(go.Scatter(x=[0.0, 1.0], y=[0.0, 1.0]), layout={"title": {"text": "warm-up"}})
    plotly.io.to_json(figure, validate=False)


def _start_engine_worker() -> None:
    """Let the first engine worker start on another core while this process imports the rest."""
    from lab import engine_pool

    engine_pool.warm()


def _few_malloc_arenas() -> None:
    """Ask glibc for at most two malloc arenas (its default is eight per core).

    Streamlit runs each session's script in a thread of its own, and glibc gives threads arenas
    of their own: with a class connected, freed memory stays spread over many arenas and the
    process's size keeps climbing long after the caches are full. Two arenas keep the size flat
    at the cost of a little lock contention. Nothing happens off glibc (macOS, musl).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_ARENA_MAX, 2)
    except (OSError, AttributeError):
        pass


M_ARENA_MAX = -8  # glibc's mallopt parameter number


def _freeze_the_heap() -> None:
    """Move everything imported so far out of the garbage collector's sight.

    Streamlit runs a full collection after every script run; it walks every tracked object,
    and the libraries above (pandas, pyarrow, plotly's validators) are hundreds of thousands
    of objects that live as long as the process. ``gc.freeze`` puts them in a permanent
    generation that collections skip, so each rerun's collection only walks what reruns make.
    The app's own modules are imported first, so they are frozen too.
    """
    for name in APP_MODULES:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()


# The app's own modules (their caches and registries live for the whole process).
APP_MODULES: tuple[str, ...] = ("optimizers", "landscapes", "viz", "lab.race", "lab.race_controls", "lab.inspector",
                                "lab.exports", "lab.tune", "lab.lessons")

_few_malloc_arenas()
_start_engine_worker()
MISSING_OPTIONAL = _import_all()
_warm_plotly()
_freeze_the_heap()
