"""What is in the lake: rows, newest record, last ingest and quarantine per dataset."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from safelake import lake
from safelake.contracts import load_contracts
from safelake.locks import build_lock_path, lock_state
from safelake.settings import Settings
from warehouse.publish import BuildRecord, BuildStatus

BuildState = BuildStatus | Literal["abandoned"]


def lake_status(settings: Settings) -> dict[str, Any]:
    if not (settings.lake_dir / "catalog.sqlite").exists() and settings.lake_catalog is None:
        return {"home": str(settings.home), "initialised": False, "datasets": {}}
    con = lake.connect(settings, read_only=True)
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake'").fetchall()
    }
    datasets: dict[str, Any] = {}
    for name, contract in load_contracts().items():
        if name not in tables:
            continue
        newest_sql = f"max({contract.time})" if contract.time else "NULL"  # detail rows have no record time
        rows, newest = lake.fetch_one(con, f"SELECT count(*), {newest_sql} FROM lake.{name}")
        files, last = lake.fetch_one(
            con, "SELECT count(*), max(ingested_at) FROM lake._ingest_ledger WHERE dataset = ?", [name]
        )
        reasons = dict(
            con.execute(
                "SELECT reason, count(*) FROM lake._quarantine WHERE dataset = ? GROUP BY reason ORDER BY 2 DESC",
                [name],
            ).fetchall()
        )
        datasets[name] = {
            "rows": rows,
            "newest_record": newest.isoformat() if newest else None,
            "files": files,
            "last_ingest": last.isoformat() if last else None,
            "quarantined": reasons,
        }
    con.close()
    return {"home": str(settings.home), "initialised": True, "datasets": datasets}


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
