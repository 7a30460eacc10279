"""`safelake build`: dbt builds a NEW DuckDB file; only a fully green build is published, atomically.

dbt builds builds/next.duckdb; a green build is renamed to builds/<id>.duckdb and current.duckdb, a
symlink, is swapped to it with one rename, so readers that opened the previous file keep reading it.
Every build, green or not, leaves builds/<id>.json.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import shutil
from importlib.metadata import version
from pathlib import Path

import duckdb

from safelake import lake
from safelake.errors import SafeLakeError
from safelake.locks import build_lock
from safelake.reference import REFERENCE_DIR
from safelake.settings import Settings
from warehouse.publish import (
    BuildRecord,
    builds_dir,
    current_path,
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


def lake_snapshot(settings: Settings) -> int:
    con = lake.connect(settings, read_only=True)
    try:
        return lake.fetch_one(con, "SELECT max(snapshot_id) FROM lake.snapshots()")[0]
    finally:
        con.close()


def dbt_env(settings: Settings, target: Path, snapshot: int) -> dict[str, str]:
    """What dbt_project/profiles.yml reads: paths of this machine, never committed."""
    return {
        "SAFELAKE_WAREHOUSE_PATH": str(target),
        "SAFELAKE_EXTENSION_DIR": str(settings.extension_dir),
        "SAFELAKE_LAKE_CATALOG": settings.catalog,
        "SAFELAKE_LAKE_DATA_PATH": settings.data_path,
        "SAFELAKE_LAKE_SNAPSHOT": str(snapshot),
        "SAFELAKE_TIMEZONE": settings.timezone,
        "DBT_PROFILES_DIR": str(DBT_PROJECT),
        **lake.s3_env(settings),
    }


def run_dbt(args: list[str], env: dict[str, str], settings: Settings, target_path: Path | None = None):
    """Run dbt in-process with the given environment; returns dbt's result object."""
    from dbt.cli.main import dbtRunner

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return dbtRunner().invoke(
            [
                *args,
                "--project-dir",
                str(DBT_PROJECT),
                "--profiles-dir",
                str(DBT_PROJECT),
                "--target-path",
                str(target_path or settings.warehouse_dir / "dbt_target"),
                "--log-path",
                str(settings.warehouse_dir / "dbt_logs"),
                "--quiet",
            ]
        )
    finally:
        _release_dbt_connection()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _release_dbt_connection() -> None:
    """dbt-duckdb keeps the database open in-process after a run; close it so the file can be stamped."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as Manager

    with Manager._LOCK:
        if Manager._ENV is not None:
            Manager._ENV.close()
            Manager._ENV = None


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
    seeds load, the time zone and geography it reads, and the dbt and DuckDB versions. Unit tests run
    on fixed inputs (their `given` rows and pinned vars), never on the lake's data."""
    digest = hashlib.sha256()
    for root in (project, REFERENCE_DIR):
        for path in sorted(root.rglob("*")):
            if path.is_file() and not {"target", "logs", "dbt_packages"} & set(path.relative_to(root).parts):
                digest.update(f"{path.relative_to(root)}\0".encode())
                digest.update(path.read_bytes())
    versions = [version("dbt-core"), version("dbt-duckdb"), duckdb.__version__]
    digest.update(repr([settings.timezone, os.environ.get("SAFELAKE_GEOGRAPHY", ""), *versions]).encode())
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


def start_build(settings: Settings, full_refresh: bool = False, reuse_unit_tests: bool = True) -> BuildRecord:
    """Prepare builds/next.duckdb (a copy of the served build, so incremental models add only their
    window) and pin the lake snapshot the whole build reads. The dbt unit tests run unless the served
    build ran the same code (code_fingerprint) and so passed them already: they test the SQL on fixed
    inputs, so the same code cannot fail them on new data (`make test` runs them every time). Data
    tests run in every build. `reuse_unit_tests=False`: the caller runs them regardless (Airflow, whose
    cosmos tasks run each model's tests)."""
    started = dt.datetime.now(dt.UTC)
    record = BuildRecord(
        build_id=started.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3), started_at=started.isoformat()
    )
    builds_dir(settings).mkdir(parents=True, exist_ok=True)
    staging = staging_path(settings)
    staging.unlink(missing_ok=True)
    pull(settings)  # with object storage, another machine may have published since
    current = current_path(settings)
    if current.exists() and not full_refresh:
        shutil.copyfile(current.resolve(), staging)
        record.incremental = True
    record.lake_snapshot = lake_snapshot(settings)
    record.code_fingerprint = code_fingerprint(settings)
    if reuse_unit_tests:
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
        stamp(staging, record)
        os.replace(staging, target)
        publish(settings, target)
        record.status = "published"
    save_record(settings, record)
    prune(settings)
    return record


def build(settings: Settings, full_refresh: bool = False) -> BuildRecord:
    """The whole build in this process: `safelake build`."""
    with build_lock(settings):
        record = start_build(settings, full_refresh)
        result = run_dbt(dbt_args(record), dbt_env(settings, staging_path(settings), record.lake_snapshot), settings)  # type: ignore[arg-type]
        _summarise(result, record)
        return finish_build(settings, record)


def require_success(record: BuildRecord, settings: Settings) -> None:
    if record.status != "published":
        served = published_build(settings) or "none"
        raise SafeLakeError(
            f"build {record.build_id} failed and was not published ({record.failures[0]}); "
            f"still serving build {served}; see {builds_dir(settings) / (record.build_id + '.json')}"
        )
