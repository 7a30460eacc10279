"""Airflow glue shared by the DAG files: task defaults, the failure callback, the landing sensor.

Not a DAG file (.airflowignore skips it). It builds nothing at import time beyond constants computed
from the settings: no lake, warehouse or network access happens before a task runs.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pendulum
from airflow.providers.standard.triggers.file import FileTrigger
from airflow.providers.standard.triggers.temporal import TimeDeltaTrigger
from airflow.sdk import Asset, BaseSensorOperator
from airflow.sdk.exceptions import AirflowSkipException

from safelake.settings import Settings, get_settings

log = logging.getLogger(__name__)

# Asset URIs: one per lake dataset (ingest_landing emits them), one for the published warehouse.
WAREHOUSE = Asset("safelake://warehouse", group="safelake")


def lake_asset(dataset: str) -> Asset:
    return Asset(f"safelake://lake/{dataset}", group="safelake")


# Where to look when a task of each DAG fails (the callback adds the task's log URL).
WHERE_TO_LOOK = {
    "ingest_landing": (
        "the file named above stays in landing/<dataset>/; `safelake status` shows the quarantine by reason; "
        "fix the file or its source profile (ingestion/profiles/) and drop it in again"
    ),
    "build_warehouse": (
        "the build task's log has a line per dbt node (a failing one with dbt's message); "
        "warehouse/builds/<build id>.json lists the failing nodes; the previous build keeps being served"
    ),
    "lake_maintenance": "the task log; the lake is unchanged by a failed maintenance step (each is one transaction)",
    "data_freshness": "the task log; alerts that could not be e-mailed are still in the log and the outbox",
}


def start_date(settings: Settings) -> pendulum.DateTime:
    """A fixed, time-zone-aware start in the plan's time zone (schedules are read in that zone)."""
    return pendulum.datetime(2026, 1, 1, tz=pendulum.timezone(settings.timezone))


def default_args(settings: Settings) -> dict[str, Any]:
    return {
        "owner": settings.airflow_owner,
        "retries": settings.airflow_retries,
        "retry_delay": dt.timedelta(seconds=settings.airflow_retry_delay_seconds),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": dt.timedelta(minutes=30),
        "on_failure_callback": report_failure,
    }


def failure_text(context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of the on-call message: what failed, with what error, and where to look."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    error = context.get("exception")
    subject = f"{dag_id}.{task_id} failed"
    lines = [
        f"Task {task_id} of DAG {dag_id} failed (run {context.get('run_id', '?')}, "
        f"try {getattr(ti, 'try_number', '?')}).",
        f"Error: {type(error).__name__ + ': ' if isinstance(error, BaseException) else ''}{error}",
        f"Log: {getattr(ti, 'log_url', None) or 'see the Airflow UI, task log'}",
        f"Where to look: {WHERE_TO_LOOK.get(dag_id, 'the task log')}",
    ]
    return subject, "\n".join(lines)


def report_failure(context: dict[str, Any]) -> None:
    """on_failure_callback of every task: log what failed and where to look, and tell the on-call address."""
    from safelake import notify

    subject, body = failure_text(context)
    log.error("%s\n%s", subject, body)
    try:
        where = notify.alert(get_settings(), subject, body)
        log.info("on-call alert sent to %s", where)
    except Exception as exc:  # a callback must never hide the original failure
        log.error("could not send the on-call alert: %s", exc)


class LandingSensor(BaseSensorOperator):
    """Waits, deferred (no worker slot), until landing/ holds a file that is ready to ingest.

    A FileTrigger wakes it when a file appears in a dataset folder; partial uploads (.part, .tmp)
    do not count, so then it sleeps `poke_interval` in the triggerer and looks again. At `timeout`
    the run is skipped (soft_fail): the next scheduled run keeps watching.
    """

    def __init__(self, *, landing: str, poke_interval: float = 30, **kwargs: Any) -> None:
        kwargs.setdefault("soft_fail", True)
        super().__init__(poke_interval=poke_interval, **kwargs)
        self.landing = landing

    def poke(self, context: Any) -> bool:
        from ingestion.runs import waiting_files

        ready = waiting_files(get_settings())
        for dataset, files in ready.items():
            self.log.info("%d file(s) ready in %s/%s", len(files), self.landing, dataset)
        return bool(ready)

    def execute(self, context: Any) -> None:
        deadline = pendulum.now("UTC").add(seconds=self.timeout)
        self._wait(context, deadline.isoformat())

    def resume(self, context: Any, deadline: str, event: Any = None) -> None:
        self._wait(context, deadline)

    def _wait(self, context: Any, deadline: str) -> None:
        if self.poke(context):
            return
        left = (pendulum.parse(deadline) - pendulum.now("UTC")).total_seconds()
        if left <= 0:
            raise AirflowSkipException(f"nothing new in {self.landing} before {deadline}")
        anything = any(p.is_file() for p in get_settings().landing.glob("*/**/*"))
        trigger = (
            TimeDeltaTrigger(dt.timedelta(seconds=min(self.poke_interval, left)))
            if anything  # only partial uploads: look again later rather than wake up at once
            else FileTrigger(filepath=f"{self.landing}/*/**/*", recursive=True, poke_interval=self.poke_interval)
        )
        self.defer(
            trigger=trigger,
            method_name="resume",
            kwargs={"deadline": deadline},
            timeout=dt.timedelta(seconds=left),
        )


def failed_tasks(context: Any) -> list[str]:
    """Task ids that failed in this DAG run, upstream failures included."""
    ti = context["ti"]
    states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[ti.run_id])
    return sorted(
        task_id
        for task_id, state in states.get(ti.run_id, {}).items()
        if state in ("failed", "upstream_failed") and task_id != ti.task_id
    )
