"""A camera's last-seen advances with each heartbeat: `stream.consumer.run` in this process, against the real broker,
with the library's fetch raising the bare TimeoutError it raises now and then when a fetch ends idle (its probe's
"request timeout" answer arriving just before its own deadline: about one idle fetch in 60 on a busy machine). That
TimeoutError used to end the stream's puller silently, so the consumer took nothing more while it looked alive."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from nats.js.client import JetStreamContext

from safelake import lake
from stream.consumer import open_lake, run
from stream.streams import subject
from tests.stream.conftest import Live
from tests.stream.feed import encoded, publish
from tools.simulate import Camera, camera_event

pytestmark = pytest.mark.slow

CAMERA = Camera("SEEN-1", "KG-C", "S-1")


def last_seen(live: Live) -> dt.datetime | None:
    con = lake.connect(live.settings(), read_only=True)
    try:
        row = con.execute("SELECT max(sent_at) FROM lake.camera_heartbeat WHERE camera_id = ?", [CAMERA.camera_id])
        return row.fetchone()[0]
    finally:
        con.close()


async def heartbeat(live: Live, at: dt.datetime, n: int) -> None:
    event = camera_event(CAMERA, at, "heartbeat", "online", None, n)
    await publish(live.broker.url, encoded([(subject("camera_heartbeat", "KG-C", "heartbeat"), event)]))


async def seen(live: Live, at: dt.datetime, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(last_seen, live) == at:
            return True
        await asyncio.sleep(0.1)
    return False


def test_a_later_heartbeat_advances_last_seen_after_an_idle_fetch_timed_out(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch = JetStreamContext.PullSubscription.fetch
    calls = 0

    async def now_and_then_bare_timeout(self, *args, **kwargs):
        nonlocal calls
        calls += 1
        if calls % 5 == 0:
            raise TimeoutError
        return await fetch(self, *args, **kwargs)

    monkeypatch.setattr(JetStreamContext.PullSubscription, "fetch", now_and_then_bare_timeout)
    t1 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=2)
    t2 = t1 + dt.timedelta(minutes=1)

    open_lake(live.settings()).close()  # created before anyone polls it

    async def scenario() -> tuple[bool, bool]:
        await heartbeat(live, t1, 1)  # before the consumer, whose start blocks this loop (the lake's creation)
        stop = asyncio.Event()
        consumer = asyncio.create_task(run(live.settings(), stop))
        first = await seen(live, t1)
        await asyncio.sleep(3)  # idle fetches, some of which time out bare
        await heartbeat(live, t2, 2)
        second = await seen(live, t2)
        stop.set()
        await asyncio.wait_for(consumer, 30)
        return first, second

    first, second = asyncio.run(scenario())
    assert first
    assert second, "the later heartbeat never reached the lake: the consumer stopped taking messages"


def test_a_puller_that_dies_ends_the_consumer_with_its_error(live: Live, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(self, *args, **kwargs):
        raise RuntimeError("the library broke")

    monkeypatch.setattr(JetStreamContext.PullSubscription, "fetch", broken)
    open_lake(live.settings()).close()

    async def scenario() -> None:
        await asyncio.wait_for(run(live.settings(), asyncio.Event()), 30)

    with pytest.raises(RuntimeError, match="the library broke"):  # not alive and deaf: a supervisor restarts it
        asyncio.run(scenario())
