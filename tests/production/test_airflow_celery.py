"""Airflow on the production stack: PostgreSQL metadata, CeleryExecutor with Redis, two Celery workers (processes
as on two machines), the lake on PostgreSQL + S3. The ingest DAG runs, its Asset events start the build DAG,
the build is published to object storage, and the workers shared the tasks."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from ops.airflow_env import airflow_env, dag_files, unpause, wait_healthy, wait_parsed
from safelake.settings import Settings
from tests.conftest import PII_KEY, REPO
from tests.production.conftest import settings_of
from tools.services import free_port
from warehouse.publish import published_file

BIN = Path(sys.executable).parent
WORKERS = ("worker-1", "worker-2")
DAGS = ("ingest_landing", "build_warehouse")


def start(command: list[str], env: dict[str, str], log: Path, running: ExitStack) -> None:
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def stop() -> None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    running.callback(stop)


def airflow(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([str(BIN / "airflow"), *args], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"airflow {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def run_states(conninfo: str) -> dict[str, list[str]]:
    with psycopg.connect(conninfo) as con:
        rows = con.execute("SELECT dag_id, state FROM dag_run WHERE dag_id = ANY(%s) ORDER BY id", [list(DAGS)])
        states: dict[str, list[str]] = {}
        for dag_id, state in rows.fetchall():
            states.setdefault(dag_id, []).append(state)
        return states


@pytest.mark.slow
def test_ingest_and_build_dags_succeed_on_two_celery_workers(stack, tmp_path):
    shared = stack.lake_env("airflow_lake")
    database = stack.postgres.create_database("airflow")
    metadata = stack.postgres.url(database).replace("postgresql://", "postgresql+psycopg://")
    home = tmp_path / "home"
    settings = Settings(home=home, pii_key=PII_KEY, airflow_port=free_port())
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "SAFELAKE_"))},
        **airflow_env(settings),
        **shared,
        "SAFELAKE_PII_KEY": PII_KEY,
        "PYTHONPATH": str(REPO),
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata,  # psycopg 3 is async as well (no asyncpg)
        "AIRFLOW__CELERY__BROKER_URL": stack.redis_url,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),  # shared by the API server and the workers
    }
    subprocess.run([str(BIN / "safelake"), "init"], env=env, cwd=tmp_path, check=True, capture_output=True)
    demo = [sys.executable, "-m", "tools.demo", "--days", "21", "--cameras", "60", "--seed", "5"]
    subprocess.run(demo, env=env, cwd=tmp_path, check=True, capture_output=True)
    airflow(["db", "migrate"], env)

    logs = tmp_path / "logs"
    logs.mkdir()
    with ExitStack() as running:
        for component in ("api-server", "scheduler", "dag-processor", "triggerer"):
            start([str(BIN / "airflow"), component], env, logs / f"{component}.log", running)
        for worker in WORKERS:
            command = [str(BIN / "airflow"), "celery", "worker", "--celery-hostname", f"{worker}@%h"]
            start(command, env, logs / f"{worker}.log", running)
        assert wait_healthy(settings, 240), (logs / "api-server.log").read_text()[-3000:]
        assert wait_parsed(settings, dag_files(), 240) is None
        # unpaused, ingest_landing runs for its latest interval; its Assets start the build
        unpause(settings, list(DAGS))
        conninfo = stack.postgres.url(database)
        deadline = time.monotonic() + 1500
        states = run_states(conninfo)
        # the first run of each (later scheduled runs of ingest_landing find nothing new and wait)
        while any(states.get(dag_id, [])[:1] != ["success"] for dag_id in DAGS):
            assert "failed" not in [runs[0] for runs in states.values()], f"{states}; logs in {logs}"
            assert time.monotonic() < deadline, f"{states} after 25 minutes; logs in {logs}"
            time.sleep(1)  # a query of the metadata database: cheap
            states = run_states(conninfo)

    executed = r"Executing workload in Celery: .*?dag_id='(\w+)'"
    ran = {worker: Counter(re.findall(executed, (logs / f"{worker}.log").read_text())) for worker in WORKERS}
    assert all(sum(counts.values()) > 0 for counts in ran.values()), ran  # both workers took tasks
    assert {dag for counts in ran.values() for dag in counts} == set(DAGS)
    # the build reached object storage: a reader elsewhere pulls it
    reader = settings_of({**shared, "SAFELAKE_HOME": str(tmp_path / "reader"), "SAFELAKE_PII_KEY": PII_KEY})
    assert published_file(reader).parent == reader.warehouse_dir / "builds"
