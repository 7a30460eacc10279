"""The live read (access/live.py) on live tables written by the consumer's own commit: the offline rule, outages of
a site counted once, the reader's scope, today's response times against the reference standard."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from access import live
from access.policy import Scope
from safelake.settings import Settings
from stream.consumer import Writer, open_lake
from stream.events import Message
from stream.streams import BY_DATASET, subject
from tests.conftest import PII_KEY
from tools.simulate import Camera, call_event, camera_event

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
def lake_with_live_rows(tmp_path: Path) -> Settings:
    settings = Settings(home=tmp_path / "home", pii_key=PII_KEY, heartbeat_timeout=120)
    cameras = [
        (Camera("C-1", "KG-C", "S-1"), NOW - dt.timedelta(seconds=30), "heartbeat", "online"),
        (Camera("C-2", "KG-C", "S-2"), NOW - dt.timedelta(seconds=200), "heartbeat", "online"),  # silent
        (Camera("C-3", "KG-C", "S-2"), NOW - dt.timedelta(seconds=300), "heartbeat", "online"),  # same site
        (Camera("B-1", "KG-B", "S-9"), NOW - dt.timedelta(seconds=10), "state_change", "offline"),  # reported
    ]
    rng = random.Random(1)
    events = [
        (subject("camera_heartbeat", c.region, kind), camera_event(c, at, kind, status, None, i))
        for i, (c, at, kind, status) in enumerate(cameras)
    ]
    received = NOW - dt.timedelta(minutes=20)
    for i, (region, version, category) in enumerate(
        [("KG-C", 2, "theft"), ("KG-C", 1, "domestic_violence"), ("KG-B", 3, "theft")]
    ):
        call = call_event(
            f"CALL-{i}", version, region, None, received + dt.timedelta(minutes=[0, 3, 15, 60][version]), rng
        )
        events.append((subject("dispatch_call", region), call | {"category": category}))
    writer = Writer(open_lake(settings), settings)
    messages = [
        Message(BY_DATASET[dataset].name, seq, subj, json.dumps(event).encode())
        for seq, (subj, event) in enumerate(events, 1)
        for dataset in [{"camera": "camera_heartbeat", "call": "dispatch_call"}[subj.split(".")[1]]]
    ]
    outcome = writer.commit(messages)
    writer.con.close()
    assert (outcome.written, outcome.quarantined) == (len(events), 0)
    return settings


def test_offline_now_by_region_a_site_once_and_within_the_scope(lake_with_live_rows):
    settings = lake_with_live_rows
    con = live.connect(settings)
    now = live.cameras_now(con, settings.heartbeat_timeout, NOW).set_index("region_code")
    assert now.loc["KG-C", ["cameras", "online", "offline", "silent", "outages"]].tolist() == [3, 1, 2, 2, 1]
    assert now.loc["KG-B", ["cameras", "online", "offline", "silent", "outages"]].tolist() == [1, 0, 1, 0, 1]
    # a longer timeout: the silent cameras are still online
    assert live.cameras_now(con, 600, NOW).set_index("region_code").loc["KG-C", "offline"] == 0
    con.close()
    chief = live.connect(settings, Scope("chief", "KG-B"))
    assert live.cameras_now(chief, settings.heartbeat_timeout, NOW)["region_code"].tolist() == ["KG-B"]
    assert live.open_calls(chief, NOW)["region_code"].tolist() == []  # KG-B's call is closed
    chief.close()


def test_open_calls_hide_domestic_violence_from_scopes_not_cleared_for_it(lake_with_live_rows):
    cleared = live.connect(lake_with_live_rows, Scope("national", None, cleared_for_sensitive=True))
    assert sorted(live.open_calls(cleared, NOW)["call_id"]) == ["CALL-0", "CALL-1"]
    cleared.close()
    analyst = live.connect(lake_with_live_rows, Scope("analyst", None, cleared_for_sensitive=False))
    assert live.open_calls(analyst, NOW)["call_id"].tolist() == ["CALL-0"]
    analyst.close()


def test_todays_response_times_against_the_standard(lake_with_live_rows):
    con = live.connect(lake_with_live_rows)
    times = live.response_times(con, lake_with_live_rows, NOW).set_index("region_code")
    con.close()
    assert times.loc["KG-B", ["calls", "dispatch_p50", "arrival_p90"]].tolist() == [1, 3.0, 15.0]
    assert times.loc["KG-B", ["dispatch_standard", "arrival_standard"]].tolist() == [5.0, 30.0]
    assert times.loc["KG-C", "calls"] == 2


def test_an_instance_of_another_geography_sees_none_of_these_live_rows(lake_with_live_rows):
    """One lake may hold two countries' streams: each instance's live pages show its own."""
    other = live.connect(lake_with_live_rows.model_copy(update={"geography": "kz"}))
    assert live.cameras_now(other, 120, NOW).empty and live.open_calls(other, NOW).empty
    other.close()


def test_the_simulated_calls_carry_the_intake_step(lake_with_live_rows):
    """The simulator sends when the card was entered (answered → entered → dispatched), as the dispatch system does."""
    con = live.connect(lake_with_live_rows, Scope("national", None, cleared_for_sensitive=True))
    entered = con.execute(
        "SELECT count(*) FROM calls WHERE created_at BETWEEN received_at AND dispatched_at"
    ).fetchone()
    con.close()
    assert entered == (3,)
