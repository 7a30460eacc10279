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

ctx = ui.page("service")
lang, src, area, window = ctx.lang, ctx.src, ctx.area, ctx.windows.compstat
area_word = t("region" if area.child_level == "region" else "district", lang)


def pp_delta(now: float, before: float, frame) -> str | None:  # type: ignore[no-untyped-def]
    return ui.delta(now - before, lang) if ui.prior_complete(frame) else None


def count_card(card, label: str, row, count: str) -> None:  # type: ignore[no-untyped-def]
    """A count with its change against a year earlier; neither more nor less is better in itself."""
    value, change = i18n.num(row[f"{count}_current"], lang), ui.delta(row[f"{count}_pct_change"], lang)
    card.metric(t(label, lang), value, delta=change, delta_color="off")


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
total = queries.compstat_window(src, APPEALS, window, area, "total", appeal_columns)
ui.window_caption(total, lang)
if len(total):
    row = total.iloc[0]
    cards = st.columns(5)
    count_card(cards[0], "appeals_received", row, "appeals_received")
    cards[1].metric(
        t("on_time", lang),
        i18n.pct(row["on_time_pct"], lang),
        delta=pp_delta(row["on_time_pct"], row["on_time_pct_prior"], total),
    )
    cards[2].metric(t("median_days_to_answer", lang), i18n.num(row["median_days_to_answer"], lang, 1))
    cards[3].metric(
        t("overdue_open_appeals", lang),
        i18n.num(row["overdue_open_appeals"], lang),
        help=t("of_open", lang, n=i18n.num(row["open_appeals"], lang)),
    )
    cards[4].metric(t("repeat_share", lang), i18n.pct(row["repeat_share_pct"], lang))
by_area = queries.compstat_window(src, APPEALS, window, area, "area", appeal_columns)
ui.areas(
    ctx,
    by_area,
    "key",
    "on_time_pct",
    t("on_time", lang),
    {
        "key": (area_word, "text"),
        "appeals_received_current": (t("appeals_received", lang), "int"),
        "on_time_pct": (t("on_time", lang), "pct"),
        "median_days_to_answer": (t("median_days_to_answer", lang), "num1"),
        "overdue_open_appeals": (t("overdue_open_appeals", lang), "int"),
        "repeat_share_pct": (t("repeat_share", lang), "pct"),
    },
    key="service_appeals",
)
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
if len(total):
    row = total.iloc[0]
    reception_cards = st.columns(4)
    reception_cards[0].metric(t("sessions_scheduled", lang), i18n.num(row["sessions_scheduled_current"], lang))
    reception_cards[1].metric(t("sessions_held", lang), i18n.num(row["sessions_held_current"], lang))
    reception_cards[2].metric(
        t("held_pct", lang),
        i18n.pct(row["held_pct"], lang),
        delta=pp_delta(row["held_pct"], row["held_pct_prior"], total),
    )
    reception_cards[3].metric(t("citizens_received", lang), i18n.num(row["citizens_received_current"], lang))
reception_table = {
    "key": (area_word, "text"),
    "sessions_scheduled_current": (t("sessions_scheduled", lang), "int"),
    "sessions_held_current": (t("sessions_held", lang), "int"),
    "held_pct": (t("held_pct", lang), "pct"),
    "citizens_received_current": (t("citizens_received", lang), "int"),
}
by_area = queries.compstat_window(src, RECEPTIONS, window, area, "area", reception_columns)
ui.areas(ctx, by_area, "key", "held_pct", t("held_pct", lang), reception_table, key="service_receptions")
by_position = queries.compstat_window(src, RECEPTIONS, window, area, "category", reception_columns)
ui.table(
    by_position.assign(key=[i18n.code(c, lang) for c in by_position["key"]]),
    reception_table | {"key": (t("leader_position", lang), "text")},
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
total = queries.compstat_window(src, DISPATCH, window, area, "total", dispatch_columns)
if len(total):
    row = total.iloc[0]
    cards = st.columns(5)
    count_card(cards[0], "calls_102", row, "calls")
    cards[1].metric(t("to_dispatch", lang, p="p50"), i18n.num(row["to_dispatch_p50_minutes"], lang, 1))
    cards[2].metric(t("to_arrival", lang, p="p50"), i18n.num(row["to_arrival_p50_minutes"], lang, 1))
    cards[3].metric(
        t("to_arrival", lang, p="p90"),
        i18n.num(row["to_arrival_p90_minutes"], lang, 1),
        delta=pp_delta(row["to_arrival_p90_minutes"], row["to_arrival_p90_minutes_prior"], total),
        delta_color="inverse",
    )
    cards[4].metric(
        t("arrival_within_standard", lang),
        i18n.pct(row["arrival_within_standard_pct"], lang),
        delta=pp_delta(row["arrival_within_standard_pct"], row["arrival_within_standard_pct_prior"], total),
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
by_area = queries.compstat_window(src, DISPATCH, window, area, "area", dispatch_columns)
ui.areas(
    ctx,
    by_area,
    "key",
    "arrival_within_standard_pct",
    t("arrival_within_standard", lang),
    {
        "key": (area_word, "text"),
        "calls_current": (t("calls_102", lang), "int"),
        "to_dispatch_p90_minutes": (t("to_dispatch", lang, p="p90"), "num1"),
        "to_arrival_p50_minutes": (t("to_arrival", lang, p="p50"), "num1"),
        "to_arrival_p90_minutes": (t("to_arrival", lang, p="p90"), "num1"),
        "arrival_within_standard_pct": (t("arrival_within_standard", lang), "pct"),
    },
    key="service_dispatch",
)
st.subheader(f"{t('compstat', lang)}: {t('calls_102', lang)} — {area_word}")
ui.compstat_table(queries.compstat(src, DISPATCH, "calls", area, "area"), area_word, ctx.name, lang)
