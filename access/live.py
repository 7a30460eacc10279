"""The live read: what the lake's live tables (camera_heartbeat, dispatch_call, incident_report) say now, under the
reader's scope and the instance's geography, without waiting for the nightly build (which reconciles them).

A reader gets an in-memory DuckDB connection with the lake attached read-only and three views cut to the scope as
`access.policy` cuts the warehouse: a regional scope sees only its region's rows, and a scope not cleared for them
does not see calls about domestic violence. External access is off and the configuration locked.

The offline rule: a camera is offline now when its newest message reports it not online (the VMS's state change),
or when it has sent nothing for SAFELAKE_HEARTBEAT_TIMEOUT seconds (silent). Cameras of one site that are offline
together are one outage.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import polars as pl

from access.policy import NATIONAL, Scope
from safelake import lake
from safelake.reference import reference_folder
from safelake.settings import Settings

SENSITIVE_CALLS = ("domestic_violence",)  # call categories hidden from scopes not cleared for them


def connect(settings: Settings, scope: Scope = NATIONAL) -> duckdb.DuckDBPyConnection:
    con = lake.connect(settings, read_only=True)
    # the lake may hold several geographies' streams; the instance serves one
    place = f"_geography = '{settings.geography}'"
    region = place if scope.is_national else f"{place} AND region_code = '{scope.region_code}'"
    hidden = ", ".join(f"'{c}'" for c in SENSITIVE_CALLS)
    calls = region if scope.cleared_for_sensitive else f"{region} AND category NOT IN ({hidden})"
    con.execute(f"CREATE VIEW memory.cameras AS SELECT * FROM lake.camera_heartbeat WHERE {region}")
    con.execute(f"CREATE VIEW memory.calls AS SELECT * FROM lake.dispatch_call WHERE {calls}")
    con.execute(f"CREATE VIEW memory.incidents AS SELECT * FROM lake.incident_report WHERE {region}")
    con.execute("USE memory")
    con.execute("SET allowed_directories = ?", [[settings.data_path]])  # the lake's Parquet files, nothing else
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def cameras_now(con: duckdb.DuckDBPyConnection, timeout_seconds: float, now: dt.datetime) -> pd.DataFrame:
    """Per region: cameras heard from, online and offline now (reported, silent), and outages (a site once)."""
    return con.execute(
        """
        WITH state AS (
            SELECT region_code, camera_id, coalesce(site_id, camera_id) AS site,
                   CASE WHEN status <> 'online' THEN 'reported'
                        WHEN sent_at < ?::TIMESTAMPTZ - to_microseconds((? * 1e6)::BIGINT) THEN 'silent' END AS offline
            FROM cameras
        )
        SELECT region_code, count(*) AS cameras,
               count(*) FILTER (offline IS NULL) AS online,
               count(*) FILTER (offline IS NOT NULL) AS offline,
               count(*) FILTER (offline = 'silent') AS silent,
               count(DISTINCT site) FILTER (offline IS NOT NULL) AS outages
        FROM state GROUP BY region_code ORDER BY region_code
        """,
        [now, timeout_seconds],
    ).df()


def open_calls(con: duckdb.DuckDBPyConnection, now: dt.datetime) -> pd.DataFrame:
    """Calls not closed or cancelled, oldest first, with their minutes open."""
    return con.execute(
        """
        SELECT call_id, received_at, status, priority, category, region_code, district_code, unit_id,
               date_diff('second', received_at, ?::TIMESTAMPTZ) / 60.0 AS minutes_open
        FROM calls WHERE status NOT IN ('closed', 'cancelled') ORDER BY received_at
        """,
        [now],
    ).df()


def standards(settings: Settings) -> pl.DataFrame:
    """The reference response standards by region (minutes to dispatch, to arrival); empty where there are none.
    The file sets them per region and area type (city, rural); a region's calls are held to its strictest."""
    path = reference_folder(settings.geography) / "response_standards.csv"
    schema = {"region_code": pl.String, "dispatch_minutes": pl.Float64, "arrival_minutes": pl.Float64}
    if not path.exists():
        return pl.DataFrame(schema=schema)
    frame = pl.read_csv(path, schema_overrides=schema | {"area_type": pl.String})
    return frame.group_by("region_code", maintain_order=True).agg(pl.col("dispatch_minutes", "arrival_minutes").min())


def response_times(con: duckdb.DuckDBPyConnection, settings: Settings, now: dt.datetime) -> pd.DataFrame:
    """Today's calls (local day) by region: minutes received→dispatched and received→arrived, p50 and p90, with
    the region's standard."""
    zone = ZoneInfo(settings.timezone)
    midnight = dt.datetime.combine(now.astimezone(zone).date(), dt.time(), zone)
    con.register("standards", standards(settings))
    try:
        return con.execute(
            """
            WITH today AS (
                SELECT region_code,
                       date_diff('second', received_at, dispatched_at) / 60.0 AS to_dispatch,
                       date_diff('second', received_at, arrived_at) / 60.0 AS to_arrival
                FROM calls WHERE received_at >= ?::TIMESTAMPTZ
            )
            SELECT region_code, count(*) AS calls,
                   quantile_cont(to_dispatch, 0.5) AS dispatch_p50, quantile_cont(to_dispatch, 0.9) AS dispatch_p90,
                   any_value(s.dispatch_minutes) AS dispatch_standard,
                   quantile_cont(to_arrival, 0.5) AS arrival_p50, quantile_cont(to_arrival, 0.9) AS arrival_p90,
                   any_value(s.arrival_minutes) AS arrival_standard
            FROM today LEFT JOIN standards s USING (region_code)
            GROUP BY region_code ORDER BY region_code
            """,
            [midnight],
        ).df()
    finally:
        con.unregister("standards")


def recent_incidents(con: duckdb.DuckDBPyConnection, hours: float, now: dt.datetime) -> pd.DataFrame:
    """Incidents reported in the last `hours`, newest first, with where they happened."""
    return con.execute(
        """
        SELECT incident_id, occurred_at, kind, coalesce(offence_code, incident_type) AS what, killed, injured,
               region_code, district_code, latitude, longitude
        FROM incidents WHERE occurred_at >= ?::TIMESTAMPTZ ORDER BY occurred_at DESC
        """,
        [now - dt.timedelta(hours=hours)],
    ).df()


def response_over_days(
    con: duckdb.DuckDBPyConnection, settings: Settings, days: list[dt.date]
) -> dict[str, float | None]:
    """102 calls received on the given local days: how many, and minutes received→dispatched (p50) and
    received→arrived (p50, p90) over all of them (the holiday operations page sets holidays against ordinary days)."""
    row = con.execute(
        """
        WITH timed AS (
            SELECT timezone(?, received_at)::DATE AS day,
                   date_diff('second', received_at, dispatched_at) / 60.0 AS to_dispatch,
                   date_diff('second', received_at, arrived_at) / 60.0 AS to_arrival
            FROM calls
        )
        SELECT count(*), quantile_cont(to_dispatch, 0.5), quantile_cont(to_arrival, 0.5),
               quantile_cont(to_arrival, 0.9)
        FROM timed WHERE day IN (SELECT unnest(?::DATE[]))
        """,
        [settings.timezone, days],
    ).fetchone()
    names = ("calls", "dispatch_p50", "arrival_p50", "arrival_p90")
    return dict(zip(names, row, strict=True)) if row else dict.fromkeys(names)
