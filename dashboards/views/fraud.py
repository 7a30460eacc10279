"""Fraud: reports, loss and median loss; scheme, channel, payment method and victim age; CompStat."""

from __future__ import annotations

import streamlit as st

from access import i18n
from access.i18n import t
from dashboards import charts, queries, ui

ctx = ui.page("fraud")
lang, src, area, window = ctx.lang, ctx.src, ctx.area, ctx.windows.compstat
area_word = t("region" if area.child_level == "region" else "district", lang)

totals = queries.compstat_window(
    src,
    queries.FRAUD,
    window,
    area,
    "total",
    (
        "fraud_reports_current",
        "fraud_reports_pct_change",
        "loss_amount_current",
        "loss_amount_pct_change",
        "share_with_loss_pct",
        "recovered_share_pct",
    ),
)
ui.window_caption(totals, lang)
if len(totals):
    row = totals.iloc[0]
    median = queries.fraud_median_loss(src, row["window_start"].date(), row["window_end"].date(), area)
    ui.cards(
        totals.assign(median_loss=median),
        {
            "fraud_reports_current": (t("fraud_reports", lang), "int"),
            "loss_amount_current": (t("loss_amount", lang), "int"),
            "median_loss": (t("median_loss", lang), "int"),
            "share_with_loss_pct": (t("share_with_loss", lang), "pct"),
            "recovered_share_pct": (t("recovered", lang), "pct"),
        },
        lang,
        delta_color={"fraud_reports_current": "inverse", "loss_amount_current": "inverse"},
    )

metric = st.radio(t("metric", lang), queries.FRAUD.metrics, format_func=lambda m: t(m, lang), horizontal=True)
st.subheader(f"{t('compstat', lang)}: {t(metric, lang)} — {t('scheme', lang)}")
ui.compstat_table(
    queries.compstat(src, queries.FRAUD, metric, area, "category"),
    t("scheme", lang),
    lambda c: i18n.code(c, lang),
    lang,
)
st.subheader(f"{t('compstat', lang)}: {t(metric, lang)} — {area_word}")
by_area = queries.compstat(src, queries.FRAUD, metric, area, "area")
ui.compstat_map(ctx, by_area, t(metric, lang), key="fraud_map")
ui.compstat_table(by_area, area_word, ctx.name, lang)

st.subheader(t("breakdowns", lang))
if area.district:
    st.caption(t("national_only", lang, area=ctx.name(area.region)))
breakdown = queries.fraud_breakdown(src, ctx.windows.breakdown, area)
ui.window_caption(breakdown, lang)
columns = st.columns(2)
for i, name in enumerate(("scheme", "channel", "payment_method", "victim_age_group")):
    part = breakdown[breakdown["breakdown"] == name]
    with columns[i % 2]:
        ui.chart(
            charts.hbar(
                [i18n.code(v, lang) for v in part["breakdown_value"]], part["fraud_reports"], lang, t(name, lang)
            ),
            key=f"fraud_{name}",
        )
ui.table(
    breakdown.assign(
        breakdown=[t(b, lang) for b in breakdown["breakdown"]],
        breakdown_value=[i18n.code(v, lang) for v in breakdown["breakdown_value"]],
    ),
    {
        "breakdown": ("", "text"),
        "breakdown_value": (t("category", lang), "text"),
        "fraud_reports": (t("fraud_reports", lang), "int"),
        "share_of_reports_pct": ("%", "pct"),
        "loss_amount": (t("loss_amount", lang), "int"),
        "median_loss_amount": (t("median_loss", lang), "int"),
        "share_with_loss_pct": (t("share_with_loss", lang), "pct"),
    },
    lang,
)
