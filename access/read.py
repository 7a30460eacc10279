"""The read API the dashboards and the e-mails share, on a connection from `access.policy.connect`.

The build stamp (`meta.build`, written by the build: build id, time, lake snapshot and the as-of day), the
CompStat windows and where they end, the area level of a scope, the names of areas. The words for codes and
phrases are in `access.i18n`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import duckdb

from access.policy import Scope, connect
from safelake.lake import fetch_one
from safelake.settings import Settings

Level = Literal["nation", "region", "district"]
# CompStat windows as the marts name them: week to date, 28 days, year to date; each ends on the last whole day
# (yesterday, or the pinned as-of day), set against the same days a year earlier.
WINDOWS: tuple[str, ...] = ("wtd", "28d", "ytd")


@dataclass(frozen=True)
class Stamp:
    """Which build a reader reads, and the day its numbers run through."""

    build_id: str
    built_at: dt.datetime
    lake_snapshot: int
    as_of: dt.date


def stamp(con: duckdb.DuckDBPyConnection) -> Stamp:
    build_id, built_at, snapshot, as_of = fetch_one(
        con, "SELECT build_id, built_at, lake_snapshot, as_of FROM meta.build"
    )
    return Stamp(build_id, built_at, int(snapshot), as_of)


def published_stamp(settings: Settings) -> Stamp:
    """The stamp of the published build (raises NoWarehouse when nothing is published)."""
    con = connect(settings)
    try:
        return stamp(con)
    finally:
        con.close()


def scope_level(scope: Scope) -> Level:
    """The area level of a scope's own rows in the marts: the nation's, or its region's."""
    return "nation" if scope.is_national else "region"


def compstat_through(con: duckdb.DuckDBPyConnection, mart: str) -> dt.date | None:
    """The last day of a CompStat mart's windows (None while the mart has no rows)."""
    return fetch_one(con, f"SELECT max(window_end) FROM marts.{mart}")[0]


def region_names(con: duckdb.DuckDBPyConnection, region_code: str) -> dict[str, str]:
    """A region's name by language; its code in both when the reference data does not have it."""
    row = con.execute("SELECT name_en, name_ru FROM analytics.regions WHERE region_code = ?", [region_code]).fetchone()
    return {"en": row[0], "ru": row[1]} if row else {"en": region_code, "ru": region_code}
