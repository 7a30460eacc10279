"""Nightly upkeep: compact the lake's small files, expire old snapshots, drop old builds and old archives.

Each step returns a small report (what it changed) for the task log. Steps that write the lake hold
the ingestion lock, so they never interleave with an ingestion run; each DuckLake call is its own
transaction, so a failed step leaves the lake as it was.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from safelake import lake
from safelake.locks import lake_lock
from safelake.settings import Settings

ORPHAN_GRACE = dt.timedelta(days=1)  # a file younger than this may belong to a write in progress
EXPIRE_CHUNK = 10_000  # snapshots expired per call


@contextmanager
def _lake_writer(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    with lake_lock(settings):
        con = lake.connect(settings)
        try:
            yield con
        finally:
            con.close()


def _files(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(data files, bytes) of the current snapshot, all tables."""
    rows = lake.fetch_one(con, "SELECT sum(file_count), sum(file_size_bytes) FROM ducklake_table_info('lake')")
    return int(rows[0] or 0), int(rows[1] or 0)


def compact(settings: Settings) -> dict[str, int]:
    """Write rows DuckLake inlined in its catalog (small commits) to Parquet, merge small adjacent files
    (streaming and per-file ingestion make many), and rewrite files that carry many deleted rows
    (corrections). Readers of older snapshots keep their files until those snapshots expire."""
    with _lake_writer(settings) as con:
        files_before, bytes_before = _files(con)
        flushed = con.execute("CALL ducklake_flush_inlined_data('lake')").fetchall()
        merged = con.execute("CALL ducklake_merge_adjacent_files('lake')").fetchall()
        rewritten = con.execute("CALL ducklake_rewrite_data_files('lake')").fetchall()
        files_after, bytes_after = _files(con)
    return {
        "files_before": files_before,
        "files_after": files_after,
        "inlined_rows_flushed": sum(int(r[-1] or 0) for r in flushed),
        "files_merged": sum(int(r[2]) for r in merged),
        "files_rewritten": sum(int(r[2]) for r in rewritten),
        "bytes_before": bytes_before,
        "bytes_after": bytes_after,
    }


def _pinned(settings: Settings) -> set[int]:
    """The lake snapshots builds read: those still running and those whose warehouse file is kept."""
    from warehouse.publish import builds_dir, records

    if not builds_dir(settings).exists():
        return set()
    return {
        r.lake_snapshot
        for r in records(settings)
        if r.lake_snapshot is not None
        and (r.status == "running" or (builds_dir(settings) / f"{r.build_id}.duckdb").exists())
    }


def expire_snapshots(settings: Settings, now: dt.datetime | None = None) -> dict[str, int]:
    """Expire snapshots older than SAFELAKE_SNAPSHOT_RETENTION_DAYS (the "as of" horizon), and thin out the live
    path's (one per commit, ~86,000 a day at 1 s) older than SAFELAKE_STREAM_SNAPSHOT_HOURS to the last of each
    hour; then delete the files no remaining snapshot uses past the horizon, and orphaned files older than a day.
    The newest snapshot and every snapshot a build pinned (running or kept) always stay."""
    from stream.consumer import COMMIT_AUTHOR

    now = now or dt.datetime.now(dt.UTC)
    horizon = now - dt.timedelta(days=settings.snapshot_retention_days)
    thin_before = now - dt.timedelta(hours=settings.stream_snapshot_hours)
    keep = _pinned(settings)
    with _lake_writer(settings) as con:
        snapshots = con.execute(
            "SELECT snapshot_id, snapshot_time, author IS NOT DISTINCT FROM ? AS streamed FROM lake.snapshots() "
            "ORDER BY snapshot_id",
            [COMMIT_AUTHOR],
        ).fetchall()
        keep.add(snapshots[-1][0])
        last_of_hour: dict[dt.datetime, int] = {}
        for snapshot, at, streamed in snapshots:
            if streamed:
                last_of_hour[at.replace(minute=0, second=0, microsecond=0)] = snapshot
        keep |= set(last_of_hour.values())
        expire = [
            snapshot
            for snapshot, at, streamed in snapshots
            if snapshot not in keep and (at < horizon or (streamed and at < thin_before))
        ]
        for first in range(0, len(expire), EXPIRE_CHUNK):
            con.execute("CALL ducklake_expire_snapshots('lake', versions => ?)", [expire[first : first + EXPIRE_CHUNK]])
        # Compaction schedules the files it replaced for deletion at once; deleting them only past the
        # horizon keeps time travel (and a build reading a pinned snapshot) working until then.
        deleted = con.execute("CALL ducklake_cleanup_old_files('lake', older_than => ?)", [horizon]).fetchall()
        orphans = con.execute(
            "CALL ducklake_delete_orphaned_files('lake', older_than => ?)", [now - ORPHAN_GRACE]
        ).fetchall()
        after = lake.fetch_one(con, "SELECT count(*) FROM lake.snapshots()")[0]
    return {
        "snapshots_before": len(snapshots),
        "snapshots_expired": len(expire),
        "snapshots_after": after,
        "files_deleted": len(deleted),
        "orphans_deleted": len(orphans),
    }


def prune_builds(settings: Settings) -> dict[str, int]:
    """Keep the newest SAFELAKE_KEEP_BUILDS published warehouse files (never the served one)."""
    from warehouse.publish import builds_dir, prune

    folder = builds_dir(settings)
    if not folder.exists():
        return {"builds_before": 0, "builds_after": 0}
    before = len(list(folder.glob("*.duckdb")))
    prune(settings)
    return {"builds_before": before, "builds_after": len(list(folder.glob("*.duckdb")))}


def _ingest_day(path: Path, settings: Settings) -> dt.date | None:
    """archive/<dataset>/<YYYY-MM-DD>/<file>: the day the file was ingested (the folder says it)."""
    try:
        return dt.date.fromisoformat(path.relative_to(settings.archive).parts[1])
    except (ValueError, IndexError):
        return None


def apply_archive_retention(settings: Settings, today: dt.date | None = None) -> dict[str, int]:
    """Delete original exports archived more than SAFELAKE_ARCHIVE_RETENTION_DAYS ago (by the day they
    were ingested; a file outside a day folder goes by its modification time), then empty folders."""
    today = today or dt.datetime.now(dt.UTC).date()
    cutoff = today - dt.timedelta(days=settings.archive_retention_days)
    deleted = freed = kept = 0
    if not settings.archive.exists():
        return {"files_deleted": 0, "bytes_freed": 0, "files_kept": 0}
    for path in sorted(p for p in settings.archive.rglob("*") if p.is_file()):
        day = _ingest_day(path, settings) or dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()
        if day < cutoff:
            freed += path.stat().st_size
            path.unlink()
            deleted += 1
        else:
            kept += 1
    for folder in sorted((p for p in settings.archive.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):
            shutil.rmtree(folder)
    return {"files_deleted": deleted, "bytes_freed": freed, "files_kept": kept}
