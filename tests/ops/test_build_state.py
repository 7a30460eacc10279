"""A build record that says "running" with no builder alive is reported abandoned, in status and as an alert."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest

from ops import freshness
from ops.status import build_state
from safelake import lake
from warehouse.publish import BuildRecord, save_record

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)

# `safelake build` as far as the state goes: holds the build lock, writes a running record, then works on.
BUILDER = """
import sys, time
from safelake.locks import build_lock
from safelake.settings import get_settings
from warehouse.publish import BuildRecord, builds_dir, save_record
settings = get_settings()
with build_lock(settings):
    builds_dir(settings).mkdir(parents=True, exist_ok=True)
    save_record(settings, BuildRecord(build_id=sys.argv[1], started_at=sys.argv[2]))
    print("building", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def builder(settings):
    """A live builder of build `b1`, started a minute before NOW; killed by the test or at its end."""
    record = BuildRecord(build_id="20261123T115900-aaaaaa", started_at=(NOW - dt.timedelta(minutes=1)).isoformat())
    proc = subprocess.Popen(
        [sys.executable, "-c", BUILDER, record.build_id, record.started_at], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "building\n"
    # the lock was taken just now, after the record's start time as written: put the start after it
    lock = settings.warehouse_dir / "build.lock"
    os.utime(lock, (NOW.timestamp() - 120, NOW.timestamp() - 120))
    yield proc, record
    proc.kill()
    proc.wait()


def alert_keys(settings) -> list[str]:
    return [a.key for a in freshness.build_alerts(settings, NOW)]


def test_a_live_build_is_running_and_raises_no_alert(settings, builder):
    _, record = builder
    assert build_state(settings, record, NOW) == "running"
    assert alert_keys(settings) == []


def test_a_killed_build_is_abandoned_at_once(settings, builder):
    proc, record = builder
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert build_state(settings, record, NOW) == "abandoned"
    alerts = freshness.build_alerts(settings, NOW)
    assert [a.key for a in alerts] == [f"build:{record.build_id}"]
    assert "was abandoned" in alerts[0].message and "run `safelake build`" in alerts[0].message


def test_a_build_that_ended_normally_releases_the_lock_clean(settings):
    from safelake.locks import build_lock, build_lock_path, lock_state

    with build_lock(settings):
        assert lock_state(build_lock_path(settings)) == "held"
    assert lock_state(build_lock_path(settings)) == "free"


def test_a_scheduler_build_is_abandoned_only_after_the_stale_hours(settings):
    """Airflow's tasks do not hold the lock between them: a running record without a lock is trusted
    until SAFELAKE_WAREHOUSE_STALE_HOURS (26 h by default) have passed since it started."""
    (settings.warehouse_dir / "builds").mkdir(parents=True)
    record = BuildRecord(build_id="20261123T100000-bbbbbb", started_at=(NOW - dt.timedelta(hours=2)).isoformat())
    save_record(settings, record)
    assert build_state(settings, record, NOW) == "running"
    assert alert_keys(settings) == []
    later = NOW + dt.timedelta(hours=settings.warehouse_stale_hours)
    assert build_state(settings, record, later) == "abandoned"
    assert [a.key for a in freshness.build_alerts(settings, later)] == [f"build:{record.build_id}"]


def test_status_reports_a_killed_build_as_abandoned(settings, builder):
    from typer.testing import CliRunner

    from ops.cli import app

    con = lake.connect(settings)
    lake.ensure_tables(con)
    con.close()
    proc, record = builder
    proc.kill()
    proc.wait()
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert f"last build {record.build_id}: abandoned" in " ".join(result.output.split())
