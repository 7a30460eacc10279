"""A SAFELAKE_HOME moved or restored elsewhere: every command says what to do in one line, and `safelake relocate`
brings the lake back with every row."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

from safelake import lake
from safelake.reference import REFERENCE_DIR
from safelake.settings import Settings
from tests.conftest import PII_KEY
from tools.demo import generate

CLI = [sys.executable, "-m", "ops"]


def _rows(settings: Settings) -> int:
    con = lake.connect(settings, read_only=True)
    try:
        return lake.fetch_one(con, "SELECT count(*) FROM lake.crime_report")[0]
    finally:
        con.close()


def test_a_moved_home_is_one_line_then_relocated(tmp_path: Path) -> None:
    from ingestion.pipeline import ingest

    old = Settings(home=tmp_path / "old", pii_key=PII_KEY)
    generate(old.landing, dt.date(2026, 3, 1), 2, 30, 3, REFERENCE_DIR / "kg")
    ingest(old)
    before = _rows(old)
    shutil.move(tmp_path / "old", tmp_path / "new")
    env = os.environ | {"SAFELAKE_HOME": str(tmp_path / "new"), "SAFELAKE_PII_KEY": PII_KEY}
    for command in ("status", "ingest"):
        done = subprocess.run([*CLI, command], env=env, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "run `safelake relocate`" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    subprocess.run([*CLI, "relocate"], env=env, check=True, capture_output=True, cwd=tmp_path)
    assert subprocess.run([*CLI, "status"], env=env, capture_output=True, cwd=tmp_path).returncode == 0
    assert _rows(Settings(home=tmp_path / "new", pii_key=PII_KEY)) == before > 0
