"""Holiday operations: a holiday or mass-event period against the ordinary days before it — incidents at or near
events, road incidents and casualties (all roads and highways), crime in streets and public places, pyrotechnics
seized, fire-safety inspections, children's trips escorted — with the plan's holiday targets and the 102 response.
What a country does not collect is named as such, never shown as zeros."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from access import i18n, read
from access.i18n import t
from dashboards import charts, queries, ui

# the measures in the page's order, by the dataset they come from (marts.agg_holiday_ops_daily)
MEASURES = {
    "mass_event": (
        "mass_events",
        "mass_events_with_children",
        "mass_events_secured",
        "mass_events_round_the_clock",
        "police_assigned",
        "event_attendance",
        "event_incidents",
    ),
    "pyrotechnics_seizure": (
        "pyrotechnics_raids",
        "retail_points_checked",
        "pyrotechnics_units_seized",
        "pyrotechnics_boxes_seized",
    ),
    "fire_inspection": ("fire_inspections", "fire_inspections_with_violations", "fire_violations"),
    "fire_alarm_installation": ("fire_alarm_sensors", "fire_alarm_households"),
    "child_trip_escort": ("child_trips", "child_trips_escorted", "children_on_trips"),
    "road_incident": (
        "road_incidents",
        "road_killed",
        "road_ksi",
        "highway_road_incidents",
        "highway_road_deaths",
        "highway_ksi",
    ),
    "crime_report": ("street_crimes",),
}
ORDER = [m for measures in MEASURES.values() for m in measures]
TARGET_KPIS = {  # the plan KPIs measured from the same data (int_plan_kpis_measured_daily)
    "mass_events_secured",
    "pyrotechnics_units_seized",
    "pyrotechnics_boxes_seized",
    "fire_inspections",
    "fire_alarm_sensors",
    "child_trips_escorted_pct",
    "highway_road_deaths",
    "street_crimes",
}
ORDINARY_DAYS = 28  # as kpi_holiday_ops_periods compares

ctx = ui.page("holiday")
lang, src, area = ctx.lang, ctx.src, ctx.area
assert src is not None  # ui.page stops a page while nothing is published
as_of: dt.date = ctx.info["as_of"]
st.caption(t("holiday_intro", lang))

collected = queries.holiday_ops_collected(src)
absent = [i18n.code(dataset, lang) for dataset, measures in MEASURES.items() if not collected & set(measures)]
if absent:
    st.info(t("holiday_not_collected", lang, items=", ".join(absent)))


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _period(periods: pd.DataFrame, period_id: str) -> tuple[list[dt.date], list[dt.date]]:
    """The period's days to the as-of day, and the ordinary days among the 28 before it (as the mart takes them)."""
    row = periods[periods["period_id"] == period_id].iloc[0]
    start, end = row["start_date"].date(), min(row["end_date"].date(), as_of)
    before = _days(start - dt.timedelta(days=ORDINARY_DAYS), start - dt.timedelta(days=1))
    special = queries.special_days(src, before[0], before[-1])
    return _days(start, end), [d for d in before if d not in special]


def _response(source: queries.Source, name: str, days: list[dt.date], ordinary: list[dt.date]) -> None:
    st.subheader(t("holiday_response", lang))
    periods = ((name, days), (t("holiday_ordinary", lang), ordinary))
    measured = queries.live_response(source, tuple(tuple(d) for _, d in periods))
    rows = [r | {"days": len(d), "name": n} for r, (n, d) in zip(measured, periods, strict=True)]
    if not any(r["calls"] for r in rows):
        st.caption(t("holiday_response_none", lang))
        return
    frame = pd.DataFrame(rows).assign(calls_per_day=lambda f: f["calls"] / f["days"].where(f["days"] > 0))
    ui.table(
        frame,
        {
            "name": (t("holiday_choose", lang), "text"),
            "calls_per_day": (t("holiday_calls_per_day", lang), "num1"),
            "dispatch_p50": (t("to_dispatch", lang, p="p50"), "num1"),
            "arrival_p50": (t("to_arrival", lang, p="p50"), "num1"),
            "arrival_p90": (t("to_arrival", lang, p="p90"), "num1"),
        },
        lang,
    )


periods = queries.holiday_ops_periods(src, area.regional)
if periods.empty:
    st.info(t("holiday_none", lang))
else:
    period_id = st.selectbox(
        t("holiday_choose", lang),
        list(periods["period_id"].drop_duplicates()),  # newest first
        format_func=lambda p: i18n.holiday(p, lang),
        key="holiday_period",
    )
    name = i18n.holiday(period_id, lang)
    days, ordinary = _period(periods, period_id)
    st.subheader(f"{name} — {ctx.area_name}")
    st.caption(t("holiday_days", lang, start=i18n.date(days[0], lang), end=i18n.date(days[-1], lang), days=len(days)))
    rows = periods[periods["period_id"] == period_id]
    rows = rows.iloc[rows["metric"].map(ORDER.index).argsort()]
    labels = [i18n.code(m, lang) for m in rows["metric"]]
    per_day = t("per_day", lang)
    ui.table(
        rows.assign(metric=labels),
        {
            "metric": (t("holiday_measure", lang), "text"),
            "value": (t("holiday_in_period", lang), "int"),
            "per_day": (f"{t('holiday_in_period', lang)}, {per_day}", "num2"),
            "ordinary_per_day": (f"{t('holiday_ordinary', lang)}, {per_day}", "num2"),
            "ratio_to_ordinary": (t("ratio", lang), "num2"),
        },
        lang,
    )
    ui.chart(charts.hbar(labels, rows["ratio_to_ordinary"], lang, t("holiday_ratio_chart", lang)), key="holiday_ratio")
    if area.region is None:
        metric = st.selectbox(
            t("holiday_measure", lang),
            list(rows["metric"]),
            format_func=lambda m: i18n.code(m, lang),
            key="holiday_metric",
        )
        label = i18n.code(metric, lang)
        st.subheader(t("holiday_by_region", lang, measure=label))
        ui.areas(
            ctx,
            queries.holiday_ops_by_region(src, period_id, metric),
            "region_code",
            "per_day",
            f"{label}, {per_day}",
            {
                "region_code": (t("region", lang), "text"),
                "value": (t("holiday_in_period", lang), "int"),
                "per_day": (f"{t('holiday_in_period', lang)}, {per_day}", "num2"),
                "ordinary_per_day": (f"{t('holiday_ordinary', lang)}, {per_day}", "num2"),
                "ratio_to_ordinary": (t("ratio", lang), "num2"),
            },
            key="holiday_regions",
        )
    _response(src, name, days, ordinary)

st.subheader(t("holiday_targets", lang))
if not ctx.info["has_plan"]:  # a geography without a plan has no plan marts
    st.caption(t("no_plan", lang, geography=read.geography_name(ctx.info["geography"], lang)))
    st.stop()
targets = queries.plan_progress(src, area.regional)
targets = targets[targets["kpi"].isin(TARGET_KPIS)]
if targets.empty:
    st.caption(t("holiday_targets_none", lang))
else:
    shown = []
    for target in targets.to_dict("records"):
        view = read.target_view(target, lang)
        unit = target["unit"]
        shown.append(
            {
                "name": view.name,
                "goal": view.goal,
                "actual": i18n.plan_value(target["actual_to_date"], unit, lang),
                "plan": i18n.plan_value(target["milestone_due_value"], unit, lang),
                "status": view.status,
            }
        )
    ui.table(
        pd.DataFrame(shown),
        {
            "name": (t("holiday_target", lang), "text"),
            "goal": (t("target_value", lang), "text"),
            "actual": (t("actual", lang), "text"),
            "plan": (t("plan_to_date", lang), "text"),
            "status": (t("status", lang), "text"),
        },
        lang,
    )
