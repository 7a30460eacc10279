"""Every query the dashboards run, against the published warehouse's marts, through `access.policy`.

Results are cached (st.cache_data, TTL) keyed on the build id and the reader's scope (both in `Source`)
and the filters; a new publish changes the build id, so nothing stale is served after it. The logged-in user's
scope comes in through `open_source` (called once, by `ui.sidebar`); small counts are suppressed by the policy's
views for scopes not cleared for them, never here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import duckdb
import pandas as pd
import streamlit as st

from access import live, read
from access.policy import Scope, connect, schema_catalog
from access.read import Level
from safelake.contracts import load_contracts
from safelake.settings import Settings, get_settings
from warehouse.publish import published_file

TTL_SECONDS = 600
LIVE_TTL_SECONDS = 60  # the live path adds calls all the time; a page's figures from it are a minute old at most
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Source:
    """One published build as one reader may see it."""

    build_id: str
    path: str
    scope: Scope


@dataclasses.dataclass(frozen=True)
class Area:
    """The filter's place: the nation, a region, or a district of it."""

    region: str | None = None
    district: str | None = None

    @property
    def level(self) -> Level:
        return "district" if self.district else "region" if self.region else "nation"

    @property
    def child_level(self) -> Level:
        return "region" if self.level == "nation" else "district"

    @property
    def regional(self) -> Area:
        """The nearest level that nation/region-only marts have."""
        return Area(self.region)


@dataclasses.dataclass(frozen=True)
class Period:
    """The sidebar's period mapped onto each mart's windows."""

    compstat: str  # wtd | 28d | ytd
    camera: str  # 1d | 7d | 30d (kpi_camera_availability, kpi_camera_downtime_by_cause)
    breakdown: str  # 28d | ytd (kpi_fraud_breakdown)


PERIODS = {"wtd": Period("wtd", "7d", "28d"), "28d": Period("28d", "30d", "28d"), "ytd": Period("ytd", "30d", "ytd")}


@dataclasses.dataclass(frozen=True)
class CompStat:
    """A CompStat mart: its table, category column and the counts that have current/prior/% change columns."""

    table: str
    category: str
    metrics: tuple[str, ...]


CRIME = CompStat("kpi_crime_compstat", "offence_code", ("crimes_registered",))
ROAD = CompStat("kpi_road_compstat", "cause", ("incidents", "killed", "injured", "ksi"))
FRAUD = CompStat("kpi_fraud_compstat", "scheme", ("fraud_reports", "loss_amount"))

_HASH: dict[str | type[Any], Callable[[Any], Any]] = {
    # what the policy's views depend on: users with the same region and clearance share the cached results
    Scope: lambda s: (s.region_code, s.cleared_for_sensitive, s.cleared_for_personnel),
    Source: lambda s: (
        s.build_id,
        s.path,
        s.scope.region_code,
        s.scope.cleared_for_sensitive,
        s.scope.cleared_for_personnel,
    ),
    Area: lambda a: (a.region, a.district),
    CompStat: lambda c: c.table,
}


def _cached(func):  # type: ignore[no-untyped-def]
    return st.cache_data(ttl=TTL_SECONDS, hash_funcs=_HASH, show_spinner=False)(func)


@st.cache_resource(max_entries=8, hash_funcs=_HASH, show_spinner=False)
def _connection(path: str, scope: Scope) -> duckdb.DuckDBPyConnection:
    return connect(get_settings(), scope)


def _on_cursor(src: Source, read_with: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    cursor = _connection(src.path, src.scope).cursor()  # one cursor per query: safe across Streamlit's threads
    try:
        return read_with(cursor)
    finally:
        cursor.close()


def _df(src: Source, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    return _on_cursor(src, lambda cursor: cursor.execute(sql, params or []).df())


def open_source(scope: Scope, settings: Settings | None = None) -> Source:
    """The current build for this scope; raises access.policy.NoWarehouse when nothing is published."""
    path = str(published_file(settings or get_settings()))
    return Source(_build_id(path, scope), path, scope)


@st.cache_data(hash_funcs=_HASH, show_spinner=False, max_entries=8)
def _build_id(path: str, scope: Scope) -> str:
    return _on_cursor(Source("", path, scope), read.stamp).build_id


def _where(area: Area, child: bool = False, level_column: str = "area_level") -> tuple[str, list[Any]]:
    """SQL filter for the area's own rows, or for its children's rows (regions of the nation, districts)."""
    level = area.child_level if child else area.level
    conditions, params = [f"{level_column} = ?"], list[Any]([level])
    if area.region:
        conditions.append("region_code = ?")
        params.append(area.region)
    if area.district:
        conditions.append("district_code = ?")
        params.append(area.district)
    return " AND ".join(conditions), params


# --- shared ---------------------------------------------------------------------------------------------------


@_cached
def build_info(src: Source) -> dict[str, Any]:
    """The build stamp (build_id, built_at, lake_snapshot, as_of) and the sources and regions gone silent."""
    row = _df(
        src,
        """SELECT (SELECT list(dataset ORDER BY dataset) FROM marts.kpi_source_freshness WHERE is_silent)
                      AS silent_sources,
                  (SELECT list(DISTINCT region_code ORDER BY region_code) FROM marts.kpi_region_reporting
                      WHERE is_silent) AS silent_regions""",
    ).iloc[0]
    return dataclasses.asdict(_on_cursor(src, read.stamp)) | {
        "silent_sources": _list(row["silent_sources"]),
        "silent_regions": _list(row["silent_regions"]),
    }


def _list(value: Any) -> list[str]:
    return [] if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else list(value)


@_cached
def places(src: Source) -> pd.DataFrame:
    """Regions and districts with their names: code, parent region, level, name_en, name_ru, population."""
    return _df(
        src,
        """SELECT region_code AS code, region_code, 'region' AS level, name_en, name_ru, population
           FROM analytics.regions
           UNION ALL
           SELECT district_code, region_code, 'district', name_en, name_ru, population FROM analytics.districts
           ORDER BY level DESC, name_en""",
    )


# --- plan -----------------------------------------------------------------------------------------------------


@_cached
def plan_progress(src: Source, area: Area) -> pd.DataFrame:
    """The plan as of the as-of day: the nation's targets, or a region's share of them (a national-only target
    with the region's actual and no target). Each row also carries the change on the last whole day."""
    if area.region:
        return _df(
            src,
            "SELECT * FROM marts.kpi_plan_progress_by_region WHERE region_code = ? ORDER BY area, target_id",
            [area.region],
        )
    return _df(src, "SELECT * FROM marts.kpi_plan_progress ORDER BY area, target_id")


@_cached
def rollout(src: Source, area: Area) -> pd.DataFrame:
    """Camera burn-up over the plan's months for the nation or the area's region."""
    where, params = _where(area.regional)
    return _df(
        src,
        f"""SELECT * FROM marts.kpi_camera_rollout_monthly
            WHERE {where} AND is_plan_month
            ORDER BY month_end""",
        params,
    )


@_cached
def rollout_by_region(src: Source) -> pd.DataFrame:
    """Each region's camera programme at the latest measured month."""
    return _df(
        src,
        """SELECT region_code, cameras_installed, cameras_commissioned, cameras_reporting, planned_installed,
                  year_end_target, cameras_per_10k_residents
           FROM marts.kpi_camera_rollout_monthly
           WHERE area_level = 'region' AND month_end = (
               SELECT max(month_end) FROM marts.kpi_camera_rollout_monthly WHERE is_measured)
           ORDER BY cameras_installed DESC""",
    )


# --- cameras --------------------------------------------------------------------------------------------------

CameraBy = Literal["total", "area", "contractor", "camera"]


@_cached
def period_days(src: Source, window: str) -> tuple[dt.date, dt.date] | None:
    """The sidebar period's days (a CompStat window: it ends on the last whole day, as on every page)."""
    return _on_cursor(src, lambda cursor: read.compstat_window(cursor, window))


@_cached
def camera_period(src: Source, window: str, area: Area, by: CameraBy) -> pd.DataFrame:
    """Availability, unplanned failures, MTTR and MTBF over the period's days, with the formulas of
    marts.kpi_camera_availability: availability = up ÷ expected minutes; MTTR = the mean length of the unplanned
    outages that ended in the period; MTBF = up minutes ÷ failures. Per sub-area, contractor or camera, or the
    area's total."""
    days = period_days(src, window)
    if days is None:
        return pd.DataFrame(columns=["key", "cameras", "availability_pct", "mttr_hours", "mtbf_hours", "failures"])
    child = "region_code" if area.child_level == "region" else "district_code"
    key = {"total": "'total'", "area": child, "contractor": "coalesce(contractor, 'unknown')", "camera": "camera_id"}
    where, params = _codes(area)
    extra = ", any_value(district_code) AS district_code, any_value(contractor) AS contractor" if by == "camera" else ""
    order = "availability_pct, failures DESC, key LIMIT 20" if by == "camera" else "availability_pct"
    return _df(
        src,
        f"""WITH days AS (
                SELECT {key[by]} AS key, count(DISTINCT camera_id) AS cameras, sum(up_minutes) AS up_minutes,
                       sum(expected_minutes) AS expected_minutes{extra}
                FROM analytics.camera_days WHERE date_day BETWEEN ? AND ? AND {where} GROUP BY 1),
            outages AS (
                SELECT {key[by]} AS key,
                       count(*) FILTER (WHERE started_date BETWEEN ? AND ?) AS failures,
                       avg(duration_minutes) FILTER (WHERE NOT is_ongoing AND ended_at::DATE BETWEEN ? AND ?) / 60
                           AS mttr_hours
                FROM analytics.camera_outages WHERE outage_kind = 'unplanned' AND {where} GROUP BY 1)
            SELECT days.* EXCLUDE (up_minutes, expected_minutes),
                   round(100 * up_minutes / nullif(expected_minutes, 0), 2) AS availability_pct,
                   outages.mttr_hours, up_minutes / nullif(outages.failures, 0) / 60 AS mtbf_hours,
                   coalesce(outages.failures, 0) AS failures, ?::DATE AS window_start, ?::DATE AS window_end
            FROM days LEFT JOIN outages USING (key) ORDER BY {order}""",
        [*days, *params, *days, *days, *params, *days],
    )


@_cached
def offline_counts(src: Source, area: Area) -> dict[str, int]:
    """Cameras offline now, and for more than 24 hours."""
    where, params = _codes(area)
    return (
        _df(
            src,
            f"""SELECT count(*) AS offline_now, count(*) FILTER (WHERE is_offline_over_24h) AS offline_over_24h
            FROM marts.kpi_cameras_offline_now WHERE {where}""",
            params,
        )
        .iloc[0]
        .to_dict()
    )


def _codes(area: Area) -> tuple[str, list[Any]]:
    """Filter on region/district codes alone, for tables without an area level (facts, camera lists)."""
    conditions, params = ["TRUE"], []
    for column, value in (("region_code", area.region), ("district_code", area.district)):
        if value:
            conditions.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(conditions), params


@_cached
def offline_now(src: Source, area: Area, limit: int = 50) -> pd.DataFrame:
    where, params = _codes(area)
    return _df(
        src,
        f"""SELECT camera_id, region_code, district_code, site_id, contractor, offline_status, cause, offline_since,
                   offline_minutes / 60 AS offline_hours
            FROM marts.kpi_cameras_offline_now WHERE {where} ORDER BY offline_minutes DESC LIMIT {int(limit)}""",
        params,
    )


CAUSES = ("power", "network", "hardware", "vandalism", "unknown", "maintenance")  # camera_days' down_minutes_<cause>


@_cached
def downtime_by_cause(src: Source, window: str, area: Area) -> pd.DataFrame:
    """Camera-hours down by cause over the period's days (maintenance = planned), with each cause's share and
    the cameras it touched."""
    days = period_days(src, window)
    where, params = _codes(area)
    columns = ", ".join(f"down_minutes_{c}" for c in CAUSES)
    return _df(
        src,
        f"""WITH causes AS (
                UNPIVOT (SELECT camera_id, {columns} FROM analytics.camera_days
                         WHERE date_day BETWEEN ? AND ? AND {where})
                ON {columns} INTO NAME cause VALUE minutes)
            SELECT replace(cause, 'down_minutes_', '') AS cause,
                   if(cause = 'down_minutes_maintenance', 'planned_maintenance', 'unplanned') AS outage_kind,
                   sum(minutes) / 60 AS camera_hours_down,
                   round(100 * sum(minutes) / nullif(sum(sum(minutes)) OVER (), 0), 1) AS share_of_downtime_pct,
                   count(DISTINCT camera_id) FILTER (WHERE minutes > 0) AS cameras_affected
            FROM causes GROUP BY cause HAVING sum(minutes) > 0 ORDER BY camera_hours_down DESC""",
        [*(days or (None, None)), *params],
    )


# --- CompStat (crime, road, fraud) ----------------------------------------------------------------------------

By = Literal["category", "area", "total"]


def _compstat_where(mart: CompStat, area: Area, by: By, category: str) -> tuple[str, list[Any]]:
    where, params = _where(area, child=by == "area")
    if by != "category":
        where += f" AND {mart.category} = ?"
        params.append(category)
    return where, params


def _key(mart: CompStat, area: Area, by: By) -> str:
    if by == "category":
        return mart.category
    return "region_code" if by == "area" and area.child_level == "region" else "district_code"


@_cached
def compstat(
    src: Source, mart: CompStat, metric: str, area: Area, by: Literal["category", "area"], category: str = "all"
) -> pd.DataFrame:
    """One count in CompStat layout: a row per category of the area (by='category') or per sub-area (by='area'),
    and for each window (wtd, 28d, ytd) the current count, the prior-year count, the % change and whether the
    data covers the whole prior-year window (`<w>_complete`, the same on every row); `through`: the windows'
    last day."""
    if metric not in mart.metrics:
        raise ValueError(f"{metric!r} is not a CompStat count of {mart.table}; use one of {mart.metrics}")
    where, params = _compstat_where(mart, area, by, category)
    columns = ", ".join(
        f"max({metric}_{part}) FILTER (WHERE compstat_window = '{w}')::DOUBLE AS \"{w}_{name}\""
        for w in read.WINDOWS
        for part, name in (("current", "current"), ("prior", "prior"), ("pct_change", "pct"))
    )
    complete = ", ".join(
        f"(SELECT bool_and(prior_is_complete) FROM marts.{mart.table} WHERE compstat_window = '{w}') "
        f'AS "{w}_complete"'
        for w in read.WINDOWS
    )
    key = _key(mart, area, by)
    order = "key = 'all' DESC, " if by == "category" else ""
    frame = _df(
        src,
        f"""SELECT {key} AS key, {columns}, {complete} FROM marts.{mart.table} WHERE {where}
            GROUP BY 1 ORDER BY {order}"ytd_current" DESC NULLS LAST, key""",
        params,
    )
    return frame.assign(through=_on_cursor(src, lambda cursor: read.compstat_through(cursor, mart.table)))


@_cached
def compstat_window(
    src: Source, mart: CompStat, window: str, area: Area, by: By, columns: tuple[str, ...], category: str = "all"
) -> pd.DataFrame:
    """Chosen columns of one window: per category, per sub-area, or the area's total (by='total')."""
    where, params = _compstat_where(mart, area, by, category)
    key = "'total'" if by == "total" else _key(mart, area, by)
    selected = ", ".join(f"{c}::DOUBLE AS {c}" for c in columns)
    return _df(
        src,
        f"""SELECT {key} AS key, {selected}, window_start, window_end, prior_start, prior_end, prior_is_complete
            FROM marts.{mart.table} WHERE compstat_window = ? AND {where} ORDER BY {columns[0]} DESC NULLS LAST""",
        [window, *params],
    )


# --- crime ----------------------------------------------------------------------------------------------------


@_cached
def hour_weekday(src: Source, area: Area) -> pd.DataFrame:
    where, params = _where(area.regional)
    return _df(
        src,
        f"""SELECT day_of_week, hour_of_day, crimes_registered FROM marts.kpi_crime_hour_weekday_profile
            WHERE {where} ORDER BY day_of_week, hour_of_day""",
        params,
    )


# --- road -----------------------------------------------------------------------------------------------------


@_cached
def road_daily(src: Source, area: Area, until: dt.date, days: int = 365) -> pd.DataFrame:
    where, params = _codes(area)
    return _df(
        src,
        f"""SELECT date_day, sum(incidents)::DOUBLE AS incidents, sum(ksi)::DOUBLE AS ksi
            FROM marts.agg_road_daily WHERE date_day > ?::DATE - {int(days)} AND date_day <= ? AND {where}
            GROUP BY ALL ORDER BY date_day""",
        [until, until, *params],
    )


@_cached
def holiday_periods(src: Source) -> pd.DataFrame:
    return _df(src, "SELECT * FROM marts.kpi_road_holiday_periods ORDER BY start_date")


# --- fraud ----------------------------------------------------------------------------------------------------


# the victims' age groups youngest first, as the data contract lists them (other breakdowns: most reports first)
AGE_GROUPS = next(c.codes or () for c in load_contracts()["fraud_report"].columns if c.name == "victim_age_group")


@_cached
def fraud_breakdown(src: Source, window: str, area: Area) -> pd.DataFrame:
    where, params = _where(area.regional)
    return _df(
        src,
        f"""SELECT breakdown, breakdown_value, fraud_reports, share_of_reports_pct, share_with_loss_pct,
                   loss_amount, median_loss_amount, recovered_amount, window_start, window_end
            FROM marts.kpi_fraud_breakdown WHERE compstat_window = ? AND {where}
            ORDER BY breakdown, if(breakdown = 'victim_age_group', list_position(?, breakdown_value), 0),
                     fraud_reports DESC""",
        [window, *params, list(AGE_GROUPS)],
    )


@_cached
def fraud_median_loss(src: Source, start: dt.date, end: dt.date, area: Area) -> float | None:
    """The area's median loss in the window: no mart has it (see the report), so the pseudonymised facts."""
    where, params = _codes(area)
    value = _df(
        src,
        f"""SELECT median(loss_amount_reporting) FROM analytics.fraud_reports
            WHERE has_loss AND reported_date BETWEEN ? AND ? AND {where}""",
        [start, end, *params],
    ).iloc[0, 0]
    return None if pd.isna(value) else float(value)


# --- data health ----------------------------------------------------------------------------------------------


@_cached
def source_freshness(src: Source) -> pd.DataFrame:
    return _df(src, "SELECT * FROM marts.kpi_source_freshness ORDER BY dataset")


@_cached
def region_reporting(src: Source) -> pd.DataFrame:
    return _df(src, "SELECT * FROM marts.kpi_region_reporting ORDER BY dataset, region_code")


@_cached
def quarantine_reasons(src: Source) -> pd.DataFrame:
    return _df(src, "SELECT * FROM marts.kpi_quarantine_reasons ORDER BY rows_quarantined DESC")


# --- SQL page -------------------------------------------------------------------------------------------------


@_cached
def catalog(src: Source) -> pd.DataFrame:
    """The schema browser: marts and analytics tables, their columns, types and (when the build has them) the dbt
    descriptions, from `access.policy.schema_catalog` on the scope's connection."""
    rows = _on_cursor(src, schema_catalog)
    columns = ["schema", "table", "table_description", "column", "type", "description"]
    return pd.DataFrame(rows, columns=columns)


# --- discipline & integrity, cybersecurity --------------------------------------------------------------------

DISCIPLINE = CompStat("kpi_discipline_compstat", "breach_type", ("disciplinary_cases",))
CORRUPTION = CompStat("kpi_corruption_compstat", "article", ("corruption_offences",))
CYBER = CompStat("kpi_cyber_incidents", "incident_type", ("incidents",))
BLOCKS = CompStat("kpi_fraud_resource_blocks", "resource_type", ("resources_blocked",))


@_cached
def discipline_cases(src: Source, window: str, area: Area, breach_type: str, limit: int = 200) -> pd.DataFrame:
    """The period's disciplinary cases, newest first: personnel data, so the policy's view has no rows for a scope
    not cleared for it; the employee is a pseudonym for every scope."""
    days = period_days(src, window) or (None, None)
    where, params = _codes(area)
    if breach_type != "all":
        where += " AND breach_type = ?"
        params.append(breach_type)
    return _df(
        src,
        f"""SELECT case_id, officer_pseudonym, unit_id, region_code, district_code, breach_type, opened_date,
                   decided_date, sanction
            FROM marts.fct_disciplinary_cases WHERE opened_date BETWEEN ? AND ? AND {where}
            ORDER BY opened_date DESC, case_id LIMIT {int(limit)}""",
        [*days, *params],
    )


# --- holiday operations ---------------------------------------------------------------------------------------


@_cached
def holiday_ops_periods(src: Source, area: Area) -> pd.DataFrame:
    """Each holiday or mass-event period against ordinary days, per holiday-operations measure, for the nation or
    the area's region; newest period first."""
    where, params = _where(area.regional)
    return _df(src, f"SELECT * FROM marts.kpi_holiday_ops_periods WHERE {where} ORDER BY start_date DESC", params)


@_cached
def holiday_ops_by_region(src: Source, period_id: str, metric: str) -> pd.DataFrame:
    return _df(
        src,
        """SELECT region_code, value, per_day, ordinary_per_day, ratio_to_ordinary FROM marts.kpi_holiday_ops_periods
           WHERE area_level = 'region' AND period_id = ? AND metric = ? ORDER BY per_day DESC""",
        [period_id, metric],
    )


@_cached
def corruption_articles(src: Source) -> dict[str, tuple[str, str]]:
    """Article → (English title, Russian title), as the corruption mart carries them."""
    frame = _df(
        src,
        """SELECT DISTINCT article, article_title_en, article_title_ru FROM marts.kpi_corruption_compstat
           WHERE article <> 'all'""",
    )
    return {row.article: (row.article_title_en, row.article_title_ru) for row in frame.itertuples()}


@_cached
def holiday_ops_collected(src: Source) -> set[str]:
    """The holiday-operations measures this geography has data for (a country without mass-event data has none)."""
    return set(_df(src, "SELECT DISTINCT metric FROM marts.agg_holiday_ops_daily")["metric"])


@_cached
def special_days(src: Source, first: dt.date, last: dt.date) -> set[dt.date]:
    """Public-holiday and mass-event days (the reference holidays) between two days."""
    frame = _df(
        src,
        "SELECT date_day FROM analytics.dates WHERE is_special_period AND date_day BETWEEN ? AND ?",
        [first, last],
    )
    return {d.date() for d in frame["date_day"]}


@st.cache_resource(max_entries=8, hash_funcs=_HASH, show_spinner=False)
def _live_connection(catalog: str, scope: Scope) -> duckdb.DuckDBPyConnection:  # catalog: keys another lake apart
    return live.connect(get_settings(), scope)


def live_reader(scope: Scope) -> duckdb.DuckDBPyConnection:
    """A cursor on the lake's live tables under the scope (access.live). The attached lake stays open: attaching
    it costs about 0.4 s, and the live fragments read every few seconds. Each query of a cursor is a transaction
    of its own, on the lake's newest snapshot."""
    return _live_connection(get_settings().catalog, scope).cursor()


@st.cache_data(ttl=LIVE_TTL_SECONDS, hash_funcs=_HASH, show_spinner=False)
def live_response(src: Source, periods: tuple[tuple[dt.date, ...], ...]) -> list[dict[str, float | None]]:
    """`access.live.response_over_days` of each list of days, from the lake's live calls under the source's scope
    (keyed on the source as every query here: another instance's warehouse, another lake)."""
    settings = get_settings()
    con = live_reader(src.scope)
    try:
        return [live.response_over_days(con, settings, list(days)) for days in periods]
    finally:
        con.close()
