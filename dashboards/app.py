"""SafeLake leadership dashboards: `streamlit run dashboards/app.py` (multipage, st.navigation)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `streamlit run` puts only dashboards/ on the path

from dashboards import ui  # noqa: E402
from dashboards.i18n import t  # noqa: E402

st.set_page_config(page_title="SafeLake", page_icon=":material/shield:", layout="wide")
context = ui.sidebar()
st.session_state["context"] = context
pages = [
    st.Page(f"views/{key}.py", title=t(key, context.lang), url_path=key.replace("_", "-"), default=key == "plan")
    for key in ui.PAGES
]
st.navigation(pages).run()
