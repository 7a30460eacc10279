"""The production stack as processes on loopback, started once per session: PostgreSQL (catalog), an S3 server
(the lake's Parquet, the published builds), Redis (Celery's broker). Each test takes a lake of its own on it."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from safelake.settings import Settings
from tests.conftest import PII_KEY, local_today
from tools import services

DEMO_DAYS, DEMO_CAMERAS = 45, 150


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[services.Stack]:
    with services.stack(tmp_path_factory.mktemp("stack")) as running, pytest.MonkeyPatch.context() as patch:
        patch.setenv("PGPASSWORD", running.postgres.password)  # libpq's, for the in-process connections
        yield running


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small demo exports, shared read-only: copy them into a landing/ before ingesting."""
    from safelake.reference import REFERENCE_DIR
    from tools.demo import generate

    landing = tmp_path_factory.mktemp("demo") / "landing"
    generate(landing, local_today() - dt.timedelta(days=DEMO_DAYS), DEMO_DAYS, DEMO_CAMERAS, 7, REFERENCE_DIR / "kg")
    return landing


def demo_files(demo: Path) -> list[Path]:
    return sorted(p.relative_to(demo) for p in demo.rglob("*") if p.is_file())


def land(demo: Path, files: list[Path], home: Path) -> None:
    for name in files:
        (home / "landing" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(demo / name, home / "landing" / name)


def run_env(home: Path, lake_env: dict[str, str] | None = None) -> dict[str, str]:
    """A `safelake` process's environment: this machine's home, and the shared lake's settings if any."""
    return {**os.environ, "SAFELAKE_HOME": str(home), "SAFELAKE_PII_KEY": PII_KEY, **(lake_env or {})}


def safelake(args: list[str], env: dict[str, str], cwd: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ops", *args], env=env, cwd=cwd, **kwargs)


def settings_of(env: dict[str, str]) -> Settings:
    """The settings a process with this environment reads."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            if name.startswith("SAFELAKE_"):
                patch.setenv(name, value)
        return Settings()


@pytest.fixture(scope="session")
def embedded(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The same demo data through the embedded default (SQLite catalog, local disk), ingested and built."""
    from ingestion.pipeline import ingest
    from warehouse.build import build

    home = tmp_path_factory.mktemp("embedded") / "home"
    land(demo, demo_files(demo), home)
    settings = Settings(home=home, pii_key=PII_KEY)
    ingest(settings)
    record = build(settings)
    assert record.status == "published", record.failures
    return settings
