"""build_warehouse: when the lake changed, dbt builds a new warehouse file in one invocation, as
`safelake build` does; the file is published only if every model and test passed.

Data-aware: scheduled on the lake datasets' Assets (any of them), at most once per
SAFELAKE_BUILD_MIN_INTERVAL_MINUTES: a run waits, deferred, until that long after the previous build
started (a manual run does not wait). The build task's log has one line per dbt model, seed and test
with its status and time, as each finishes; a failing one is named with dbt's message. Emits the
`safelake://warehouse` Asset when it published.
"""

from __future__ import annotations

import functools
import operator

from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.sdk import Param, dag, get_current_context, task
from safelake_airflow import WAREHOUSE, default_args, lake_asset, start_date

from safelake.contracts import load_contracts
from safelake.settings import get_settings

settings = get_settings()


@dag(
    schedule=functools.reduce(operator.or_, (lake_asset(name) for name in load_contracts())),
    start_date=start_date(settings),
    catchup=False,
    max_active_runs=1,
    tags=["safelake", "warehouse", "dbt"],
    default_args=default_args(settings),
    params={"full_refresh": Param(False, type="boolean", description="Rebuild every model from scratch.")},
    doc_md=__doc__,
)
def build_warehouse() -> None:
    @task
    def plan_build() -> str:
        """When this run may start: now, or the previous build's start + the minimum interval."""
        from warehouse.runs import build_not_before

        manual = get_current_context()["dag_run"].run_type == "manual"
        return build_not_before(get_settings(), manual=manual).isoformat()

    wait = DateTimeSensorAsync(task_id="wait_for_build_slot", target_time="{{ ti.xcom_pull(task_ids='plan_build') }}")

    @task(task_id="build", outlets=[WAREHOUSE])
    def build(params: dict) -> str:
        """Pin the lake snapshot, run dbt build into builds/next.duckdb, publish it if all passed."""
        from airflow.sdk.exceptions import AirflowFailException

        from safelake.errors import SafeLakeError
        from warehouse.runs import run_build

        try:
            return run_build(get_settings(), full_refresh=bool(params["full_refresh"]))
        except SafeLakeError as exc:  # a failing test: the outcome is decided, retrying would not change it
            raise AirflowFailException(str(exc)) from exc

    plan_build() >> wait >> build()


build_warehouse()
