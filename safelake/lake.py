"""The lake: a DuckLake catalog (SQLite by default, PostgreSQL shared by many machines) over Parquet files
(under SAFELAKE_HOME by default, or on object storage through the S3 API)."""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import duckdb

from safelake.contracts import Contract, load_contracts
from safelake.settings import Settings

EXTENSIONS = ("ducklake", "sqlite_scanner", "postgres_scanner", "httpfs")
LINEAGE = {"_file_sha256": "VARCHAR", "_line": "BIGINT", "_profile": "VARCHAR", "_ingested_at": "TIMESTAMPTZ"}
SYSTEM_TABLES = {
    "_ingest_ledger": {
        "file_sha256": "VARCHAR",
        "file_name": "VARCHAR",
        "profile": "VARCHAR",
        "dataset": "VARCHAR",
        "rows_in": "BIGINT",
        "inserted": "BIGINT",
        "corrected": "BIGINT",
        "duplicates": "BIGINT",
        "quarantined": "BIGINT",
        "ingested_at": "TIMESTAMPTZ",
    },
    "_quarantine": {
        "file_sha256": "VARCHAR",
        "file_name": "VARCHAR",
        "dataset": "VARCHAR",
        "line": "BIGINT",
        "column_name": "VARCHAR",
        "reason": "VARCHAR",
        "detail": "VARCHAR",
        "raw": "VARCHAR",
        "quarantined_at": "TIMESTAMPTZ",
    },
}


def install_extensions(extension_dir: Path, names: tuple[str, ...] = EXTENSIONS) -> None:
    """Install the DuckDB extensions shipped in the pip packages; nothing is downloaded."""
    version = duckdb.__version__
    missing = [n for n in names if not list(extension_dir.glob(f"v{version}/*/{n}.duckdb_extension"))]
    if not missing:
        return
    con = duckdb.connect(config={"home_directory": str(extension_dir.parent)})
    con.execute(f"SET extension_directory = '{extension_dir}'")
    for name in missing:
        package = Path(importlib.import_module(f"duckdb_extension_{name}").__path__[0])
        con.execute(f"INSTALL '{package / 'extensions' / f'v{version}' / f'{name}.duckdb_extension'}'")
    con.close()


# DuckDB's S3 secret options and the variables that carry them to dbt (dbt_project/profiles.yml)
S3_SECRET_ENV = {
    "KEY_ID": "SAFELAKE_S3_ACCESS_KEY_ID",
    "SECRET": "SAFELAKE_S3_SECRET_ACCESS_KEY",
    "ENDPOINT": "SAFELAKE_S3_ENDPOINT",
    "REGION": "SAFELAKE_S3_REGION",
    "USE_SSL": "SAFELAKE_S3_USE_SSL",
    "URL_STYLE": "SAFELAKE_S3_URL_STYLE",
}


def s3_secret(settings: Settings) -> dict[str, str]:
    """The object store's DuckDB secret options; {} when none is configured."""
    if settings.s3_access_key_id is None or settings.s3_secret_access_key is None:
        return {}
    return {
        "KEY_ID": settings.s3_access_key_id.get_secret_value(),
        "SECRET": settings.s3_secret_access_key.get_secret_value(),
        "ENDPOINT": settings.s3_endpoint or "s3.amazonaws.com",
        "REGION": settings.s3_region,
        "USE_SSL": str(settings.s3_use_ssl).lower(),
        "URL_STYLE": settings.s3_url_style,
    }


def s3_env(settings: Settings) -> dict[str, str]:
    """The secret as the variables dbt reads (the settings may come from .env, which dbt does not read)."""
    return {S3_SECRET_ENV[name]: value for name, value in s3_secret(settings).items()}


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def configure(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    install_extensions(settings.extension_dir)
    con.execute(f"SET extension_directory = '{settings.extension_dir}'")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = true")
    secret = s3_secret(settings)
    if secret:
        body = ", ".join(f"{name} {_quoted(value)}" for name, value in secret.items())
        con.execute(f"CREATE OR REPLACE SECRET safelake_s3 (TYPE s3, {body})")


def recover_catalog(settings: Settings) -> None:
    """Roll back what a writer killed inside the SQLite catalog's commit left (its hot journal), as
    any read-write SQLite connection does on its first read; a read-only one cannot, and fails. Safe
    while a writer runs: its journal is not hot, and the read waits for its commit."""
    path = Path(settings.catalog.removeprefix("sqlite:"))
    if settings.catalog.startswith("sqlite:") and path.with_name(path.name + "-journal").exists():
        with closing(sqlite3.connect(path, timeout=30)) as con:
            con.execute("SELECT count(*) FROM sqlite_master").fetchall()


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session with the lake attached as `lake`."""
    settings.lake_dir.mkdir(parents=True, exist_ok=True)
    if read_only:
        recover_catalog(settings)
    con = duckdb.connect(config={"home_directory": str(settings.home)})
    configure(con, settings)
    options = f"DATA_PATH '{settings.data_path}'" + (", READ_ONLY" if read_only else "")
    con.execute(f"ATTACH 'ducklake:{settings.catalog}' AS lake ({options})")
    return con


def fetch_one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None) -> tuple[Any, ...]:
    """The one row a query returns (an aggregate, a stamp); a query that returns none is a bug, not data."""
    row = con.execute(sql, params).fetchone()
    if row is None:
        raise LookupError(f"no row from: {sql}")
    return row


def table_columns(contract: Contract) -> dict[str, str]:
    return {c.name: c.sql_type for c in contract.columns} | LINEAGE


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the lake's tables, and add columns a newer contract introduced (additive evolution).
    One transaction, so one lake snapshot for all of it."""
    wanted = {name: table_columns(c) for name, c in load_contracts().items()} | SYSTEM_TABLES
    existing: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'lake'"
    ).fetchall():
        existing.setdefault(table, set()).add(column)
    changes = []
    for table, columns in wanted.items():
        if table not in existing:
            body = ", ".join(f'"{c}" {t}' for c, t in columns.items())
            changes.append(f"CREATE TABLE lake.{table} ({body})")
            continue
        changes += [
            f'ALTER TABLE lake.{table} ADD COLUMN "{column}" {sql_type}'
            for column, sql_type in columns.items()
            if column not in existing[table]
        ]
    if changes:
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in changes:
                con.execute(statement)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
