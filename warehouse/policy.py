"""The one door to the published warehouse: dashboards, analyst SQL and e-mails read through here.

A reader gets an in-memory DuckDB connection that attaches the published build read-only and
exposes only `marts.*` and `analytics.*` as views filtered to the reader's scope: a regional scope
sees only rows of its region (every table with a `region_code` column is filtered). External
access (files, network, extensions) is off and the configuration locked before the connection
is handed out.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import duckdb

from safelake.errors import SafeLakeError
from safelake.settings import Settings
from warehouse.build import PUBLISHED_SCHEMAS, current_path

WAREHOUSE_ALIAS = "published"


class NoWarehouse(SafeLakeError):
    """Nothing has been published yet."""


@dataclasses.dataclass(frozen=True)
class Scope:
    """What a reader may see: one region (ISO 3166-2 code) or the whole nation (None)."""

    name: str = "national"
    region_code: str | None = None

    def __post_init__(self) -> None:
        if self.region_code is not None and not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", self.region_code):
            raise SafeLakeError(f"scope {self.name!r}: {self.region_code!r} is not an ISO 3166-2 region code")

    @property
    def is_national(self) -> bool:
        return self.region_code is None


NATIONAL = Scope()


def published_file(settings: Settings) -> Path:
    link = current_path(settings)
    if not link.exists():
        raise NoWarehouse(
            f"no warehouse published yet in {link.parent}; run `safelake ingest` then `safelake build` (or `make up`)"
        )
    return link.resolve()  # pin the build: a publish during this connection's life does not move it


def connect(settings: Settings, scope: Scope = NATIONAL) -> duckdb.DuckDBPyConnection:
    path = published_file(settings)
    con = duckdb.connect(":memory:", config={"threads": 2})
    con.execute(f"ATTACH '{path}' AS {WAREHOUSE_ALIAS} (READ_ONLY)")
    columns = con.execute(
        "SELECT schema_name, table_name, list(column_name) FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name IN ? GROUP BY ALL ORDER BY ALL",
        [WAREHOUSE_ALIAS, list(PUBLISHED_SCHEMAS) + ["meta"]],
    ).fetchall()
    for schema in {schema for schema, _, _ in columns}:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS memory.{schema}")
    for schema, table, names in columns:
        where = ""
        if not scope.is_national and "region_code" in names:
            where = f" WHERE region_code = '{scope.region_code}'"
        con.execute(f"CREATE VIEW memory.{schema}.{table} AS SELECT * FROM {WAREHOUSE_ALIAS}.{schema}.{table}{where}")
    con.execute("USE memory")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con
