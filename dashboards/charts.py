"""Plotly figure builders: pure functions of data frames and a language, no Streamlit, no SQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from access import i18n, read
from access.i18n import Lang, t

NEUTRAL = "#607d8b"
KIND_COLOURS = {"unplanned": "#c62828", "planned_maintenance": "#90a4ae"}
# Every figure is drawn on plotly_white. As the default a new figure takes it without validating it again; given
# per figure (`template=`) it was validated each time, about half of a small figure's cost (the plan page draws
# one per target).
pio.templates.default = "plotly_white"


def _layout(fig: go.Figure, lang: Lang, height: int, **layout: Any) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 30 if layout.get("title") else 10, "b": 10},
        separators=_separators(lang),
        **layout,
    )
    return fig


def bullet(target: dict[str, Any], view: read.TargetView, lang: Lang) -> go.Figure:
    """One plan target's bar: the plan score (% of the plan to date; longer = better for both directions) in the
    status colour, against the line at 100 % (exactly on plan)."""
    score = t("plan_score", lang)
    fig = go.Figure(  # the traces given at once: each add_* call validates the figure again
        [
            go.Bar(x=[read.BAR_MAX], y=[""], orientation="h", marker_color="#eceff1", hoverinfo="skip", width=0.8),
            go.Bar(
                x=[view.bar or 0],
                y=[""],
                orientation="h",
                width=0.35,
                name=score,
                marker_color=view.colour,
                hovertemplate=f"{score}: {i18n.pct(target['plan_score_pct'], lang)}<extra></extra>",
            ),
            go.Scatter(
                x=[100],
                y=[""],
                mode="markers",
                name=t("plan_to_date", lang),
                marker={"symbol": "line-ns", "size": 34, "color": "#000000", "line": {"width": 3, "color": "#000000"}},
                hovertemplate=f"{t('plan_to_date', lang)}: 100 %<extra></extra>",
            ),
        ]
    )
    values, labels = i18n.ticks(read.BAR_MAX, lang, count=3)
    axis = {"range": [0, read.BAR_MAX], "tickvals": values, "ticktext": [f"{label} %" for label in labels]}
    return _layout(fig, lang, 90, barmode="overlay", showlegend=False, xaxis=axis)


def burnup(monthly: pd.DataFrame, lang: Lang) -> go.Figure:
    """Cameras installed, commissioned and reporting (measured months) against the monthly plan. The lines often
    coincide (every installed camera commissioned and reporting; the plan met): each has its own width, dash and
    marker, drawn widest first, so one never hides another."""
    fig = go.Figure()
    measured = monthly[monthly["is_measured"]]
    lines = (
        ("installed", "cameras_installed", "#90caf9", {"width": 9}, "circle", 13),
        ("commissioned", "cameras_commissioned", "#2e7d32", {"width": 4}, "square", 8),
        ("reporting", "cameras_reporting", "#ef6c00", {"width": 2, "dash": "dot"}, "diamond", 6),
    )
    for key, column, colour, line, symbol, size in lines:
        fig.add_scatter(
            x=measured["month_end"],
            y=measured[column],
            name=t(key, lang),
            mode="lines+markers",
            line={"color": colour, **line},
            marker={"symbol": symbol, "size": size, "color": colour},
        )
    fig.add_scatter(
        x=monthly["month_end"],
        y=monthly["planned_installed"],
        name=t("planned", lang),
        mode="lines+markers",
        line={"color": "#000000", "dash": "dash", "width": 1.5},
        marker={"symbol": "x-thin", "size": 9, "line": {"width": 2, "color": "#000000"}},
    )
    ticks = list(monthly["month_end"])
    top = max([*monthly["planned_installed"].dropna(), *measured["cameras_installed"].dropna(), 1])
    values, labels = i18n.ticks(top, lang)
    return _layout(
        fig,
        lang,
        360,
        xaxis={"tickvals": ticks, "ticktext": [i18n.month(d, lang) for d in ticks]},
        yaxis={"tickvals": values, "ticktext": labels},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
    )


def hbar(
    labels: Sequence[str],
    values: Sequence[float],
    lang: Lang,
    title: str = "",
    colours: Sequence[str] | None = None,
    target: tuple[float, str] | None = None,
) -> go.Figure:
    """Horizontal bars, first item on top, the value axis in тыс./млн/млрд. With a target (value, label), the axis
    is a percentage zoomed to the bars and the target, which is drawn as a line: 94.7 % and 95.2 % stay apart."""
    shown = [float(v) for v in values if not i18n.missing(v)]
    fig = go.Figure(
        go.Bar(
            x=list(values),
            y=list(labels),
            orientation="h",
            marker_color=list(colours) if colours else NEUTRAL,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    if target is None:
        low = 0.0
        tickvals, ticktext = i18n.ticks(max(shown, default=1) or 1, lang)
        axis = {"tickvals": tickvals, "ticktext": ticktext}
    else:
        goal, name = target
        low = max(0.0, math.floor(min([*shown, goal]) - 1))
        high = min(100.0, math.ceil(max([*shown, goal]) + 0.5))
        tickvals, ticktext = i18n.ticks(high, lang, bottom=low)
        axis = {"range": [low, high], "tickvals": tickvals, "ticktext": [f"{v} %" for v in ticktext]}
        fig.add_vline(x=goal, line={"color": "#000000", "dash": "dash", "width": 2})
        fig.add_annotation(
            x=goal, y=1, yref="paper", yanchor="bottom", text=f"{name}: {i18n.pct(goal, lang)}", showarrow=False
        )
    return _layout(
        fig, lang, 80 + 24 * len(labels), title=title, yaxis={"autorange": "reversed", "automargin": True}, xaxis=axis
    )


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


NO_VALUE = "#e0e0e0"  # a shape with no value to colour: no data, a hidden count, or one shape for several areas
MAP_SIZE = (560, 380)  # the map's least width and its height in px, to fit the zoom to the shapes


@dataclasses.dataclass(frozen=True)
class Shape:
    """One boundary feature on a map: its value (None: drawn grey, never as a value) and its hover text."""

    feature: dict[str, Any]
    value: float | None
    hover: str

    @property
    def code(self) -> str:
        return str(self.feature["properties"]["code"])


def choropleth(
    shapes: Sequence[Shape],
    lang: Lang,
    value_label: str,
    percent: bool = False,
    higher_is_better: bool = False,
    chosen: str | None = None,
) -> go.Figure:
    """A map of boundary features (GeoJSON, keyed by properties.code) coloured by their values, red for worse; shapes
    without a value in grey (a trace of their own: a hidden or missing figure is never coloured as one). The hover is
    each shape's text, the colour bar's ticks in the language's format; the chosen area is outlined; the view is
    fitted to the shapes. MapLibre (go.Choroplethmap) on a blank background: no map tiles are fetched."""
    fig = go.Figure()
    for valued in (False, True):
        part = [s for s in shapes if (s.value is not None) == valued]
        if not part:
            continue
        z = [0.0 if s.value is None else s.value for s in part]
        colours: Any = [[0, "#fff5f0"], [1, "#a50f15"]] if not higher_is_better else [[0, "#a50f15"], [1, "#fff5f0"]]
        fig.add_trace(
            go.Choroplethmap(
                geojson={"type": "FeatureCollection", "features": [s.feature for s in part]},
                featureidkey="properties.code",
                locations=[s.code for s in part],
                z=z,
                colorscale=colours if valued else [[0, NO_VALUE], [1, NO_VALUE]],
                showscale=valued,
                colorbar=_colourbar(z, value_label, percent, lang) if valued else None,
                hovertext=[s.hover for s in part],
                hovertemplate="%{hovertext}<extra></extra>",
                marker={"line": {"color": "#263238", "width": [2.5 if s.code == chosen else 0.5 for s in part]}},
            )
        )
    lons, lats = zip(*_coordinates([s.feature for s in shapes]), strict=True)
    centre = {"lon": (min(lons) + max(lons)) / 2, "lat": (min(lats) + max(lats)) / 2}
    return _layout(fig, lang, MAP_SIZE[1], map={"style": "white-bg", "center": centre, "zoom": _zoom(lons, lats)})


def _colourbar(z: Sequence[float], title: str, percent: bool, lang: Lang) -> dict[str, Any]:
    low, high = min(z), max(z)
    values, labels = i18n.ticks(high if high > low else high + 1, lang, count=4, bottom=low)
    return {
        "title": {"text": title, "side": "right"},
        "thickness": 12,
        "tickvals": values,
        "ticktext": [f"{label} %" if percent else label for label in labels],
    }


def _zoom(lons: Sequence[float], lats: Sequence[float]) -> float:
    """The MapLibre zoom (512 px tiles, web Mercator) at which the shapes' extent fills MAP_SIZE."""
    width, height = MAP_SIZE

    def y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    by_lon = math.log2(width * 360 / (512 * max(max(lons) - min(lons), 1e-3)))
    by_lat = math.log2(height * 2 * math.pi / (512 * max(y(max(lats)) - y(min(lats)), 1e-5)))
    return round(min(by_lon, by_lat) - 0.15, 2)  # a margin round the shapes


def _coordinates(features: Sequence[dict[str, Any]]) -> list[tuple[float, float]]:
    def walk(node: Any) -> list[tuple[float, float]]:
        if isinstance(node, list) and len(node) >= 2 and all(isinstance(v, int | float) for v in node[:2]):
            return [(float(node[0]), float(node[1]))]
        return [point for child in node for point in walk(child)] if isinstance(node, list) else []

    return [point for feature in features for point in walk(feature["geometry"]["coordinates"])]


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
