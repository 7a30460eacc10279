"""dbt build end to end on a small generated lake.

One lake (init → demo-data → ingest) and one warehouse per module; the tests then check that every
model, seed, data test and unit test passed, a few mart invariants, and that the incremental
camera_days gives the same rows when run twice and after a late-arriving status file as a full
rebuild does.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from safelake.settings import Settings
from warehouse.build import dbt_vars

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
BIN = Path(sys.executable).parent
PII_KEY = "test-key-0123456789abcdef"
START = dt.date(2025, 12, 1)  # the plan year 2026 starts inside the window
DAYS = 60
AS_OF = START + dt.timedelta(days=DAYS - 3)  # pinned: the numbers must not depend on the clock
INCREMENTAL_TABLES = (
    "analytics.camera_days",
    "marts.agg_camera_availability_daily",
    "intermediate.int_camera_status_changes",
)
# the run stamps of each incremental table: they differ between builds by design
RUN_STAMPS = {
    "analytics.camera_days": "lake_ingested_through, rebuilt_at",
    "marts.agg_camera_availability_daily": "source_rebuilt_at",
    "intermediate.int_camera_status_changes": "lake_ingested_through",
    "marts.kpi_source_freshness": "warehouse_built_at",
}


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    command = " ".join(map(str, args))
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


class Lake:
    """A SAFELAKE_HOME with demo data ingested, and dbt pointed at it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.env = {
            **os.environ,
            "SAFELAKE_HOME": str(self.home),
            "SAFELAKE_PII_KEY": PII_KEY,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "PYTHONPATH": str(REPO),  # the demo generator is tooling, outside the installed packages
        }
        self.settings = Settings(home=self.home)

    def safelake(self, *args: str) -> None:
        run([str(BIN / "safelake"), *args], self.env, self.root)

    def dbt_build(self, warehouse: Path, *extra: str) -> list[dict]:
        """`dbt build` into `warehouse`; returns run_results' results."""
        target = self.root / f"target-{warehouse.stem}"
        run(
            [
                str(BIN / "dbt"),
                "build",
                "--project-dir",
                str(DBT_PROJECT),
                "--profiles-dir",
                str(DBT_PROJECT),
                "--target-path",
                str(target),
                "--log-path",
                str(self.root / "dbt_logs"),
                "--vars",
                json.dumps(dbt_vars(self.settings, warehouse) | {"as_of": AS_OF.isoformat()}),
                *extra,
            ],
            self.env,
            DBT_PROJECT,
        )
        return json.loads((target / "run_results.json").read_text())["results"]


def rows(warehouse: Path, table: str) -> set[tuple]:
    """The table's rows without the run stamps, as a set to compare builds."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stamps = f"exclude ({RUN_STAMPS[table]})" if table in RUN_STAMPS else ""
        return set(con.execute(f"select * {stamps} from {table}").fetchall())


def published_tables(warehouse: Path) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [
            f"{schema}.{name}"
            for schema, name in con.execute(
                "select schema_name, table_name from duckdb_tables() where schema_name in ('marts', 'analytics')"
            ).fetchall()
        ]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake(tmp_path_factory.mktemp("dbt_build"))
    lake.safelake("init")
    run(
        [
            str(BIN / "python"),
            "-m",
            "tools.demo",
            "--start",
            START.isoformat(),
            "--days",
            str(DAYS),
            "--cameras",
            "300",
            "--seed",
            "7",
        ],
        lake.env,
        lake.root,
    )
    lake.safelake("ingest")
    return lake


@pytest.fixture(scope="module")
def built(lake: Lake) -> tuple[Path, list[dict]]:
    warehouse = lake.root / "warehouse.duckdb"
    return warehouse, lake.dbt_build(warehouse)


def test_build_passes_every_model_and_test(built: tuple[Path, list[dict]]) -> None:
    _, results = built
    ok = ("success", "pass", "no-op")  # exposures are no-ops
    bad = [(r["unique_id"], r["status"], r.get("message")) for r in results if r["status"] not in ok]
    assert not bad, bad
    kinds = {r["unique_id"].split(".")[0] for r in results}
    assert {"model", "test", "unit_test"} <= kinds  # no seeds: the reference data are models


def test_marts_hold_sane_numbers(lake: Lake, built: tuple[Path, list[dict]]) -> None:
    warehouse, _ = built
    with duckdb.connect(str(warehouse), read_only=True) as con:

        def one(sql: str):
            return con.execute(sql).fetchone()

        schemas = {r[0] for r in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
        assert {"marts", "analytics", "reference"} <= schemas
        targets, progress, distinct = one(
            "select (select count(*) from reference.plan_targets), count(*), count(distinct target_id) "
            "from marts.kpi_plan_progress"
        )
        assert progress == targets == distinct
        assert one("select count(*) from marts.kpi_plan_progress where status is null")[0] == 0
        low, high, days = one(
            "select min(availability_pct), max(availability_pct), count(*) from analytics.camera_days"
        )
        assert days > 0 and 0 <= low <= high <= 100
        assert one("select max(date_day) from analytics.camera_days")[0] == AS_OF
        nation, regions = one(
            "select sum(availability_pct) filter (where group_level = 'nation'), "
            "count(*) filter (where group_level = 'region') from marts.kpi_camera_availability "
            "where rolling_window = '30d'"
        )
        assert 0 < nation <= 100 and regions > 0
        # the CompStat year-to-date total is the count of reports registered this year to the as-of day
        compstat, facts = one(
            f"""
            select
                (select crimes_registered_current from marts.kpi_crime_compstat
                 where compstat_window = 'ytd' and area_level = 'nation' and offence_code = 'all'),
                (select count(*) from analytics.crime_reports
                 where registered_date between date_trunc('year', date '{AS_OF}') and date '{AS_OF}')
            """
        )
        assert compstat == facts > 0
        assert one("select count(*) from marts.kpi_source_freshness")[0] == 5
        # late data: the on-call alerts' thresholds (settings), counted in whole days to the as-of day
        for table, days in (
            ("kpi_source_freshness", "days_since_newest_record"),
            ("kpi_region_reporting", "days_since_last_record"),
        ):
            for dataset, since, silent in con.execute(
                f"select dataset, {days}, is_silent from marts.{table}"
            ).fetchall():
                assert silent == (since is None or since * 24 > lake.settings.freshness_hours[dataset]), (
                    table,
                    dataset,
                    since,
                )


def test_incremental_reruns_and_late_rows_match_a_full_rebuild(lake: Lake, built: tuple[Path, list[dict]]) -> None:
    warehouse, _ = built
    # like `safelake build`: start from a copy of the last warehouse and build everything (a copy's
    # views still name the old file's catalog until dbt recreates them, so no --select here)
    incremental = lake.root / "incremental.duckdb"
    shutil.copyfile(warehouse, incremental)

    # run twice: nothing new in the lake, the same rows
    lake.dbt_build(incremental)
    for table in INCREMENTAL_TABLES:
        assert rows(incremental, table) == rows(warehouse, table), table

    # a status file arrives late with an outage 20 days back, far outside the rebuild window
    with duckdb.connect(str(incremental), read_only=True) as con:
        camera_id, day = con.execute(
            "select camera_id, date_day from analytics.camera_days "
            "where date_day = ? and down_minutes = 0 and maintenance_minutes = 0 order by camera_id limit 1",
            [AS_OF - dt.timedelta(days=20)],
        ).fetchone()
    late = lake.home / "landing" / "camera_status" / f"vms_status_{day:%Y%m%d}_late.jsonl"
    late.parent.mkdir(parents=True, exist_ok=True)
    late.write_text(
        "\n".join(
            json.dumps(
                {"device_id": camera_id, "ts": f"{day}T{t}:00+06:00", "type": "STATE_CHANGE", "state": s, "reason": r}
            )
            for t, s, r in (("10:00", "OFFLINE", "power_loss"), ("11:30", "ONLINE", None))
        )
        + "\n"
    )
    # and a status file that ends an outage which began before the rebuild window (and before the
    # late day): the window holds the day of the ending row only, the outage's earlier days stay
    with duckdb.connect(str(incremental), read_only=True) as con:
        outage_id, ongoing_camera, started = con.execute(
            "select camera_outage_id, camera_id, started_date from analytics.camera_outages "
            "where is_ongoing and started_date < ? order by started_at, camera_id limit 1",
            [AS_OF - dt.timedelta(days=3)],
        ).fetchone()
    assert started < day  # it began before the late day too: the rebuild window does not reach its start
    ends = late.with_name(f"vms_status_{AS_OF - dt.timedelta(days=1):%Y%m%d}_ends.jsonl")
    ends.write_text(
        json.dumps(
            {
                "device_id": ongoing_camera,
                "ts": f"{AS_OF - dt.timedelta(days=1)}T12:00:00+06:00",
                "type": "STATE_CHANGE",
                "state": "ONLINE",
                "reason": None,
            }
        )
        + "\n"
    )
    lake.safelake("ingest")

    incremental_results = lake.dbt_build(incremental)
    full = lake.root / "full.duckdb"
    full_results = lake.dbt_build(full, "--full-refresh")
    for table in INCREMENTAL_TABLES:
        assert rows(incremental, table) == rows(full, table), table
    # and every published table: the same lake gives the same answer, whatever the build's history
    tables = published_tables(full)
    assert len(tables) >= 25
    for table in tables:
        assert rows(incremental, table) == rows(full, table), table
    # the big camera tables' data tests: the rebuilt days on an incremental build, every row on a full one
    for results, windowed in ((incremental_results, True), (full_results, False)):
        for test, condition in (
            ("test.safelake.unique_combination_stg_lake__camera_statuses", "status_at_utc >= (timezone("),
            ("test.safelake.unique_combination_fct_camera_days", "rebuilt_at = cast("),
            ("test.safelake.expression_is_true_fct_camera_days_availability_pct", "rebuilt_at = cast("),
        ):
            [sql] = [r["compiled_code"] for r in results if r["unique_id"].startswith(test)]
            assert (condition in sql) == windowed, (test, sql)
            assert "availability_pct is not null" in sql or "availability_pct" not in test  # its own where stays
        # what an incremental build reads does not grow with history: the status episodes read the lake's
        # status files from the redone days on (resuming each camera from its last kept episode), and
        # camera_days splits into days only the outages that reach the rebuild window
        for model, condition in (
            ("int_camera_status_changes", "status_at_utc >= (timezone("),
            ("fct_camera_days", "and last_day >= date '"),
        ):
            [sql] = [r["compiled_code"] for r in results if r["unique_id"] == f"model.safelake.{model}"]
            assert (condition in sql) == windowed, (model, sql)
    with duckdb.connect(str(incremental), read_only=True) as con:
        down = con.execute(
            "select down_minutes_power from analytics.camera_days where camera_id = ? and date_day = ?",
            [camera_id, day],
        ).fetchone()[0]
    assert down == 90
    with duckdb.connect(str(incremental), read_only=True) as con:
        ended = con.execute("select ended_at from analytics.camera_outages where camera_outage_id = ?", [outage_id])
        assert ended.fetchone()[0] is not None, (outage_id, started)
