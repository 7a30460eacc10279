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


st.subheader(t("cyber_incidents", lang))
incident_figures = {
    "incidents_current": (t("cyber_incidents_n", lang), "int"),
    "median_hours_to_contain": (t("median_hours_to_contain", lang), "num1"),
    "p90_hours_to_contain": (t("p90_hours_to_contain", lang), "num1"),
    "contained_within_24h_pct": (t("contained_within_24h_pct", lang), "pct"),
    "open_incidents": (t("open_incidents", lang), "int"),
}
totals = queries.compstat_window(src, queries.CYBER, window, area, "total", (*incident_figures, "incidents_pct_change"))
ui.window_caption(totals, lang)
ui.cards(totals, incident_figures, lang, delta_color={"incidents_current": "inverse"})

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
block_figures = {
    "resources_blocked_current": (t("resources_blocked", lang), "int"),
    "block_requests_current": (t("block_requests", lang), "int"),
    "median_hours_to_block": (t("median_hours_to_block", lang), "num1"),
    "blocked_within_24h_pct": (t("blocked_within_24h_pct", lang), "pct"),
}
blocks = queries.compstat_window(
    src, queries.BLOCKS, window, area, "total", (*block_figures, "resources_blocked_pct_change")
)
ui.window_caption(blocks, lang)
ui.cards(blocks, block_figures, lang)

st.subheader(f"{t('compstat', lang)}: {t('resources_blocked', lang)} — {t('resource_type', lang)}")
ui.compstat_table(
    queries.compstat(src, queries.BLOCKS, "resources_blocked", area, "category"), t("resource_type", lang), code, lang
)
if by_region:
    st.subheader(f"{t('resources_blocked', lang)} — {t('region', lang)}")
    blocked = queries.compstat_window(src, queries.BLOCKS, window, area, "area", tuple(block_figures))
    ui.areas(
        ctx,
        blocked,
        "key",
        "resources_blocked_current",
        t("resources_blocked", lang),
        {"key": (t("region", lang), "text")} | block_figures,
        key="blocks_regions",
    )
