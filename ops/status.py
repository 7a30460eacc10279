"""What is in the lake: rows, newest record, last ingest, the accounting of every file and quarantine per
dataset, and the files refused; the live path's streams."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import duckdb

from access import live
from safelake import lake
from safelake.contracts import load_contracts
from safelake.locks import build_lock_path, lock_state
from safelake.settings import Settings
from stream.health import health
from warehouse.publish import BuildRecord, BuildStatus

BuildState = BuildStatus | Literal["abandoned"]

COUNTS = ("rows_in", "merged", "duplicates", "quarantined", "out_of_scope")
NO_PROFILE = "(no profile)"


def lake_status(settings: Settings) -> dict[str, Any]:
    if not (settings.lake_dir / "catalog.sqlite").exists() and settings.lake_catalog is None:
        return {"home": str(settings.home), "initialised": False, "datasets": {}, "refused": []}
    con = lake.connect(settings, read_only=True)
    try:
        tables = {
            r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake'").fetchall()
        }
        files = _files(con, tables)
        datasets: dict[str, Any] = {}
        for name, contract in load_contracts().items():
            if name not in tables:
                continue
            newest_sql = f"max({contract.time})" if contract.time else "NULL"  # detail rows have no record time
            rows, newest = lake.fetch_one(con, f"SELECT count(*), {newest_sql} FROM lake.{name}")
            reasons = dict(
                con.execute(
                    "SELECT reason, count(*) FROM lake._quarantine WHERE dataset = ? GROUP BY reason ORDER BY 2 DESC",
                    [name],
                ).fetchall()
            )
            mine = [f for f in files if f["dataset"] == name]
            last = max((f["ingested_at"] for f in mine), default=None)
            datasets[name] = {
                "rows": rows,
                "newest_record": newest.isoformat() if newest else None,
                "files": len(mine),
                "last_ingest": last,
                **{count: sum(f[count] for f in mine) for count in COUNTS},
                "quarantined_by_reason": reasons,
                "per_file": mine,
            }
        refused = _refused(con) if "_ingest_files" in tables else []
    finally:
        con.close()
    return {"home": str(settings.home), "initialised": True, "datasets": datasets, "refused": refused}


def _files(con: duckdb.DuckDBPyConnection, tables: set[str]) -> list[dict[str, Any]]:
    """Every file ingested, with its path and counts: rows in = merged + duplicates + quarantined + out of
    scope. A lake an older version wrote has no `_ingest_files`: its files are shown by name."""
    recorded = "_ingest_files" in tables
    path = "coalesce(f.file_path, l.file_name)" if recorded else "l.file_name"
    scope = "coalesce(f.out_of_scope, 0)" if recorded else "0"
    joined = "LEFT JOIN (SELECT * FROM lake._ingest_files WHERE status = 'ingested') f USING (file_sha256, profile)"
    return _records(
        con,
        f"""
        SELECT {path} AS file, l.file_sha256, l.profile, l.dataset, l.rows_in, l.inserted + l.corrected AS merged,
            l.duplicates, l.quarantined, {scope} AS out_of_scope,
            strftime(l.ingested_at, '%Y-%m-%dT%H:%M:%S%z') AS ingested_at
        FROM lake._ingest_ledger l
        {joined if recorded else ""}
        ORDER BY l.ingested_at, file
        """,
    )


def _refused(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Files refused or failed, the latest outcome of each path, unless it was ingested since; `at` is the last
    of its `attempts` (runs that refused it unchanged)."""
    return _records(
        con,
        f"""
        SELECT file_path AS file, coalesce(nullif(dataset, ''), '{NO_PROFILE}') AS dataset, status, message,
            strftime(recorded_at, '%Y-%m-%dT%H:%M:%S%z') AS at, coalesce(attempts, 1) AS attempts
        FROM lake._ingest_files
        QUALIFY row_number() OVER (PARTITION BY file_path ORDER BY recorded_at DESC) = 1 AND status <> 'ingested'
        ORDER BY recorded_at, file_path
        """,
    )


def _records(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def build_state(settings: Settings, record: BuildRecord, now: dt.datetime | None = None) -> BuildState:
    """A record's status, or "abandoned" when it says running but no builder is alive: `safelake build`
    holds the build lock and died holding it, or (a scheduler build, whose tasks do not hold the lock)
    it started longer ago than SAFELAKE_WAREHOUSE_STALE_HOURS."""
    if record.status != "running":
        return record.status
    lock = build_lock_path(settings)
    state = lock_state(lock)
    if state == "held":
        return "running"
    started = dt.datetime.fromisoformat(record.started_at)
    if state == "abandoned" and started.timestamp() >= lock.stat().st_mtime:
        return "abandoned"
    too_old = (now or dt.datetime.now(dt.UTC)) - started > dt.timedelta(hours=settings.warehouse_stale_hours)
    return "abandoned" if too_old else "running"


def stream_status(settings: Settings, now: dt.datetime | None = None) -> dict[str, Any]:
    """Per stream: messages held, lag, a consumer pulling, last commit, quarantined (by reason); cameras
    online/offline now."""
    now = now or dt.datetime.now(dt.UTC)
    found = health(settings)
    cameras: list[dict[str, Any]] = []
    if any(s.dataset == "camera_heartbeat" and s.last_commit for s in found.streams):  # live cameras in the lake
        con = live.connect(settings)
        try:
            cameras = live.cameras_now(con, settings.heartbeat_timeout, now).to_dict("records")
        finally:
            con.close()
    return {
        "broker": settings.nats_url,
        "broker_error": found.broker_error,
        "lag": found.lag,
        "streams": [
            {
                "stream": s.stream,
                "dataset": s.dataset,
                "messages": s.messages,
                "lag": s.lag,
                "consumer_alive": s.consumer_alive,
                "last_commit": s.last_commit.isoformat() if s.last_commit else None,
                "quarantined": s.quarantined,
                "quarantined_by_reason": s.quarantined_by_reason,
            }
            for s in found.streams
        ],
        "heartbeat_timeout_seconds": settings.heartbeat_timeout,
        "cameras_now": cameras,
    }
