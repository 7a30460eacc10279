"""Events for the stream tests, what the lake must hold after them, and what it holds."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import time

import duckdb
import nats

from safelake import lake
from safelake.errors import SafeLakeError
from safelake.settings import Settings
from stream.streams import STREAMS, ensure_streams, subject
from tools.simulate import Camera, call_event, camera_event, incident_event

Event = tuple[str, dict]  # (subject, event)
STORAGE_GIB = 1  # SAFELAKE_STREAM_STORAGE_GIB in these tests: the broker's store must hold it on any test machine


def events(n: int, seed: int, start: dt.datetime | None = None) -> list[Event]:
    """`n` valid events of the three datasets: heartbeats and state changes of 40 cameras on 5 sites, calls in
    several versions (published out of order) and incidents."""
    rng = random.Random(seed)
    start = start or dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    cameras = [Camera(f"T-{seed}-{i:03d}", "KG-C", f"S-{i // 8}") for i in range(40)]
    out: list[Event] = []
    for i in range(n):
        at = start + dt.timedelta(seconds=i, microseconds=rng.randrange(1000) * 1000)
        roll = rng.random()
        if roll < 0.7:
            camera = rng.choice(cameras)
            kind = "heartbeat" if rng.random() < 0.8 else "state_change"
            status = "online" if kind == "heartbeat" else rng.choice(["online", "offline", "maintenance"])
            cause = None if status == "online" else rng.choice(["power", "network"])
            out.append((subject("camera_heartbeat", "KG-C", kind), camera_event(camera, at, kind, status, cause, i)))
        elif roll < 0.9:
            call_id = f"C-{seed}-{rng.randrange(30)}"
            event = call_event(call_id, rng.randrange(4), "KG-B", "KG-B-BAT", at, rng) | {"event_id": f"call-{i}"}
            out.append((subject("dispatch_call", "KG-B"), event))
        else:
            event = incident_event(f"I-{seed}-{rng.randrange(20)}", "KG-J", None, at, rng) | {"event_id": f"inc-{i}"}
            out.append((subject("incident_report", "KG-J"), event))
    return out


def expected(published: list[Event]) -> dict[str, set]:
    """The lake after `published`, each event once: the newest message per camera, call and incident (by time,
    then publication order), and every distinct camera state change."""
    newest: dict[str, dict] = {}
    changes = set()
    for order, (subj, e) in enumerate(published):
        dataset, key, version = (
            ("camera_heartbeat", e.get("camera_id"), "sent_at")
            if subj.startswith("safelake.camera")
            else ("dispatch_call", e.get("call_id"), "updated_at")
            if subj.startswith("safelake.call")
            else ("incident_report", e.get("incident_id"), "updated_at")
        )
        rank = (dt.datetime.fromisoformat(e[version]), order)
        if (dataset, key) not in newest or rank > newest[dataset, key][0]:
            newest[dataset, key] = (rank, e["event_id"])
        if dataset == "camera_heartbeat" and e["kind"] == "state_change":
            changes.add((e["camera_id"], dt.datetime.fromisoformat(e["sent_at"]), e["status"]))
    out: dict[str, set] = {"camera_heartbeat": set(), "dispatch_call": set(), "incident_report": set()}
    for (dataset, _), (_, event_id) in newest.items():
        out[dataset].add(event_id)
    out["camera_status"] = changes
    return out


def held(settings: Settings) -> dict[str, set]:
    """What the lake holds, in the shape of `expected`."""
    con = lake.connect(settings, read_only=True)
    try:
        out = {
            name: {r[0] for r in con.execute(f"SELECT event_id FROM lake.{name}").fetchall()}
            for name in ("camera_heartbeat", "dispatch_call", "incident_report")
        }
        out["camera_status"] = {
            (c, t.astimezone(dt.UTC), s)
            for c, t, s in con.execute("SELECT camera_id, status_at, status FROM lake.camera_status").fetchall()
        }
        counts = [
            r[0] for r in con.execute("SELECT count(*) FROM lake.camera_heartbeat GROUP BY camera_id").fetchall()
        ] + [r[0] for r in con.execute("SELECT count(*) FROM lake.dispatch_call GROUP BY call_id").fetchall()]
        assert set(counts) <= {1}, "a key is in the lake twice"
        return out
    finally:
        con.close()


async def publish(url: str, batch: list[tuple[str, bytes, str]]) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await ensure_streams(js, STORAGE_GIB)
    await asyncio.gather(*(js.publish(s, p, headers={"Nats-Msg-Id": i}) for s, p, i in batch))
    await nc.close()


def encoded(published: list[Event]) -> list[tuple[str, bytes, str]]:
    return [(s, json.dumps(e).encode(), e["event_id"]) for s, e in published]


async def stored(url: str) -> int:
    nc = await nats.connect(url)
    js = nc.jetstream()
    total = 0
    for stream in STREAMS:
        total += (await js.stream_info(stream.name)).state.messages
    await nc.close()
    return total


def ledgered(settings: Settings) -> int:
    """Stream messages the lake has taken (written or quarantined)."""
    try:
        con = lake.connect(settings, read_only=True)
    except (duckdb.Error, SafeLakeError):  # the consumer is still creating the lake
        return 0
    try:
        return con.execute("SELECT coalesce(sum(last_seq - first_seq + 1), 0) FROM lake._stream_ledger").fetchone()[0]
    except duckdb.CatalogException:  # nor its tables
        return 0
    finally:
        con.close()


def wait_until_taken(settings: Settings, url: str, timeout: float = 90) -> int:
    """Wait until the lake has taken every message the streams hold; their number."""
    total = asyncio.run(stored(url))
    deadline = time.monotonic() + timeout
    while ledgered(settings) < total:
        assert time.monotonic() < deadline, f"the lake took {ledgered(settings)} of {total} messages"
        time.sleep(0.2)
    assert ledgered(settings) == total
    return total
