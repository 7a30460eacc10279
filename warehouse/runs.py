"""The build as a scheduler runs it: start_build, then dbt as one task per model, then this finish.

`safelake build` does the same in one process (warehouse.build.build); here the steps are apart so
Airflow can run dbt through astronomer-cosmos in between. Only the build id travels between tasks.
"""

from __future__ import annotations

import datetime as dt
import sys

from safelake.errors import SafeLakeError
from safelake.settings import Settings
from warehouse.build import finish_build, start_build
from warehouse.manifest import is_stale, write_manifest
from warehouse.publish import builds_dir, last_build, load_record, published_build


def build_not_before(settings: Settings, manual: bool = False, now: dt.datetime | None = None) -> dt.datetime:
    """When a data-aware build may start: builds start at most every SAFELAKE_BUILD_MIN_INTERVAL_MINUTES
    (counted from the previous build's start). A manual run starts now."""
    now = now or dt.datetime.now(dt.UTC)
    previous = last_build(settings)
    if manual or previous is None:
        return now
    earliest = dt.datetime.fromisoformat(previous.started_at) + dt.timedelta(
        minutes=settings.build_min_interval_minutes
    )
    return max(now, earliest)


def start(settings: Settings, full_refresh: bool = False) -> tuple[str, int, bool]:
    """start_build, after refreshing the dbt manifest the DAG renders from if the project changed.
    Returns (build id, pinned lake snapshot, whether dbt must run with --full-refresh)."""
    if is_stale(settings):
        write_manifest(settings)
        print("the dbt project changed: manifest refreshed; the DAG shows the new models from its next parse")
    record = start_build(settings, full_refresh=full_refresh, reuse_unit_tests=False)
    print(f"build {record.build_id}: lake snapshot {record.lake_snapshot}, incremental={record.incremental}")
    return record.build_id, record.lake_snapshot, not record.incremental  # type: ignore[return-value]


def finish(settings: Settings, build_id: str | None, failed_tasks: list[str]) -> str:
    """Publish the staged build when no dbt task failed; else mark it failed and raise with where to look.
    Returns the published build id."""
    if not build_id:
        raise SafeLakeError("the build never started (start_build failed): see that task's log")
    release_dbt_duckdb()
    record = load_record(settings, build_id)
    record.failures = [f"Airflow task {task_id} did not succeed" for task_id in failed_tasks]
    record = finish_build(settings, record)
    if record.status != "published":
        shown = ", ".join(failed_tasks[:5]) + (f" and {len(failed_tasks) - 5} more" if len(failed_tasks) > 5 else "")
        raise SafeLakeError(
            f"build {record.build_id} failed and was not published: {shown}; still serving build "
            f"{published_build(settings) or 'none'}; see the failed tasks' logs and "
            f"{builds_dir(settings) / (record.build_id + '.json')}"
        )
    counts = ", ".join(f"{name} {rows:,}" for name, rows in sorted(record.row_counts.items())[:8])
    print(f"published build {record.build_id} (lake snapshot {record.lake_snapshot}) in {record.seconds:.0f} s")
    print(f"{len(record.row_counts)} tables; {counts} ...")
    return record.build_id


def release_dbt_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after an in-process dbt run
    (cosmos with dbtRunner, `airflow dags test`): publishing opens the same file with another
    configuration, which DuckDB refuses while that instance lives."""
    module = sys.modules.get("dbt.adapters.duckdb.connections")
    if module is None:
        return
    manager = module.DuckDBConnectionManager
    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None
