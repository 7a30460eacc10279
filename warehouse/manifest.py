"""The dbt manifest the Airflow DAG renders its tasks from (astronomer-cosmos, LoadMode.DBT_MANIFEST).

Rendering from a manifest keeps DAG parsing fast (no `dbt ls` at parse time). `dbt parse` writes it
once, and again whenever a file of the dbt project or the reference seeds is newer than it:
`python -m warehouse.manifest` (make up does this) and the build DAG's first task.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from safelake.errors import SafeLakeError
from safelake.reference import REFERENCE_DIR
from safelake.settings import Settings, get_settings
from warehouse.build import DBT_PROJECT, dbt_env, run_dbt
from warehouse.publish import dbt_target, staging_path

PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def manifest_path(settings: Settings) -> Path:
    """A fixed path under SAFELAKE_HOME: the DAG file computes it without touching the disk."""
    return settings.warehouse_dir / "dbt_manifest" / "manifest.json"


def _newest_input(settings: Settings) -> float:
    paths = [DBT_PROJECT / name for name in PROJECT_INPUTS] + [REFERENCE_DIR / settings.geography]
    newest = 0.0
    for path in paths:
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            newest = max([newest, *(p.stat().st_mtime for p in path.rglob("*") if p.is_file())])
    return newest


def is_stale(settings: Settings) -> bool:
    path = manifest_path(settings)
    return not path.exists() or path.stat().st_mtime < _newest_input(settings)


def write_manifest(settings: Settings, force: bool = False) -> Path:
    """`dbt parse` into a scratch target, then swap the manifest in with one rename (readers never
    see half a file). Nothing is connected: parsing needs only the profile's variables."""
    path = manifest_path(settings)
    if not force and not is_stale(settings):
        return path
    env = dbt_env(settings, staging_path(settings), 0)
    env.pop("SAFELAKE_LAKE_SNAPSHOT")
    result = run_dbt(["parse"], env, settings)
    produced = dbt_target(settings) / "manifest.json"
    if not result.success or not produced.exists():
        raise SafeLakeError(
            f"dbt parse failed ({result.exception or 'see ' + str(settings.warehouse_dir / 'dbt_logs')}); "
            f"fix the dbt project in {DBT_PROJECT} and run `python -m warehouse.manifest`"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    shutil.copyfile(produced, tmp)
    os.replace(tmp, path)
    return path


def main() -> None:
    try:
        path = write_manifest(get_settings(), force="--force" in sys.argv[1:])
    except SafeLakeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"dbt manifest: {path}")


if __name__ == "__main__":
    main()
