"""The one access policy: dashboards, analyst SQL and e-mails read the published warehouse through here.

A reader gets an in-memory DuckDB connection that attaches the published build read-only and exposes
only views `marts.*`, `analytics.*` and `meta.build`, cut to the reader's scope:

- rows: a regional scope sees only rows of its region (tables with a `region_code` column); national
  aggregates without one (plan progress, holiday periods) are empty for it;
- small counts: for a scope not cleared for them, counts about minors and domestic violence between 1
  and `suppress_below` - 1 are NULL (with the other columns of their family: prior, change, % change),
  and the case-level rows about minors or domestic violence are left out of the facts.

External access (files, network, extensions) is off, memory bounded, and the configuration locked
before the connection is handed out. Analysts' SQL (`run_sql`) is further checked before it runs:
one SELECT, reading only those views; it is cut off at a timeout and a row limit, and audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from safelake.errors import SafeLakeError
from safelake.lake import fetch_one
from safelake.settings import Settings
from warehouse.publish import PUBLISHED_SCHEMAS, published_file

WAREHOUSE_ALIAS = "published"
READABLE_SCHEMAS = (*PUBLISHED_SCHEMAS, "meta")
# Tables without a region_code that every scope may read: they describe the data, not a place.
REGION_FREE = {"meta.build", "analytics.dates", "marts.kpi_source_freshness", "marts.kpi_quarantine_reasons"}
SENSITIVE_FAMILIES = ("crimes_against_minors", "dv_crimes")  # column prefixes of the minors / DV counts
SENSITIVE_ROW_FLAGS = ("is_victim_minor", "is_domestic_violence")
SAFE_TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}
BLOCKED_FUNCTIONS = {"query", "query_table", "getenv", "current_setting", "getvariable"}


class QueryRefused(SafeLakeError):
    """An analyst's SQL was refused or cut off by the policy. `kind` and `details` let a reader say it in its own
    language (access.i18n: sql_refused_<kind>); the message is the English one line."""

    def __init__(self, message: str, kind: str = "error", **details: str) -> None:
        super().__init__(message)
        self.kind, self.details = kind, details


@dataclasses.dataclass(frozen=True)
class Scope:
    """What a reader may see: one region (ISO 3166-2 code) or the nation (None), and whether it is
    cleared for small counts about minors and domestic violence."""

    name: str = "national"
    region_code: str | None = None
    cleared_for_sensitive: bool = False

    def __post_init__(self) -> None:
        if self.region_code is not None and not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", self.region_code):
            raise SafeLakeError(f"scope {self.name!r}: {self.region_code!r} is not an ISO 3166-2 region code")

    @property
    def is_national(self) -> bool:
        return self.region_code is None


NATIONAL = Scope("national", None, cleared_for_sensitive=True)


def _view_sql(schema: str, table: str, columns: list[str], scope: Scope, suppress_below: int) -> str:
    name = f"{schema}.{table}"
    where = []
    if not scope.is_national:
        if "region_code" in columns:
            where.append(f"region_code = '{scope.region_code}'")
        elif name not in REGION_FREE:
            where.append("false")
    select = "*"
    if not scope.cleared_for_sensitive:
        where += [f"NOT coalesce({flag}, false)" for flag in SENSITIVE_ROW_FLAGS if flag in columns]
        replaced = []
        for family in SENSITIVE_FAMILIES:
            members = [c for c in columns if c.startswith(family)]
            counts = [c for c in members if c == family or c.endswith(("_current", "_prior"))]
            if counts:
                small = " OR ".join(f"{c} BETWEEN 1 AND {suppress_below - 1}" for c in counts)
                replaced += [f"CASE WHEN {small} THEN NULL ELSE {c} END AS {c}" for c in members]
        if replaced:
            select = f"* REPLACE ({', '.join(replaced)})"
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {select} FROM {WAREHOUSE_ALIAS}.{name}{condition}"


def connect(settings: Settings, scope: Scope = NATIONAL) -> duckdb.DuckDBPyConnection:
    path = published_file(settings)
    con = duckdb.connect(":memory:", config={"threads": 2, "memory_limit": settings.sql_memory_limit})
    con.execute(f"ATTACH '{path}' AS {WAREHOUSE_ALIAS} (READ_ONLY)")
    tables = con.execute(
        "SELECT schema_name, table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name IN ? GROUP BY ALL ORDER BY ALL",
        [WAREHOUSE_ALIAS, list(READABLE_SCHEMAS)],
    ).fetchall()
    for schema in {schema for schema, *_ in tables}:
        con.execute(f"CREATE SCHEMA memory.{schema}")
    for schema, table, columns in tables:
        view = _view_sql(schema, table, columns, scope, settings.suppress_below)
        con.execute(f"CREATE VIEW memory.{schema}.{table} AS {view}")
    con.execute("USE memory")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _nodes(tree: Any) -> Iterator[dict]:
    if isinstance(tree, dict):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from _nodes(value)


def check_sql(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """The statement, if it is one SELECT that reads only the scoped views; else QueryRefused."""
    parsed = json.loads(fetch_one(con, "SELECT json_serialize_sql(?)", [sql])[0])
    if parsed.get("error"):
        message = parsed.get("error_message", "")
        if "Only SELECT" in message:
            raise QueryRefused(
                "only SELECT queries are allowed (no CREATE, INSERT, COPY, ATTACH, SET, PRAGMA ...)", "only_select"
            )
        raise QueryRefused(f"the query does not parse: {message}", "parse", detail=message)
    if len(parsed["statements"]) != 1:
        raise QueryRefused("one statement at a time, please", "one_statement")
    nodes = list(_nodes(parsed["statements"][0]))
    ctes = {key for node in nodes for entry in node.get("cte_map", {}).get("map", []) for key in [entry.get("key")]}
    for node in nodes:
        if node.get("type") == "BASE_TABLE":
            catalog, schema, table = node["catalog_name"], node["schema_name"], node["table_name"]
            if not schema and not catalog and table in ctes:
                continue
            if catalog not in ("", "memory") or schema not in READABLE_SCHEMAS:
                shown = ".".join(p for p in (catalog, schema, table) if p)
                schemas = ", ".join(READABLE_SCHEMAS)
                raise QueryRefused(
                    f"{shown}: only the views in {schemas} can be read", "not_readable", name=shown, schemas=schemas
                )
        elif node.get("type") == "TABLE_FUNCTION":
            name = node["function"]["function_name"]
            if name not in SAFE_TABLE_FUNCTIONS:
                raise QueryRefused(
                    f"table function {name}() is not allowed; read the views in marts and analytics",
                    "table_function",
                    name=name,
                )
        elif node.get("class") == "FUNCTION" and node.get("function_name") in BLOCKED_FUNCTIONS:
            name = node["function_name"]
            raise QueryRefused(f"function {name}() is not allowed", "function", name=name)
    return sql.strip().rstrip(";")


@dataclasses.dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple]
    truncated: bool
    seconds: float

    def arrow(self):
        import pyarrow as pa

        columns = [pa.array([row[i] for row in self.rows]) for i in range(len(self.columns))]
        return pa.Table.from_arrays(columns, names=self.columns)  # names may repeat (SELECT 1 AS a, 2 AS a)


def run_sql(settings: Settings, user: str, scope: Scope, sql: str) -> QueryResult:
    """An analyst's query: checked, run under the scope with a timeout and a row limit, and audited."""
    started = time.perf_counter()
    status, rows = "refused", 0
    con = connect(settings, scope)
    timer = threading.Timer(settings.sql_timeout_seconds, con.interrupt)
    try:
        statement = check_sql(con, sql)
        limit = settings.sql_row_limit
        timer.start()
        try:
            cursor = con.execute(f"SELECT * FROM ({statement}) LIMIT {limit + 1}")
            fetched = cursor.fetchall()
        except duckdb.InterruptException:
            status = "timeout"
            raise QueryRefused(
                f"the query ran longer than {settings.sql_timeout_seconds:g} s and was stopped; "
                "narrow it (filters, aggregates) or ask for a longer SQL timeout",
                "timeout",
                seconds=f"{settings.sql_timeout_seconds:g}",
            ) from None
        except duckdb.Error as exc:
            status = "error"
            detail = str(exc).splitlines()[0]
            raise QueryRefused(detail, "error", detail=detail) from None
        status, rows = "ok", min(len(fetched), limit)
        columns = [d[0] for d in cursor.description]
        return QueryResult(columns, fetched[:limit], len(fetched) > limit, time.perf_counter() - started)
    except QueryRefused as exc:
        status = status if status != "ok" else "refused"
        _audit(settings, user, scope, sql, status, rows, time.perf_counter() - started, str(exc))
        raise
    finally:
        timer.cancel()
        con.close()
        if status == "ok":
            _audit(settings, user, scope, sql, status, rows, time.perf_counter() - started, None)


def _audit(
    settings: Settings, user: str, scope: Scope, sql: str, status: str, rows: int, seconds: float, error: str | None
) -> None:
    entry = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "user": user,
        "scope": scope.region_code or "national",
        "status": status,
        "rows": rows,
        "seconds": round(seconds, 3),
        "sql": sql,
        "error": error,
    }
    path = settings.audit_log
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as log:  # one line per query, appended whole
        log.write(json.dumps(entry, ensure_ascii=False) + "\n")


def export(settings: Settings, scope: Scope, out: Path) -> dict[str, int]:
    """The scope's views copied into a new DuckDB file for analysts' own tools (Jupyter, DBeaver).

    Written beside `out` and renamed into place, so a crash never leaves half an export."""
    con = connect(settings, scope)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.unlink(missing_ok=True)
    counts = {}
    try:
        views = con.execute(
            "SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = 'memory' AND NOT internal "
            "ORDER BY ALL"
        ).fetchall()
        with duckdb.connect(str(tmp)) as target:
            for schema in sorted({schema for schema, _ in views}):
                target.execute(f"CREATE SCHEMA {schema}")
            for schema, view in views:
                batches = con.execute(f"SELECT * FROM {schema}.{view}").fetch_record_batch()  # noqa: F841
                target.execute(f"CREATE TABLE {schema}.{view} AS SELECT * FROM batches")
                counts[f"{schema}.{view}"] = fetch_one(target, f"SELECT count(*) FROM {schema}.{view}")[0]
    finally:
        con.close()
    os.replace(tmp, out)
    return counts


def schema_catalog(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The readable views with their columns, types and dbt descriptions, for the analysts' schema browser.

    `con` is a connection from connect(); the descriptions are the comments dbt stored in the build."""
    rows = con.execute(
        f"""
        SELECT c.schema_name, c.table_name, t.comment, c.column_name, c.data_type, c.comment
        FROM duckdb_columns() c
        JOIN duckdb_tables() t USING (database_name, schema_name, table_name)
        WHERE c.database_name = '{WAREHOUSE_ALIAS}' AND c.schema_name IN ('marts', 'analytics')
        ORDER BY c.schema_name, c.table_name, c.column_index
        """
    ).fetchall()
    return [
        {"schema": s, "table": t, "table_description": td, "column": c, "type": ty, "description": d}
        for s, t, td, c, ty, d in rows
    ]
