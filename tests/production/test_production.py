"""The production path on real servers (PostgreSQL catalog, S3 data and builds): many writers on several
machines (homes), exactly once, and readers' answers equal to the embedded run's on the same data."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import psycopg
import pytest

from access.policy import Scope, connect, run_sql
from safelake import lake
from safelake.locks import advisory_key, lake_lock
from safelake.settings import Settings
from tests.production.conftest import demo_files, land, run_env, safelake, settings_of
from warehouse.publish import builds_dir, publish, published_file

LAKE_TABLES = ["camera", "camera_status", "crime_report", "fraud_report", "road_incident", "_quarantine"]
SQL = (
    "SELECT region_code, count(*) AS reports, count(DISTINCT offence_code) AS offences "
    "FROM analytics.crime_reports GROUP BY region_code ORDER BY region_code"
)


def lake_counts(settings: Settings) -> dict[str, int]:
    con = lake.connect(settings, read_only=True)
    try:
        counts = {t: lake.fetch_one(con, f"SELECT count(*) FROM lake.{t}")[0] for t in LAKE_TABLES}
        counts["ledger files"], counts["ledger distinct"] = lake.fetch_one(
            con, "SELECT count(*), count(DISTINCT (file_sha256, profile)) FROM lake._ingest_ledger"
        )
        return counts
    finally:
        con.close()


# When the runs themselves happened (ingested, quarantined, built), and the camera minutes that run up to the
# moment of the build (now): two builds minutes apart differ there whatever the lake holds.
MOMENT_COLUMNS = {
    "first_quarantined_at",
    "last_ingested_at",
    "last_quarantined_at",
    "warehouse_built_at",
    "source_rebuilt_at",
    "offline_minutes",
    "camera_minutes_down",
    "camera_hours_down",
    "share_of_downtime_pct",
    "expected_minutes",
    "up_minutes",
    "availability_pct",
    "mtbf_hours",
    "availability_from_mtbf_mttr_pct",
    "rebuilt_at",
    "duration_minutes",
    "lake_ingested_through",
    "source_ingested_at",
}  # and down_minutes, down_minutes_<cause>


def marts(settings: Settings) -> dict[str, list[tuple]]:
    """Every mart and fact as the readers see them, without the moment columns."""
    con = connect(settings)
    try:
        views = con.execute(
            "SELECT schema_name || '.' || table_name, "
            "list(column_name) FILTER (list_contains(?, column_name) OR column_name LIKE 'down_minutes%') "
            "FROM duckdb_columns() WHERE database_name = 'memory' AND schema_name IN ('marts', 'analytics') "
            "GROUP BY ALL ORDER BY 1",
            [sorted(MOMENT_COLUMNS)],
        ).fetchall()
        answers = {}
        for table, moment in views:
            excluded = f" EXCLUDE ({', '.join(moment)})" if moment else ""
            answers[table] = con.execute(f"SELECT *{excluded} FROM {table} ORDER BY ALL").fetchall()
        return answers
    finally:
        con.close()


def test_marts_leave_out_only_what_the_moment_of_the_build_changes(embedded):
    """The comparison's blind spot is small: every mart keeps rows and most of its columns."""
    compared = marts(embedded)
    assert len(compared) >= 25
    # empty by design: Kyrgyzstan publishes no aggregate tables; case rows are personnel data, none for this reader
    empty = {"marts.agg_crime_aggregate_monthly", "marts.fct_disciplinary_cases"}
    assert [name for name, rows in compared.items() if not rows] == sorted(empty)
    assert len(compared["marts.agg_camera_availability_daily"][0]) >= 5


@pytest.mark.slow
def test_two_workers_ingest_one_builds_a_reader_elsewhere_answers_as_the_embedded_run(stack, demo, embedded, tmp_path):
    shared = stack.lake_env("e2e")
    files = demo_files(demo)
    worker_a, worker_b, reader = (tmp_path / name / "home" for name in ("a", "b", "reader"))
    # Two machines, each with its own landing/; three files arrive at both (exactly once across machines).
    land(demo, files[0::2] + files[1:6:2], worker_a)
    land(demo, files[1::2], worker_b)
    workers = [
        safelake(["ingest"], run_env(home, shared), home.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for home in (worker_a, worker_b)
    ]
    for worker in workers:
        out, _ = worker.communicate(timeout=600)
        assert worker.returncode == 0, out.decode()[-2000:]

    production = settings_of(run_env(worker_a, shared))
    expected = lake_counts(embedded)
    assert lake_counts(production) == expected
    assert expected["ledger files"] == expected["ledger distinct"]  # each file once, though three came twice

    built = subprocess.run(
        [sys.executable, "-m", "ops", "build"], env=run_env(worker_a, shared), cwd=worker_a.parent,
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]

    # a dashboard replica on a third machine: nothing local until it pulls the published build
    replica = settings_of(run_env(reader, shared))
    assert not builds_dir(replica).exists()
    assert marts(replica) == marts(embedded)
    for scope in (Scope("national", None, True), Scope("chui", "KG-C")):
        here, there = run_sql(replica, "analyst", scope, SQL), run_sql(embedded, "analyst", scope, SQL)
        assert here.rows == there.rows and here.rows


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun_gives_exact_counts(stack, demo, embedded, tmp_path):
    shared = stack.lake_env("killed")
    home = tmp_path / "worker" / "home"
    land(demo, demo_files(demo), home)
    env = run_env(home, shared) | {"SAFELAKE_INGEST_GROUP_FILES": "2"}
    archive = home / "archive"
    worker = safelake(["ingest"], env, home.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while len([p for p in archive.rglob("*") if p.is_file()]) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert worker.poll() is None, "ingest finished before the kill; the test must kill it mid-run"
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    settings = settings_of(env)
    partial = lake_counts(settings)
    assert 0 < partial["ledger files"] < len(demo_files(demo))

    rerun = subprocess.run(
        [sys.executable, "-m", "ops", "ingest"], env=env, cwd=home.parent, capture_output=True, text=True, timeout=600
    )  # the killed worker's advisory lock went with its session: no wait
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    assert lake_counts(settings) == lake_counts(embedded)
    assert [p for p in (home / "landing").rglob("*") if p.is_file() and not p.name.startswith(".")] == []


HOLD = """
import sys, time
from safelake.locks import lake_lock
from safelake.settings import Settings
with lake_lock(Settings()):
    print("held", flush=True)
    time.sleep(600)
"""


def test_the_lake_lock_spans_machines_and_dies_with_its_holder(stack, tmp_path):
    shared = stack.lake_env("locks")
    one, other = (settings_of(run_env(tmp_path / name, shared)) for name in ("one", "other"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD], env=run_env(tmp_path / "holder", shared), stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held"
    acquired = threading.Event()

    def take() -> None:
        with lake_lock(other):
            acquired.set()

    taker = threading.Thread(target=take)
    taker.start()
    assert not acquired.wait(2), "a second machine took the lake lock while another held it"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert acquired.wait(10), "the lock outlived its killed holder"
    taker.join()
    with psycopg.connect(one.postgres_catalog) as session:  # free again, and the key is the lake's
        assert session.execute("SELECT pg_try_advisory_lock(%s)", [advisory_key(one, "lake")]).fetchone() == (True,)


def fake_build(settings: Settings, build_id: str, value: int) -> Path:
    target = builds_dir(settings) / f"{build_id}.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(target)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute(f"CREATE TABLE marts.answer AS SELECT {value} AS value")
        # nothing declared sensitive, as a real build records it (readers refuse a build without declarations)
        con.execute("CREATE SCHEMA meta")
        con.execute(
            "CREATE TABLE meta.declared (schema_name VARCHAR, table_name VARCHAR, column_name VARCHAR, meta JSON)"
        )
    return target


def test_published_builds_reach_every_reader_and_old_readers_keep_theirs(stack, tmp_path):
    shared = stack.lake_env("publication")
    builder, reader = (settings_of(run_env(tmp_path / name, shared)) for name in ("builder", "reader"))
    publish(builder, fake_build(builder, "20260101T000000-aaaaaa", 1))
    first = published_file(reader)
    assert first.parent == builds_dir(reader) and first.name == "20260101T000000-aaaaaa.duckdb"
    old = connect(reader)
    publish(builder, fake_build(builder, "20260102T000000-bbbbbb", 2))
    new = connect(reader)
    assert new.execute("SELECT value FROM marts.answer").fetchall() == [(2,)]
    assert old.execute("SELECT value FROM marts.answer").fetchall() == [(1,)]
    assert published_file(reader).name == "20260102T000000-bbbbbb.duckdb"
    old.close()
    new.close()
