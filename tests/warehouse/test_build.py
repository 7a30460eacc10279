"""`safelake build` publishes only a green build; a failing dbt test leaves the served warehouse as it was."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingestion.pipeline import ingest
from safelake import lake
from safelake.reference import REFERENCE_DIR
from safelake.settings import get_settings
from tools.demo import generate
from warehouse.build import build, code_fingerprint, dbt_args, dbt_vars, finish_build, run_dbt, start_build
from warehouse.publish import current_path, last_build, published_build, staging_path

pytestmark = pytest.mark.slow


def test_a_failing_dbt_test_is_not_published_and_readers_keep_the_old_build(settings):
    generate(settings.landing, dt.date(2026, 9, 1), 21, 150, 3, REFERENCE_DIR / "kg")
    ingest(settings)
    parsed = subprocess.run([sys.executable, "-m", "ops", "build", "--parse-only"], capture_output=True, text=True)
    assert parsed.returncode == 0, parsed.stderr
    first = build(settings)
    assert first.status == "published", first.failures
    # `make up` parses ahead of the first build, which then parses only what changed (nothing)
    log = (settings.warehouse_dir / "dbt_logs" / "dbt.log").read_text()
    assert log.count("Unable to do partial parsing") == 1
    assert "Partial parsing enabled, no changes found" in log.split("Unable to do partial parsing")[1]
    assert first.code_fingerprint and not first.unit_tests_passed_in  # the first build runs the unit tests
    assert published_build(settings) == first.build_id
    reader = duckdb.connect(str(current_path(settings)), read_only=True)
    [(stamp,)] = reader.execute("SELECT build_id FROM meta.build").fetchall()
    assert stamp == first.build_id

    # A row that breaks a warehouse rule (more seriously injured than injured) reaches the lake by a path that
    # skips the contract's checks (ingestion quarantines such a row): the build must still refuse to publish.
    con = lake.connect(settings)
    con.execute(
        "INSERT INTO lake.road_incident SELECT * REPLACE ('BROKEN-1' AS incident_id, 1 AS injured, "
        "5 AS seriously_injured) FROM lake.road_incident LIMIT 1"
    )
    con.close()

    done = subprocess.run([sys.executable, "-m", "ops", "build"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "road_incident_seriously_injured_within_injured" in done.stderr
    failed = last_build(settings)
    assert failed.status == "failed" and failed.build_id != first.build_id
    # the same code: its unit tests passed in the first build; the data tests still ran and failed
    assert failed.unit_tests_passed_in == first.build_id
    assert published_build(settings) == first.build_id
    assert not (current_path(settings).parent / "builds" / f"{failed.build_id}.duckdb").exists()
    assert reader.execute("SELECT count(*) FROM marts.kpi_plan_progress").fetchone()[0] > 0
    reader.close()


def test_the_code_fingerprint_changes_with_any_dbt_file(settings, tmp_path):
    """A changed model, macro or YAML file means a new fingerprint, so the next build runs the unit tests."""
    project = tmp_path / "dbt_project"
    shutil.copytree(Path(__file__).resolve().parents[2] / "dbt_project", project)
    before = code_fingerprint(settings, project)
    assert code_fingerprint(settings, project) == before
    (project / "target").mkdir(exist_ok=True)
    (project / "target" / "manifest.json").write_text("{}")  # dbt's own output is not code
    assert code_fingerprint(settings, project) == before
    macro = project / "macros" / "pct_change.sql"
    macro.write_text(macro.read_text() + "\n")
    assert code_fingerprint(settings, project) != before


def test_the_build_reads_the_lake_at_the_snapshot_it_pinned(settings):
    """Rows ingested after the build pinned its lake snapshot are not in it, though dbt runs later;
    the pin is in the build's own file (nothing in the process environment) and leaves before publishing."""
    generate(settings.landing, dt.date(2026, 9, 1), 14, 100, 5, REFERENCE_DIR / "kg")
    crime = sorted((settings.landing / "crime_report").iterdir())
    ingest(settings, [p for p in settings.landing.rglob("*") if p.is_file() and p != crime[-1]])
    environ = dict(os.environ)
    record = start_build(settings, full_refresh=True)
    ingest(settings, [crime[-1]])  # arrives while the build runs
    result = run_dbt(dbt_args(record), dbt_vars(settings, staging_path(settings)), settings)
    assert result.success and dict(os.environ) == environ
    assert finish_build(settings, record).status == "published"
    con = lake.connect(settings, read_only=True)
    try:
        pinned = con.execute(f"SELECT count(*) FROM lake.crime_report AT (VERSION => {record.lake_snapshot})")
        pinned = pinned.fetchone()[0]
        now = con.execute("SELECT count(*) FROM lake.crime_report").fetchone()[0]
    finally:
        con.close()
    with duckdb.connect(str(current_path(settings)), read_only=True) as warehouse:
        assert warehouse.execute("SELECT count(*) FROM analytics.crime_reports").fetchone()[0] == pinned < now
        assert not warehouse.execute(
            "SELECT * FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = 'lake_pin'"
        ).fetchall()


def test_the_build_reads_a_reference_set_that_only_the_operators_folder_has(settings, tmp_path, monkeypatch):
    """A geography under SAFELAKE_REFERENCE_DIR alone is found by dbt as ingestion finds it."""
    generate(settings.landing, dt.date(2026, 9, 1), 14, 60, 3, REFERENCE_DIR / "kg")
    ingest(settings)
    own = tmp_path / "refs" / "kg_own"
    shutil.copytree(REFERENCE_DIR / "kg", own)
    regions = own / "regions.csv"
    regions.write_text(regions.read_text(encoding="utf-8").replace("Chuy Region", "Chuy (operator's set)"))
    monkeypatch.setenv("SAFELAKE_REFERENCE_DIR", str(tmp_path / "refs"))
    monkeypatch.setenv("SAFELAKE_GEOGRAPHY", "kg_own")
    get_settings.cache_clear()
    record = build(get_settings())
    assert record.status == "published", record.failures
    with duckdb.connect(str(current_path(settings)), read_only=True) as con:
        names = con.execute("SELECT name_en FROM reference.regions WHERE region_code = 'KG-C'").fetchall()
    assert names == [("Chuy (operator's set)",)]
