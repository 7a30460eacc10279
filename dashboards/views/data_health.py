"""Data health: the warehouse's and each source's as-of stamp, silent sources and regions, quarantine by reason; the
live feeds' lag, loader and quarantine."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from access import i18n
from access.i18n import t
from dashboards import charts, queries, ui
from stream.health import health

ctx = ui.page("data_health")
lang, src, info = ctx.lang, ctx.src, ctx.info

st.subheader(t("warehouse", lang))
# in a minister's words first; the build's identity for engineers in the technical view at the end
st.markdown(
    t(
        "health_summary",
        lang,
        date=i18n.date(info["as_of"], lang),
        built=i18n.datetime(info["built_at"], lang, ui.get_settings().timezone),
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


def region_records(frame: pd.DataFrame, silent_ones: bool) -> None:
    """Per source and region: the newest record, days since, records in 28 days; the silent ones name their
    region, a region's own list says which sources went silent."""
    columns = {"dataset": (t("dataset", lang), "text")}
    if silent_ones:
        columns["region_code"] = (t("region", lang), "text")
    columns |= {
        "last_record_date": (t("newest_record", lang), "date"),
        "days_since_last_record": (t("days_since", lang), "int"),
        "records_last_28d": (t("records_28d", lang), "int"),
    }
    if not silent_ones:
        columns["is_silent"] = (t("silent", lang), "text")
    shown = frame.assign(
        dataset=[i18n.code(d, lang) for d in frame["dataset"]],
        region_code=[ctx.name(c) for c in frame["region_code"]],
        is_silent=[t("yes" if s else "no", lang) for s in frame["is_silent"]],
    )
    ui.table(shown, columns, lang)


reporting = queries.region_reporting(src)
if ctx.area.region:
    st.subheader(f"{t('sources', lang)} — {ctx.name(ctx.area.region)}")
    region_records(reporting[reporting["region_code"] == ctx.area.region], silent_ones=False)

st.subheader(t("silent_regions", lang))
silent = reporting[reporting["is_silent"]]
if silent.empty and not info["silent_sources"]:
    st.success(t("none_silent", lang))
else:
    region_records(silent, silent_ones=True)

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
            "rows_quarantined": (t("quarantined", lang), "int"),
            "files": (t("files", lang), "int"),
        },
        lang,
    )

# the live feeds, read from the broker and the lake as `safelake status` reads them; shown once the lake took any
found = health(ui.get_settings(), timeout=1.0, if_used=True)
if found.streams:
    st.subheader(t("live_streams", lang))
    if found.broker_error:
        st.warning(t("stream_down", lang))
    feeds = pd.DataFrame(
        {
            "dataset": [i18n.code(s.dataset, lang) for s in found.streams],
            "messages": [s.messages for s in found.streams],
            "lag": [s.lag for s in found.streams],
            "alive": [t("yes" if s.consumer_alive else "no", lang) for s in found.streams],
            "last_commit": [pd.Timestamp(s.last_commit) if s.last_commit else pd.NaT for s in found.streams],
            "quarantined": [s.quarantined for s in found.streams],
        }
    )
    ui.table(
        feeds,
        {
            "dataset": (t("dataset", lang), "text"),
            "messages": (t("stream_messages", lang), "int"),
            "lag": (t("stream_lag_short", lang), "int"),
            "alive": (t("consumer_pulling", lang), "text"),
            "last_commit": (t("last_commit", lang), "datetime"),
            "quarantined": (t("quarantined", lang), "int"),
        },
        lang,
    )
    st.subheader(t("stream_quarantine", lang))
    bad = [(s.dataset, reason, n) for s in found.streams for reason, n in s.quarantined_by_reason.items()]
    if bad:
        ui.table(
            pd.DataFrame(
                {
                    "dataset": [i18n.code(d, lang) for d, _, _ in bad],
                    "reason": [i18n.code(r, lang) for _, r, _ in bad],
                    "quarantined": [n for _, _, n in bad],
                }
            ),
            {
                "dataset": (t("dataset", lang), "text"),
                "reason": (t("reason", lang), "text"),
                "quarantined": (t("quarantined", lang), "int"),
            },
            lang,
        )
    else:
        st.success(t("stream_none_quarantined", lang))

with st.expander(t("technical_view", lang)):
    st.markdown(
        " · ".join(
            [
                f"{t('build', lang)}: `{info['build_id']}`",
                f"{t('lake_snapshot', lang)}: `{info['lake_snapshot']}`",
                f"{t('built_at', lang)}: {i18n.datetime(info['built_at'], lang, ui.get_settings().timezone)}",
            ]
        )
    )
    ui.table(
        reasons,
        {
            "dataset": ("dataset", "text"),
            "reason": ("reason", "text"),
            "column_name": ("column_name", "text"),
            "rows_quarantined": ("rows_quarantined", "int"),
            "files": ("files", "int"),
        },
        lang,
    )
