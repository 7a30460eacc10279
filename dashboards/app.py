"""SafeLake leadership dashboards: `streamlit run dashboards/app.py` (multipage, st.navigation, login first)."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `streamlit run` puts only dashboards/ on the path

from access.i18n import t  # noqa: E402
from dashboards import auth, ui  # noqa: E402

st.set_page_config(page_title="SafeLake", page_icon=":material/shield:", layout="wide")
# A metric's label wraps instead of being cut with an ellipsis (Russian labels are long, and cards sit 4-5 abreast).
st.html(
    "<style>[data-testid=stMetricLabel], [data-testid=stMetricLabel] * "
    "{white-space: normal !important; overflow: visible !important; text-overflow: clip !important}</style>"
)
lang = ui.language()
user = auth.session_user()
auth.keep_session()
if user is None:
    st.navigation([st.Page(auth.login_page, title=t("login", lang), default=True)]).run()
else:
    st.session_state["context"] = ui.sidebar(user, lang)
    pages = [
        st.Page(f"views/{key}.py", title=t(key, lang), url_path=key.replace("_", "-"), default=key == "plan")
        for key in ui.pages_for(user)
    ]
    pages.insert(2, st.Page("views/live.py", title=t("live", lang), url_path="live"))
    st.navigation(pages).run()
