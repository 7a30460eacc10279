"""Data health: the warehouse's and each source's as-of stamp, silent sources and regions, quarantine by reason."""

from __future__ import annotations

import streamlit as st

from dashboards import charts, i18n, queries, ui
from dashboards.i18n import t

ctx = ui.page("data_health")
lang, src, info = ctx.lang, ctx.src, ctx.info

st.subheader(t("warehouse", lang))
# one line, not metric cards: the build time and id are too long for a card and would be cut
st.markdown(
    " · ".join(
        [
            f"{t('as_of_day', lang)}: **{i18n.date(info['as_of_date'], lang)}**",
            f"{t('built_at', lang)}: **{i18n.datetime(info['built_at'], lang, ui.get_settings().timezone)}**",
            f"{t('build', lang)}: `{info['build_id']}`",
            f"{t('lake_snapshot', lang)}: **{info['lake_snapshot']}**",
        ]
    )
)

# the feeds as a whole (a feed carries every region); a region's own view follows when one is chosen
st.subheader(f"{t('sources', lang)} — {t('all_country', lang)}")
sources = queries.source_freshness(src)
ui.table(
    sources.assign(
        dataset=[i18n.code(d, lang) for d in sources["dataset"]],
        top_quarantine_reason=[
            i18n.code(r, lang) if r == r and r else i18n.DASH for r in sources["top_quarantine_reason"]
        ],
        is_silent=[t("yes" if s else "no", lang) for s in sources["is_silent"]],
    ),
    {
        "dataset": (t("dataset", lang), "text"),
        "row_count": (t("rows", lang), "int"),
        "newest_record_at": (t("newest_record", lang), "datetime"),
        "last_ingested_at": (t("last_ingest", lang), "datetime"),
        "days_since_newest_record": (t("days_since", lang), "int"),
        "is_silent": (t("silent", lang), "text"),
        "rows_quarantined": (t("quarantined", lang), "int"),
        "quarantined_share_pct": ("%", "pct"),
        "top_quarantine_reason": (t("top_reason", lang), "text"),
    },
    lang,
)

reporting = queries.region_reporting(src)
if ctx.area.region:
    st.subheader(f"{t('sources', lang)} — {ctx.name(ctx.area.region)}")
    own = reporting[reporting["region_code"] == ctx.area.region]
    ui.table(
        own.assign(
            dataset=[i18n.code(d, lang) for d in own["dataset"]],
            is_silent=[t("yes" if s else "no", lang) for s in own["is_silent"]],
        ),
        {
            "dataset": (t("dataset", lang), "text"),
            "last_record_date": (t("newest_record", lang), "date"),
            "days_since_last_record": (t("days_since", lang), "int"),
            "records_last_28d": (t("records_28d", lang), "int"),
            "is_silent": (t("silent", lang), "text"),
        },
        lang,
    )

st.subheader(t("silent_regions", lang))
silent = reporting[reporting["is_silent"]]
if silent.empty and not info["silent_sources"]:
    st.success(t("none_silent", lang))
else:
    ui.table(
        silent.assign(
            dataset=[i18n.code(d, lang) for d in silent["dataset"]],
            region_code=[ctx.name(c) for c in silent["region_code"]],
        ),
        {
            "dataset": (t("dataset", lang), "text"),
            "region_code": (t("region", lang), "text"),
            "last_record_date": (t("newest_record", lang), "date"),
            "days_since_last_record": (t("days_since", lang), "int"),
            "records_last_28d": (t("records_28d", lang), "int"),
        },
        lang,
    )

st.subheader(t("quarantine_by_reason", lang))
reasons = queries.quarantine_reasons(src)
labels = [
    f"{i18n.code(d, lang)}: {i18n.code(r, lang)}" for d, r in zip(reasons["dataset"], reasons["reason"], strict=True)
]
left, right = st.columns(2)
with left:
    ui.chart(charts.hbar(labels, reasons["rows_quarantined"], lang, t("quarantined", lang)), key="quarantine")
with right:
    ui.table(
        reasons.assign(
            dataset=[i18n.code(d, lang) for d in reasons["dataset"]],
            reason=[i18n.code(r, lang) for r in reasons["reason"]],
        ),
        {
            "dataset": (t("dataset", lang), "text"),
            "reason": (t("reason", lang), "text"),
            "column_name": (t("column", lang), "text"),
            "rows_quarantined": (t("quarantined", lang), "int"),
            "files": ("Files" if lang == "en" else "Файлов", "int"),
        },
        lang,
    )
