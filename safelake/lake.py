"""The lake: a DuckLake catalog (SQLite by default, PostgreSQL shared by many machines) over Parquet files
(under SAFELAKE_HOME by default, or on object storage through the S3 API)."""

from __future__ import annotations

import importlib
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import duckdb

from safelake.contracts import Contract, load_contracts
from safelake.errors import SafeLakeError
from safelake.settings import Settings

EXTENSIONS = ("ducklake", "sqlite_scanner", "postgres_scanner", "httpfs")
# Every row's origin: its file (or stream), line (or sequence), source profile (or subject), ingest time and the
# reference geography its codes belong to (its profile's, or the stream's), which a warehouse build selects on.
LINEAGE = {
    "_file_sha256": "VARCHAR",
    "_line": "BIGINT",
    "_profile": "VARCHAR",
    "_ingested_at": "TIMESTAMPTZ",
    "_geography": "VARCHAR",
}
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
        "geography": "VARCHAR",  # the profile's: a warehouse build counts its own geography's files
    },
    # Each file's outcome by path (ingested, refused, failed), for `safelake status`. A file refused again
    # unchanged, for the same reason, keeps its one row: `attempts` counts the runs, `recorded_at` is the last.
    "_ingest_files": {
        "file_path": "VARCHAR",
        "file_sha256": "VARCHAR",
        "profile": "VARCHAR",
        "dataset": "VARCHAR",
        "status": "VARCHAR",
        "message": "VARCHAR",
        "out_of_scope": "BIGINT",
        "recorded_at": "TIMESTAMPTZ",
        "attempts": "BIGINT",
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
        "geography": "VARCHAR",  # the file's profile's, or the stream's
    },
    # Which stream sequences each `safelake stream` commit wrote, as runs of consecutive numbers: written in the
    # same transaction as their rows, so a message redelivered after a crash is recognised and only acked.
    "_stream_ledger": {
        "stream": "VARCHAR",
        "first_seq": "BIGINT",
        "last_seq": "BIGINT",
        "committed_at": "TIMESTAMPTZ",
    },
}
# SQLite catalog: WAL, so a reader polling the lake does not hold a writer's commit (~1 s with the default
# journal, ~0.1 s in WAL), and a writer waits for a busy catalog rather than failing.
SQLITE_CATALOG_OPTIONS = "META_JOURNAL_MODE 'WAL', META_BUSY_TIMEOUT 30000"


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


# DuckDB's S3 secret options and the variables that carry them to dbt (dbt_project/profiles.yml): environment,
# not vars, because dbt keeps DBT_ENV_SECRET_* out of its logs and artifacts
S3_SECRET_ENV = {
    name: f"DBT_ENV_SECRET_S3_{name}" for name in ("KEY_ID", "SECRET", "ENDPOINT", "REGION", "USE_SSL", "URL_STYLE")
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


@contextmanager
def s3_environment(settings: Settings) -> Iterator[None]:
    """The secret in the environment of an in-process dbt run, and only for it (the settings may come from
    .env, which dbt does not read)."""
    variables = {S3_SECRET_ENV[name]: value for name, value in s3_secret(settings).items()}
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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
    """Before a read-only attach, do what only a read-write SQLite connection can: roll back what a writer
    killed inside the catalog's commit left (a hot journal, in a catalog still in rollback mode), and put a
    catalog written before the live path into WAL mode (a read-only attach that asks for WAL fails on it).
    Safe while a writer runs: its journal is not hot, and the switch waits for its commit."""
    path = _sqlite_catalog(settings)
    if path is not None and path.exists():
        with closing(sqlite3.connect(path, timeout=30)) as con:
            if con.execute("PRAGMA journal_mode").fetchone() != ("wal",):
                con.execute("PRAGMA journal_mode=WAL")


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB session with the lake attached as `lake`."""
    settings.lake_dir.mkdir(parents=True, exist_ok=True)
    if read_only:
        recover_catalog(settings)
    con = duckdb.connect(config={"home_directory": str(settings.home)})
    configure(con, settings)
    options = f"DATA_PATH '{settings.data_path}'" + (", READ_ONLY" if read_only else "")
    if settings.catalog.startswith("sqlite:"):
        options += f", {SQLITE_CATALOG_OPTIONS}"
    try:
        con.execute(f"ATTACH 'ducklake:{settings.catalog}' AS lake ({options})")
    except duckdb.Error as exc:
        con.close()
        recorded = _recorded_data_path(settings)
        if recorded is not None and recorded != settings.data_path:
            raise SafeLakeError(
                f"the lake catalog {settings.catalog} keeps its data in {recorded}, but this configuration puts it in "
                f"{settings.data_path}: if SAFELAKE_HOME was moved or restored here, run `safelake relocate`; "
                f"otherwise set SAFELAKE_LAKE_DATA_PATH={recorded}"
            ) from None
        raise SafeLakeError(f"cannot open the lake catalog {settings.catalog}: {exc}".splitlines()[0]) from None
    return con


def _sqlite_catalog(settings: Settings) -> Path | None:
    return Path(settings.catalog.removeprefix("sqlite:")) if settings.catalog.startswith("sqlite:") else None


def _recorded_data_path(settings: Settings) -> str | None:
    """The data path a SQLite catalog was created with (None for other catalogs or a new lake)."""
    path = _sqlite_catalog(settings)
    if path is None or not path.exists():
        return None
    with closing(sqlite3.connect(path, timeout=30)) as con:
        try:
            row = con.execute(
                "SELECT value FROM ducklake_metadata WHERE key = 'data_path' AND scope IS NULL"
            ).fetchone()
        except sqlite3.OperationalError:  # a catalog whose creation was cut short: no data path yet
            return None
    return None if row is None else str(row[0])


def relocate(settings: Settings) -> tuple[str, str]:
    """Record the configured data path in a SQLite catalog after SAFELAKE_HOME was moved or restored elsewhere.
    Safe only because every data file is recorded relative to the data path, which this checks first."""
    path, recorded = _sqlite_catalog(settings), _recorded_data_path(settings)
    if path is None or recorded is None:
        raise SafeLakeError(f"`safelake relocate` needs an existing SQLite lake catalog; {settings.catalog} is not one")
    if not Path(settings.data_path).is_dir():
        raise SafeLakeError(f"{settings.data_path} does not exist: move the lake's data folder there first")
    with closing(sqlite3.connect(path, timeout=30)) as con, con:
        absolute = (
            con.execute("SELECT count(*) FROM ducklake_data_file WHERE NOT path_is_relative").fetchone()[0]
            + con.execute("SELECT count(*) FROM ducklake_delete_file WHERE NOT path_is_relative").fetchone()[0]
        )
        if absolute:
            raise SafeLakeError(f"{absolute} lake files are recorded by absolute path; the lake cannot be relocated")
        con.execute(
            "UPDATE ducklake_metadata SET value = ? WHERE key = 'data_path' AND scope IS NULL", [settings.data_path]
        )
    return recorded, settings.data_path


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One lake snapshot for what runs inside, or none if it raises."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def fetch_one(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None) -> tuple[Any, ...]:
    """The one row a query returns (an aggregate, a stamp); a query that returns none is a bug, not data."""
    row = con.execute(sql, params).fetchone()
    if row is None:
        raise LookupError(f"no row from: {sql}")
    return row


def table_columns(contract: Contract) -> dict[str, str]:
    return {c.name: c.sql_type for c in contract.columns} | LINEAGE


def _profiles_of(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, list[tuple[str | None, str | None]]]:
    """The column that tells which profile wrote a row of `table`, and its values with their profiles: the profile
    itself, or for the quarantine the file, whose profile is in the ledger (a stream's rows: none)."""
    if table == "_quarantine":
        return "file_sha256", con.execute(
            "SELECT DISTINCT q.file_sha256, l.profile FROM lake._quarantine q "
            "LEFT JOIN lake._ingest_ledger l USING (file_sha256)"
        ).fetchall()
    key = "profile" if table == "_ingest_ledger" else "_profile"
    return key, [(p, p) for (p,) in con.execute(f"SELECT DISTINCT {key} FROM lake.{table}").fetchall()]


def ensure_tables(con: duckdb.DuckDBPyConnection, geography_of: Callable[[str | None], str] | None = None) -> None:
    """Create the lake's tables, and add columns a newer contract introduced (additive evolution).
    One transaction, so one lake snapshot for all of it.

    A lake written before rows carried their geography gets it filled in the same transaction (`_geography` of the
    rows, `geography` of the ledger and the quarantine): each row that of the profile that wrote it,
    `geography_of(profile)` (`safelake init` passes the profiles' geographies, and the lake's configured geography
    for a profile it no longer has or a stream's subject, or None). Without `geography_of` such a lake is refused
    with the command that upgrades it."""
    wanted = {name: table_columns(c) for name, c in load_contracts().items()} | SYSTEM_TABLES
    existing: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'lake'"
    ).fetchall():
        existing.setdefault(table, set()).add(column)
    changes, backfill = [], []
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
        column = "geography" if table in SYSTEM_TABLES else "_geography"
        if column in columns and column not in existing[table]:
            backfill.append((table, column))
    # each table's rows by the key that tells their profile: (key column, [(key value, profile)])
    profiles = {table: _profiles_of(con, table) for table, _ in backfill}
    profiles = {table: found for table, found in profiles.items() if found[1]}
    if profiles and geography_of is None:
        raise SafeLakeError(
            f"the lake's {', '.join(sorted(profiles))} rows were written before rows carried their geography: "
            "run `safelake init` once to record it"
        )
    for table, column in backfill:
        if table not in profiles:
            continue
        assert geography_of is not None
        key, found = profiles[table]
        cases = " ".join(f"WHEN {_quoted(k)} THEN {_quoted(geography_of(p))}" for k, p in found if k is not None)
        fallback = _quoted(geography_of(None))
        value = f"CASE {key} {cases} ELSE {fallback} END" if cases else fallback
        changes.append(f"UPDATE lake.{table} SET {column} = {value}")
    if changes:
        with transaction(con):
            for statement in changes:
                con.execute(statement)
