"""The live path in `safelake status`, the Data health page and the freshness alerts: lag, consumer liveness,
quarantine counts (by reason), cameras offline now; a silent stream, a growing lag and a stopped consumer raise
alerts."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from access import i18n
from ops.freshness import AlertKind, stream_alerts
from ops.status import stream_status
from safelake import lake
from safelake.settings import get_settings
from stream.streams import subject
from tests.conftest import Published
from tests.dashboards.test_dashboards import create_users, open_page
from tests.stream.feed import encoded, publish, wait_until_taken
from tools.simulate import MALFORMED, Camera, camera_event

pytestmark = pytest.mark.slow


def heartbeats(n: int, start: int, at: dt.datetime) -> list[tuple[str, dict]]:
    cameras = [Camera(f"OPS-{i}", "KG-C", f"S-{i // 4}") for i in range(8)]
    return [
        (
            subject("camera_heartbeat", "KG-C", "heartbeat"),
            camera_event(cameras[i % 8], at, "heartbeat", "online", None, start + i),
        )
        for i in range(n)
    ]


def wait_for(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_status_and_alerts_follow_the_stream(live):
    settings = live.settings(heartbeat_timeout=60)
    assert stream_alerts(settings, dt.datetime.now(dt.UTC)) == []  # no live path in use yet: nothing to say
    now = dt.datetime.now(dt.UTC)
    batch = encoded(heartbeats(40, 0, now - dt.timedelta(seconds=90)) + heartbeats(4, 100, now))
    good = camera_event(Camera("OPS-9", "KG-C", "S-9"), now, "heartbeat", "online", None, 999)
    batch += [(subject("camera_heartbeat", "KG-C", "heartbeat"), MALFORMED["not_json"](good), "bad-1")]
    asyncio.run(publish(live.broker.url, batch))
    consumer = live.consumer()
    wait_until_taken(settings, live.broker.url)
    wait_for(lambda: stream_status(settings)["streams"][0]["consumer_alive"])
    report = stream_status(settings)
    camera = report["streams"][0]
    assert (camera["stream"], camera["messages"], camera["lag"], camera["quarantined"]) == ("SAFELAKE_CAMERA", 45, 0, 1)
    # 4 cameras heard from just now, 4 silent for 90 s > 60 s: offline, on one site
    assert report["cameras_now"] == [
        {"region_code": "KG-C", "cameras": 8, "online": 4, "offline": 4, "silent": 4, "outages": 1}
    ]
    assert stream_alerts(settings, dt.datetime.now(dt.UTC)) == []

    consumer.send_signal(signal.SIGTERM)
    assert consumer.wait(30) == 0
    asyncio.run(publish(live.broker.url, encoded(heartbeats(10, 200, now))))
    wait_for(lambda: stream_status(settings)["streams"][0]["lag"] == 10)
    assert not stream_status(settings)["streams"][0]["consumer_alive"]
    alerts = {a.about: a for a in stream_alerts(settings, dt.datetime.now(dt.UTC))}
    assert set(alerts) == {"SAFELAKE_CAMERA:consumer"} and alerts["SAFELAKE_CAMERA:consumer"].kind == AlertKind.STREAM
    lagging = {a.about for a in stream_alerts(live.settings(stream_lag_alert=5), dt.datetime.now(dt.UTC))}
    assert lagging == {"SAFELAKE_CAMERA:lag"}
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    assert "SAFELAKE_CAMERA:silent" in {a.about for a in stream_alerts(settings, later)}

    shown = subprocess.run(
        [sys.executable, "-m", "ops", "status", "--json"], env=live.env, cwd=live.home, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["stream"]["streams"][0]["lag"] == 10


def table_with(at, column: str):
    [table] = [d.value for d in at.table if column in d.value.columns]
    return table


def test_data_health_shows_the_live_feeds_lag_loader_and_quarantine_by_reason(
    live, published: Published, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    home = tmp_path / "health-home"
    shutil.copytree(published.home, home)  # the published warehouse is shared read-only; the lake gets live rows
    live.home = home
    lake.relocate(live.settings())
    now = dt.datetime.now(dt.UTC)
    good = camera_event(Camera("OPS-9", "KG-C", "S-9"), now, "heartbeat", "online", None, 999)
    heartbeat = subject("camera_heartbeat", "KG-C", "heartbeat")
    batch = encoded(heartbeats(8, 0, now))
    batch += [(heartbeat, MALFORMED["not_json"](good), f"bad-{i}") for i in range(2)]
    batch += [(heartbeat, MALFORMED["too_large"](good), "big")]
    asyncio.run(publish(live.broker.url, batch))
    consumer = live.consumer()
    wait_until_taken(live.settings(), live.broker.url)
    wait_for(lambda: stream_status(live.settings())["streams"][0]["consumer_alive"])
    for name, value in live.env.items():
        if name.startswith("SAFELAKE_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("SAFELAKE_USERS_FILE", str(tmp_path / "users.yaml"))
    get_settings.cache_clear()
    create_users(tmp_path / "users.yaml")
    try:
        at = open_page("data_health")
        feeds = table_with(at, "Loader running")
        camera = feeds[feeds["Source"] == i18n.code("camera_heartbeat", "en")].iloc[0]
        assert (camera["Messages held by the broker"], camera["Not yet in the lake"]) == (11, 0)
        assert (camera["Loader running"], camera["Set aside (quarantine)"]) == ("yes", 3)
        assert pd.notna(camera["Last written to the lake"])
        [reasons] = [
            d.value for d in at.table if list(d.value.columns) == ["Source", "Reason", "Set aside (quarantine)"]
        ]
        assert list(zip(reasons["Reason"], reasons["Set aside (quarantine)"], strict=True)) == [
            (i18n.code("not_json", "en"), 2),
            (i18n.code("too_large", "en"), 1),
        ]

        consumer.send_signal(signal.SIGTERM)
        assert consumer.wait(30) == 0
        at = open_page("data_health", lang="ru")  # the loader stopped, and in Russian
        feeds = table_with(at, i18n.t("consumer_pulling", "ru"))
        assert feeds[i18n.t("consumer_pulling", "ru")].tolist() == [i18n.t("no", "ru")] * 3
        assert i18n.t("stream_quarantine", "ru") in [s.value for s in at.subheader]
    finally:
        get_settings.cache_clear()
