"""Plan 2026: every target of the nation, or of the chosen region, as a bar against the plan to date with its
status, direction, forecast and pace (one rule: access.read.TARGET_RULES); the camera burn-up; since yesterday."""

from __future__ import annotations

import streamlit as st

from access import i18n, read
from access.i18n import t
from dashboards import charts, queries, ui

ctx = ui.page("plan")
lang, src = ctx.lang, ctx.src
if not ctx.info["has_plan"]:
    st.info(t("no_plan", lang, geography=read.geography_name(ctx.info["geography"], lang)))
    st.stop()
targets = queries.plan_progress(src, ctx.area.regional)
regional = ctx.area.region is not None


def _value(value: float, unit: str, signed: bool = False) -> str:
    text = i18n.plan_value(value, unit, lang)
    return f"+{text}" if signed and value > 0 else text


def _change(value: float, unit: str) -> str:
    """A day's change: a rate's in percentage points, not per cent of itself."""
    return i18n.points(value, lang) if unit == "percent" else _value(value, unit, signed=True)


if len(targets):
    moved = [
        f"{i18n.code(row.kpi, lang)} {_change(row.change_on_last_whole_day, row.unit)}"
        for row in targets.itertuples()
        if not i18n.missing(row.change_on_last_whole_day) and row.change_on_last_whole_day != 0
    ]
    day = i18n.date(targets["last_whole_day"].iloc[0], lang)
    st.markdown(f"**{t('since_yesterday', lang, day=day)}:** {'; '.join(moved) if moved else t('no_change', lang)}")

title = t("plan_of", lang, area=ctx.name(ctx.area.region)) if regional else t("plan_targets", lang)
st.subheader(title, help=t("plan_rule_help", lang))
first_year = False
for target in targets.to_dict("records"):
    view = read.target_view(target, lang)
    unit = target["unit"]
    national_only = target["regional_split"] == "national_only" and regional
    label, bar, facts = st.columns([3, 4, 4], vertical_alignment="center")
    # a target the plan keeps national has no regional share: no status and no bar for the region
    goal = t("national_only_target", lang) if national_only else view.goal
    badge = "" if national_only else f"  \n:{view.badge}-badge[{view.status}]"
    label.markdown(f"**{view.name}** · {goal}{badge}")
    owner = target["owner_ru"] if lang == "ru" else target["owner"]
    share = f" · {t('regional_share', lang)}" if regional and not national_only else ""
    label.caption(f"{t('owner', lang)}: {owner}{share}")
    if national_only:
        bar.caption(t("national_only_note", lang))
    else:
        with bar:
            ui.chart(charts.bullet(target, view, lang), key=f"bullet_{target['target_id']}")
    if i18n.missing(target["prior_year_to_date"]):
        first_year = first_year or not i18n.missing(target["baseline_to_date"])
        key = "baseline_pro_rata" if target["measure_kind"] == "flow" else "baseline_level"
        compared = f"{t(key, lang, year=target['baseline_year'])}: {_value(target['baseline_to_date'], unit)}"
    else:
        compared = f"{t('prior_year', lang)}: {_value(target['prior_year_to_date'], unit)}"
    lines = [f"{t('actual', lang)}: **{_value(target['actual_to_date'], unit)}**"]
    if not national_only:
        lines[0] += f" · {t('plan_to_date', lang)}: {_value(target['milestone_due_value'], unit)}"
        lines += [compared, f"{t('forecast', lang)}: **{_value(target['forecast_year_end'], unit)}**", view.pace]
    facts.markdown("  \n".join(lines))
if first_year:
    st.caption(t("first_year_note", lang, year=int(targets["baseline_year"].min())))

# the camera roll-out is a plan's cameras target (Kazakhstan's plan has none)
if "cameras_installed" in set(targets["kpi"]):
    st.subheader(f"{t('burnup', lang)} — {ctx.name(ctx.area.region) if regional else t('all_country', lang)}")
    ui.chart(charts.burnup(queries.rollout(src, ctx.area), lang), key="burnup")
    st.markdown(f"**{t('by_region', lang)}**")
    regions = queries.rollout_by_region(src)
    target = regions["year_end_target"].where(regions["year_end_target"] > 0)
    ui.area_map(
        ctx,
        regions.assign(installed_share=100 * regions["cameras_installed"] / target),
        "region_code",
        "installed_share",
        {
            "installed_share": (t("map_installed_share", lang), "pct"),
            "cameras_installed": (t("installed", lang), "int"),
            "planned_installed": (t("planned_month_end", lang), "int"),
            "year_end_target": (t("year_end_target", lang), "int"),
        },
        key="rollout_map",
        level="region",
        higher_is_better=True,
    )
    ui.table(
        regions.assign(region_code=[ctx.name(c) for c in regions["region_code"]]),
        {
            "region_code": (t("region", lang), "text"),
            "cameras_installed": (t("installed", lang), "int"),
            "cameras_commissioned": (t("commissioned", lang), "int"),
            "cameras_reporting": (t("reporting", lang), "int"),
            "planned_installed": (t("planned_month_end", lang), "int"),
            "year_end_target": (t("year_end_target", lang), "int"),
            "cameras_per_10k_residents": (t("per_10k", lang), "num2"),
        },
        lang,
    )
