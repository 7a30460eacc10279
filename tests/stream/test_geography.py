"""A live event lands in the lake with the geography of the stream (SAFELAKE_GEOGRAPHY), like a file's rows."""

from __future__ import annotations

import datetime as dt
import json

from safelake import lake
from safelake.settings import get_settings
from stream.consumer import Writer, open_lake
from stream.events import Message
from stream.streams import BY_DATASET, subject
from tools.simulate import Camera, camera_event


def test_a_live_event_carries_the_streams_geography(settings, monkeypatch):
    monkeypatch.setenv("SAFELAKE_GEOGRAPHY", "kz")
    get_settings.cache_clear()
    kz = get_settings()
    event = camera_event(Camera("KZ-CAM-1", "KZ-75", "S-1"), dt.datetime.now(dt.UTC), "heartbeat", "online", None, 1)
    message = Message(
        BY_DATASET["camera_heartbeat"].name,
        1,
        subject("camera_heartbeat", "KZ-75", "heartbeat"),
        json.dumps(event).encode(),
    )
    con = open_lake(kz)
    try:
        assert Writer(con, kz).commit([message]).written == 1
        assert lake.fetch_one(con, "SELECT region_code, _geography FROM lake.camera_heartbeat") == ("KZ-75", "kz")
    finally:
        con.close()
