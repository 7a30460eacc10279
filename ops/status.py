"""What is in the lake: rows, newest record, last ingest and quarantine per dataset."""

from __future__ import annotations

from typing import Any

from safelake import lake
from safelake.contracts import load_contracts
from safelake.settings import Settings


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
