"""Exactly-once ingestion: ledger, corrections, bad files among good ones, kill -9 mid-run."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingestion.pipeline import ingest
from safelake import lake
from tests.conftest import REALDATA

CAFC = REALDATA / "fraud_cafc" / "cafc_fraud_reports_2024-01_to_2024-09.csv"
POLICE = REALDATA / "crime_policeuk_westyorkshire" / "2018-07-west-yorkshire-street.csv"
ID, DATE, LOSS = "Numero d'identification / Number ID", "Date Received / Date recue", "Dollar Loss /pertes financieres"


def cafc_rows(n: int) -> tuple[list[str], list[dict]]:
    with CAFC.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames)
        rows = [row for _, row in zip(range(n), reader, strict=False)]
    return header, rows


def write_cafc(path: Path, rows: list[dict]) -> Path:
    header, _ = cafc_rows(0)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


def lake_rows(settings, sql: str) -> list[tuple]:
    con = lake.connect(settings, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_later_correction_wins_and_an_older_version_does_not(settings):
    _, rows = cafc_rows(3)
    first = {**rows[0], DATE: "2024-01-10", LOSS: "$100.00"}
    fraud = settings.landing / "fraud_report"
    ingest(settings, [write_cafc(fraud / "cafc_a.csv", [first, rows[1]])])
    [result] = ingest(settings, [write_cafc(fraud / "cafc_b.csv", [{**first, DATE: "2024-01-12", LOSS: "$250.00"}])])
    assert (result.inserted, result.corrected, result.duplicates) == (0, 1, 0)
    [stale] = ingest(settings, [write_cafc(fraud / "cafc_c.csv", [{**first, DATE: "2024-01-11", LOSS: "$999.00"}])])
    assert (stale.inserted, stale.corrected, stale.duplicates) == (0, 0, 1)
    key = f"cafc-{first[ID]}"
    assert lake_rows(settings, f"SELECT loss_amount FROM lake.fraud_report WHERE report_id = '{key}'") == [(250,)]
    assert lake_rows(settings, "SELECT count(*) FROM lake.fraud_report") == [(2,)]


def test_correction_within_one_file_keeps_the_newest(settings):
    _, rows = cafc_rows(1)
    versions = [{**rows[0], DATE: d, LOSS: loss} for d, loss in [("2024-02-02", "$2"), ("2024-02-01", "$1")]]
    [result] = ingest(settings, [write_cafc(settings.landing / "fraud_report" / "cafc.csv", versions)])
    assert (result.rows_in, result.inserted, result.duplicates) == (2, 1, 1)
    assert lake_rows(settings, "SELECT loss_amount FROM lake.fraud_report") == [(2,)]


def test_nothing_in_landing_is_a_quiet_run(settings):
    assert ingest(settings) == []
    assert lake_rows(settings, "SELECT count(*) FROM lake._ingest_ledger") == [(0,)]


def test_the_same_file_twice_changes_nothing(settings):
    first = ingest(settings, [POLICE])
    snapshot = lake_rows(settings, "SELECT max(snapshot_id) FROM lake.snapshots()")
    copy = settings.landing / "crime_report" / "renamed.csv"
    copy.parent.mkdir(parents=True)
    shutil.copy(POLICE, copy)
    [again] = ingest(settings)
    assert again.status == "skipped" and first[0].status == "ingested"
    assert lake_rows(settings, "SELECT max(snapshot_id) FROM lake.snapshots()") == snapshot
    assert lake_rows(settings, "SELECT count(*) FROM lake.crime_report") == [(first[0].inserted,)]
    assert not copy.exists()  # the duplicate upload is archived, not left to be retried forever


def test_bad_files_are_refused_left_in_place_and_the_run_goes_on(settings):
    landing = settings.landing / "fraud_report"
    _, rows = cafc_rows(5)
    good = write_cafc(landing / "cafc_good.csv", rows)
    garbage = landing / "cafc_garbage.csv"
    garbage.write_bytes(os.urandom(4096))
    empty = landing / "cafc_empty.csv"
    empty.write_bytes(b"")
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run([sys.executable, "-m", "ops", "ingest"], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert not good.exists() and garbage.exists() and empty.exists()
    refusals = [line for line in done.stderr.splitlines() if line.startswith("refused")]
    assert len(refusals) == 2
    assert any("cafc_empty.csv: empty file" in line for line in refusals)
    assert lake_rows(settings, "SELECT count(*) FROM lake.fraud_report") == [(5,)]


def lake_is_consistent(settings) -> dict[str, int]:
    """Each table holds exactly what its committed ledger entries inserted: no half file, no duplicate key."""
    counts = {}
    for dataset, key in [("crime_report", "report_id"), ("fraud_report", "report_id")]:
        [(rows, keys)] = lake_rows(settings, f"SELECT count(*), count(DISTINCT {key}) FROM lake.{dataset}")
        [(ledger,)] = lake_rows(
            settings, f"SELECT coalesce(sum(inserted), 0) FROM lake._ingest_ledger WHERE dataset = '{dataset}'"
        )
        assert rows == keys == ledger, dataset
        counts[dataset] = rows
    return counts


@pytest.mark.slow
@pytest.mark.parametrize("committed", [2, 4])
def test_kill_9_mid_ingest_then_rerun_gives_exact_counts(settings, committed):
    """Groups of two files: [crime, fraud 0], [fraud 1, fraud 2], [fraud 3]; killed after one or two groups."""
    header, rows = cafc_rows(36000)
    landing = settings.landing
    for part in range(4):
        write_cafc(landing / "fraud_report" / f"cafc_part{part}.csv", rows[part * 9000 : (part + 1) * 9000])
    (landing / "crime_report").mkdir(parents=True)
    shutil.copy(POLICE, landing / "crime_report" / POLICE.name)
    expected_fraud = len({r[ID] for r in rows})

    process = subprocess.Popen(
        [sys.executable, "-m", "ops", "ingest"],
        env={**os.environ, "SAFELAKE_INGEST_GROUP_FILES": "2"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while len(list(settings.archive.rglob("*.csv"))) < committed and time.monotonic() < deadline:
        time.sleep(0.02)
    # killed while the next group is in flight (read ahead while the last one was written)
    assert process.poll() is None, "ingest finished before the kill; the test must kill it mid-run"
    process.send_signal(signal.SIGKILL)
    process.wait()
    lake_is_consistent(settings)
    [(files,)] = lake_rows(settings, "SELECT count(*) FROM lake._ingest_ledger")
    archived = len(list(settings.archive.rglob("*.csv")))
    # the group in flight left no trace, or (killed between its commit and the moves to archive/) its
    # files are in the ledger and still in landing/, and the rerun archives them without ingesting again
    assert archived <= files <= archived + 2 and files < 5 and files % 2 == 0

    done = subprocess.run([sys.executable, "-m", "ops", "ingest"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    counts = lake_is_consistent(settings)
    assert counts["fraud_report"] == expected_fraud
    assert (
        counts["crime_report"]
        == 31635 - lake_rows(settings, "SELECT count(*) FROM lake._quarantine WHERE dataset = 'crime_report'")[0][0]
    )
    assert list(landing.rglob("*.csv")) == []


LAKE_TABLES = ["camera", "camera_status", "crime_report", "fraud_report", "road_incident", "_quarantine"]


def lake_content(settings) -> dict[str, list[tuple]]:
    """Every table's rows without ingest times, and the ledger's per-file counts."""
    content = {
        table: lake_rows(settings, f"SELECT * EXCLUDE (_ingested_at) FROM lake.{table} ORDER BY ALL")
        for table in LAKE_TABLES[:-1]
    }
    content["_quarantine"] = lake_rows(settings, "SELECT * EXCLUDE (quarantined_at) FROM lake._quarantine ORDER BY ALL")
    content["ledger"] = lake_rows(settings, "SELECT * EXCLUDE (ingested_at) FROM lake._ingest_ledger ORDER BY ALL")
    return content


@pytest.mark.slow
def test_group_commit_gives_what_one_file_at_a_time_gives(tmp_path, monkeypatch):
    """Demo exports with duplicates, late corrections (often of a record sent in the same group) and defects:
    a run committing groups of files leaves the same rows and the same per-file counts as one file per
    transaction, in fewer lake snapshots."""
    from safelake.reference import REFERENCE_DIR
    from safelake.settings import Settings
    from tests.conftest import PII_KEY
    from tools.demo import generate

    exports = tmp_path / "exports"
    generate(exports, dt.date(2026, 3, 1), 12, 60, 5, REFERENCE_DIR / "kg")
    outcomes, snapshots = [], []
    for group_files in (1, 64):
        settings = Settings(home=tmp_path / f"group{group_files}", pii_key=PII_KEY, ingest_group_files=group_files)
        shutil.copytree(exports, settings.landing)
        results = ingest(settings)
        assert {r.status for r in results} == {"ingested"}
        assert sum(r.corrected for r in results) > 0 and sum(r.duplicates for r in results) > 0
        outcomes.append(lake_content(settings))
        snapshots.append(lake_rows(settings, "SELECT count(*) FROM lake.snapshots()")[0][0])
    assert outcomes[0] == outcomes[1]
    assert snapshots[1] < snapshots[0]


def test_a_reader_takes_a_few_files_at_a_time_and_fewer_when_they_are_big(tmp_path, monkeypatch):
    from ingestion import pipeline

    paths = [tmp_path / f"{n}.jsonl" for n in range(3)]
    for path in paths:
        path.write_bytes(b"0123456789")
    monkeypatch.setattr(pipeline, "READ_TOGETHER_BYTES", 15)
    queue = iter([*paths, tmp_path / "gone.jsonl"])
    assert pipeline._next_files(queue, 8) == paths[:2]
    assert pipeline._next_files(queue, 1) == paths[2:]
    assert pipeline._next_files(queue, 8) == [tmp_path / "gone.jsonl"]
    assert pipeline._next_files(queue, 8) == []


def test_a_file_that_cannot_be_written_does_not_hold_back_its_group(settings, monkeypatch):
    from ingestion import pipeline

    _, rows = cafc_rows(30)
    fraud = settings.landing / "fraud_report"
    paths = [write_cafc(fraud / f"cafc_{i}.csv", rows[i * 10 : (i + 1) * 10]) for i in range(3)]
    bad, _ = pipeline.fingerprint(paths[1])
    write = pipeline._write

    def failing_write(con, contract, rows, files):
        if bad in [f.digest for f in files]:
            raise duckdb.IOException("No space left on device")
        return write(con, contract, rows, files)

    monkeypatch.setattr(pipeline, "_write", failing_write)
    results = ingest(settings)
    assert [r.status for r in results] == ["ingested", "failed", "ingested"]
    assert "No space left on device" in results[1].message
    assert lake_rows(settings, "SELECT count(*) FROM lake.fraud_report") == [(20,)]
    assert lake_rows(settings, "SELECT count(*) FROM lake._ingest_ledger") == [(2,)]
    assert paths[1].exists() and not paths[0].exists() and not paths[2].exists()


def test_a_reader_after_a_kill_inside_the_catalog_commit_sees_the_lake_as_it_was(settings):
    """A writer killed while SQLite was writing the catalog (in WAL mode, its frames in the write-ahead log; a
    catalog still in rollback mode, a hot journal) leaves the lake as it was for the next read-only reader (a
    build, the status page)."""
    _, rows = cafc_rows(10)
    ingest(settings, [write_cafc(settings.landing / "fraud_report" / "cafc.csv", rows)])
    catalog = settings.catalog.removeprefix("sqlite:")
    # a writer that spills a half-done transaction into the catalog file, then dies
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sqlite3, sys; con = sqlite3.connect(sys.argv[1], isolation_level=None);"
            "con.execute('PRAGMA cache_size = 1'); con.execute('BEGIN IMMEDIATE');"
            "con.execute('CREATE TABLE half_done AS SELECT randomblob(100000) AS b');"
            "con.execute('DELETE FROM ducklake_snapshot');"
            "print('spilled', flush=True); os.kill(os.getpid(), 9)",
            catalog,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout.readline().strip() == "spilled"
    writer.wait()
    assert Path(catalog + "-wal").exists() or Path(catalog + "-journal").exists(), "the writer must have spilled"
    con = lake.connect(settings, read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM lake.fraud_report").fetchall() == [(10,)]
    finally:
        con.close()
    assert not Path(catalog + "-journal").exists()
    assert "half_done" not in {r[0] for r in sqlite3.connect(catalog).execute("SELECT name FROM sqlite_master")}


def test_the_summary_lists_a_daily_run_by_file_and_a_backfill_by_dataset():
    from collections import Counter

    from rich.console import Console

    from ingestion.pipeline import FileResult
    from ops.cli import PER_FILE_UP_TO, ingest_summary

    def shown(results: list[FileResult]) -> list[list[str]]:
        console = Console(width=300, record=True)
        console.print(ingest_summary(results))
        rows = [line for line in console.export_text().splitlines() if line.startswith(("│", "┃"))]
        return [[cell.strip() for cell in re.split("[│┃]", line)[1:-1]] for line in rows]

    def result(name: str, dataset: str, quarantined: int = 0, status: str = "ingested") -> FileResult:
        rows = 10 if status == "ingested" else 0
        reasons = Counter({"bad_date": quarantined}) if quarantined else Counter()
        return FileResult(
            Path(name),
            status,
            dataset=dataset,
            rows_in=rows,
            inserted=rows - quarantined,
            quarantined=quarantined,
            reasons=reasons,
        )

    daily = [result("crime_1.csv", "crime_report", 2), result("vms_1.jsonl", "camera_status")]
    header, *rows, total = shown(daily)
    assert header[:2] == ["file", "dataset"]
    assert rows == [
        ["crime_1.csv", "crime_report", "ingested", "10", "8", "0", "2", "0", "bad_date 2"],
        ["vms_1.jsonl", "camera_status", "ingested", "10", "10", "0", "0", "0", ""],
    ]
    assert total[:7] == ["total", "2 files", "ingested 2", "20", "18", "0", "2"]

    backfill = [result(f"crime_{i}.csv", "crime_report", 1) for i in range(PER_FILE_UP_TO)]
    backfill += [result("junk.bin", "", status="refused")]
    header, *rows, total = shown(backfill)
    assert header[:2] == ["dataset", "files"]
    assert rows == [
        [
            "crime_report",
            f"{PER_FILE_UP_TO} files",
            f"ingested {PER_FILE_UP_TO}",
            "200",
            "180",
            "0",
            "20",
            "0",
            "bad_date 20",
        ],
        ["(no profile)", "1 file", "refused 1", "0", "0", "0", "0", "0", ""],
    ]
    assert total[:3] == ["total", f"{PER_FILE_UP_TO + 1} files", f"ingested {PER_FILE_UP_TO}, refused 1"]
