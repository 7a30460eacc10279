"""Discipline & integrity: disciplinary cases per 100 staff by breach type and area (CompStat), the cases themselves
for internal security only (employees as pseudonyms), corruption offences, clearance and employees charged."""

from __future__ import annotations

import streamlit as st

from access import i18n
from access.i18n import t
from dashboards import queries, ui

ctx = ui.page("integrity")
lang, src, area, window = ctx.lang, ctx.src, ctx.area, ctx.windows.compstat
area_word = t("region" if area.child_level == "region" else "district", lang)
personnel = src.scope.cleared_for_personnel
suppressed = t("suppressed_cell", lang)
period = t(f"period_{ctx.period}", lang)

# counts about employees the policy blanked for a scope not cleared for personnel data read "hidden"
hidden = {} if personnel else dict.fromkeys(
    ("disciplinary_cases_current", "disciplinary_cases_prior", "cases_per_100_staff", "dismissals_current",
     "officers_charged_current"),
    suppressed,
)  # fmt: skip


DISCIPLINE_COLUMNS = (
    "disciplinary_cases_current",
    "disciplinary_cases_prior",
    "disciplinary_cases_pct_change",
    "cases_per_100_staff",
    "staff",
    "dismissals_current",
)
discipline_figures = {
    "disciplinary_cases_current": (t("disciplinary_cases", lang), "int"),
    "cases_per_100_staff": (t("cases_per_100_staff", lang), "num2"),
    "staff": (t("staff", lang), "int"),
    "dismissals_current": (t("dismissals", lang), "int"),
}


def discipline_table(frame, key_label: str, label) -> None:  # type: ignore[no-untyped-def]
    columns = {"key": (key_label, "text")} | discipline_figures
    if ui.prior_complete(frame):
        columns |= {
            "disciplinary_cases_prior": (f"{t('disciplinary_cases', lang)}, {t('prior', lang)}", "int"),
            "disciplinary_cases_pct_change": (t("pct_change", lang), "pct_signed"),
        }
    ui.table(frame.assign(key=[label(k) for k in frame["key"]]), columns, lang, na=hidden)


st.subheader(f"{t('disciplinary_cases', lang)} — {period}")
total = queries.compstat_window(src, queries.DISCIPLINE, window, area, "total", DISCIPLINE_COLUMNS)
ui.window_caption(total, lang)
ui.cards(total, discipline_figures, lang, delta_color={"disciplinary_cases_current": "inverse"}, na=hidden)

st.subheader(f"{t('compstat', lang)}: {t('disciplinary_cases', lang)} — {t('breach_type', lang)}")
by_breach = queries.compstat_window(src, queries.DISCIPLINE, window, area, "category", DISCIPLINE_COLUMNS)
discipline_table(by_breach, t("breach_type", lang), lambda c: i18n.code(c, lang))

breach = st.selectbox(
    t("breach_type", lang), by_breach["key"].tolist() or ["all"], format_func=lambda c: i18n.code(c, lang)
)
st.subheader(f"{t('compstat', lang)}: {i18n.code(breach, lang)} — {area_word}")
by_area = queries.compstat_window(src, queries.DISCIPLINE, window, area, "area", DISCIPLINE_COLUMNS, breach)
ui.area_map(
    ctx,
    by_area,
    "key",
    "cases_per_100_staff",
    {"cases_per_100_staff": (t("cases_per_100_staff", lang), "num1")},
    "discipline_map",
)
discipline_table(by_area, area_word, ctx.name)
if not personnel:
    st.caption(t("personnel_suppressed_note", lang, k=ui.get_settings().suppress_below - 1))

st.subheader(t("discipline_cases_list", lang))
if personnel:
    cases = queries.discipline_cases(src, window, area, breach)
    ui.table(
        cases.assign(
            region_code=[ctx.name(c) for c in cases["region_code"]],
            breach_type=[i18n.code(c, lang) for c in cases["breach_type"]],
            sanction=[i18n.code(c, lang) if isinstance(c, str) else i18n.DASH for c in cases["sanction"]],
        ),
        {
            "case_id": (t("case_id", lang), "text"),
            "officer_pseudonym": (t("officer_pseudonym", lang), "text"),
            "unit_id": (t("police_unit", lang), "text"),
            "region_code": (t("region", lang), "text"),
            "breach_type": (t("breach_type", lang), "text"),
            "opened_date": (t("opened_date", lang), "date"),
            "decided_date": (t("decided_date", lang), "date"),
            "sanction": (t("sanction", lang), "text"),
        },
        lang,
    )
st.caption(t("personnel_rows_note", lang))

articles = queries.corruption_articles(src)


def article_label(code: str) -> str:
    title = articles.get(code)
    return i18n.code(code, lang) if title is None else f"{code} — {title[0] if lang == 'en' else title[1]}"


st.subheader(f"{t('compstat', lang)}: {t('corruption_offences', lang)} — {t('article', lang)}")
ui.compstat_table(
    queries.compstat(src, queries.CORRUPTION, "corruption_offences", area, "category"),
    t("article", lang),
    article_label,
    lang,
)
st.subheader(f"{t('corruption_offences', lang)} — {area_word}, {period}")
corruption = queries.compstat_window(
    src,
    queries.CORRUPTION,
    window,
    area,
    "area",
    ("corruption_offences_current", "clearance_rate_pct", "sent_to_court_current", "officers_charged_current"),
)
ui.window_caption(corruption, lang)
ui.area_map(
    ctx,
    corruption,
    "key",
    "clearance_rate_pct",
    {
        "clearance_rate_pct": (t("clearance", lang), "pct"),
        "corruption_offences_current": (t("corruption_offences", lang), "int"),
    },
    "corruption_map",
    higher_is_better=True,
)
ui.table(
    corruption.assign(key=[ctx.name(c) for c in corruption["key"]]),
    {
        "key": (area_word, "text"),
        "corruption_offences_current": (t("corruption_offences", lang), "int"),
        "clearance_rate_pct": (t("clearance", lang), "pct"),
        "sent_to_court_current": (t("sent_to_court", lang), "int"),
        "officers_charged_current": (t("officers_charged", lang), "int"),
    },
    lang,
    na=hidden,
)
