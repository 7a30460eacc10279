"""`safelake build`: dbt builds a NEW DuckDB file; only a fully green build is published, atomically.

dbt builds builds/next.duckdb; a green build is renamed to builds/<id>.duckdb and current.duckdb, a
symlink, is swapped to it with one rename, so readers that opened the previous file keep reading it.
Every build, green or not, leaves builds/<id>.json.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import duckdb

from safelake import lake
from safelake.contracts import load_contracts
from safelake.errors import SafeLakeError
from safelake.locks import build_lock
from safelake.reference import geography, reference_folder
from safelake.settings import Settings
from warehouse.publish import (
    BuildRecord,
    builds_dir,
    current_path,
    dbt_target,
    load_record,
    prune,
    publish,
    published_build,
    pull,
    save_record,
    staging_path,
    stamp,
)

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"
LAKE_PIN = "meta.lake_pin"  # the table macros/lake_source.sql reads


def lake_snapshot(settings: Settings) -> int:
    con = lake.connect(settings, read_only=True)
    try:
        return lake.fetch_one(con, "SELECT max(snapshot_id) FROM lake.snapshots()")[0]
    finally:
        con.close()


def dbt_vars(settings: Settings, target: Path) -> dict[str, Any]:
    """What dbt reads from this machine, passed as `--vars`: profiles.yml (the paths), the models and
    tests (the reference folder, the time zone, the contracts' code lists and the late-data
    thresholds, each defined once in safelake/). They do not change from build to
    build, so dbt's partial parsing holds; the lake snapshot does, so it is pinned in the build's
    file instead (pin_lake_snapshot). A build reads one geography's lake rows and reference set."""
    reference = geography(settings.geography)
    return {
        "warehouse_path": str(target),
        "extension_dir": str(settings.extension_dir),
        "lake_catalog": settings.catalog,
        "lake_data_path": settings.data_path,
        "geography": settings.geography,
        "reference_dir": str(reference.folder),
        "reference_files": reference.files,
        "reporting_currency": reference.about.get("currency", "KGS"),
        "timezone": settings.timezone,
        "code_lists": {
            column.code_list: list(column.codes)
            for contract in load_contracts().values()
            for column in contract.columns
            if column.code_list and column.codes
        },
        "freshness_hours": settings.freshness_hours,
    }


def pin_lake_snapshot(target: Path, snapshot: int | None) -> None:
    """Pin the lake snapshot every model of this build reads (macros/lake_source.sql reads it when the
    model runs); None removes the pin, before the file is stamped and published."""
    con = duckdb.connect(str(target))
    try:
        if snapshot is None:
            con.execute(f"DROP TABLE IF EXISTS {LAKE_PIN}")
        else:
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {LAKE_PIN.split('.')[0]}")
            con.execute(f"CREATE OR REPLACE TABLE {LAKE_PIN} AS SELECT ?::BIGINT AS lake_snapshot", [snapshot])
    finally:
        con.close()


# what a dbt node ended with: unique id, status, seconds, dbt's message
NodeReport = Callable[[str, str, float, str], None]


def run_dbt(
    args: list[str],
    variables: dict[str, Any],
    settings: Settings,
    target_path: Path | None = None,
    on_node: NodeReport | None = None,
):
    """Run dbt in-process; returns dbt's result object. `on_node` hears of each node as it finishes."""
    from dbt.cli.main import dbtRunner

    def node_finished(event) -> None:
        if on_node is not None and event.info.name == "NodeFinished":
            node, result = event.data.node_info, event.data.run_result
            on_node(node.unique_id, result.status, result.execution_time, result.message)

    runner = dbtRunner(callbacks=[node_finished] if on_node else None)
    try:
        with lake.s3_environment(settings):  # the object store's secret, for profiles.yml
            return runner.invoke(
                [
                    *args,
                    "--vars",
                    json.dumps(variables),
                    "--project-dir",
                    str(DBT_PROJECT),
                    "--profiles-dir",
                    str(DBT_PROJECT),
                    "--target-path",
                    str(target_path or dbt_target(settings)),
                    "--log-path",
                    str(settings.warehouse_dir / "dbt_logs"),
                    "--quiet",
                ]
            )
    finally:
        _release_dbt_duckdb()


def _release_dbt_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after an in-process dbt run
    (`safelake build`, Airflow's build task): stamping and publishing open the same file with another
    configuration, which DuckDB refuses while that instance lives. dbt-duckdb has no public call for it."""
    module = sys.modules.get("dbt.adapters.duckdb.connections")
    if module is None:
        return
    manager = module.DuckDBConnectionManager
    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None


def _summarise(result, record: BuildRecord) -> None:
    if result.exception is not None:
        record.failures.append(f"dbt could not run: {result.exception}")
    for node in getattr(result.result, "results", None) or []:
        status = str(node.status)
        record.results[status] = record.results.get(status, 0) + 1
        if status in ("fail", "error", "runtime error"):
            record.failures.append(f"{node.node.unique_id}: {(node.message or status).splitlines()[0]}")
    if not result.success and not record.failures:
        record.failures.append("dbt build did not succeed (see warehouse/dbt_logs/dbt.log)")


def code_fingerprint(settings: Settings, project: Path = DBT_PROJECT) -> str:
    """What the dbt unit tests' outcome depends on: the dbt project's files, the reference data its
    reference models read, the time zone and geography, and the dbt and DuckDB versions. Unit tests
    run on fixed inputs (their `given` rows and pinned vars), never on the lake's data."""
    digest = hashlib.sha256()
    for root in (project, reference_folder(settings.geography)):
        for path in sorted(root.rglob("*")):
            if path.is_file() and not {"target", "logs", "dbt_packages"} & set(path.relative_to(root).parts):
                digest.update(f"{path.relative_to(root)}\0".encode())
                digest.update(path.read_bytes())
    versions = [version("dbt-core"), version("dbt-duckdb"), duckdb.__version__]
    digest.update(repr([settings.timezone, settings.geography, *versions]).encode())
    return digest.hexdigest()[:16]


def unit_tests_passed_in(settings: Settings, fingerprint: str) -> str:
    """The served build, if its run passed the dbt unit tests with exactly this code (itself or the
    build it took them from); else ""."""
    served = published_build(settings)
    if served and (builds_dir(settings) / f"{served}.json").exists():
        record = load_record(settings, served)
        if record.status == "published" and record.code_fingerprint == fingerprint:
            return record.unit_tests_passed_in or record.build_id
    return ""


def start_build(settings: Settings, full_refresh: bool = False) -> BuildRecord:
    """Prepare builds/next.duckdb (a copy of the served build, so incremental models add only their
    window) and pin the lake snapshot the whole build reads. The dbt unit tests run unless the served
    build ran the same code (code_fingerprint) and so passed them already: they test the SQL on fixed
    inputs, so the same code cannot fail them on new data (`make test` runs them every time). Data
    tests run in every build."""
    started = dt.datetime.now(dt.UTC)
    record = BuildRecord(
        build_id=started.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3),
        started_at=started.isoformat(),
        geography=settings.geography,
        timezone=settings.timezone,
    )
    builds_dir(settings).mkdir(parents=True, exist_ok=True)
    staging = staging_path(settings)
    staging.unlink(missing_ok=True)
    pull(settings)  # with object storage, another machine may have published since
    current = current_path(settings)
    served = published_build(settings)
    # a build of another geography (SAFELAKE_GEOGRAPHY changed) has none of this one's rows to build on
    if served and (builds_dir(settings) / f"{served}.json").exists():
        full_refresh = full_refresh or load_record(settings, served).geography != settings.geography
    if current.exists() and not full_refresh:
        shutil.copyfile(current.resolve(), staging)
        record.incremental = True
    record.lake_snapshot = lake_snapshot(settings)
    pin_lake_snapshot(staging, record.lake_snapshot)
    record.code_fingerprint = code_fingerprint(settings)
    record.unit_tests_passed_in = unit_tests_passed_in(settings, record.code_fingerprint)
    save_record(settings, record)
    return record


def dbt_args(record: BuildRecord) -> list[str]:
    args = ["build"] if record.incremental else ["build", "--full-refresh"]
    if record.unit_tests_passed_in:
        args += ["--exclude-resource-type", "unit_test"]
    return args


def finish_build(settings: Settings, record: BuildRecord) -> BuildRecord:
    """Publish the staged build if nothing failed; otherwise drop it. Either way, write the record."""
    finished = dt.datetime.now(dt.UTC)
    record.finished_at = finished.isoformat()
    record.seconds = round((finished - dt.datetime.fromisoformat(record.started_at)).total_seconds(), 2)
    staging = staging_path(settings)
    if record.failures:
        record.status = "failed"
        staging.unlink(missing_ok=True)
    else:
        target = builds_dir(settings) / f"{record.build_id}.duckdb"
        pin_lake_snapshot(staging, None)
        stamp(staging, record, dbt_target(settings) / "manifest.json")
        os.replace(staging, target)
        publish(settings, target)
        record.status = "published"
    save_record(settings, record)
    prune(settings)
    return record


def parse(settings: Settings) -> None:
    """Parse the dbt project with the builds' vars, and nothing else: the next build then parses only what
    changed since (dbt's partial parsing), a few seconds instead of about ten. `make up` runs it while the demo
    data is written, ahead of the first build."""
    with build_lock(settings):
        result = run_dbt(["parse"], dbt_vars(settings, staging_path(settings)), settings)
    if not result.success:
        raise SafeLakeError(f"dbt parse failed: {result.exception or 'see warehouse/dbt_logs/dbt.log'}")


def build(settings: Settings, full_refresh: bool = False, on_node: NodeReport | None = None) -> BuildRecord:
    """The whole build in this process, one dbt invocation: `safelake build` and Airflow's build task."""
    with build_lock(settings):
        record = start_build(settings, full_refresh)
        result = run_dbt(dbt_args(record), dbt_vars(settings, staging_path(settings)), settings, on_node=on_node)
        _summarise(result, record)
        return finish_build(settings, record)


def require_success(record: BuildRecord, settings: Settings) -> None:
    if record.status != "published":
        served = published_build(settings) or "none"
        raise SafeLakeError(
            f"build {record.build_id} failed and was not published ({record.failures[0]}); "
            f"still serving build {served}; see {builds_dir(settings) / (record.build_id + '.json')}"
        )
