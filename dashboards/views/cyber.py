"""Cybersecurity: incidents against the ministry's systems by type (CompStat) and time to contain; fraud resources
(phone numbers, sites, cards) blocked and the time from the fraud report to the block. Kept per region."""

from __future__ import annotations

import streamlit as st

from access import i18n
from access.i18n import t
from dashboards import queries, ui

ctx = ui.page("cyber")
lang, src, window = ctx.lang, ctx.src, ctx.windows.compstat
area = ctx.area.regional  # neither incidents nor blocks have a district
if ctx.area.district:
    st.caption(t("region_level_only", lang, area=ctx.name(area.region)))
by_region = area.level == "nation"


def code(value: str) -> str:
    return i18n.code(value, lang)


def hours(value: float | None) -> str:
    return i18n.num(value, lang, 1)


st.subheader(t("cyber_incidents", lang))
totals = queries.compstat_window(
    src,
    queries.CYBER,
    window,
    area,
    "total",
    (
        "incidents_current",
        "incidents_pct_change",
        "median_hours_to_contain",
        "p90_hours_to_contain",
        "contained_within_24h_pct",
        "open_incidents",
    ),
)
ui.window_caption(totals, lang)
if len(totals):
    row = totals.iloc[0]
    cards = st.columns(5)
    cards[0].metric(
        t("cyber_incidents_n", lang),
        i18n.num(row["incidents_current"], lang),
        delta=ui.delta(row["incidents_pct_change"], lang),
        delta_color="inverse",
    )
    cards[1].metric(t("median_hours_to_contain", lang), hours(row["median_hours_to_contain"]))
    cards[2].metric(t("p90_hours_to_contain", lang), hours(row["p90_hours_to_contain"]))
    cards[3].metric(t("contained_within_24h_pct", lang), i18n.pct(row["contained_within_24h_pct"], lang))
    cards[4].metric(t("open_incidents", lang), i18n.num(row["open_incidents"], lang))

st.subheader(f"{t('compstat', lang)}: {t('cyber_incidents_n', lang)} — {t('incident_type', lang)}")
by_type = queries.compstat(src, queries.CYBER, "incidents", area, "category")
ui.compstat_table(by_type, t("incident_type", lang), code, lang)
incident_type = st.selectbox(t("incident_type", lang), by_type["key"].tolist() or ["all"], format_func=code)
if by_region:
    st.subheader(f"{code(incident_type)} — {t('region', lang)}")
    regions = queries.compstat_window(
        src,
        queries.CYBER,
        window,
        area,
        "area",
        ("incidents_current", "median_hours_to_contain", "contained_within_24h_pct", "high_impact_incidents_current"),
        incident_type,
    )
    ui.areas(
        ctx,
        regions,
        "key",
        "incidents_current",
        t("cyber_incidents_n", lang),
        {
            "key": (t("region", lang), "text"),
            "incidents_current": (t("cyber_incidents_n", lang), "int"),
            "high_impact_incidents_current": (t("high_impact_incidents", lang), "int"),
            "median_hours_to_contain": (t("median_hours_to_contain", lang), "num1"),
            "contained_within_24h_pct": (t("contained_within_24h_pct", lang), "pct"),
        },
        key="cyber_regions",
    )

st.subheader(t("fraud_resources", lang))
blocks = queries.compstat_window(
    src,
    queries.BLOCKS,
    window,
    area,
    "total",
    (
        "resources_blocked_current",
        "resources_blocked_pct_change",
        "block_requests_current",
        "median_hours_to_block",
        "blocked_within_24h_pct",
    ),
)
ui.window_caption(blocks, lang)
if len(blocks):
    row = blocks.iloc[0]
    block_cards = st.columns(4)
    block_cards[0].metric(
        t("resources_blocked", lang),
        i18n.num(row["resources_blocked_current"], lang),
        delta=ui.delta(row["resources_blocked_pct_change"], lang),
    )
    block_cards[1].metric(t("block_requests", lang), i18n.num(row["block_requests_current"], lang))
    block_cards[2].metric(t("median_hours_to_block", lang), hours(row["median_hours_to_block"]))
    block_cards[3].metric(t("blocked_within_24h_pct", lang), i18n.pct(row["blocked_within_24h_pct"], lang))

st.subheader(f"{t('compstat', lang)}: {t('resources_blocked', lang)} — {t('resource_type', lang)}")
ui.compstat_table(
    queries.compstat(src, queries.BLOCKS, "resources_blocked", area, "category"), t("resource_type", lang), code, lang
)
if by_region:
    st.subheader(f"{t('resources_blocked', lang)} — {t('region', lang)}")
    blocked = queries.compstat_window(
        src,
        queries.BLOCKS,
        window,
        area,
        "area",
        ("resources_blocked_current", "block_requests_current", "median_hours_to_block", "blocked_within_24h_pct"),
    )
    ui.areas(
        ctx,
        blocked,
        "key",
        "resources_blocked_current",
        t("resources_blocked", lang),
        {
            "key": (t("region", lang), "text"),
            "resources_blocked_current": (t("resources_blocked", lang), "int"),
            "block_requests_current": (t("block_requests", lang), "int"),
            "median_hours_to_block": (t("median_hours_to_block", lang), "num1"),
            "blocked_within_24h_pct": (t("blocked_within_24h_pct", lang), "pct"),
        },
        key="blocks_regions",
    )
