"""`make bench-production`: the same exports ingested and built on the embedded lake (SQLite catalog, local
disk) and on the production one (PostgreSQL catalog, Parquet and published builds on S3), in one run on this
machine. The servers run here as processes on loopback (tools/services.py: Debian's PostgreSQL, moto's S3
server); the goal is production ≤ 1.5 × embedded for each step.

Then, on the production lake, the warehouse build as Airflow runs it against `safelake build --full-refresh`
from the command line: Airflow as `make up` runs it (`airflow standalone`: scheduler, dag-processor, triggerer,
API; LocalExecutor; the settings of ops/airflow_env.py), a manual `build_warehouse` run with full_refresh,
timed from its queueing to its end as Airflow's metadata records them; goal ≤ 1.3 × the command line.

Prints one JSON object per step and lake, then a summary; writes docs/bench-production.json.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingestion.pipeline import ingest
from ops.airflow_env import airflow_env, wait_healthy, write_local_settings
from safelake.reference import REFERENCE_DIR
from safelake.settings import Settings
from tools import services
from tools.bench_ingest import finish, machine, national_year_args
from tools.demo import generate
from warehouse.build import build

GOAL = 1.5
AIRFLOW_GOAL = 1.3
BIN = Path(sys.executable).parent


def lake_settings(home: Path, env: dict[str, str]) -> Settings:
    """The settings a process with this lake's environment reads."""
    for name in [n for n in os.environ if n.startswith("SAFELAKE_") and n != "SAFELAKE_PII_KEY"]:
        del os.environ[name]
    os.environ.update({"SAFELAKE_HOME": str(home), **env})
    os.environ.setdefault("SAFELAKE_PII_KEY", "benchmark-key-0123456789")
    return Settings()


def run(label: str, settings: Settings, exports: Path) -> list[dict]:
    shutil.copytree(exports, settings.landing, copy_function=os.link)
    began = time.perf_counter()
    results = ingest(settings)
    ingest_seconds = time.perf_counter() - began
    if any(r.status == "failed" for r in results):
        raise SystemExit(f"bench-production: {label}: ingestion failed: {[r.message for r in results][:3]}")
    began = time.perf_counter()
    record = build(settings, full_refresh=True)
    build_seconds = time.perf_counter() - began
    if record.status != "published":
        raise SystemExit(f"bench-production: {label}: build failed: {record.failures[:3]}")
    rows = sum(r.rows_in for r in results)
    steps = [
        {"lake": label, "step": "ingest", "seconds": round(ingest_seconds, 1), "files": len(results), "rows": rows},
        {"lake": label, "step": "build", "seconds": round(build_seconds, 1), "dbt_seconds": round(record.seconds, 1)},
    ]
    for step in steps:
        step["load_average_1min"] = round(os.getloadavg()[0], 2)  # other work on the machine
        print(json.dumps(step), flush=True)
    return steps


@contextmanager
def airflow_standalone(settings: Settings, log: Path) -> Iterator[dict[str, str]]:
    """Airflow as bin/airflow-up starts it, on a free port; yields the environment of its processes."""
    # `airflow standalone` starts its components as `airflow ...` from the PATH (bin/airflow-up puts the venv's first)
    env = {**os.environ, **airflow_env(settings), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for step in (["db", "migrate"], ["dags", "reserialize"], ["dags", "unpause", "build_warehouse"]):
        subprocess.run([str(BIN / "airflow"), *step], env=env, check=True, capture_output=True, timeout=600)
    write_local_settings(settings)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(BIN / "airflow"), "standalone"], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        if not wait_healthy(settings, 300):
            raise SystemExit(f"bench-production: Airflow did not become healthy; see {log}")
        yield env
    finally:
        os.killpg(process.pid, 15)
        process.wait(60)


def dag_run_seconds(database: Path, run_id: str, timeout: float = 1800) -> float:
    """Seconds from the run's queueing to its end, once it succeeded (Airflow's own timestamps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as con:
            row = con.execute(
                "SELECT state, queued_at, end_date FROM dag_run WHERE dag_id = 'build_warehouse' AND run_id = ?",
                [run_id],
            ).fetchone()
        if row and row[0] == "failed":
            raise SystemExit(f"bench-production: the build_warehouse run {run_id} failed")
        if row and row[0] == "success":
            return (dt.datetime.fromisoformat(row[2]) - dt.datetime.fromisoformat(row[1])).total_seconds()
        time.sleep(1)
    raise SystemExit(f"bench-production: the build_warehouse run {run_id} did not end in {timeout:.0f} s")


def airflow_against_cli(settings: Settings, work: Path) -> list[dict]:
    """The same full rebuild of the production lake by `safelake build` and by the build DAG in Airflow."""
    began = time.perf_counter()
    subprocess.run([str(BIN / "safelake"), "build", "--full-refresh"], check=True, capture_output=True)
    cli_seconds = time.perf_counter() - began
    os.environ["SAFELAKE_AIRFLOW_PORT"] = str(services.free_port())
    settings = Settings()
    with airflow_standalone(settings, work / "airflow.log") as env:
        run_id = f"bench__{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
        trigger = [str(BIN / "airflow"), "dags", "trigger", "build_warehouse", "--run-id", run_id]
        subprocess.run([*trigger, "--conf", '{"full_refresh": true}'], env=env, check=True, capture_output=True)
        airflow_seconds = dag_run_seconds(settings.airflow_home / "airflow.db", run_id)
    steps = [
        {"lake": "production", "step": "build (safelake build)", "seconds": round(cli_seconds, 1)},
        {"lake": "production", "step": "build (Airflow build_warehouse)", "seconds": round(airflow_seconds, 1)},
    ]
    for step in steps:
        step["load_average_1min"] = round(os.getloadavg()[0], 2)
        print(json.dumps(step), flush=True)
    return steps


def main() -> None:
    args = national_year_args(__doc__, "docs/bench-production.json")
    work = Path(tempfile.mkdtemp(prefix="safelake-bench-production-"))
    exports = work / "exports"
    start = dt.date.today() - dt.timedelta(days=args.days)
    generate(exports, start, args.days, args.cameras, args.seed, REFERENCE_DIR / "kg")
    with services.stack(work / "servers", with_redis=False) as stack:
        embedded = run("embedded", lake_settings(work / "embedded", {}), exports)
        production_settings = lake_settings(work / "production", stack.lake_env("bench"))
        production = run("production", production_settings, exports)
        cli, airflow = airflow_against_cli(production_settings, work)
    pairs = zip(embedded, production, strict=True)
    ratios = {f"{e['step']}_ratio": round(p["seconds"] / e["seconds"], 2) for e, p in pairs}
    airflow_ratio = round(airflow["seconds"] / cli["seconds"], 2)
    summary = {
        **{f"{s['lake']}_{s['step']}_seconds": s["seconds"] for s in embedded + production},
        **ratios,
        "goal": GOAL,
        "met": all(r <= GOAL for r in ratios.values()),
        "cli_build_seconds": cli["seconds"],
        "airflow_build_seconds": airflow["seconds"],
        "airflow_ratio": airflow_ratio,
        "airflow_goal": AIRFLOW_GOAL,
        "airflow_met": airflow_ratio <= AIRFLOW_GOAL,
        "days": args.days,
        "cameras": args.cameras,
        "rows": embedded[0]["rows"],
        "machine": machine(),
        "servers": "PostgreSQL 15 (Debian) and moto S3 server, on loopback",
    }
    finish(summary, {"steps": [*embedded, *production, cli, airflow], "summary": summary}, args.json_out, work)


if __name__ == "__main__":
    main()
