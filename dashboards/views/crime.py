"""Crime: CompStat by offence and by area, rates and clearance, minors and domestic violence, hour × weekday."""

from __future__ import annotations

import streamlit as st

from access import i18n
from access.i18n import t
from dashboards import charts, queries, ui

ctx = ui.page("crime")
lang, src, area, window = ctx.lang, ctx.src, ctx.area, ctx.windows.compstat
area_word = t("region" if area.child_level == "region" else "district", lang)

st.subheader(f"{t('compstat', lang)}: {t('crimes_registered', lang)} — {t('by_category', lang)}")
by_category = queries.compstat(src, queries.CRIME, "crimes_registered", area, "category")
ui.compstat_table(by_category, t("category", lang), lambda c: i18n.code(c, lang), lang)

offence = st.selectbox(t("category", lang), by_category["key"].tolist(), format_func=lambda c: i18n.code(c, lang))
st.subheader(f"{t('compstat', lang)}: {i18n.code(offence, lang)} — {area_word}")
ui.compstat_table(
    queries.compstat(src, queries.CRIME, "crimes_registered", area, "area", offence), area_word, ctx.name, lang
)

st.subheader(f"{t('rates_clearance', lang)} — {t(f'period_{ctx.period}', lang)}")
rate_columns = (
    "rate_per_100k",
    "rate_per_10k",
    "clearance_rate_pct",
    "clearance_rate_pct_prior",
    "public_place_cleared_camera_share_pct",
)
total = queries.compstat_window(src, queries.CRIME, window, area, "total", rate_columns)
ui.window_caption(total, lang)
rate_figures = {
    "rate_per_100k": (t("rate_per_100k", lang), "num2"),
    "rate_per_10k": (t("rate_per_10k", lang), "num2"),
    "clearance_rate_pct": (t("clearance", lang), "pct"),
}
ui.cards(total, rate_figures | {"public_place_cleared_camera_share_pct": (t("camera_share", lang), "pct")}, lang)
rates = queries.compstat_window(src, queries.CRIME, window, area, "area", rate_columns)
rate_table = (
    {"key": (area_word, "text")}
    | rate_figures
    | ({"clearance_rate_pct_prior": (t("clearance_prior", lang), "pct")} if ui.prior_complete(rates) else {})
)
ui.areas(ctx, rates, "key", "rate_per_100k", t("rate_per_100k", lang), rate_table, key="crime_rates")

st.subheader(f"{t('minors_dv', lang)} — {t(f'period_{ctx.period}', lang)}")
sensitive_columns = tuple(
    f"{p}{s}" for p in ("crimes_against_minors", "dv_crimes") for s in ("_current", "_prior", "_pct_change")
)
minors = queries.compstat_window(src, queries.CRIME, window, area, "area", sensitive_columns)
columns = {"key": (area_word, "text")}
for name, prefix in (("minors", "crimes_against_minors"), ("dv", "dv_crimes")):
    columns[f"{prefix}_current"] = (t(name, lang), "int")
    if ui.prior_complete(minors):
        columns |= {
            f"{prefix}_prior": (f"{t(name, lang)}, {t('prior', lang)}", "int"),
            f"{prefix}_pct_change": (f"{t(name, lang)}, {t('pct_change', lang)}", "pct_signed"),
        }
# The policy's views blank small counts for scopes not cleared for them; a blank count is such a count.
cleared = src.scope.cleared_for_sensitive
k = ui.get_settings().suppress_below
hidden = {c: t("suppressed_cell", lang) for c in columns if not cleared and c.endswith(("_current", "_prior"))}
ui.area_map(ctx, minors, "key", "crimes_against_minors_current", columns, key="minors_map", na=hidden)
ui.table(minors.assign(key=[ctx.name(c) for c in minors["key"]]), columns, lang, na=hidden)
if not cleared:
    st.caption(t("suppressed_note", lang, k=k - 1))

st.subheader(t("hour_weekday", lang))
if area.district:
    st.caption(t("national_only", lang, area=ctx.name(area.region)))
ui.chart(charts.heatmap(queries.hour_weekday(src, area), lang), key="hour_weekday")
