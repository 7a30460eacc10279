"""Plan 2026: every target as a bullet chart with status, forecast and pace; the camera burn-up; since yesterday."""

from __future__ import annotations

import streamlit as st

from access import i18n
from access.i18n import t
from dashboards import charts, queries, ui

BADGES = {
    "on_track": "green",
    "met": "green",
    "minor_risk": "yellow",
    "at_risk": "orange",
    "off_track": "red",
    "missed": "red",
}

ctx = ui.page("plan")
lang, src = ctx.lang, ctx.src


def _digits(unit: str) -> int:
    return 1 if unit == "percent" else 0


def _value(value: float, unit: str, signed: bool = False) -> str:
    text = i18n.num(value, lang, _digits(unit))
    return f"+{text}" if signed and value > 0 else text


changes = queries.plan_changes(src)
moved = [
    f"{i18n.code(row.kpi, lang)} {_value(row.today - row.yesterday, row.unit, signed=True)}"
    for row in changes.itertuples()
    if row.today == row.today
    and row.yesterday == row.yesterday  # both known (not NaN)
    and round(row.today - row.yesterday, _digits(row.unit)) != 0
]
st.markdown(f"**{t('since_yesterday', lang)}:** {'; '.join(moved) if moved else t('no_change', lang)}")

st.subheader(t("plan_targets", lang))
targets = queries.plan_progress(src)
if targets.empty and not src.scope.is_national:
    st.caption(t("plan_national", lang))
for target in targets.to_dict("records"):
    unit, status = target["unit"], target["status"] or "no_data"
    label, bar, facts = st.columns([2, 5, 3], vertical_alignment="center")
    label.markdown(
        f"**{i18n.code(target['kpi'], lang)}**  \n:{BADGES.get(status, 'gray')}-badge[{i18n.code(status, lang)}]"
    )
    label.caption(f"{t('owner', lang)}: {target['owner']}")
    with bar:
        ui.chart(charts.bullet(target, lang), key=f"bullet_{target['target_id']}")
    pace = ""
    if target["pace_per_month_needed"] == target["pace_per_month_needed"]:
        pace = (
            f"  \n{t('pace_needed', lang)}: {_value(target['pace_per_month_needed'], unit)}{t('per_month', lang)}"
            f" ({t('pace_now', lang)} {_value(target['current_pace_per_month'], unit)}{t('per_month', lang)})"
        )
    facts.markdown(
        f"{t('actual', lang)}: **{_value(target['actual_to_date'], unit)}** / {t('target', lang)} "
        f"{_value(target['target_value'], unit)}  \n"
        f"{t('milestone', lang)}: {_value(target['milestone_due_value'], unit)} · "
        f"{t('prior_year', lang)}: {_value(target['prior_year_to_date'], unit)}  \n"
        f"{t('forecast', lang)}: **{_value(target['forecast_year_end'], unit)}**{pace}",
        help=target["status_reason"],
    )

st.subheader(f"{t('burnup', lang)} — {ctx.name(ctx.area.region) if ctx.area.region else t('all_country', lang)}")
ui.chart(charts.burnup(queries.rollout(src, ctx.area), lang), key="burnup")
st.markdown(f"**{t('by_region', lang)}**")
regions = queries.rollout_by_region(src)
ui.table(
    regions.assign(region_code=[ctx.name(c) for c in regions["region_code"]]),
    {
        "region_code": (t("region", lang), "text"),
        "cameras_installed": (t("installed", lang), "int"),
        "cameras_commissioned": (t("commissioned", lang), "int"),
        "cameras_reporting": (t("reporting", lang), "int"),
        "planned_installed": (t("planned", lang), "int"),
        "year_end_target": (t("year_end_target", lang), "int"),
        "cameras_per_10k_residents": (t("per_10k", lang), "num2"),
    },
    lang,
)
