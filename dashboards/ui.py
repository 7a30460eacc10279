"""Layout pieces every page shares: the sidebar (language, who is logged in, filters kept in the URL), the page
header with the as-of stamp, the "no data yet" notice, headline metric cards, localised tables, the CompStat table and
map-or-table."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from access import i18n, read
from access.i18n import Lang, t
from access.read import Level
from access.users import Role, User
from dashboards import auth, charts, queries
from safelake import reference
from safelake.settings import get_settings
from warehouse.publish import NoWarehouse

PAGES = ("plan", "cameras", "crime", "road", "fraud", "service", "integrity", "cyber", "holiday", "data_health", "sql")
PAGE_ROLES = {"sql": {Role.analyst, Role.admin, Role.leadership, Role.regional_chief}}  # other pages: every role
PERIOD_KEYS = tuple(queries.PERIODS)


def pages_for(user: User) -> list[str]:
    return [key for key in PAGES if user.role in PAGE_ROLES.get(key, set(Role))]


@dataclasses.dataclass(frozen=True)
class Context:
    lang: Lang
    period: str
    area: queries.Area
    src: queries.Source | None = None
    info: dict[str, Any] | None = None
    places: pd.DataFrame | None = None

    @property
    def windows(self) -> queries.Period:
        return queries.PERIODS[self.period]

    def name(self, code: str | None) -> str:
        """A region's or district's name in the reader's language."""
        if self.places is None or code is None or code != code:
            return i18n.code(None, self.lang)
        return self._names.get(code, str(code))

    @functools.cached_property
    def _names(self) -> dict[str, str]:
        """Code → name, made once per page run: pages name hundreds of areas (tables, maps, hovers)."""
        assert self.places is not None
        first = self.places.drop_duplicates("code")
        return dict(zip(first["code"], first["name_ru" if self.lang == "ru" else "name_en"], strict=True))

    @property
    def area_name(self) -> str:
        code = self.area.district or self.area.region
        return self.name(code) if code else t("all_country", self.lang)


# --- sidebar: filters persist across pages (widgets of the entry script) and live in the URL -----------------


def _initial(key: str, options: Sequence[str], default: str) -> None:
    if key not in st.session_state:
        value = st.query_params.get(key, default)
        st.session_state[key] = value if value in options else default


def _reset_district() -> None:
    st.session_state["district"] = ""


def language() -> Lang:
    """The language radio, first in the sidebar (also on the login page)."""
    _initial("lang", i18n.LANGS, auth.provider_language() or "ru")
    return st.sidebar.radio("Язык / Language", i18n.LANGS, key="lang", format_func=i18n.LANG_NAMES.get, horizontal=True)


def sidebar(user: User, lang: Lang) -> Context:
    """Who is logged in, the period and area filters. The user's scope is the scope of every query of every page:
    it goes into the Source that every query takes (and is part of each query's cache key)."""
    _initial("period", PERIOD_KEYS, "28d")
    st.sidebar.radio(
        t("period", lang), PERIOD_KEYS, key="period", format_func=lambda p: t(f"period_{p}", lang), horizontal=False
    )
    try:
        src = queries.open_source(user.scope)
    except NoWarehouse:
        _user_box(user, lang, None)
        st.query_params.from_dict({"lang": lang, "period": st.session_state["period"]})
        return Context(lang, st.session_state["period"], queries.Area())
    places = queries.places(src)
    regions = places[places["level"] == "region"]["code"].tolist()
    # a regional scope has its own region only (the places it can read); the nation adds "whole country"
    region_options = [user.scope.region_code] if user.scope.region_code else ["", *regions]
    _initial("region", region_options, region_options[0])
    if st.session_state["region"] not in region_options:
        st.session_state["region"] = region_options[0]
    districts = places[(places["level"] == "district") & (places["region_code"] == st.session_state["region"])]
    _initial("district", ["", *districts["code"]], "")
    if st.session_state["district"] not in ["", *districts["code"]]:
        _reset_district()
    partial = Context(lang, st.session_state["period"], queries.Area(), src, None, places)
    region = st.sidebar.selectbox(
        t("region", lang),
        region_options,
        key="region",
        format_func=lambda c: partial.name(c) if c else t("all_country", lang),
        on_change=_reset_district,
        disabled=len(region_options) == 1,
    )
    district = ""
    if region:
        district = st.sidebar.selectbox(
            t("district", lang),
            ["", *districts["code"]],
            key="district",
            format_func=lambda c: partial.name(c) if c else t("all_districts", lang),
        )
    st.sidebar.caption(t("share_hint", lang))
    _user_box(user, lang, partial)
    params = {"lang": lang, "period": st.session_state["period"], "region": region, "district": district}
    st.query_params.from_dict({k: v for k, v in params.items() if v})
    return Context(
        lang,
        st.session_state["period"],
        queries.Area(region or None, district or None),
        src,
        queries.build_info(src),
        places,
    )


def _user_box(user: User, lang: Lang, ctx: Context | None) -> None:
    """Who is logged in, their role and scope, and the logout button."""
    scope = user.scope
    area = t("all_country", lang) if scope.is_national else ctx.name(scope.region_code) if ctx else scope.region_code
    hidden = "" if scope.cleared_for_sensitive else f" · {t('small_counts_hidden', lang)}"
    box = st.sidebar.container(border=True)
    box.markdown(f"**{user.display_name or user.name}** (`{user.name}`)")
    box.caption(f"{t(f'role_{user.role.value}', lang)} · {area}{hidden}")
    if box.button(t("logout", lang), key="logout"):
        auth.logout()


# --- page frame -----------------------------------------------------------------------------------------------


def page(key: str) -> Context:
    """Title, as-of stamp and data-health note; stops the page with "no data yet" when nothing is published."""
    ctx: Context = st.session_state["context"]  # set by app.py after login
    lang = ctx.lang
    st.title(t(key, lang))
    if ctx.src is None or ctx.info is None:
        st.info(t("no_data", lang))
        st.markdown(t("no_data_hint", lang))
        st.stop()
    info = ctx.info
    tz = info["timezone"]
    st.caption(
        t(
            "as_of",
            lang,
            date=i18n.date(info["as_of"], lang),
            build=info["build_id"],
            built=i18n.datetime(info["built_at"], lang, tz),
        )
        + f" · {read.geography_name(info['geography'], lang)} ({tz}) · {ctx.area_name}"
    )
    silent = [i18n.code(s, lang) for s in info["silent_sources"]] + [ctx.name(r) for r in info["silent_regions"]]
    if silent:
        st.warning(t("silent_warning", lang, items=", ".join(silent)))
    return ctx


def window_caption(frame: pd.DataFrame, lang: Lang) -> None:
    if len(frame) and "window_start" in frame:
        start, end = frame["window_start"].iloc[0], frame["window_end"].iloc[0]
        st.caption(t("window", lang, start=i18n.date(start.date(), lang), end=i18n.date(end.date(), lang)))
        if "prior_is_complete" in frame and not prior_complete(frame):
            st.caption(t("no_prior", lang))


def prior_complete(frame: pd.DataFrame) -> bool:
    """Whether the data covers the whole prior-year window of a `queries.compstat_window` frame (the same
    on every row): without it, prior-year values and changes are not shown."""
    return bool(len(frame)) and bool(frame["prior_is_complete"].iloc[0])


def delta(change: float | None, lang: Lang) -> str | None:
    """A relative change in percent as st.metric's delta; none when there is nothing to compare with."""
    return None if i18n.missing(change) else i18n.pct(change, lang, signed=True)


def difference(change: float | None, kind: str, lang: Lang) -> str | None:
    """A figure's change in its own unit as st.metric's delta: percentage points for a percentage, minutes for
    minutes; none when there is nothing to compare with."""
    if change is None or i18n.missing(change):
        return None
    if kind == "pct":
        return i18n.points(change, lang)
    text = formats(lang)[kind](change)
    return f"+{text}" if change > 0 else text


DeltaColor = Literal["normal", "inverse", "off"]


def cards(
    frame: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    lang: Lang,
    delta_color: dict[str, DeltaColor] | None = None,
    na: dict[str, str] | None = None,
    help: dict[str, str] | None = None,
) -> None:
    """The area's total of a `queries.compstat_window` frame (its one row) as st.metric cards side by side, nothing
    for an empty frame. columns: column -> (label, format kind) as in `table`; na: what an empty value of a column
    shows (default a dash). Where the frame has the column, a count `<m>_current` shows its `<m>_pct_change` as the
    delta, any other figure `<c>` its change from `<c>_prior` in its own unit (none where the data does not cover
    the prior year).
    delta_color: st.metric's colouring of a column's delta (default "normal": a rise is good); help: tooltips."""
    if not len(frame):
        return
    row, fmt = frame.iloc[0], formats(lang)
    na, delta_color, help = na or {}, delta_color or {}, help or {}
    for card, (column, (label, kind)) in zip(st.columns(len(columns)), columns.items(), strict=True):
        count_change = f"{column.removesuffix('_current')}_pct_change"
        if column.endswith("_current") and count_change in frame:
            change = delta(row[count_change], lang)
        elif f"{column}_prior" in frame and prior_complete(frame):
            change = difference(row[column] - row[f"{column}_prior"], kind, lang)
        else:
            change = None
        value = na.get(column, i18n.DASH) if i18n.missing(row[column]) else fmt[kind](row[column])
        card.metric(label, value, delta=change, delta_color=delta_color.get(column, "normal"), help=help.get(column))


# --- tables ---------------------------------------------------------------------------------------------------

Format = Callable[[Any], str]


def formats(lang: Lang) -> dict[str, Format]:
    return {
        "int": lambda v: i18n.num(v, lang),
        "num1": lambda v: i18n.num(v, lang, 1),
        "num2": lambda v: i18n.num(v, lang, 2),
        "pct": lambda v: i18n.pct(v, lang),
        "pct_signed": lambda v: i18n.pct(v, lang, signed=True),
        "date": lambda v: i18n.date(v.date() if hasattr(v, "date") else v, lang),
        "datetime": lambda v: i18n.datetime(None if pd.isna(v) else v.to_pydatetime(), lang, get_settings().timezone),
        "text": lambda v: i18n.DASH if v is None or v != v else str(v),
    }


def table(
    frame: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    lang: Lang,
    styles: pd.DataFrame | None = None,
    na: dict[str, str] | None = None,
) -> None:
    """Show `frame`'s columns under localised labels, numbers formatted for the language.
    columns: column -> (label, format kind); styles: CSS per cell (same shape as the result), optional;
    na: what an empty cell of a column shows (default a dash)."""
    # a fresh index: st.table shows any index but a plain 0..n-1 one
    shown = frame[list(columns)].rename(columns={c: label for c, (label, _) in columns.items()}).reset_index(drop=True)
    fmt = formats(lang)
    formatted = {}
    for column, (label, kind) in columns.items():
        missing = shown[label].isna()
        if missing.any():  # st.dataframe draws an empty cell as "None" whatever the Styler says: text instead
            text = (na or {}).get(column, i18n.DASH)
            shown[label] = [text if m else fmt[kind](v) for v, m in zip(shown[label], missing, strict=True)]
        else:
            formatted[label] = fmt[kind]
    styler = shown.style.hide(axis="index")
    for label, formatter in formatted.items():
        styler = styler.format(formatter, subset=[label])
    if styles is not None:
        styler = styler.apply(lambda _: styles.set_axis(shown.columns, axis=1).set_axis(shown.index), axis=None)
    numbers = [label for _, (label, kind) in columns.items() if kind != "text"]
    styler = styler.set_properties(subset=numbers, **{"text-align": "right", "white-space": "nowrap"})
    # a static table: every row and column shown, headers wrap, nothing scrolls inside or is cut
    st.table(styler, border="horizontal")


def results(frame: pd.DataFrame, lang: Lang) -> None:
    """Raw query results (the SQL page): numbers with the language's separators (right-aligned, as numbers), empty
    cells as a dash rather than st.dataframe's "None"; scrolls inside itself (up to the row limit)."""
    out = frame.copy()
    for column in out.columns[out.isna().any()]:
        missing = out[column].isna()
        out[column] = [i18n.DASH if m else str(v) for v, m in zip(out[column], missing, strict=True)]
    styler = out.style
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column]):
            digits = 0 if pd.api.types.is_integer_dtype(out[column]) else 2
            styler = styler.format(lambda v, d=digits: i18n.num(v, lang, d), subset=[column])
    st.dataframe(styler, hide_index=True, width="stretch")


WORSE = "color: #c62828; font-weight: 600"


def compstat_table(frame: pd.DataFrame, key_label: str, label: Callable[[str], str], lang: Lang) -> None:
    """The CompStat layout for crime, road and fraud: per row, each window's current, prior year and % change;
    the current and % change cells in red where the count rose against the prior year. A window whose prior
    year the data does not cover whole (a lake's first year) shows no prior year and no comparison."""
    shown = frame.assign(key=[label(k) for k in frame["key"]])
    complete: dict[str, bool] = {}
    for w in read.WINDOWS:  # no row in a window = nothing happened in it
        shown[[f"{w}_current", f"{w}_prior"]] = shown[[f"{w}_current", f"{w}_prior"]].fillna(0)
        complete[w] = bool(shown[f"{w}_complete"].fillna(False).all())
        if not complete[w]:
            shown[[f"{w}_prior", f"{w}_pct"]] = float("nan")
    columns: dict[str, tuple[str, str]] = {"key": (key_label, "text")}
    styles = pd.DataFrame("", index=shown.index, columns=["key"])
    for w in read.WINDOWS:
        name = t(w, lang)
        columns |= {
            f"{w}_current": (name, "int"),
            f"{w}_prior": (f"{name}, {t('prior', lang)}", "int"),
            f"{w}_pct": (f"{name}, {t('pct_change', lang)}", "pct_signed"),
        }
        worse = (shown[f"{w}_current"] > shown[f"{w}_prior"]).map({True: WORSE, False: ""})
        styles[f"{w}_current"], styles[f"{w}_prior"], styles[f"{w}_pct"] = worse, "", worse
    table(shown, columns, lang, styles=styles)
    notes = [t("worse_note", lang)] + ([] if all(complete.values()) else [t("no_prior", lang)])
    if len(frame) and frame["through"].iloc[0] is not None:
        notes.insert(0, t("compstat_through", lang, date=i18n.date(frame["through"].iloc[0], lang)))
    st.caption(" ".join(notes))


def chart(fig: go.Figure, key: str) -> None:
    st.plotly_chart(fig, key=key, config={"displayModeBar": False})


def area_map(
    ctx: Context,
    frame: pd.DataFrame,
    code: str,
    value: str,
    columns: dict[str, tuple[str, str]],
    key: str,
    level: Level | None = None,
    na: dict[str, str] | None = None,
    higher_is_better: bool = False,
    drill: bool = True,
) -> None:
    """A choropleth of `frame` (one row per area `code`) by `value`, from the reference geography's boundaries: the
    page's sub-areas (`level`, default the filter's child level; districts of the chosen region only, a regional
    scope's own region only). The hover shows `columns` formatted as the tables do (an empty cell: `na`'s text, as
    in `table`); a shape without a value is grey. With `drill`, a click on an area chooses it in the sidebar. The
    attribution the boundaries' licence asks for is under the map. No boundaries for the level: a note instead."""
    lang, level = ctx.lang, level or ctx.area.child_level
    geography = get_settings().geography
    geojson = reference.boundaries(geography, level)
    if geojson is None or ctx.src is None:
        st.caption(t("no_boundaries", lang))
        return
    within = ctx.area.region if level == "district" else ctx.src.scope.region_code
    features = [
        f
        for f in geojson["features"]
        if within is None or f["properties"].get("region_code", f["properties"]["code"]) == within
    ]
    if not features:
        st.caption(t("no_boundaries", lang))
        return
    fmt = formats(lang)
    rows = dict(zip(frame[code], frame.to_dict("records"), strict=True))

    def figures(area: str) -> str:
        row = rows.get(area)
        if row is None:
            return f"<b>{ctx.name(area)}</b><br>{t('map_no_data', lang)}"
        cells = [
            f"{label}: {(na or {}).get(column, i18n.DASH) if i18n.missing(row[column]) else fmt[kind](row[column])}"
            for column, (label, kind) in columns.items()
            if column != code
        ]
        return "<br>".join([f"<b>{ctx.name(area)}</b>", *cells])

    shapes, shared = [], []
    for feature in features:
        areas = reference.covered(feature)
        row = rows.get(areas[0]) if len(areas) == 1 else None
        number = None if row is None or i18n.missing(row[value]) else float(row[value])
        if len(areas) > 1:
            shared.append(ctx.name(feature["properties"]["code"]))
        # the shape and its code only: the file's other properties are not the browser's business
        outline = {
            "type": "Feature",
            "properties": {"code": feature["properties"]["code"]},
            "geometry": feature["geometry"],
        }
        shapes.append(charts.Shape(outline, number, "<br><br>".join(figures(a) for a in areas)))
    label, kind = columns[value]
    chosen = ctx.area.region if level == "region" else ctx.area.district
    fig = charts.choropleth(shapes, lang, label, kind == "pct", higher_is_better, chosen)
    if drill:
        st.plotly_chart(
            fig,
            key=key,
            config={"displayModeBar": False},
            on_select=functools.partial(_drill, key, level),
            selection_mode="points",
        )
    else:
        chart(fig, key)
    notes = [t(f"map_attribution_{geography}", lang)] if f"map_attribution_{geography}" in i18n.STRINGS else []
    notes += [t("map_shared_shape", lang, area=area) for area in shared]
    st.caption(" ".join(([t("map_click", lang)] if drill else []) + notes))


def compstat_map(ctx: Context, frame: pd.DataFrame, metric_label: str, key: str) -> None:
    """A CompStat frame by area (`queries.compstat`) as a map of the sidebar period's current count, the prior year
    and the change in the hover (as `compstat_table` shows them: no row = none; no prior year where the data does
    not cover it)."""
    w = ctx.windows.compstat
    shown = frame.assign(**{c: frame[c].fillna(0) for c in (f"{w}_current", f"{w}_prior")})
    name = f"{metric_label}, {t(w, ctx.lang)}"
    columns = {f"{w}_current": (name, "int")}
    if bool(shown[f"{w}_complete"].fillna(False).all()):
        columns |= {
            f"{w}_prior": (t("prior", ctx.lang), "int"),
            f"{w}_pct": (t("pct_change", ctx.lang), "pct_signed"),
        }
    area_map(ctx, shown, "key", f"{w}_current", columns, key)


def _drill(key: str, level: Level) -> None:
    """A click on the map chooses the area in the sidebar (which keeps a choice only if the scope has it)."""
    codes = [p["location"] for p in st.session_state[key]["selection"]["points"] if p.get("location")]
    if codes and level == "region":
        st.session_state["region"] = codes[0]
        _reset_district()
    elif codes:
        st.session_state["district"] = codes[0]


def areas(
    ctx: Context,
    frame: pd.DataFrame,
    code: str,
    value: str,
    value_label: str,
    columns: dict[str, tuple[str, str]],
    key: str,
    target: tuple[float, str] | None = None,
    higher_is_better: bool = False,
) -> None:
    """The sub-areas of a frame (one row per area code): a map of `value` (hover: `columns`), then side by
    side a bar chart of it (a percentage with a target: zoomed, the target drawn) and the table of `columns` under
    the areas' names."""
    area_map(ctx, frame, code, value, columns, key=f"{key}_map", higher_is_better=higher_is_better)
    names = [ctx.name(c) for c in frame[code]]
    left, right = st.columns([2, 3])  # the table has more to say than the bars' labels
    with left:
        chart(charts.hbar(names, frame[value], ctx.lang, value_label, target=target), key=f"{key}_bars")
    with right:
        table(frame.assign(**{code: names}), columns, ctx.lang)
