"""Service to citizens: appeals answered on time, personal receptions held, 102 response end to end; CompStat."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access import i18n
from access.i18n import t
from dashboards import queries, ui

APPEALS = queries.CompStat("kpi_appeals_compstat", "category", ("appeals_received",))
RECEPTIONS = queries.CompStat("kpi_receptions_compstat", "leader_position", ("sessions_held",))
DISPATCH = queries.CompStat("kpi_dispatch_compstat", "area_type", ("calls",))
SEGMENTS = ("answer_to_entry", "entry_to_dispatch", "dispatch_to_arrival", "to_dispatch", "to_arrival")
NEUTRAL: ui.DeltaColor = "off"  # a count's change against a year earlier: neither more nor less is better in itself

ctx = ui.page("service")
lang, src, area, window = ctx.lang, ctx.src, ctx.area, ctx.windows.compstat
area_word = t("region" if area.child_level == "region" else "district", lang)


def sub_areas(
    mart: queries.CompStat, columns: tuple[str, ...], figures: dict[str, tuple[str, str]], value: str, key: str
) -> None:
    """A section's `figures` per sub-area: a map and bars of `value`, and the table."""
    by_area = queries.compstat_window(src, mart, window, area, "area", columns)
    ui.areas(ctx, by_area, "key", value, figures[value][0], {"key": (area_word, "text")} | figures, key=key)


# --- appeals ---------------------------------------------------------------------------------------------------
st.header(t("appeals", lang))
appeal_columns = (
    "appeals_received_current",
    "appeals_received_pct_change",
    "on_time_pct",
    "on_time_pct_prior",
    "median_days_to_answer",
    "overdue_open_appeals",
    "open_appeals",
    "repeat_share_pct",
)
appeal_figures = {
    "appeals_received_current": (t("appeals_received", lang), "int"),
    "on_time_pct": (t("on_time", lang), "pct"),
    "median_days_to_answer": (t("median_days_to_answer", lang), "num1"),
    "overdue_open_appeals": (t("overdue_open_appeals", lang), "int"),
    "repeat_share_pct": (t("repeat_share", lang), "pct"),
}
total = queries.compstat_window(src, APPEALS, window, area, "total", appeal_columns)
ui.window_caption(total, lang)
if len(total):
    open_appeals = i18n.num(total["open_appeals"].iloc[0], lang)
    ui.cards(
        total,
        appeal_figures,
        lang,
        delta_color={"appeals_received_current": NEUTRAL},
        help={"overdue_open_appeals": t("of_open", lang, n=open_appeals)},
    )
sub_areas(APPEALS, appeal_columns, appeal_figures, "on_time_pct", key="service_appeals")
by_category = queries.compstat_window(src, APPEALS, window, area, "category", appeal_columns)
ui.table(
    by_category.assign(key=[i18n.code(c, lang) for c in by_category["key"]]),
    {
        "key": (t("category", lang), "text"),
        "appeals_received_current": (t("appeals_received", lang), "int"),
        "on_time_pct": (t("on_time", lang), "pct"),
        "median_days_to_answer": (t("median_days_to_answer", lang), "num1"),
        "overdue_open_appeals": (t("overdue_open_appeals", lang), "int"),
    },
    lang,
)
st.subheader(f"{t('compstat', lang)}: {t('appeals_received', lang)} — {area_word}")
ui.compstat_table(queries.compstat(src, APPEALS, "appeals_received", area, "area"), area_word, ctx.name, lang)

# --- personal receptions ---------------------------------------------------------------------------------------
st.header(t("receptions", lang))
reception_columns = (
    "sessions_scheduled_current",
    "sessions_held_current",
    "held_pct",
    "held_pct_prior",
    "citizens_received_current",
)
total = queries.compstat_window(src, RECEPTIONS, window, area, "total", reception_columns)
reception_figures = {
    "sessions_scheduled_current": (t("sessions_scheduled", lang), "int"),
    "sessions_held_current": (t("sessions_held", lang), "int"),
    "held_pct": (t("held_pct", lang), "pct"),
    "citizens_received_current": (t("citizens_received", lang), "int"),
}
ui.cards(total, reception_figures, lang)
sub_areas(RECEPTIONS, reception_columns, reception_figures, "held_pct", key="service_receptions")
by_position = queries.compstat_window(src, RECEPTIONS, window, area, "category", reception_columns)
ui.table(
    by_position.assign(key=[i18n.code(c, lang) for c in by_position["key"]]),
    {"key": (t("leader_position", lang), "text")} | reception_figures,
    lang,
)

# --- 102 response ----------------------------------------------------------------------------------------------
st.header(t("response_102", lang))
dispatch_columns = (
    "calls_current",
    "calls_pct_change",
    "arrival_within_standard_pct",
    "arrival_within_standard_pct_prior",
    "dispatch_within_standard_pct",
    "to_arrival_p90_minutes_prior",
    *(f"{s}_{q}_minutes" for s in SEGMENTS for q in ("p50", "p90")),
)


def dispatch_figures(p: str) -> dict[str, tuple[str, str]]:
    """The 102 figures, the time to dispatch at percentile `p`."""
    return {
        "calls_current": (t("calls_102", lang), "int"),
        f"to_dispatch_{p}_minutes": (t("to_dispatch", lang, p=p), "num1"),
        "to_arrival_p50_minutes": (t("to_arrival", lang, p="p50"), "num1"),
        "to_arrival_p90_minutes": (t("to_arrival", lang, p="p90"), "num1"),
        "arrival_within_standard_pct": (t("arrival_within_standard", lang), "pct"),
    }


total = queries.compstat_window(src, DISPATCH, window, area, "total", dispatch_columns)
ui.cards(
    total, dispatch_figures("p50"), lang, delta_color={"calls_current": NEUTRAL, "to_arrival_p90_minutes": "inverse"}
)
st.subheader(t("segments_end_to_end", lang))
by_type = queries.compstat_window(src, DISPATCH, window, area, "category", dispatch_columns).set_index("key")
types = [k for k in ("all", "city", "rural", "unknown") if k in by_type.index]
segments = pd.DataFrame(
    {"segment": [t(f"seg_{s}", lang) for s in SEGMENTS]}
    | {f"{k}_{q}": [by_type.loc[k, f"{s}_{q}_minutes"] for s in SEGMENTS] for k in types for q in ("p50", "p90")}
)
ui.table(
    segments,
    {"segment": (t("segment", lang), "text")}
    | {f"{k}_{q}": (f"{i18n.code(k, lang)}, {q}", "num1") for k in types for q in ("p50", "p90")},
    lang,
)
ui.table(
    by_type.loc[types].reset_index().assign(key=[i18n.code(k, lang) for k in types]),
    {
        "key": (t("area_type", lang), "text"),
        "calls_current": (t("calls_102", lang), "int"),
        "dispatch_within_standard_pct": (t("dispatch_within_standard", lang), "pct"),
        "arrival_within_standard_pct": (t("arrival_within_standard", lang), "pct"),
    },
    lang,
)
st.caption(t("segments_note", lang))
sub_areas(DISPATCH, dispatch_columns, dispatch_figures("p90"), "arrival_within_standard_pct", key="service_dispatch")
st.subheader(f"{t('compstat', lang)}: {t('calls_102', lang)} — {area_word}")
ui.compstat_table(queries.compstat(src, DISPATCH, "calls", area, "area"), area_word, ctx.name, lang)
