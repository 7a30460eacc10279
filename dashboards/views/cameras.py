"""Cameras over the sidebar's period (ending on the last whole day): availability by area and contractor against the
plan's target, failures, MTTR/MTBF, downtime by cause, offline now, the worst 20 cameras."""

from __future__ import annotations

import streamlit as st

from access import i18n
from access.i18n import t
from dashboards import charts, queries, ui
from dashboards.views.live import camera_strip

ctx = ui.page("cameras")
camera_strip(ctx)
lang, src, area, window = ctx.lang, ctx.src, ctx.area, ctx.windows.compstat

total = queries.camera_period(src, window, area, "total")
summary = total.iloc[0].to_dict() if len(total) else {}
offline = queries.offline_counts(src, area)
goal = None
if ctx.info["has_plan"]:  # a geography without a plan has no availability target
    target = queries.plan_progress(src, area.regional).query("kpi == 'availability_pct'")["target_value"]
    goal = None if target.empty else float(target.iloc[0])
first, second = st.columns(3), st.columns(3)
first[0].metric(t("availability", lang), i18n.pct(summary.get("availability_pct"), lang, 2))
first[1].metric(t("cameras_commissioned_n", lang), i18n.num(summary.get("cameras"), lang))
first[2].metric(t("failures", lang), i18n.num(summary.get("failures"), lang))
second[0].metric(t("offline_now", lang), i18n.num(offline["offline_now"], lang))
second[1].metric(t("mttr", lang), i18n.num(summary.get("mttr_hours"), lang, 1))
second[2].metric(t("mtbf", lang), i18n.num(summary.get("mtbf_hours"), lang, 1))
if summary:
    start, end = (i18n.date(summary[k], lang) for k in ("window_start", "window_end"))
    period = t(f"period_{ctx.period}", lang)
    st.caption(f"{period}: {t('window', lang, start=start, end=end)} · {t('commissioned_note', lang)}")

by_area = queries.camera_period(src, window, area, "area")
level = t("by_region" if area.child_level == "region" else "by_district", lang)
st.subheader(f"{t('availability_by_area', lang)} — {level[:1].lower()}{level[1:]}")
area_columns = {
    "key": (t("area", lang), "text"),
    "cameras": (t("cameras_n", lang), "int"),
    "availability_pct": (t("availability", lang), "pct"),
    "mttr_hours": (t("mttr", lang), "num1"),
    "mtbf_hours": (t("mtbf", lang), "num1"),
    "failures": (t("failures", lang), "int"),
}
ui.areas(
    ctx,
    by_area,
    "key",
    "availability_pct",
    t("availability", lang),
    area_columns,
    key="availability",
    higher_is_better=True,
    target=(goal, t("availability_target", lang)) if goal is not None else None,
)

st.subheader(t("availability_by_contractor", lang))
contractors = queries.camera_period(src, window, area, "contractor")
ui.table(
    contractors.assign(key=[i18n.code(c, lang) if c == "unknown" else c for c in contractors["key"]]),
    {"key": (t("contractor", lang), "text")} | {k: v for k, v in area_columns.items() if k != "key"},
    lang,
)

st.subheader(t("downtime_by_cause", lang))
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
        },
        lang,
    )

st.subheader(f"{t('offline_list', lang)}: {i18n.num(offline['offline_now'], lang)}")
st.caption(f"{t('offline_24h', lang)}: {i18n.num(offline['offline_over_24h'], lang)}")
cameras_offline = queries.offline_now(src, area)
ui.table(
    cameras_offline.assign(
        district_code=[ctx.name(c) for c in cameras_offline["district_code"]],
        cause=[i18n.code(c, lang) for c in cameras_offline["cause"]],
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
st.subheader(t("worst_cameras", lang))
worst = queries.camera_period(src, window, area, "camera")
ui.table(
    worst.assign(district_code=[ctx.name(c) for c in worst["district_code"]]),
    {
        "key": (t("camera", lang), "text"),
        "district_code": (t("district", lang), "text"),
        "contractor": (t("contractor", lang), "text"),
        "availability_pct": (t("availability", lang), "pct"),
        "failures": (t("failures", lang), "int"),
        "mttr_hours": (t("mttr", lang), "num1"),
    },
    lang,
)
