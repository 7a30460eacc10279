"""The build as the scheduler runs it: the same single dbt invocation as `safelake build`
(warehouse.build.build), in one Airflow task that logs each dbt node's result as it finishes."""

from __future__ import annotations

import datetime as dt

from safelake.settings import Settings
from warehouse.build import build, require_success
from warehouse.publish import last_build

FAILING = ("error", "fail", "runtime error")


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


def report_node(unique_id: str, status: str, seconds: float, message: str) -> None:
    """One log line per dbt node (model, seed, data or unit test): the per-model view of a build."""
    detail = f": {message.splitlines()[0]}" if status in FAILING and message else ""
    print(f"{status:>13}  {seconds:7.2f} s  {unique_id}{detail}", flush=True)


def run_build(settings: Settings, full_refresh: bool = False) -> str:
    """Build and publish; returns the published build id. Raises SafeLakeError, naming the failing
    dbt nodes, when a test failed (the previous build stays served)."""
    record = build(settings, full_refresh=full_refresh, on_node=report_node)
    require_success(record, settings)
    counts = ", ".join(f"{name} {rows:,}" for name, rows in sorted(record.row_counts.items())[:8])
    kind = "incremental" if record.incremental else "full"
    print(f"published build {record.build_id} ({kind}, lake snapshot {record.lake_snapshot}) in {record.seconds:.0f} s")
    print(f"dbt: {record.results}; {len(record.row_counts)} tables; {counts} ...")
    return record.build_id
