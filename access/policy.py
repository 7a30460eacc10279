"""The one access policy: dashboards, analyst SQL and e-mails read the published warehouse through here.

A reader gets an in-memory DuckDB connection that attaches the published build read-only and exposes
only views `marts.*`, `analytics.*` and `meta.build`, cut to the reader's scope:

- rows: a regional scope sees only rows of its region (tables with a `region_code` column); national
  aggregates without one (plan progress, holiday periods) are empty for it;
- sensitive data: for a scope not cleared, what the models declare sensitive (dbt `meta`, stored in the
  build as meta.declared) is withheld or suppressed, with complementary cells (access/suppression.py);
- personnel data (discipline and integrity): a model declared `personnel: true` has no rows for a scope not
  cleared for personnel data, and counts declared `clearance: personnel` are suppressed for it.

External access (files, network, extensions) is off, memory bounded, and the configuration locked
before the connection is handed out. Analysts' SQL (`run_sql`) is further checked before it runs:
one SELECT, reading only those views; it is cut off at a timeout, a row and a byte limit, and audited.
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
from enum import StrEnum
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from access import i18n
from access.scope import NATIONAL, Scope
from access.suppression import TableRules, clearance, load_rules, patterns
from safelake.errors import SafeLakeError
from safelake.lake import fetch_one
from safelake.settings import Settings
from warehouse.publish import PUBLISHED_SCHEMAS, published_file

WAREHOUSE_ALIAS = "published"
READABLE_SCHEMAS = (*PUBLISHED_SCHEMAS, "meta")
# Tables without a region_code that every scope may read: they describe the data, not a place.
REGION_FREE = {"meta.build", "analytics.dates", "marts.kpi_source_freshness", "marts.kpi_quarantine_reasons"}
POLICY_SCHEMA = "policy"  # the policy's own tables (hidden cells); not readable by queries
SAFE_TABLE_FUNCTIONS = {"range", "generate_series", "unnest"}
# what a FROM may hold (json_serialize_sql's table reference types); SHOW/DESCRIBE/SUMMARIZE (SHOW_REF) and
# anything newer are refused
TABLE_REFS = {"BASE_TABLE", "JOIN", "SUBQUERY", "TABLE_FUNCTION", "EXPRESSION_LIST", "EMPTY"}
QUERY_NODES = {"SELECT_NODE", "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE", "CTE_NODE"}
MAX_SQL_BYTES = 100_000
BLOCKED_FUNCTIONS = {"query", "query_table", "getenv", "current_setting", "getvariable"}


class Refusal(StrEnum):
    """Why an analyst's query was refused or stopped; each is a phrase `sql_refusal_<kind>` in access/i18n.py."""

    TOO_LONG = "too_long"
    ONLY_SELECT = "only_select"
    DOES_NOT_PARSE = "does_not_parse"
    ONE_STATEMENT = "one_statement"
    NESTED_CHECK = "nested_check"
    CTE_SHADOWS = "cte_shadows"
    CLAUSE = "clause"
    NOT_READABLE = "not_readable"
    META_ONLY_BUILD = "meta_only_build"
    TABLE_FUNCTION = "table_function"
    FUNCTION = "function"
    ROW_TOO_LARGE = "row_too_large"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    NESTED_RUN = "nested_run"
    ERROR = "error"
    FAILED = "failed"


class QueryRefused(SafeLakeError):
    """An analyst's SQL was refused or cut off by the policy: `kind` and `values` say why in either language
    (`text`); the message itself is the English one line (the CLI's and the audit log's)."""

    def __init__(self, kind: Refusal, **values: object) -> None:
        self.kind, self.values = kind, values
        super().__init__(self.text("en"))

    def text(self, lang: i18n.Lang) -> str:
        # values are names and DuckDB's words, shown as code: a backtick of theirs would end the code span
        shown = {name: str(value).replace("`", "'") for name, value in self.values.items()}
        return i18n.t(f"sql_refusal_{self.kind}", lang, **shown)


def _view_sql(
    name: str,
    columns: list[str],
    scope: Scope,
    rules: TableRules | None,
    hidden: dict[str, set[int]],
    hidden_table: str | None,
) -> str:
    where = []
    if not scope.is_national:
        if "region_code" in columns:
            where.append(f"t.region_code = '{scope.region_code}'")
        elif name not in REGION_FREE:
            where.append("false")
    replaced = []
    join = ""
    if rules is not None:
        if rules.personnel and not scope.cleared_for_personnel:
            where.append("false")
        rows = rules.sensitive_rows or "true"
        withheld = [c for c in rules.of_kind("withheld") if not scope.cleared_for(clearance(rules.columns[c]))]
        replaced += [f"CASE WHEN {rows} THEN NULL ELSE t.{c} END AS {c}" for c in withheld]
        if hidden_table:
            replaced += [f"CASE WHEN h.{c} THEN NULL ELSE t.{c} END AS {c}" for c in hidden]
            join = f" LEFT JOIN {hidden_table} h ON h.row_id = t.rowid"
    select = f"t.* REPLACE ({', '.join(replaced)})" if replaced else "t.*"
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {select} FROM {WAREHOUSE_ALIAS}.{name} t{join}{condition}"


def _hidden_table(con: duckdb.DuckDBPyConnection, index: int, hidden: dict[str, set[int]]) -> str | None:
    """The hidden cells of one table as a table of rowids with one flag per column, in a schema no query may
    read (check_sql allows only the views)."""
    rows = sorted(set().union(*hidden.values())) if hidden else []
    if not rows:
        return None
    name = f"{POLICY_SCHEMA}.hidden_{index}"
    flags = ", ".join(f"unnest(?::BOOLEAN[]) AS {c}" for c in hidden)
    con.execute(
        f"CREATE TABLE {name} AS SELECT unnest(?::BIGINT[]) AS row_id, {flags}",
        [rows, *[[r in cells for r in rows] for cells in hidden.values()]],
    )
    return name


def connect(settings: Settings, scope: Scope = NATIONAL) -> duckdb.DuckDBPyConnection:
    path = published_file(settings)
    con = duckdb.connect(":memory:", config={"threads": 2, "memory_limit": settings.sql_memory_limit})
    try:
        con.execute(f"ATTACH '{path}' AS {WAREHOUSE_ALIAS} (READ_ONLY)")
        tables = con.execute(
            "SELECT schema_name, table_name, list(column_name ORDER BY column_index) FROM duckdb_columns() "
            "WHERE database_name = ? AND (schema_name IN ? OR (schema_name, table_name) = ('meta', 'build')) "
            "GROUP BY ALL ORDER BY ALL",
            [WAREHOUSE_ALIAS, list(PUBLISHED_SCHEMAS)],
        ).fetchall()
        rules: dict[str, TableRules] = {}
        hidden: dict[str, dict[str, set[int]]] = {}
        if not scope.cleared_for_all:
            rules = load_rules(con, WAREHOUSE_ALIAS)
            hidden = patterns(con, WAREHOUSE_ALIAS, path.stem, rules, settings.suppress_below, settings.home / "access")
        con.execute(f"CREATE SCHEMA memory.{POLICY_SCHEMA}")
        for schema in {schema for schema, *_ in tables}:
            con.execute(f"CREATE SCHEMA memory.{schema}")
        for index, (schema, table, columns) in enumerate(tables):
            name = f"{schema}.{table}"
            declared = rules[name].columns if name in rules else {}
            cells = {c: v for c, v in hidden.get(name, {}).items() if not scope.cleared_for(clearance(declared[c]))}
            view = _view_sql(name, columns, scope, rules.get(name), cells, _hidden_table(con, index, cells))
            con.execute(f"CREATE VIEW memory.{name} AS {view}")
        con.execute("USE memory")
        con.execute("SET enable_progress_bar = false")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
    except BaseException:
        con.close()
        raise
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
    if len(sql.encode()) > MAX_SQL_BYTES:
        raise QueryRefused(Refusal.TOO_LONG, kb=MAX_SQL_BYTES // 1000)
    try:
        parsed = json.loads(fetch_one(con, "SELECT json_serialize_sql(?)", [sql])[0])
        if parsed.get("error"):
            message = parsed.get("error_message", "").splitlines()[0] if parsed.get("error_message") else ""
            if "Only SELECT" in message:
                raise QueryRefused(Refusal.ONLY_SELECT)
            if "expression depth" in message:
                raise RecursionError  # the parser's own limit: the same answer as ours
            raise QueryRefused(Refusal.DOES_NOT_PARSE, message=message)
        if len(parsed["statements"]) != 1:
            raise QueryRefused(Refusal.ONE_STATEMENT)
        nodes = list(_nodes(parsed["statements"][0]))
    except RecursionError:
        raise QueryRefused(Refusal.NESTED_CHECK) from None
    ctes = {entry.get("key") for node in nodes for entry in node.get("cte_map", {}).get("map", [])}
    shadowing = ctes & _catalog_names(con)
    if shadowing:
        raise QueryRefused(Refusal.CTE_SHADOWS, names=", ".join(sorted(shadowing)))
    for node in nodes:
        kind = node.get("type")
        if "sample" in node and "class" not in node and kind not in TABLE_REFS | QUERY_NODES:
            shown = str(kind).removesuffix("_REF").lower()
            raise QueryRefused(Refusal.CLAUSE, clause=shown)
        if kind == "BASE_TABLE":
            catalog, schema, table = node["catalog_name"], node["schema_name"], node["table_name"]
            if not schema and not catalog and table in ctes:
                continue
            if catalog not in ("", "memory") or schema not in READABLE_SCHEMAS:
                shown = ".".join(p for p in (catalog, schema, table) if p)
                raise QueryRefused(Refusal.NOT_READABLE, name=shown, schemas=", ".join(READABLE_SCHEMAS))
            if schema == "meta" and table != "build":
                raise QueryRefused(Refusal.META_ONLY_BUILD, table=table)
        elif kind == "TABLE_FUNCTION":
            name = node["function"]["function_name"]
            if name not in SAFE_TABLE_FUNCTIONS:
                raise QueryRefused(Refusal.TABLE_FUNCTION, name=name)
        elif node.get("class") == "FUNCTION" and node.get("function_name") in BLOCKED_FUNCTIONS:
            raise QueryRefused(Refusal.FUNCTION, name=node["function_name"])
    return sql


def _catalog_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names a CTE could shadow: every table, view and function the connection knows, system ones included."""
    return {
        name
        for (name,) in con.execute(
            "SELECT view_name FROM duckdb_views() UNION SELECT table_name FROM duckdb_tables() "
            "UNION SELECT function_name FROM duckdb_functions() WHERE function_type = 'table'"
        ).fetchall()
    }


@dataclasses.dataclass
class QueryResult:
    table: pa.Table  # as fetched; its names may repeat (SELECT 1 AS a, 2 AS a)
    truncated: bool
    seconds: float
    cut_by: str = ""  # "rows" or "bytes" when truncated

    @property
    def columns(self) -> list[str]:
        return self.table.column_names

    @property
    def rows(self) -> list[tuple]:
        return list(zip(*(column.to_pylist() for column in self.table.columns), strict=True))

    def arrow(self) -> pa.Table:
        return self.table


def _fetch(reader: pa.RecordBatchReader, row_limit: int, byte_limit: int) -> tuple[pa.Table, str]:
    """Record batches up to the row limit and the byte limit (Arrow's size of the data): the table and what cut
    it ("" when nothing did). A single row over the byte limit is refused."""
    batches: list[pa.RecordBatch] = []
    rows = size = 0
    for batch in reader:
        take = batch.slice(0, row_limit - rows + 1)
        if size + take.nbytes > byte_limit:
            fits = next(n for n in range(take.num_rows, -1, -1) if size + take.slice(0, n).nbytes <= byte_limit)
            if not rows and not fits:
                raise QueryRefused(Refusal.ROW_TOO_LARGE, mb=f"{byte_limit / 1e6:g}")
            batches.append(take.slice(0, fits))
            return pa.Table.from_batches(batches, reader.schema), "bytes"
        size, rows = size + take.nbytes, rows + take.num_rows
        batches.append(take)
        if rows > row_limit:
            return pa.Table.from_batches(batches, reader.schema).slice(0, row_limit), "rows"
    return pa.Table.from_batches(batches, reader.schema), ""


def _refusal(exc: BaseException, settings: Settings) -> tuple[str, QueryRefused, str | None]:
    """(audit status, what the user reads, detail for the audit log only) for what stopped a query."""
    if isinstance(exc, QueryRefused):
        return "refused", exc, None
    if isinstance(exc, duckdb.InterruptException):
        return "timeout", QueryRefused(Refusal.TIMEOUT, seconds=f"{settings.sql_timeout_seconds:g}"), None
    if isinstance(exc, duckdb.OutOfMemoryException):
        return "error", QueryRefused(Refusal.MEMORY, limit=settings.sql_memory_limit), None
    if isinstance(exc, RecursionError):
        return "refused", QueryRefused(Refusal.NESTED_RUN), None
    if isinstance(exc, duckdb.Error | SafeLakeError):
        return "error", QueryRefused(Refusal.ERROR, message=(str(exc).splitlines() or [type(exc).__name__])[0]), None
    return "error", QueryRefused(Refusal.FAILED, name=type(exc).__name__), repr(exc)[:2000]


def run_sql(settings: Settings, user: str, scope: Scope, sql: str) -> QueryResult:
    """An analyst's query: checked, run under the scope with a timeout, a row and a byte limit, and audited.
    Whatever stops it ends as a one-line QueryRefused (no traceback), and every query leaves one audit line."""
    started = time.perf_counter()
    status, rows, error, detail = "ok", 0, None, None
    con = timer = None
    try:
        con = connect(settings, scope)
        statement = check_sql(con, sql)
        timer = threading.Timer(settings.sql_timeout_seconds, con.interrupt)
        timer.start()
        reader = con.sql(statement).limit(settings.sql_row_limit + 1).to_arrow_reader(256)
        table, cut_by = _fetch(reader, settings.sql_row_limit, settings.sql_result_mb * 1_000_000)
        rows = table.num_rows
        return QueryResult(table, bool(cut_by), time.perf_counter() - started, cut_by)
    except Exception as exc:
        status, refusal, detail = _refusal(exc, settings)
        error = str(refusal)
        raise refusal from None
    finally:
        if timer is not None:
            timer.cancel()
        if con is not None:
            con.close()
        _audit(settings, user, scope, sql, status, rows, time.perf_counter() - started, error, detail)


def bound_process_memory(settings: Settings) -> int:
    """Cap this process's data memory (RLIMIT_DATA) at the SQL memory limit plus room for the reader and
    the result, for a process that runs one analyst query (`safelake sql`): DuckDB's materialised results are
    not all counted against its own memory_limit, and past the cap its allocations fail with a clean
    out-of-memory error instead of growing. Returns the cap in bytes."""
    import resource

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT])(i?)B\s*", settings.sql_memory_limit, re.IGNORECASE)
    if match is None:
        raise SafeLakeError(f"SAFELAKE_SQL_MEMORY_LIMIT={settings.sql_memory_limit!r}: write it like 2GB or 512MiB")
    number, unit, binary = match.groups()
    size = float(number) * (1024 if binary else 1000) ** ("KMGT".index(unit.upper()) + 1)
    cap = int(size) + 4 * settings.sql_result_mb * 1_000_000 + 512 * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft == resource.RLIM_INFINITY or soft > cap:
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    return cap


def _audit(
    settings: Settings,
    user: str,
    scope: Scope,
    sql: str,
    status: str,
    rows: int,
    seconds: float,
    error: str | None,
    detail: str | None = None,
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
    if detail:
        entry["detail"] = detail
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
