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

import numpy as np
import vl_convert

from access import read
from access.i18n import Lang, metric, t
from briefings.content import NOTHING, Briefing
from safelake import reference
from safelake.settings import get_settings

WIDTH = 560
LABELS = 340  # the plan chart's room for a target's name and limit (the longest Russian one needs ~320 px)
SCALE = 1
NO_VALUE = "#e0e0e0"  # an area on the map with nothing to count
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
    """By region for the nation, by district of the recipient's region for a regional reader: a map where the
    reference geography has boundaries for the level, bars otherwise."""
    level = "region" if b.scope.is_national else "district"
    column = f"{level}_code"
    geojson = reference.boundaries(get_settings().geography, level)
    if geojson is not None:
        counts = Counter(o[column] for o in b.offline if o[column])
        features = [
            f
            for f in geojson["features"]
            if b.scope.is_national or f["properties"].get("region_code") == b.scope.region_code
        ]
        if features:
            return offline_map(features, counts, lang)
    names = Counter(o[f"{level}_{lang}"] or o[column] or "?" for o in b.offline)
    rows = [{"area": area, "n": n} for area, n in names.most_common(12)]
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


def offline_map(features: list[dict[str, Any]], counts: Counter[str], lang: Lang) -> Spec:
    """The areas' shapes (inline GeoJSON) shaded by their offline cameras, each count written on its area; an area
    with none is grey. A shape standing for several areas (Bishkek's districts) carries their sum."""
    offline = [sum(counts[c] for c in reference.covered(f)) for f in features]
    shapes = [
        {"type": "Feature", "properties": {"n": n}, "geometry": _clockwise(f["geometry"])}
        for f, n in zip(features, offline, strict=True)
    ]
    labels = [
        {"lon": lon, "lat": lat, "n": n}
        for f, n in zip(features, offline, strict=True)
        if n
        for lon, lat in [_label_point(f["geometry"])]
    ]
    return _spec(
        t("chart_offline", lang),
        300,
        {
            "width": WIDTH - 40,
            "projection": {"type": "mercator"},
            "layer": [
                {
                    # an object, not a list of rows: the features are read from its "features"
                    "data": {"values": {"features": shapes}, "format": {"type": "json", "property": "features"}},
                    "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.8},
                    "encoding": {
                        "color": {
                            "condition": {
                                "test": "datum.properties.n > 0",
                                "field": "properties.n",
                                "type": "quantitative",
                                "scale": {"scheme": "reds", "domainMin": 0},
                                "legend": None,
                            },
                            "value": NO_VALUE,
                        }
                    },
                },
                *(
                    {
                        "data": {"values": labels},
                        "mark": {"type": "text", "fontSize": 12, "fontWeight": "bold", **style},
                        "encoding": {
                            "longitude": {"field": "lon", "type": "quantitative"},
                            "latitude": {"field": "lat", "type": "quantitative"},
                            "text": {"field": "n", "type": "quantitative"},
                        },
                    }
                    # a white halo first, then the figure: readable on the darkest red
                    for style in ({"stroke": "#ffffff", "strokeWidth": 3}, {"color": "#1f2933"})
                ),
            ],
        },
    )


def _clockwise(geometry: dict[str, Any]) -> dict[str, Any]:
    """Vega draws polygons as d3-geo does, on the sphere: a counter-clockwise ring (RFC 7946, our files) would
    enclose the rest of the globe, so every ring is reversed."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    turned = [[ring[::-1] for ring in polygon] for polygon in polygons]
    return {"type": geometry["type"], "coordinates": turned if geometry["type"] == "MultiPolygon" else turned[0]}


def _label_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """Where an area's count is written: the point of a grid over its largest polygon farthest inside it (from its
    border and its holes), so that a region that surrounds a city (Chuy round Bishkek) is labelled clear of it."""
    return _inside_point(json.dumps(geometry))


@lru_cache(maxsize=1024)
def _inside_point(geometry_json: str, steps: int = 16) -> tuple[float, float]:
    geometry = json.loads(geometry_json)
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    rings = [np.asarray(ring, dtype=float) for ring in max(polygons, key=lambda p: _extent(np.asarray(p[0])))]
    a = np.concatenate([ring[:-1] for ring in rings])  # every edge a → b of the outer ring and the holes
    b = np.concatenate([ring[1:] for ring in rings])
    low, high = rings[0].min(axis=0), rings[0].max(axis=0)
    grid = np.linspace(low, high, steps + 1)[1:-1]
    points = np.array([(x, y) for x in grid[:, 0] for y in grid[:, 1]])
    x, y = points[:, :1], points[:, 1:]
    straddles = (a[:, 1] > y) != (b[:, 1] > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing_x = a[:, 0] + (y - a[:, 1]) * (b[:, 0] - a[:, 0]) / (b[:, 1] - a[:, 1])
    inside = (straddles & (x < crossing_x)).sum(axis=1) % 2 == 1  # inside the outer ring, outside every hole
    if not inside.any():
        centre = rings[0].mean(axis=0)
        return round(float(centre[0]), 4), round(float(centre[1]), 4)
    points, edge = points[inside], b - a
    along = np.clip(((points[:, None, :] - a) * edge).sum(axis=2) / np.maximum((edge * edge).sum(axis=1), 1e-18), 0, 1)
    room = np.hypot(*(points[:, None, :] - a - along[:, :, None] * edge).transpose(2, 0, 1)).min(axis=1)
    best = points[room.argmax()]
    return round(float(best[0]), 4), round(float(best[1]), 4)


def _extent(ring: np.ndarray) -> float:
    return float(np.prod(ring.max(axis=0) - ring.min(axis=0)))


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
