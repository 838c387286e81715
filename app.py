"""Loss-landscape lab: race gradient-descent optimizers on 2-D test surfaces.

The entry point: page configuration, then the pages. Each page is one file in ``app_pages/``
that reads the shared page state, calls cached engine runs, builds figures (``viz``) and lays
them out. Adding a page is its file and one line below. (Not ``pages/``: Streamlit treats a
folder of that name beside the entry script as the old automatic multipage layout and ignores
``st.navigation``.)
"""

from __future__ import annotations


def main() -> None:
    # Imported here, not above: see the note at the end of the file.
    import streamlit as st

    import lab.preload  # noqa: F401  (first: imports what sessions would otherwise import at once; see its docstring)

    # "auto" opens the sidebar on a desktop and keeps it closed on a phone, where it would cover the page.
    st.set_page_config(page_title="Loss-landscape lab", page_icon="⛰️", layout="wide", initial_sidebar_state="auto")

    # Tighter top padding: a projector at 1024x768 should show the map without scrolling.
    st.html("""<style>
    .block-container { padding-top: 3.6rem; padding-bottom: 1rem; }
    h4 { padding-top: 0.2rem; padding-bottom: 0.1rem; }
    .formula { font-size: 0.95rem; font-weight: 400; }
    </style>""")

    race = st.Page("app_pages/race.py", title="Race", icon=":material/flag:", default=True, url_path="lab")

    pages = [
        race,
        st.Page("app_pages/sweep.py", title="Sweep", icon=":material/grid_on:", url_path="sweep"),
        st.Page("app_pages/stability.py", title="Stability", icon=":material/speed:", url_path="stability"),
        st.Page("app_pages/basins.py", title="Basins", icon=":material/water_drop:", url_path="basins"),
        # Streamlit serves the default page at "/" only; "/race", which a visitor types after
        # seeing "/sweep" and "/basins", shows the same page instead of "Page not found".
        st.Page("app_pages/race.py", title="Race", url_path="race", visibility="hidden"),
    ]
    st.navigation(pages, position="top").run()


# Streamlit runs this file as __main__. The engine's worker processes (lab.engine_pool) are
# started with multiprocessing's "spawn", which re-imports the main file under another name:
# they need none of the page, not even its imports, so nothing runs unless this is Streamlit's
# run.
if __name__ == "__main__":
    main()
