"""Nightly maintenance: compaction, snapshot expiry, build pruning and archive retention, on a real lake."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time

import pytest

from ops import maintenance
from safelake import lake
from safelake.locks import lake_lock
from warehouse.publish import builds_dir, current_path, publish

NOW = dt.datetime.now(dt.UTC)


def ledger_rows(settings, batches: int) -> None:
    """`batches` small commits to one lake table: one data file and one snapshot each, like per-file
    ingestion (50 rows each: DuckLake keeps smaller commits inlined in its catalog)."""
    con = lake.connect(settings)
    lake.ensure_tables(con)
    for i in range(batches):
        con.execute(
            "INSERT INTO lake._ingest_ledger SELECT 'sha' || ? || '-' || range, 'f.csv', 'p', 'crime_report', "
            "10, 10, 0, 0, 0, ?, 'kg' FROM range(50)",
            [i, NOW],
        )
    con.close()


def lake_facts(settings) -> tuple[int, int, int]:
    """(rows in the table, its data files, snapshots)."""
    con = lake.connect(settings, read_only=True)
    rows = con.execute("SELECT count(*) FROM lake._ingest_ledger").fetchone()[0]
    files = con.execute(
        "SELECT file_count FROM ducklake_table_info('lake') WHERE table_name = '_ingest_ledger'"
    ).fetchone()[0]
    snapshots = con.execute("SELECT count(*) FROM lake.snapshots()").fetchone()[0]
    con.close()
    return rows, files, snapshots


def test_compaction_merges_small_files_and_keeps_every_row(settings):
    ledger_rows(settings, 6)
    rows, files, _ = lake_facts(settings)
    assert files == 6

    report = maintenance.compact(settings)

    assert lake_facts(settings)[:2] == (rows, 1)
    assert report["files_merged"] == 6 and report["files_after"] < report["files_before"]
    assert maintenance.compact(settings)["files_merged"] == 0  # nothing left to do: a rerun changes nothing


def test_snapshots_expire_only_past_the_retention(settings):
    ledger_rows(settings, 4)
    con = lake.connect(settings, read_only=True)
    before_compaction = con.execute("SELECT max(snapshot_id) FROM lake.snapshots()").fetchone()[0]
    con.close()
    maintenance.compact(settings)
    rows, _, snapshots = lake_facts(settings)

    assert maintenance.expire_snapshots(settings, NOW) == {
        "snapshots_before": snapshots,
        "snapshots_expired": 0,  # all younger than 30 days
        "snapshots_after": snapshots,
        "files_deleted": 0,  # the files compaction replaced still serve the older snapshots
        "orphans_deleted": 0,
    }
    con = lake.connect(settings, read_only=True)
    assert (
        con.execute(f"SELECT count(*) FROM lake._ingest_ledger AT (VERSION => {before_compaction})").fetchone()[0]
        == rows
    )
    con.close()

    later = NOW + dt.timedelta(days=settings.snapshot_retention_days + 1)
    report = maintenance.expire_snapshots(settings, later)
    assert report["snapshots_before"] == snapshots and report["snapshots_after"] == 1
    assert report["files_deleted"] == 4  # the small files the compaction replaced
    assert lake_facts(settings)[0] == rows
    on_disk = [p for p in (settings.lake_dir / "data").rglob("*.parquet")]
    assert len(on_disk) == lake_facts(settings)[1]


def test_maintenance_waits_for_a_running_ingestion(settings):
    ledger_rows(settings, 2)
    done = threading.Event()
    with lake_lock(settings):
        worker = threading.Thread(target=lambda: (maintenance.compact(settings), done.set()))
        worker.start()
        time.sleep(1.0)
        assert not done.is_set()
    worker.join(timeout=60)
    assert done.is_set()


def test_archive_retention_goes_by_the_ingest_day(settings):
    settings.archive_retention_days = 30
    today = dt.date(2026, 11, 23)
    old = settings.archive / "crime_report" / "2026-10-01" / "abc-crime_1.csv"
    young = settings.archive / "crime_report" / "2026-11-01" / "def-crime_2.csv"
    stray_old = settings.archive / "stray.csv"  # not in a day folder: goes by its modification time
    for path in (old, young, stray_old):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x,y\n1,2\n")
    os.utime(young, (0, 0))  # the export's own time does not matter, the ingest day does
    os.utime(stray_old, (0, 0))

    report = maintenance.apply_archive_retention(settings, today)

    assert report == {"files_deleted": 2, "bytes_freed": 16, "files_kept": 1}
    assert young.exists() and not old.exists() and not stray_old.exists()
    assert not old.parent.exists()  # emptied day folder removed
    assert maintenance.apply_archive_retention(settings, today)["files_deleted"] == 0


def test_old_builds_are_pruned_but_the_served_one_stays(settings):
    folder = builds_dir(settings)
    folder.mkdir(parents=True)
    ids = [f"2026110{i}T000000-aaaaaa" for i in range(1, 9)]
    for build_id in ids:
        (folder / f"{build_id}.duckdb").write_bytes(b"")
        record = {"build_id": build_id, "started_at": NOW.isoformat(), "status": "published"}
        (folder / f"{build_id}.json").write_text(json.dumps(record))
    publish(settings, folder / f"{ids[0]}.duckdb")  # readers still on the oldest one

    report = maintenance.prune_builds(settings)

    kept = sorted(p.stem for p in folder.glob("*.duckdb"))
    assert kept == sorted([ids[0], *ids[-settings.keep_builds :]])
    assert report == {"builds_before": 8, "builds_after": settings.keep_builds + 1}
    assert current_path(settings).resolve().stem == ids[0]


@pytest.mark.parametrize("step", ["compact", "expire_snapshots"])
def test_lake_steps_on_an_empty_lake_are_harmless(settings, step):
    con = lake.connect(settings)
    lake.ensure_tables(con)
    con.close()
    report = getattr(maintenance, step)(settings)
    assert all(value >= 0 for value in report.values())
