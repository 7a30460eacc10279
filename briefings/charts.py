"""Briefing charts: Vega-Lite specs rendered to PNG by vl-convert (no browser; one renderer per process).

Spec builders are pure functions of a Briefing and a language; `png` renders any of them. The same
spec renders to the same bytes, so identical charts (the national plan chart in every e-mail of a
run) are rendered once per process.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from typing import Any, Literal

import vl_convert

from access import read
from access.i18n import Lang, metric, t
from briefings.content import NOTHING, Briefing

WIDTH = 560
LABELS = 300  # the plan chart's room for a target's name and limit
SCALE = 1
CONFIG = {"view": {"stroke": None}, "axis": {"labelFontSize": 11, "titleFontSize": 11}}
Spec = dict[str, Any]


def _spec(title: str, height: int, body: Spec) -> Spec:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "width": WIDTH - 160,
        "height": height,
        "background": "white",
        "config": CONFIG,
        **body,
    }


def plan_chart(b: Briefing, lang: Lang) -> Spec:
    """Each target's bar as on the plan page: % of the plan to date, longer = better for both directions, the
    status colour of access.read.TARGET_RULES, a rule at 100 %."""
    views = [(p, read.target_view(p, lang)) for p in b.plan if p["status"]]
    rows = [{"target": f"{v.name} {v.goal}", "pct": v.bar or 0, "colour": v.colour} for p, v in views]
    return _spec(
        t("chart_plan", lang),
        18 * len(rows),
        {
            # the targets' names and limits in full (vega-lite cuts labels at 180 px): a narrower plot instead
            "width": WIDTH - LABELS,
            "data": {"values": rows},
            "layer": [
                {
                    "mark": {"type": "bar", "height": 12},
                    "encoding": {
                        "y": {
                            "field": "target",
                            "type": "nominal",
                            "sort": None,
                            "title": None,
                            "axis": {"labelLimit": LABELS},
                        },
                        "x": {
                            "field": "pct",
                            "type": "quantitative",
                            "title": t("plan_score", lang),
                            "scale": {"domain": [0, read.BAR_MAX]},
                        },
                        "color": {"field": "colour", "type": "nominal", "scale": None},
                    },
                },
                {"mark": {"type": "rule", "color": "#333"}, "encoding": {"x": {"datum": 100}}},
            ],
        },
    )


def trend_chart(b: Briefing, lang: Lang) -> Spec:
    """Crimes per day, and a year earlier in grey where the data reaches back; the title names only the lines
    drawn (the lake's first year has no year-earlier line)."""
    year_ago = any(prior is not None for _, _, prior in b.crime_trend)
    series = {t("crimes", lang): 1} | ({t("year_ago", lang): 2} if year_ago else {})
    rows = [
        {"day": day[0].isoformat(), "series": name, "n": day[i]} for day in b.crime_trend for name, i in series.items()
    ]
    return _spec(
        t("chart_trend" if year_ago else "chart_trend_this_year", lang),
        150,
        {
            "data": {"values": rows},
            "mark": {"type": "line", "strokeWidth": 1.5},
            "encoding": {
                "x": {"field": "day", "type": "temporal", "title": None, "axis": {"format": "%-d %b"}},
                "y": {"field": "n", "type": "quantitative", "title": None},
                "color": {
                    "field": "series",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": list(series), "range": ["#1565c0", "#bdbdbd"][: len(series)]},
                    "legend": {"orient": "top"},
                },
            },
        },
    )


def offline_chart(b: Briefing, lang: Lang) -> Spec:
    """By district for a region, by region for the nation."""
    if b.scope.is_national:
        counts = Counter(o[f"region_{lang}"] or o["region_code"] or "?" for o in b.offline)
    else:
        counts = Counter(o[f"district_{lang}"] or o["district_code"] or "?" for o in b.offline)
    rows = [{"area": area, "n": n} for area, n in counts.most_common(12)]
    return _spec(
        t("chart_offline", lang),
        max(18 * len(rows), 40),
        {
            "data": {"values": rows},
            "mark": {"type": "bar", "color": "#c62828", "height": 12},
            "encoding": {
                "y": {"field": "area", "type": "nominal", "sort": "-x", "title": None},
                "x": {"field": "n", "type": "quantitative", "title": None, "axis": {"tickMinStep": 1}},
            },
        },
    )


def movers_chart(b: Briefing, lang: Lang, n: int) -> Spec:
    rows = [
        {"kpi": metric(m.metric, lang), "pct": m.windows["28d"].pct}
        for m in b.top_movers(n)
        if not m.sensitive and m.windows.get("28d", NOTHING).pct is not None
    ]
    return _spec(
        t("chart_movers", lang),
        max(18 * len(rows), 40),
        {
            "data": {"values": rows},
            "mark": {"type": "bar", "height": 12},
            "encoding": {
                "y": {"field": "kpi", "type": "nominal", "sort": None, "title": None},
                "x": {"field": "pct", "type": "quantitative", "title": None},
                "color": {"condition": {"test": "datum.pct > 0", "value": "#c62828"}, "value": "#2e7d32"},
            },
        },
    )


def rollout_chart(b: Briefing, lang: Lang) -> Spec:
    """The camera programme over the plan's months: cameras installed against the monthly plan."""
    rows = [
        {"month": month.isoformat(), "series": series, "n": n}
        for month, installed, planned in b.rollout
        for series, n in ((t("installed", lang), installed), (t("planned", lang), planned))
        if n is not None
    ]
    series = [t("installed", lang), t("planned", lang)]
    return _spec(
        t("chart_rollout", lang),
        150,
        {
            "data": {"values": rows},
            "mark": {"type": "line", "point": True, "strokeWidth": 1.5},
            "encoding": {
                "x": {"field": "month", "type": "temporal", "title": None, "axis": {"format": "%b %Y"}},
                "y": {"field": "n", "type": "quantitative", "title": None},
                "color": {
                    "field": "series",
                    "type": "nominal",
                    "title": None,
                    "scale": {"domain": series, "range": ["#1565c0", "#9e9e9e"]},
                    "legend": {"orient": "top"},
                },
            },
        },
    )


def charts(b: Briefing, lang: Lang, movers: int) -> dict[str, Spec]:
    """Plan (national) or camera roll-out (regional), crime trend, offline cameras when any; weekly adds movers."""
    specs = {"plan": plan_chart(b, lang)} if b.plan else {}
    if not b.scope.is_national:
        specs["rollout"] = rollout_chart(b, lang)
    specs["trend"] = trend_chart(b, lang)
    if b.offline:
        specs["offline"] = offline_chart(b, lang)
    if b.kind == "weekly":
        specs["movers"] = movers_chart(b, lang, movers)
    return specs


# d3's number and date words: "6 000", "дек 2026"
LOCALES: dict[Lang, Literal["ru-RU", "en-GB"]] = {"ru": "ru-RU", "en": "en-GB"}


@lru_cache(maxsize=256)
def _png(spec_json: str, lang: Lang) -> bytes:
    locale = LOCALES[lang]
    return vl_convert.vegalite_to_png(
        json.loads(spec_json), scale=SCALE, format_locale=locale, time_format_locale=locale
    )


def png(spec: Spec, lang: Lang) -> bytes:
    return _png(json.dumps(spec, sort_keys=True), lang)
