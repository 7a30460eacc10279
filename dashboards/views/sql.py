"""SQL for analysts: an editor whose query goes through `access.policy.run_sql` only (checked, scoped, time- and
row-limited, audited), the result as a table, an automatic chart and CSV/Parquet downloads; each user's saved
queries; a schema browser of marts and analytics with the dbt descriptions."""

from __future__ import annotations

import functools
import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import streamlit as st

from access import csvsafe, i18n
from access.i18n import t
from access.policy import QueryRefused, QueryResult, run_sql
from dashboards import auth, charts, queries, saved_queries, schema_ru, ui

EXAMPLE = (
    "SELECT region_code, sum(crimes_registered) AS crimes\nFROM marts.agg_crime_daily\nGROUP BY 1\nORDER BY 2 DESC"
)

ctx = ui.page("sql")
lang, src = ctx.lang, ctx.src
user = st.session_state[auth.USER_KEY]
settings = ui.get_settings()
st.session_state.setdefault("sql_text", EXAMPLE)


def result_frame(result: QueryResult) -> pd.DataFrame:
    """The rows as a data frame: decimals as floats and dates as datetimes, so the chart sees numbers and dates."""
    table = result.arrow()
    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
    return table.to_pandas(date_as_object=False)


def csv(result: QueryResult) -> bytes:
    return csvsafe.to_bytes(result.columns, result.rows)


def parquet(result: QueryResult) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(result.arrow(), buffer)
    return buffer.getvalue()


DOWNLOADS = (  # label, the file's bytes, its name, its type
    ("download_csv", csv, "query.csv", "text/csv"),
    ("download_parquet", parquet, "query.parquet", "application/vnd.apache.parquet"),
)


def run() -> None:
    st.session_state.pop("sql_result", None)
    st.session_state.pop("sql_error", None)
    try:
        st.session_state["sql_result"] = run_sql(settings, user.name, user.scope, st.session_state["sql_text"])
    except QueryRefused as exc:
        st.session_state["sql_error"] = exc


def save() -> None:
    name = st.session_state.get("sql_name", "").strip()
    if name:
        saved_queries.save(settings, user.name, name, st.session_state["sql_text"])
        st.session_state["sql_saved"] = name


def load() -> None:
    st.session_state["sql_text"] = saved_queries.load(settings, user.name)[st.session_state["sql_saved"]]
    st.session_state["sql_name"] = st.session_state["sql_saved"]


def delete() -> None:
    saved_queries.delete(settings, user.name, st.session_state["sql_saved"])


if not src.scope.is_national:
    st.caption(t("sql_scope", lang, area=ctx.name(src.scope.region_code)))
editor, side = st.columns([3, 2])
with editor:
    st.text_area(t("sql_editor", lang), key="sql_text", height=180)
    st.button(t("run", lang), type="primary", key="sql_run", on_click=run)
    if "sql_error" in st.session_state:
        st.error(t("sql_refused", lang, reason=st.session_state["sql_error"].text(lang)))
    elif (result := st.session_state.get("sql_result")) is not None:
        frame = result_frame(result)
        st.caption(t("sql_rows", lang, rows=i18n.num(len(frame), lang), seconds=i18n.num(result.seconds, lang, 2)))
        if result.cut_by == "rows":
            st.warning(t("sql_truncated", lang, limit=i18n.num(settings.sql_row_limit, lang)))
        elif result.cut_by == "bytes":
            rows, mb = i18n.num(result.table.num_rows, lang), i18n.num(settings.sql_result_mb, lang)
            st.warning(t("sql_truncated_bytes", lang, rows=rows, mb=mb))
        ui.results(frame, lang)
        if (fig := charts.auto(frame, lang)) is not None:
            ui.chart(fig, key="sql_chart")
        # the files are made when a button is clicked: made on every rerun, each would hold another copy
        for box, (label, make, file_name, mime) in zip(st.columns(2), DOWNLOADS, strict=True):
            box.download_button(t(label, lang), functools.partial(make, result), file_name, mime, on_click="ignore")

with side:
    st.subheader(t("saved_queries", lang))
    saved = saved_queries.load(settings, user.name)
    st.text_input(t("query_name", lang), key="sql_name")
    st.button(t("save", lang), key="sql_save", on_click=save)  # under the name: a narrow column would cut it
    if saved:
        if st.session_state.get("sql_saved") not in saved:
            st.session_state["sql_saved"] = next(iter(saved))
        st.selectbox(t("saved_queries", lang), list(saved), key="sql_saved", label_visibility="collapsed")
        load_box, delete_box = st.columns(2)
        load_box.button(t("load", lang), key="sql_load", on_click=load)
        delete_box.button(t("delete", lang), key="sql_delete", on_click=delete)
    else:
        st.caption(t("no_saved", lang))

# the whole width: the descriptions are long
st.subheader(t("schema_browser", lang))
catalog = queries.catalog(src)
if catalog["description"].isna().all() and catalog["table_description"].isna().all():
    st.caption(t("no_descriptions", lang))
tables = catalog.drop_duplicates(["schema", "table"]).assign(name=lambda f: f["schema"] + "." + f["table"])
if lang == "ru":
    tables["table_description"] = [schema_ru.table(n) for n in tables["name"]]
ui.table(tables, {"name": (t("table", lang), "text"), "table_description": (t("description", lang), "text")}, lang)
chosen = st.selectbox(t("table", lang), tables["name"].tolist(), key="sql_table")
columns = catalog[catalog["schema"] + "." + catalog["table"] == chosen]
if lang == "ru":
    columns = columns.assign(description=[schema_ru.column(chosen, c) for c in columns["column"]])
# column names and SQL types are identifiers and codes, shown as they are
described = {"column": (t("column", lang), "text"), "type": (t("type", lang), "text")}
ui.table(columns, described | {"description": (t("description", lang), "text")}, lang)
