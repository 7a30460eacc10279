"""Cameras: availability by area and contractor, offline now, MTTR/MTBF, downtime by cause, worst 20 cameras."""

from __future__ import annotations

import streamlit as st

from access import i18n
from access.i18n import t
from dashboards import charts, queries, ui
from dashboards.views.live import camera_strip

ctx = ui.page("cameras")
camera_strip(ctx)
lang, src, area, window = ctx.lang, ctx.src, ctx.area, ctx.windows.camera

summary = queries.camera_summary(src, window, area)
cards = st.columns(6)
cards[0].metric(t("availability", lang), i18n.pct(summary.get("availability_pct"), lang, 2))
cards[1].metric(t("cameras_n", lang), i18n.num(summary.get("cameras"), lang))
cards[2].metric(t("offline_now", lang), i18n.num(summary["offline_now"], lang))
cards[3].metric(t("offline_24h", lang), i18n.num(summary["offline_over_24h"], lang))
cards[4].metric(t("mttr", lang), i18n.num(summary.get("mttr_hours"), lang, 1))
cards[5].metric(t("mtbf", lang), i18n.num(summary.get("mtbf_hours"), lang, 1))
if "window_start" in summary:
    start, end = (i18n.date(summary[k].date(), lang) for k in ("window_start", "window_end"))
    st.caption(f"{window}: {t('window', lang, start=start, end=end)}")

by_area = queries.availability_by_area(src, window, area)
st.subheader(
    f"{t('availability_by_area', lang)} — {t('by_region' if area.child_level == 'region' else 'by_district', lang)}"
)
area_columns = {
    "code": (t("area", lang), "text"),
    "cameras": (t("cameras_n", lang), "int"),
    "availability_pct": (t("availability", lang), "pct"),
    "mttr_hours": (t("mttr", lang), "num1"),
    "mtbf_hours": (t("mtbf", lang), "num1"),
    "failures": (t("failures", lang), "int"),
}
ui.areas(ctx, by_area, "code", "availability_pct", t("availability", lang), area_columns, key="availability")

st.subheader(t("availability_by_contractor", lang))
contractors = queries.availability_by_contractor(src, window, area)
contractor_columns = {"contractor": (t("contractor", lang), "text")} | {
    k: v for k, v in area_columns.items() if k != "code"
}
ui.table(
    contractors.assign(contractor=[i18n.code(c, lang) if c == "unknown" else c for c in contractors["contractor"]]),
    contractor_columns,
    lang,
)

st.subheader(t("downtime_by_cause", lang))
if area.district:
    st.caption(t("national_only", lang, area=ctx.name(area.region)))
downtime = queries.downtime_by_cause(src, window, area)
left, right = st.columns(2)
with left:
    ui.chart(
        charts.hbar(
            [
                f"{i18n.code(c, lang)} ({i18n.code(k, lang).lower()})"
                for c, k in zip(downtime["cause"], downtime["outage_kind"], strict=True)
            ],
            downtime["camera_hours_down"],
            lang,
            t("camera_hours_down", lang),
            [charts.KIND_COLOURS.get(k, charts.NEUTRAL) for k in downtime["outage_kind"]],
        ),
        key="downtime_by_cause",
    )
with right:
    ui.table(
        downtime.assign(cause=[i18n.code(c, lang) for c in downtime["cause"]]),
        {
            "cause": (t("cause", lang), "text"),
            "camera_hours_down": (t("camera_hours_down", lang), "num1"),
            "share_of_downtime_pct": ("%", "pct"),
            "cameras_affected": (t("cameras_n", lang), "int"),
            "incidents": (t("incidents_once", lang), "int"),
        },
        lang,
    )

left, right = st.columns(2)
with left:
    st.subheader(t("offline_list", lang))
    offline = queries.offline_now(src, area)
    ui.table(
        offline.assign(
            district_code=[ctx.name(c) for c in offline["district_code"]],
            cause=[i18n.code(c, lang) for c in offline["cause"]],
        ),
        {
            "camera_id": (t("camera", lang), "text"),
            "district_code": (t("district", lang), "text"),
            "cause": (t("cause", lang), "text"),
            "offline_since": (t("offline_since", lang), "datetime"),
            "offline_hours": (t("offline_hours", lang), "num1"),
        },
        lang,
    )
with right:
    st.subheader(t("worst_cameras", lang))
    worst = queries.worst_cameras(src, window, area)
    ui.table(
        worst.assign(district_code=[ctx.name(c) for c in worst["district_code"]]),
        {
            "camera_id": (t("camera", lang), "text"),
            "district_code": (t("district", lang), "text"),
            "contractor": (t("contractor", lang), "text"),
            "availability_pct": (t("availability", lang), "pct"),
            "failures": (t("failures", lang), "int"),
            "mttr_hours": (t("mttr", lang), "num1"),
        },
        lang,
    )
