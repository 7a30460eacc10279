"""The analyst SQL attack suite: each case is refused with its expected one line (or, marked SAFE, runs and
returns only what the scope may see), is audited, and leaves the warehouse unchanged."""

from __future__ import annotations

import hashlib
import json

import pytest

from access.policy import QueryRefused, Scope, run_sql
from safelake.settings import Settings
from warehouse.publish import published_file

pytestmark = pytest.mark.slow

ANALYST = Scope("ana", None)
CHIEF = Scope("chief", "KG-GB")
T = "marts.kpi_crime_compstat"
ONLY_SELECT = "only SELECT queries are allowed"
NESTED = "nested too deeply"
SAFE = None  # runs, and its result is checked by the test


def _table_functions(*names: str) -> list[tuple[str, str, str]]:
    return [(f"tf_{n}", f"SELECT * FROM {n}({arg})", f"table function {n}() is not allowed") for n, arg in names]


CASES: list[tuple[str, str, str | None]] = [
    # statements that are not one SELECT
    *[
        (f"stmt_{i}", sql, ONLY_SELECT)
        for i, sql in enumerate(
            [
                f"CREATE TABLE marts.x AS SELECT * FROM {T}",
                "CREATE VIEW marts.v AS SELECT 1",
                "CREATE SCHEMA evil",
                "CREATE MACRO m(a) AS a + 1",
                "CREATE SEQUENCE s",
                "CREATE TYPE mood AS ENUM ('a')",
                "CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')",
                f"CREATE INDEX i ON {T}(region_code)",
                "CREATE TEMP TABLE t AS SELECT 1",
                f"INSERT INTO {T} SELECT * FROM {T}",
                f"UPDATE {T} SET crimes_registered_current = 0",
                f"DELETE FROM {T}",
                f"DROP VIEW {T}",
                "DROP SCHEMA marts CASCADE",
                f"ALTER VIEW {T} RENAME TO y",
                f"TRUNCATE {T}",
                f"COPY (SELECT * FROM {T}) TO '/tmp/leak.csv'",
                f"COPY {T} FROM '/etc/passwd'",
                "ATTACH '/tmp/x.duckdb' AS x",
                "ATTACH ':memory:' AS m2",
                "DETACH published",
                "USE published",
                "INSTALL httpfs",
                "LOAD httpfs",
                "FORCE INSTALL ducklake",
                "SET enable_external_access = true",
                "SET memory_limit = '100GB'",
                "RESET memory_limit",
                "SET VARIABLE v = 1",
                "PRAGMA database_list",
                "PRAGMA show_tables",
                "CALL pragma_version()",
                "EXPORT DATABASE '/tmp/dump'",
                "IMPORT DATABASE '/tmp/dump'",
                "CHECKPOINT",
                "VACUUM",
                "ANALYZE",
                "BEGIN TRANSACTION",
                "COMMIT",
                "ROLLBACK",
                f"EXPLAIN SELECT * FROM {T}",
                f"EXPLAIN ANALYZE SELECT * FROM {T}",
                "PREPARE p AS SELECT 1",
                "EXECUTE p",
                "DEALLOCATE p",
                f"COMMENT ON TABLE {T} IS 'x'",
                f"PIVOT {T} ON area_level USING count(*)",
                "UPDATE EXTENSIONS",
            ]
        )
    ],
    ("unpivot", f"UNPIVOT {T} ON crimes_registered_current INTO NAME k VALUE v", "pivot is not allowed"),
    ("pivot_in_from", f"SELECT * FROM (PIVOT {T} ON area_level USING count(*))", ONLY_SELECT),
    # more than one statement
    ("two_selects", "SELECT 1; SELECT 2", "one statement at a time"),
    ("select_then_drop", f"SELECT 1; DROP VIEW {T}", ONLY_SELECT),
    ("select_then_copy", f"SELECT 1; COPY {T} TO '/tmp/leak.csv'", ONLY_SELECT),
    # table functions that read files, the catalog, settings or run SQL
    *_table_functions(
        ("read_csv", "'/etc/passwd'"),
        ("read_csv_auto", "'/etc/passwd'"),
        ("read_parquet", "'/tmp/*.parquet'"),
        ("parquet_scan", "'/tmp/*.parquet'"),
        ("parquet_metadata", "'/tmp/x.parquet'"),
        ("parquet_schema", "'/tmp/x.parquet'"),
        ("parquet_kv_metadata", "'/tmp/x.parquet'"),
        ("read_json", "'/etc/passwd'"),
        ("read_json_auto", "'/etc/passwd'"),
        ("read_json_objects", "'/etc/passwd'"),
        ("read_ndjson", "'/etc/passwd'"),
        ("read_text", "'/etc/hostname'"),
        ("read_blob", "'/etc/hostname'"),
        ("glob", "'/*'"),
        ("sniff_csv", "'/etc/passwd'"),
        ("read_xlsx", "'/tmp/x.xlsx'"),
        ("sqlite_scan", "'/tmp/x.sqlite', 't'"),
        ("duckdb_tables", ""),
        ("duckdb_columns", ""),
        ("duckdb_views", ""),
        ("duckdb_databases", ""),
        ("duckdb_schemas", ""),
        ("duckdb_settings", ""),
        ("duckdb_functions", ""),
        ("duckdb_secrets", ""),
        ("duckdb_extensions", ""),
        ("duckdb_dependencies", ""),
        ("duckdb_constraints", ""),
        ("duckdb_indexes", ""),
        ("duckdb_sequences", ""),
        ("duckdb_types", ""),
        ("duckdb_memory", ""),
        ("duckdb_temporary_files", ""),
        ("pragma_table_info", f"'{T}'"),
        ("pragma_storage_info", f"'{T}'"),
        ("pragma_database_size", ""),
        ("pragma_version", ""),
        ("pragma_metadata_info", ""),
        ("query", "'SELECT * FROM published.analytics.crime_reports'"),
        ("query_table", "'published.analytics.crime_reports'"),
        ("ducklake_snapshots", "'lake'"),
        ("iceberg_scan", "'/tmp/x'"),
        ("delta_scan", "'/tmp/x'"),
        ("test_all_types", ""),
        ("json_execute_serialized_sql", "'{}'"),
    ),
    ("tf_in_join", f"SELECT * FROM {T} JOIN read_csv('/etc/passwd') ON true", "read_csv() is not allowed"),
    ("tf_in_cte", "WITH x AS (SELECT * FROM read_text('/etc/hostname')) SELECT * FROM x", "read_text() is not allowed"),
    ("tf_in_subquery", "SELECT (SELECT count(*) FROM glob('/*'))", "glob() is not allowed"),
    ("tf_lateral", f"SELECT * FROM {T}, LATERAL read_csv(region_code)", "read_csv() is not allowed"),
    ("tf_upper_case", "SELECT * FROM READ_CSV('/etc/passwd')", "read_csv() is not allowed"),
    ("tf_quoted", "SELECT * FROM \"read_csv\"('/etc/passwd')", "read_csv() is not allowed"),
    ("tf_file_as_table", "SELECT * FROM '/etc/passwd'", "/etc/passwd: only the views"),
    ("tf_parquet_as_table", "SELECT * FROM 'x.parquet'", "x.parquet: only the views"),
    # catalogs and schemas other than the scoped views
    ("published_catalog", "SELECT count(*) FROM published.analytics.crime_reports", "published.analytics"),
    ("published_meta", "SELECT * FROM published.meta.build", "published.meta.build: only the views"),
    ("published_declared", "SELECT * FROM published.meta.declared", "published.meta.declared: only the views"),
    ("meta_declared", "SELECT * FROM meta.declared", "meta.declared: only meta.build can be read"),
    ("policy_hidden", "SELECT * FROM policy.hidden_0", "policy.hidden_0: only the views"),
    ("memory_policy", "SELECT * FROM memory.policy.hidden_0", "memory.policy.hidden_0: only the views"),
    ("system_catalog", "SELECT * FROM system.main.duckdb_tables", "system.main.duckdb_tables: only the views"),
    ("temp_catalog", "SELECT * FROM temp.main.x", "temp.main.x: only the views"),
    ("information_schema_tables", "SELECT * FROM information_schema.tables", "information_schema.tables"),
    ("information_schema_columns", "SELECT * FROM information_schema.columns", "information_schema.columns"),
    ("information_schema_schemata", "SELECT * FROM information_schema.schemata", "information_schema.schemata"),
    ("pg_catalog_class", "SELECT * FROM pg_catalog.pg_class", "pg_catalog.pg_class: only the views"),
    ("pg_tables", "SELECT * FROM pg_tables", "pg_tables: only the views"),
    ("pg_settings", "SELECT * FROM pg_settings", "pg_settings: only the views"),
    ("duckdb_tables_view", "SELECT * FROM duckdb_tables", "duckdb_tables: only the views"),
    ("duckdb_databases_view", "SELECT * FROM duckdb_databases", "duckdb_databases: only the views"),
    ("main_duckdb_views", "SELECT * FROM main.duckdb_views", "main.duckdb_views: only the views"),
    ("sqlite_master", "SELECT * FROM sqlite_master", "sqlite_master: only the views"),
    ("published_in_union", f"SELECT region_code FROM {T} UNION SELECT region_code FROM published.{T}", "published."),
    ("published_in_exists", f"SELECT 1 WHERE EXISTS (SELECT 1 FROM published.{T})", "published."),
    ("published_in_in", f"SELECT 1 WHERE 1 IN (SELECT 1 FROM published.{T})", "published."),
    ("published_scalar", f"SELECT (SELECT count(*) FROM published.{T})", "published."),
    ("published_in_cte", f"WITH x AS (SELECT * FROM published.{T}) SELECT * FROM x", "published."),
    ("published_lateral", f"SELECT * FROM {T} a, LATERAL (SELECT * FROM published.{T}) b", "published."),
    ("published_quoted", 'SELECT * FROM "published"."marts"."kpi_crime_compstat"', "published."),
    # catalog functions in expressions
    ("getenv", "SELECT getenv('SAFELAKE_PII_KEY')", "function getenv() is not allowed"),
    ("getenv_upper", "SELECT GETENV('HOME')", "function getenv() is not allowed"),
    ("getenv_in_where", f"SELECT 1 FROM {T} WHERE getenv('HOME') IS NOT NULL", "getenv() is not allowed"),
    ("current_setting", "SELECT current_setting('memory_limit')", "function current_setting() is not allowed"),
    ("getvariable", "SELECT getvariable('x')", "function getvariable() is not allowed"),
    # SHOW, DESCRIBE, SUMMARIZE: they list every table, database and file path
    ("show_all_tables", "SHOW ALL TABLES", "show is not allowed"),
    ("show_tables", "SHOW TABLES", "show is not allowed"),
    ("show_databases", "SHOW DATABASES", "show is not allowed"),
    ("show_table", f"SHOW {T}", "show is not allowed"),
    ("describe_table", f"DESCRIBE {T}", "show is not allowed"),
    ("describe_query", "DESCRIBE SELECT 1", "show is not allowed"),
    ("summarize_table", f"SUMMARIZE {T}", "show is not allowed"),
    ("summarize_query", f"SUMMARIZE SELECT * FROM {T}", "show is not allowed"),
    ("show_in_subquery", "SELECT * FROM (SHOW ALL TABLES)", "show is not allowed"),
    ("describe_in_cte", f"WITH d AS (DESCRIBE {T}) SELECT * FROM d", "does not parse"),
    ("show_in_union", "SELECT 1 AS a UNION ALL SELECT * FROM (SHOW DATABASES)", "show is not allowed"),
    # CTEs named like catalog objects: an unqualified name outside the CTE's scope reaches the real one
    *[
        (f"cte_named_{name}", f"WITH {name} AS (SELECT 1 AS x) SELECT * FROM {name}", f"catalog object ({name})")
        for name in (
            "duckdb_tables",
            "duckdb_databases",
            "duckdb_views",
            "duckdb_columns",
            "duckdb_settings",
            "pg_settings",
            "pg_tables",
            "pg_class",
            "sqlite_master",
            "read_csv",
        )
    ],
    (
        "cte_scope_escape",
        "SELECT * FROM duckdb_tables, (WITH duckdb_tables AS (SELECT 1) SELECT 1)",
        "named like a catalog object (duckdb_tables)",
    ),
    # deeply nested SQL: one audited line, never a recursion error or a traceback
    ("nested_functions", "SELECT " + "abs(" * 990 + "1" + ")" * 990, NESTED),
    ("nested_subqueries", "SELECT * FROM " + "(SELECT * FROM " * 400 + T + ")" * 400, NESTED),
    ("long_sum", "SELECT " + "1+" * 20000 + "1", NESTED),
    ("nested_case", "SELECT " + "CASE WHEN true THEN " * 1200 + "1" + " END" * 1200, NESTED),
    ("nested_lists", "SELECT " + "[" * 3000 + "1" + "]" * 3000, NESTED),
    ("nested_not", "SELECT " + "NOT " * 5000 + "true", NESTED),
    ("too_long", "SELECT 1" + " " * 200_000, "longer than 100 kB"),
    # whole tables in one cell, or results past the byte limit
    ("to_json_list", "SELECT to_json(list(c)) FROM analytics.crime_reports c", "larger than the"),
    ("list_of_rows", "SELECT list(c) FROM analytics.crime_reports c", "larger than the"),
    ("string_agg", "SELECT string_agg(repeat(crime_report_id, 9), ',') FROM analytics.crime_reports", "larger than"),
    ("repeat", "SELECT repeat('x', 5000000)", "larger than the"),
    ("array_agg_struct", f"SELECT array_agg({{'a': region_code, 'b': range}}) FROM {T}, range(100)", "larger than"),
    # syntax errors say so in one line
    ("garbage", "SELEC 1", "does not parse"),
    ("unterminated", "SELECT 'abc", "does not parse"),
    ("empty", "", "one statement at a time"),
    ("only_comment", "-- nothing", "one statement at a time"),
    # runs, but only within the scope (checked below)
    ("safe_trailing_comment", f"SELECT count(*) AS n FROM {T} -- a comment", SAFE),
    ("safe_block_comment", f"SELECT count(*) AS n FROM {T} /* ) LIMIT 1 */", SAFE),
    ("safe_range", "SELECT count(*) AS n FROM range(10)", SAFE),
    ("safe_cte", f"WITH x AS (SELECT * FROM {T}) SELECT count(*) AS n FROM x", SAFE),
    ("safe_nested_parens", "SELECT " + "(" * 5000 + "1" + ")" * 5000 + " AS n", SAFE),  # the parser drops them
    ("safe_long_or", f"SELECT count(*) AS n FROM {T} WHERE " + " OR ".join(["false"] * 5000), SAFE),  # flat
    ("safe_nested_50", "SELECT count(*) AS n FROM " + "(SELECT * FROM " * 50 + T + ")" * 50, SAFE),
    ("safe_values", "SELECT count(*) AS n FROM (VALUES (1), (2)) v(a)", SAFE),
    ("safe_meta_build", "SELECT count(*) AS n FROM meta.build", SAFE),
    ("safe_markup_value", "SELECT '[/red]' AS n", SAFE),
    ("safe_formula_value", "SELECT '=HYPERLINK(\"http://x\")' AS n", SAFE),
]


@pytest.fixture(scope="module")
def settings(published, tmp_path_factory) -> Settings:
    return published.settings().model_copy(
        update={"sql_result_mb": 1, "sql_timeout_seconds": 10, "users_file": tmp_path_factory.mktemp("u") / "u.yaml"}
    )


@pytest.fixture(scope="module")
def fingerprint(settings: Settings) -> str:
    return hashlib.sha256(published_file(settings).read_bytes()).hexdigest()


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) >= 150 and len({name for name, *_ in CASES}) == len({sql for _, sql, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "sql", "expected"), CASES, ids=[name for name, *_ in CASES])
def test_attack(settings: Settings, fingerprint: str, name: str, sql: str, expected: str | None) -> None:
    scope = CHIEF if name.endswith(("_scope_escape", "_lateral")) else ANALYST
    if expected is SAFE:
        result = run_sql(settings, scope.name, scope, sql)
        assert len(result.rows) == 1
        status = "ok"
    else:
        with pytest.raises(QueryRefused) as refused:
            run_sql(settings, scope.name, scope, sql)
        message = str(refused.value)
        assert expected in message and "\n" not in message and "Traceback" not in message, message
        assert str(settings.home) not in message  # no server path
        status = "refused"
    last = json.loads(settings.audit_log.read_text().splitlines()[-1])
    assert (last["user"], last["sql"], last["status"]) == (scope.name, sql, status)
    assert hashlib.sha256(published_file(settings).read_bytes()).hexdigest() == fingerprint


def test_a_wide_result_is_cut_at_the_byte_limit(settings: Settings) -> None:
    result = run_sql(settings, "ana", ANALYST, "SELECT * FROM analytics.crime_reports")
    assert result.truncated and result.cut_by == "bytes" and 0 < len(result.rows) < settings.sql_row_limit
    assert result.arrow().nbytes <= settings.sql_result_mb * 1_000_000
