"""Exactly-once ingestion: ledger, corrections, bad files among good ones, kill -9 mid-run."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

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
    # as a writer: after a kill inside a catalog commit, SQLite's journal is rolled back by the next
    # writer (the next ingest), and a read-only connection cannot do that
    con = lake.connect(settings)
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
    done = subprocess.run([sys.executable, "-m", "safelake", "ingest"], env=env, capture_output=True, text=True)
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
@pytest.mark.parametrize("committed", [1, 3])
def test_kill_9_mid_ingest_then_rerun_gives_exact_counts(settings, committed):
    header, rows = cafc_rows(36000)
    landing = settings.landing
    for part in range(4):
        write_cafc(landing / "fraud_report" / f"cafc_part{part}.csv", rows[part * 9000 : (part + 1) * 9000])
    (landing / "crime_report").mkdir(parents=True)
    shutil.copy(POLICE, landing / "crime_report" / POLICE.name)
    expected_fraud = len({r[ID] for r in rows})

    process = subprocess.Popen(
        [sys.executable, "-m", "safelake", "ingest"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while len(list(settings.archive.rglob("*.csv"))) < committed and time.monotonic() < deadline:
        time.sleep(0.02)
    # killed while the next file is in flight (it was read ahead while the last one was written)
    assert process.poll() is None, "ingest finished before the kill; the test must kill it mid-run"
    process.send_signal(signal.SIGKILL)
    process.wait()
    lake_is_consistent(settings)
    [(files,)] = lake_rows(settings, "SELECT count(*) FROM lake._ingest_ledger")
    archived = len(list(settings.archive.rglob("*.csv")))
    # the file in flight left no trace, or (killed between its commit and its move to archive/) it is
    # in the ledger and still in landing/, and the rerun archives it without ingesting it again
    assert archived <= files <= archived + 1 and files < 5

    done = subprocess.run([sys.executable, "-m", "safelake", "ingest"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    counts = lake_is_consistent(settings)
    assert counts["fraud_report"] == expected_fraud
    assert (
        counts["crime_report"]
        == 31635 - lake_rows(settings, "SELECT count(*) FROM lake._quarantine WHERE dataset = 'crime_report'")[0][0]
    )
    assert list(landing.rglob("*.csv")) == []
