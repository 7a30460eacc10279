"""Plotly figure builders: pure functions of data frames and a language, no Streamlit, no SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from access import i18n
from access.i18n import Lang, t

STATUS_COLOURS = {
    "on_track": "#2e7d32",
    "minor_risk": "#c0a000",
    "at_risk": "#ef6c00",
    "off_track": "#c62828",
    "met": "#1b5e20",
    "missed": "#7f0000",
}
NEUTRAL = "#607d8b"
KIND_COLOURS = {"unplanned": "#c62828", "planned_maintenance": "#90a4ae"}


def _layout(fig: go.Figure, lang: Lang, height: int, **layout: Any) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30 if layout.get("title") else 10, "b": 10},
        separators=_separators(lang),
        template="plotly_white",
        **layout,
    )
    return fig


def bullet(target: dict[str, Any], lang: Lang) -> go.Figure:
    """One plan target: actual bar (status colour), target line, milestone due by today, prior-year marker."""
    actual, goal = target["actual_to_date"], target["target_value"]
    milestone, prior = target["milestone_due_value"], target["prior_year_to_date"]
    points = [v for v in (actual, goal, milestone, prior) if pd.notna(v)]
    digits = 1 if target["unit"] == "percent" else 0
    fig = go.Figure()
    fig.add_bar(x=[max(points) * 1.08], y=[""], orientation="h", marker_color="#eceff1", hoverinfo="skip", width=0.8)
    fig.add_bar(
        x=[actual if pd.notna(actual) else 0],
        y=[""],
        orientation="h",
        width=0.35,
        name=t("actual", lang),
        marker_color=STATUS_COLOURS.get(target["status"], NEUTRAL),
        hovertemplate=f"{t('actual', lang)}: {i18n.num(actual, lang, digits)}<extra></extra>",
    )
    markers = (
        ("target", goal, "line-ns", "#000000", 34),
        ("milestone", milestone, "triangle-down", "#1565c0", 14),
        ("prior_year", prior, "diamond", "#ff8f00", 12),
    )
    for key, value, symbol, colour, size in markers:
        if pd.notna(value):
            fig.add_scatter(
                x=[value],
                y=[""],
                mode="markers",
                name=t(key, lang),
                marker={"symbol": symbol, "size": size, "color": colour, "line": {"width": 3, "color": colour}},
                hovertemplate=f"{t(key, lang)}: {i18n.num(value, lang, digits)}<extra></extra>",
            )
    return _layout(fig, lang, 90, barmode="overlay", showlegend=False, xaxis={"rangemode": "tozero"})


def burnup(monthly: pd.DataFrame, lang: Lang) -> go.Figure:
    """Cameras installed, commissioned and reporting (measured months) against the monthly plan."""
    fig = go.Figure()
    measured = monthly[monthly["is_measured"]]
    lines = (
        ("installed", "cameras_installed", "#1565c0"),
        ("commissioned", "cameras_commissioned", "#2e7d32"),
        ("reporting", "cameras_reporting", "#ef6c00"),
    )
    for key, column, colour in lines:
        fig.add_scatter(x=measured["month_end"], y=measured[column], name=t(key, lang), line={"color": colour})
    fig.add_scatter(
        x=monthly["month_end"],
        y=monthly["planned_installed"],
        name=t("planned", lang),
        line={"color": "#000000", "dash": "dash"},
    )
    ticks = list(monthly["month_end"])
    return _layout(
        fig,
        lang,
        360,
        xaxis={"tickvals": ticks, "ticktext": [i18n.month(d, lang) for d in ticks]},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
    )


def hbar(
    labels: Sequence[str], values: Sequence[float], lang: Lang, title: str = "", colours: Sequence[str] | None = None
) -> go.Figure:
    """Horizontal bars, first item on top."""
    fig = go.Figure(
        go.Bar(
            x=list(values),
            y=list(labels),
            orientation="h",
            marker_color=list(colours) if colours else NEUTRAL,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    return _layout(fig, lang, 60 + 24 * len(labels), title=title, yaxis={"autorange": "reversed"})


def heatmap(profile: pd.DataFrame, lang: Lang) -> go.Figure:
    """Crimes by ISO weekday (rows) and hour of day (columns)."""
    grid = profile.pivot(index="day_of_week", columns="hour_of_day", values="crimes_registered")
    grid = grid.reindex(index=range(1, 8), columns=range(24)).fillna(0)
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"{h:02d}" for h in grid.columns],
            y=list(i18n.WEEKDAYS[lang]),
            colorscale="Reds",
            hovertemplate="%{y} %{x}:00 — %{z:,}<extra></extra>",
        )
    )
    return _layout(fig, lang, 300, xaxis={"title": t("hour", lang)}, yaxis={"autorange": "reversed"})


def daily_with_periods(daily: pd.DataFrame, periods: pd.DataFrame, lang: Lang) -> go.Figure:
    """Daily incidents and KSI with holiday and mass-event periods shaded."""
    fig = go.Figure()
    fig.add_scatter(x=daily["date_day"], y=daily["incidents"], name=t("incidents", lang), line={"color": "#1565c0"})
    fig.add_scatter(x=daily["date_day"], y=daily["ksi"], name=t("ksi", lang), line={"color": "#c62828"})
    if len(daily):
        first, last = daily["date_day"].min(), daily["date_day"].max()
        for period in periods.itertuples():
            if period.end_date >= first and period.start_date <= last:
                fig.add_vrect(
                    x0=period.start_date - dt.timedelta(hours=12),
                    x1=period.end_date + dt.timedelta(hours=12),
                    fillcolor="#ffb300",
                    opacity=0.25,
                    line_width=0,
                )
    ticks = pd.date_range(daily["date_day"].min(), daily["date_day"].max(), freq="MS") if len(daily) else []
    return _layout(
        fig,
        lang,
        320,
        xaxis={"tickvals": list(ticks), "ticktext": [i18n.month(d, lang) for d in ticks]},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
    )


def choropleth(geojson: dict[str, Any], codes: Sequence[str], values: Sequence[float], lang: Lang) -> go.Figure:
    """A map of areas whose GeoJSON features carry the area code in properties.code."""
    fig = go.Figure(
        go.Choroplethmap(
            geojson=geojson,
            featureidkey="properties.code",
            locations=list(codes),
            z=list(values),
            colorscale="Reds",
            marker_line_width=0.5,
        )
    )
    lons, lats = zip(*_coordinates(geojson), strict=True)
    centre = {"lon": (min(lons) + max(lons)) / 2, "lat": (min(lats) + max(lats)) / 2}
    return _layout(fig, lang, 420, map={"style": "white-bg", "center": centre, "zoom": 5})


def _coordinates(geojson: dict[str, Any]) -> list[tuple[float, float]]:
    def walk(node: Any) -> list[tuple[float, float]]:
        if isinstance(node, list) and len(node) >= 2 and all(isinstance(v, int | float) for v in node[:2]):
            return [(float(node[0]), float(node[1]))]
        return [point for child in node for point in walk(child)] if isinstance(node, list) else []

    return [point for feature in geojson["features"] for point in walk(feature["geometry"]["coordinates"])]


def auto(frame: pd.DataFrame, lang: Lang) -> go.Figure | None:
    """A query result's chart: its first text or date column against its first numeric column, a line over dates,
    bars otherwise; None when the result has no such pair of columns."""
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_any_dtype(frame[c])]
    texts = [
        c for c in frame.columns if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
    ]
    numbers = [
        c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
    ]
    x = next((c for c in frame.columns if c in dates or c in texts), None)
    if x is None or not numbers or frame.empty:
        return None
    y = numbers[0]
    if x in dates:
        ordered = frame.sort_values(x)
        fig = go.Figure(go.Scatter(x=ordered[x], y=ordered[y], mode="lines", line={"color": "#1565c0"}))
    else:
        fig = go.Figure(go.Bar(x=frame[x].astype(str), y=frame[y], marker_color=NEUTRAL))
    return _layout(fig, lang, 360, xaxis={"title": x}, yaxis={"title": y})


def _separators(lang: Lang) -> str:
    """Plotly's `separators`: decimal mark then thousands separator."""
    return ",\u00a0" if lang == "ru" else ".,"
