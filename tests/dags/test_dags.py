"""The Airflow DAGs: integrity of every DAG file, and a real run of ingest → build through Airflow.

Airflow runs in subprocesses with an isolated AIRFLOW_HOME (configured by ops.airflow_env, as
`make up` does), never in the test process itself.

- Integrity: each DAG file is parsed the way the dag processor does it (a process that has Airflow
  imported forks one child per file), timed, and watched by an audit hook for I/O at top level (file
  writes, folders, sockets, subprocesses). Then every DAG's rules: tags, an owner, retries with
  backoff, a failure callback, a time-zone-aware start, no catchup, one run at a time for writers.
- Run: on a small generated lake with a corrupt file among the exports, `airflow dags test
  ingest_landing` then `airflow dags test build_warehouse`, then assertions on Airflow's metadata
  database (task states, Asset events) and on the published warehouse's KPIs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from ops.airflow_env import airflow_env
from safelake.settings import Settings
from tests.conftest import local_today

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
BIN = Path(sys.executable).parent
PII_KEY = "test-key-0123456789abcdef"
DAG_IDS = {"ingest_landing", "build_warehouse", "lake_maintenance", "data_freshness", "kpi_briefings"}
WRITERS = {"ingest_landing", "build_warehouse", "lake_maintenance"}
# What a DAG file may not import while it is parsed (the dag processor parses every file every 30 s, in a fresh
# process): the libraries of the work itself, which take seconds to import, are for the task to import when it runs.
HEAVY = {"duckdb", "polars", "pandas", "pyarrow", "dbt", "streamlit", "plotly", "vl_convert", "nats", "numpy"}

PROBE = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path

    import airflow.sdk  # noqa: F401  (the dag processor has Airflow imported before it forks a parser)
    from airflow.dag_processing.dagbag import BundleDagBag

    from ops.airflow_env import dag_files

    dags = Path(sys.argv[1])
    WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    WATCHED = ("socket.connect", "subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.mkdir",
               "os.remove", "os.rename", "os.symlink", "shutil.rmtree", "sqlite3.connect", "urllib.Request")
    report = {}
    for file in dag_files(dags):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            io, watching = [], [True]
            def audit(event, args):
                if not watching[0]:
                    return
                if event == "open" and isinstance(args[2], int) and args[2] & WRITE:
                    io.append(f"write {args[0]}")
                elif event.startswith(WATCHED):
                    io.append(f"{event} {str(args)[:200]}")
            sys.addaudithook(audit)
            imported = set(sys.modules)
            start = time.perf_counter()
            bag = BundleDagBag(dag_folder=str(file), bundle_path=dags)
            seconds = time.perf_counter() - start
            watching[0] = False
            imported = sorted({m.split(".")[0] for m in set(sys.modules) - imported})
            dags_found = {}
            for dag in bag.dags.values():
                tasks = list(dag.tasks)
                dags_found[dag.dag_id] = {
                    "tags": sorted(dag.tags),
                    "owners": sorted({t.owner for t in tasks}),
                    "min_retries": min(t.retries for t in tasks),
                    "backoff": all(t.retry_exponential_backoff for t in tasks),
                    "callbacks": sorted(t.task_id for t in tasks if not t.on_failure_callback),
                    "aware": dag.start_date.tzinfo is not None,
                    "tz": str(getattr(dag.timezone, "name", dag.timezone)),
                    "catchup": dag.catchup,
                    "max_active_runs": dag.max_active_runs,
                    "timetable": type(dag.timetable).__name__,
                    "schedule": str(dag.schedule)[:300],
                    "tasks": len(tasks),
                }
            os.write(write, json.dumps({"seconds": seconds, "errors": bag.import_errors, "io": io,
                                        "imported": imported, "dags": dags_found}).encode())
            os._exit(0)
        os.close(write)
        chunks = []
        while chunk := os.read(read, 1 << 16):
            chunks.append(chunk)
        os.waitpid(pid, 0)
        report[file.name] = json.loads(b"".join(chunks))
    print("PROBE" + json.dumps(report))
    """
)


def run(args: list[str], env: dict[str, str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(a) for a in args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    if check:
        command = " ".join(map(str, args))
        assert result.returncode == 0, f"{command} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


class Site:
    """A SAFELAKE_HOME with its own AIRFLOW_HOME inside, and the environment every command gets."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.settings = Settings(home=root / "home", pii_key=PII_KEY)
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "SAFELAKE_"))},
            **airflow_env(self.settings),
            "SAFELAKE_PII_KEY": PII_KEY,
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONPATH": str(REPO),  # the demo generator is tooling, outside the installed packages
        }
        self.seconds: dict[str, float] = {}
        self.ingest_exit: tuple[int, str] = (0, "")
        self.build_log = ""

    def timed(self, name: str, args: list, check: bool = True) -> subprocess.CompletedProcess[str]:
        start = time.perf_counter()
        result = run(args, self.env, self.root, check)
        self.seconds[name] = round(time.perf_counter() - start, 1)
        return result

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.settings.airflow_home / "airflow.db")

    def states(self, dag_id: str) -> dict[str, str]:
        with self.db() as con:
            return dict(con.execute("SELECT task_id, state FROM task_instance WHERE dag_id = ?", [dag_id]).fetchall())

    def run_state(self, dag_id: str) -> str:
        with self.db() as con:
            return con.execute("SELECT state FROM dag_run WHERE dag_id = ?", [dag_id]).fetchone()[0]

    def asset_events(self) -> dict[str, str]:
        with self.db() as con:
            return dict(
                con.execute(
                    "SELECT a.uri, e.source_dag_id FROM asset_event e JOIN asset a ON a.id = e.asset_id"
                ).fetchall()
            )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """A fresh site."""
    return Site(tmp_path_factory.mktemp("airflow_site"))


def tree(folder: Path, skip: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in folder.rglob("*") if not p.is_relative_to(skip)}


@pytest.fixture(scope="module")
def probe(site: Site) -> dict:
    """Parse report per DAG file; "home_changes": what parsing all of them changed under SAFELAKE_HOME
    (catches what no audit event shows, such as DuckDB creating a database file)."""
    airflow_home = site.settings.airflow_home  # Airflow's own folder (config, logs) is not the DAGs' doing
    before = tree(site.settings.home, airflow_home)
    result = run([BIN / "python", "-c", PROBE, DAGS], site.env, site.root)
    report = json.loads(result.stdout.split("PROBE", 1)[1])
    after = tree(site.settings.home, airflow_home)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    return {"files": report, "home_changes": changed}


def test_every_dag_file_imports_and_defines_its_dag(probe):
    probe = probe["files"]
    assert {name: r["errors"] for name, r in probe.items() if r["errors"]} == {}
    found = {dag_id for r in probe.values() for dag_id in r["dags"]}
    assert found == DAG_IDS
    assert all(len(r["dags"]) == 1 for r in probe.values())


def test_each_dag_file_parses_quickly_without_io(probe, site):
    """Quickly: without importing the work's libraries (a deterministic check; the seconds are printed)."""
    assert probe["home_changes"] == []
    probe = probe["files"]
    assert {name: sorted(HEAVY & set(r["imported"])) for name, r in probe.items() if HEAVY & set(r["imported"])} == {}
    # nothing may be written, connected to or started while a DAG file is parsed
    assert {name: r["io"] for name, r in probe.items() if r["io"]} == {}
    print({name: round(r["seconds"], 2) for name, r in probe.items()})


def test_every_dag_follows_the_rules(probe, site):
    timezone = site.settings.timezone
    for r in probe["files"].values():
        for dag_id, dag in r["dags"].items():
            assert dag["tags"] and "safelake" in dag["tags"], dag_id
            assert dag["owners"] == ["safelake-data"], dag_id
            assert dag["min_retries"] >= 1 and dag["backoff"], dag_id
            # every task reports its failure, except the leaf that only repeats an already reported one
            assert set(dag["callbacks"]) <= {"check_datasets"}, (dag_id, dag["callbacks"])
            assert dag["aware"] and dag["tz"] == timezone, dag_id
            assert dag["catchup"] is False, dag_id
            assert dag["timetable"] != "NullTimetable", dag_id
            if dag_id in WRITERS:
                assert dag["max_active_runs"] == 1, dag_id


def test_build_dag_is_data_aware_and_runs_dbt_once(probe):
    build = probe["files"]["build_warehouse.py"]["dags"]["build_warehouse"]
    assert build["timetable"] == "AssetTriggeredTimetable"
    assert "safelake://lake/crime_report" in build["schedule"]
    assert build["tasks"] == 3  # plan, wait for the slot, build: one dbt invocation, as `safelake build`


def test_failure_message_says_what_failed_and_where_to_look():
    sys.path.insert(0, str(DAGS))
    try:
        from safelake_airflow import failure_text
    finally:
        sys.path.remove(str(DAGS))

    class TI:
        dag_id, task_id, try_number = "ingest_landing", "ingest_fraud_report", 3
        log_url = "http://127.0.0.1:8080/dags/ingest_landing/runs/r1/tasks/ingest_fraud_report?try_number=3"

    subject, body = failure_text({"ti": TI(), "run_id": "r1", "exception": ValueError("binary content")})
    assert subject == "ingest_landing.ingest_fraud_report failed"
    assert "Task ingest_fraud_report of DAG ingest_landing failed (run r1, try 3)." in body
    assert "Error: ValueError: binary content" in body
    assert f"Log: {TI.log_url}" in body
    assert "Where to look: the file named above stays in landing/<dataset>/" in body


# --- a real run through Airflow -------------------------------------------------------------------------

TODAY = local_today()
CORRUPT = "fraud_20990101_corrupt.csv"


@pytest.fixture(scope="module")
def ran(site: Site) -> Site:
    """init → demo data (35 days to today, 120 cameras) + one corrupt export → airflow db migrate →
    `airflow dags test ingest_landing` → `airflow dags test build_warehouse`."""
    safelake = BIN / "safelake"
    site.timed("init", [safelake, "init"])
    start = (TODAY - dt.timedelta(days=34)).isoformat()
    site.timed(
        "demo",
        [BIN / "python", "-m", "tools.demo", "--start", start, "--days", "35", "--cameras", "120", "--seed", "11"],
    )
    (site.settings.landing / "fraud_report" / CORRUPT).write_bytes(b"\x00\x01\x02 not an export \x00")
    site.timed("db_migrate", [BIN / "airflow", "db", "migrate"])
    # the corrupt file fails the ingestion run (exit 1, "DagRun failed"); the build must pass
    ingest = site.timed("dags_test_ingest", [BIN / "airflow", "dags", "test", "ingest_landing"], check=False)
    site.ingest_exit = (ingest.returncode, ingest.stderr.strip()[-200:])
    built = site.timed("dags_test_build", [BIN / "airflow", "dags", "test", "build_warehouse"])
    logs = (site.settings.airflow_home / "logs").rglob("*.log")
    site.build_log = built.stdout + built.stderr + "".join(p.read_text() for p in logs if "build_warehouse" in str(p))
    print(f"seconds: {site.seconds}")
    (site.root / "seconds.json").write_text(json.dumps(site.seconds))
    return site


@pytest.mark.slow
def test_a_corrupt_file_fails_its_task_and_the_other_datasets_go_in(ran: Site):
    states = ran.states("ingest_landing")
    assert states["wait_for_files"] == "success"
    assert states["ingest_fraud_report"] == "failed"
    others = {t: s for t, s in states.items() if t.startswith("ingest_") and t != "ingest_fraud_report"}
    assert {t for t, s in others.items() if s == "success"} == {
        "ingest_crime_report",
        "ingest_road_incident",
        "ingest_camera",
        "ingest_camera_status",
        "ingest_disciplinary_case",
        "ingest_cyber_incident",
        "ingest_fraud_resource_block",
        "ingest_citizen_appeal",
        "ingest_reception_session",
        "ingest_dispatch_call",
    }
    assert set(others.values()) <= {"success", "skipped"}  # the demo has no files for the detail datasets
    assert states["announce_updates"] == "success"
    assert states["check_datasets"] == "failed" and ran.run_state("ingest_landing") == "failed"
    assert ran.ingest_exit == (1, "DagRun failed")
    # the refused file stays in landing; its dataset's good files went into the lake all the same
    left = [p.name for p in ran.settings.landing.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert left == [CORRUPT]
    assert any((ran.settings.archive / "fraud_report").rglob("*-fraud_*.csv"))
    # and the failure was reported to the on-call address, saying what and where
    mails = [p.read_text() for p in ran.settings.outbox.glob("*.eml")]
    reported = [m for m in mails if "ingest_landing.ingest_fraud_report failed" in m]
    assert len(reported) == 1
    assert CORRUPT in reported[0] and "Where to look:" in reported[0] and "Log: http://127.0.0.1:8080/" in reported[0]


@pytest.mark.slow
def test_ingestion_emits_one_asset_per_updated_dataset_and_the_build_the_warehouse_asset(ran: Site):
    events = ran.asset_events()
    lake_events = {uri for uri, dag_id in events.items() if dag_id == "ingest_landing"}
    updated = [t for t, s in ran.states("ingest_landing").items() if t.startswith("ingest_") and s == "success"]
    # every dataset with files: those whose task succeeded, and fraud_report (its good files went in)
    assert lake_events == {f"safelake://lake/{t.removeprefix('ingest_')}" for t in [*updated, "ingest_fraud_report"]}
    assert len(lake_events) == 11
    assert {uri.rstrip("/"): dag_id for uri, dag_id in events.items()}.get("safelake://warehouse") == "build_warehouse"


@pytest.mark.slow
def test_the_build_ran_dbt_once_reported_every_node_and_published(ran: Site):
    states = ran.states("build_warehouse")
    assert states == {"plan_build": "success", "wait_for_build_slot": "success", "build": "success"}
    assert ran.run_state("build_warehouse") == "success"
    current = ran.settings.warehouse_dir / "current.duckdb"
    assert current.is_symlink()
    record = json.loads((current.resolve().with_suffix(".json")).read_text())
    assert record["status"] == "published" and record["failures"] == [] and record["incremental"] is False
    # the per-model view: the build task's log has a line per dbt node with its status and time
    reported = {node: status for status, node in re.findall(r"(\w+) +[\d.]+ s  (model\.safelake\.\w+)", ran.build_log)}
    assert len(reported) > 40 and set(reported.values()) == {"success"}, reported
    assert {"model.safelake.kpi_crime_compstat", "model.safelake.regions"} <= reported.keys()


@pytest.mark.slow
def test_published_warehouse_kpis(ran: Site):
    current = ran.settings.warehouse_dir / "current.duckdb"
    with duckdb.connect(str(current), read_only=True) as con:

        def one(sql: str):
            return con.execute(sql).fetchone()

        build_id, snapshot = one("SELECT build_id, lake_snapshot FROM meta.build")
        assert build_id == current.resolve().stem and snapshot > 0
        targets, progress, unknown = one(
            "SELECT (SELECT count(*) FROM reference.plan_targets), count(*), count(*) FILTER (WHERE status IS NULL) "
            "FROM marts.kpi_plan_progress"
        )
        assert progress == targets > 0 and unknown == 0
        low, high = one("SELECT min(availability_pct), max(availability_pct) FROM analytics.camera_days")
        assert 0 <= low <= high <= 100
        # camera-days run to the build's day where the ministry is (after local midnight that is
        # already tomorrow in UTC)
        built_at = one("SELECT built_at FROM meta.build")[0]
        as_of = built_at.astimezone(ZoneInfo(ran.settings.timezone)).date()
        assert one("SELECT max(date_day) FROM analytics.camera_days")[0] == as_of
        # comparisons with a year earlier end on the last whole day: today's exports are still arriving
        assert one("SELECT max(window_end) FROM marts.kpi_crime_compstat")[0] == as_of - dt.timedelta(days=1)
        assert one("SELECT count(*) FROM marts.kpi_source_freshness")[0] == 5
        warehouse_crimes = one("SELECT count(*) FROM analytics.crime_reports")[0]
    lake = duckdb.connect(config={"home_directory": str(ran.settings.home)})
    lake.execute(f"SET extension_directory = '{ran.settings.extension_dir}'")
    lake.execute(f"ATTACH 'ducklake:{ran.settings.catalog}' AS lake (READ_ONLY)")
    lake_crimes = lake.execute(f"SELECT count(*) FROM lake.crime_report AT (VERSION => {snapshot})").fetchone()[0]
    lake.close()
    assert warehouse_crimes == lake_crimes > 0  # every valid crime report of the pinned snapshot is published
