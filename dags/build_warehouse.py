"""build_warehouse: when the lake changed, dbt builds a new warehouse file, one Airflow task per model
with its tests (astronomer-cosmos); the file is published only if every task passed.

Data-aware: scheduled on the lake datasets' Assets (any of them), at most once per
SAFELAKE_BUILD_MIN_INTERVAL_MINUTES: a run waits, deferred, until that long after the previous build
started (a manual run does not wait). Emits the `safelake://warehouse` Asset when it published.
Relationship tests join two models, so they run once, after every model was built.
"""

from __future__ import annotations

import functools
import operator
import sys
from pathlib import Path

from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.sdk import Param, TriggerRule, dag, get_current_context, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import InvocationMode, LoadMode, TestBehavior
from cosmos.operators.local import DbtTestLocalOperator
from safelake_airflow import WAREHOUSE, default_args, failed_tasks, lake_asset, start_date

from safelake.contracts import load_contracts
from safelake.settings import get_settings
from warehouse.build import DBT_PROJECT, dbt_vars
from warehouse.manifest import manifest_path
from warehouse.publish import staging_path

settings = get_settings()
RELATIONSHIPS = "test_name:relationships"
# Every dbt task of a run reads the lake at the snapshot start_build pinned in builds/next.duckdb,
# and runs with --full-refresh when start_build decided so (no published build yet, or the run's
# full_refresh param).
DBT_ARGS = {"vars": dbt_vars(settings, staging_path(settings)), "install_deps": False}
PROJECT = ProjectConfig(dbt_project_path=DBT_PROJECT, manifest_path=manifest_path(settings), project_name="safelake")
PROFILE = ProfileConfig(profile_name="safelake", target_name="dev", profiles_yml_filepath=DBT_PROJECT / "profiles.yml")
DBT = str(Path(sys.executable).with_name("dbt"))


@dag(
    schedule=functools.reduce(operator.or_, (lake_asset(name) for name in load_contracts())),
    start_date=start_date(settings),
    catchup=False,
    max_active_runs=1,
    # builds/next.duckdb takes one writer at a time (DuckDB): the dbt tasks run one after another.
    max_active_tasks=1,
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

    @task(task_id="start_build")
    def start(params: dict) -> str:
        """Copy the served build to builds/next.duckdb and pin the lake snapshot; returns the build id."""
        from warehouse.runs import start

        build_id, full_refresh = start(get_settings(), full_refresh=bool(params["full_refresh"]))
        get_current_context()["ti"].xcom_push(key="full_refresh", value=full_refresh)
        return build_id

    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=PROJECT,
        profile_config=PROFILE,
        execution_config=ExecutionConfig(dbt_executable_path=DBT, invocation_mode=InvocationMode.DBT_RUNNER),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.BUILD, emit_datasets=False
        ),
        operator_args=DBT_ARGS
        | {"full_refresh": "{{ ti.xcom_pull(task_ids='start_build', key='full_refresh') }}", "exclude": RELATIONSHIPS},
    )
    with dbt:
        models = list(dbt.children.values())
        relationships = DbtTestLocalOperator(
            task_id="test_relationships",
            select=RELATIONSHIPS,
            project_dir=str(DBT_PROJECT),
            manifest_filepath=str(manifest_path(settings)),
            profile_config=PROFILE,
            dbt_executable_path=DBT,
            invocation_mode=InvocationMode.DBT_RUNNER,
            **DBT_ARGS,
        )
        models >> relationships

    @task(task_id="publish_build", outlets=[WAREHOUSE], trigger_rule=TriggerRule.ALL_DONE)
    def publish() -> str:
        """Publish builds/next.duckdb if every dbt task passed; otherwise record the failure and fail."""
        from airflow.sdk.exceptions import AirflowFailException

        from safelake.errors import SafeLakeError
        from warehouse.runs import finish

        context = get_current_context()
        build_id = context["ti"].xcom_pull(task_ids="start_build")
        try:
            return finish(get_settings(), build_id, failed_tasks(context, "dbt"))
        except SafeLakeError as exc:  # the outcome is decided: retrying would not change it
            raise AirflowFailException(str(exc)) from exc

    plan_build() >> wait >> start() >> dbt >> publish()


build_warehouse()
