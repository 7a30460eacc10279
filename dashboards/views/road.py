"""Road safety: CompStat for incidents, killed, injured and KSI; causes; holiday and mass-event periods."""

from __future__ import annotations

import streamlit as st

from access import i18n
from access.i18n import t
from dashboards import charts, queries, ui

ctx = ui.page("road")
lang, src, area, window = ctx.lang, ctx.src, ctx.area, ctx.windows.compstat
area_word = t("region" if area.child_level == "region" else "district", lang)

metric = st.radio(t("metric", lang), queries.ROAD.metrics, format_func=lambda m: t(m, lang), horizontal=True)
st.subheader(f"{t('compstat', lang)}: {t(metric, lang)} — {t('causes', lang)}")
ui.compstat_table(
    queries.compstat(src, queries.ROAD, metric, area, "category"), t("cause", lang), lambda c: i18n.code(c, lang), lang
)
st.subheader(f"{t('compstat', lang)}: {t(metric, lang)} — {area_word}")
by_area = queries.compstat(src, queries.ROAD, metric, area, "area")
ui.compstat_map(ctx, by_area, t(metric, lang), key="road_map")
ui.compstat_table(by_area, area_word, ctx.name, lang)

st.subheader(f"{t('causes', lang)} — {t(f'period_{ctx.period}', lang)}")
causes = queries.compstat_window(
    src, queries.ROAD, window, area, "category", ("incidents_current", "ksi_current", "killed_current")
)
causes = causes[causes["key"] != "all"]
ui.window_caption(causes, lang)
left, right = st.columns(2)
with left:
    ui.chart(
        charts.hbar(
            [i18n.code(c, lang) for c in causes["key"]], causes["incidents_current"], lang, t("incidents", lang)
        ),
        key="road_causes",
    )
with right:
    rates = queries.compstat_window(
        src, queries.ROAD, window, area, "area", ("ksi_per_100k", "incidents_per_100k", "killed_per_100k")
    )
    ui.table(
        rates.assign(key=[ctx.name(c) for c in rates["key"]]),
        {
            "key": (area_word, "text"),
            "incidents_per_100k": (f"{t('incidents', lang)}, {t('rate_per_100k', lang).lower()}", "num2"),
            "killed_per_100k": (f"{t('killed', lang)}, {t('rate_per_100k', lang).lower()}", "num2"),
            "ksi_per_100k": (f"{t('ksi_short', lang)}, {t('rate_per_100k', lang).lower()}", "num2"),
        },
        lang,
    )

st.subheader(t("daily_incidents", lang))
info = ctx.info
periods = queries.holiday_periods(src)
ui.chart(charts.daily_with_periods(queries.road_daily(src, area, info["as_of"]), periods, lang), key="road_daily")
st.subheader(t("holiday_periods", lang))
ui.table(
    periods.sort_values("start_date", ascending=False).assign(
        period_name=lambda f: [i18n.holiday(p, lang) for p in f["period_id"]]
    ),
    {
        "period_name": (t("period_name", lang), "text"),
        "start_date": (t("period_start", lang), "date"),
        "end_date": (t("period_end", lang), "date"),
        "incidents_per_day": (f"{t('incidents', lang)} {t('per_day', lang)}", "num1"),
        "baseline_incidents_per_day": (f"{t('incidents', lang)}, {t('ordinary_per_day', lang)}", "num1"),
        "incidents_ratio_to_ordinary": (t("ratio", lang), "num2"),
        "ksi_per_day": (f"{t('ksi_short', lang)} {t('per_day', lang)}", "num1"),
        "ksi_ratio_to_ordinary": (f"{t('ksi_short', lang)} {t('ratio', lang)}", "num2"),
    },
    lang,
)
