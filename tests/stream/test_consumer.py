"""`safelake stream` against a real nats-server: exactly once through duplicates, SIGKILLs and a broker restart;
malformed messages quarantined with their reason; a state change that also comes in the VMS export counted once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from safelake import lake
from stream.streams import subject
from tests.stream.feed import encoded, events, expected, held, ledgered, publish, wait_until_taken
from tools.simulate import MALFORMED, Camera, camera_event

pytestmark = pytest.mark.slow


def test_every_event_is_in_the_lake_once_despite_duplicates(live):
    published = events(600, seed=1)
    batch = encoded(published)
    again = random.Random(2).sample(batch, 100)
    # The same event id again (the broker drops it) and the same event under a new id (past the broker's
    # window): neither may count twice.
    batch += again + [(s, p, f"{i}-resent") for s, p, i in again[:50]]
    asyncio.run(publish(live.broker.url, batch))
    consumer = live.consumer()
    taken = wait_until_taken(live.settings(), live.broker.url)
    assert taken == 650  # 600 events + 50 resent under new ids; the 100 same-id copies never entered the stream
    assert held(live.settings()) == expected(published)
    consumer.send_signal(signal.SIGTERM)
    assert consumer.wait(30) == 0


@pytest.mark.parametrize(
    "command", [["ops", "stream"], ["stream.ingress"], ["tools.simulate", "--seconds", "1"]], ids=lambda c: c[0]
)
def test_streams_the_broker_cannot_hold_are_refused_with_one_line(live, command):
    """The consumer, the HTTP ingress and the simulator each create the streams: each refuses in one line."""
    started = subprocess.run(
        [sys.executable, "-m", *command],
        env=live.env
        | {
            "SAFELAKE_STREAM_STORAGE_GIB": "100000",
            "SAFELAKE_INGRESS_TOKENS": '{"vms": "a-token-of-at-least-24-characters"}',
        },
        cwd=live.home,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 2
    assert started.stderr.strip() == (
        "error: stream SAFELAKE_CAMERA: the broker cannot reserve 66666.7 GiB of SAFELAKE_STREAM_STORAGE_GIB=100000 "
        "on its store; free disk there or set SAFELAKE_STREAM_STORAGE_GIB lower"
    )


def test_sigkill_at_random_moments_under_load_loses_and_duplicates_nothing(live):
    published = events(6000, seed=3)
    batch = encoded(published)

    def produce() -> None:  # publishing goes on while the consumer is killed and restarted
        for start in range(0, len(batch), 200):
            asyncio.run(publish(live.broker.url, batch[start : start + 200]))
            time.sleep(0.05)

    producing = ThreadPoolExecutor(1).submit(produce)
    rng = random.Random(4)
    kills = 0
    while kills < 10 or not producing.done():
        consumer = live.consumer()
        time.sleep(rng.uniform(0.5, 2.5))
        consumer.send_signal(signal.SIGKILL)
        consumer.wait()
        kills += 1
    producing.result()
    live.consumer()
    wait_until_taken(live.settings(), live.broker.url, timeout=120)
    assert kills >= 10
    assert held(live.settings()) == expected(published)
    con = lake.connect(live.settings(), read_only=True)
    runs = con.execute("SELECT stream, first_seq, last_seq FROM lake._stream_ledger ORDER BY 1, 2").fetchall()
    con.close()
    for (s1, _, last), (s2, first, _) in zip(runs, runs[1:], strict=False):
        assert s1 != s2 or first > last, "a stream sequence was committed twice"


def test_broker_restart_mid_stream_loses_nothing(live):
    published = events(3000, seed=5)
    batch = encoded(published)
    asyncio.run(publish(live.broker.url, batch[:1500]))
    live.consumer()
    deadline = time.monotonic() + 60
    while not ledgered(live.settings()):  # mid-stream: the consumer has committed some of the first half
        assert time.monotonic() < deadline, "the consumer took nothing"
        time.sleep(0.05)
    live.broker.stop()
    live.broker.start()
    asyncio.run(publish(live.broker.url, batch[1500:]))
    wait_until_taken(live.settings(), live.broker.url, timeout=120)
    assert held(live.settings()) == expected(published)


def test_each_kind_of_malformed_message_is_quarantined_with_its_reason(live):
    camera = Camera("BAD-1", "KG-C", "S-1")
    good = camera_event(camera, dt.datetime.now(dt.UTC), "heartbeat", "online", None, 0)
    heartbeat = subject("camera_heartbeat", "KG-C", "heartbeat")
    batch = [(heartbeat, make(good), kind) for kind, make in sorted(MALFORMED.items())]
    batch += [
        (heartbeat, json.dumps([good]).encode(), "list"),
        (heartbeat, json.dumps(good | {"region_code": "KG-B"}).encode(), "mismatch"),
        (heartbeat, json.dumps({k: v for k, v in good.items() if k != "camera_id"}).encode(), "missing"),
        (
            subject("dispatch_call", "KG-B"),
            json.dumps({"event_id": "x", "caller_phone": "+996700123456"}).encode(),
            "c",
        ),
        (heartbeat, json.dumps(good).encode(), "good"),
    ]
    asyncio.run(publish(live.broker.url, batch))
    live.consumer()
    wait_until_taken(live.settings(), live.broker.url)
    con = lake.connect(live.settings(), read_only=True)
    rows = con.execute(
        "SELECT file_name, line, reason, column_name, raw FROM lake._quarantine ORDER BY file_sha256 LIKE '%CALL', line"
    ).fetchall()
    in_lake = con.execute("SELECT camera_id FROM lake.camera_heartbeat").fetchall()
    con.close()
    reasons = [r[2] for r in rows]
    assert reasons == [
        "bad_schema",
        "future_date",
        "not_json",
        "too_large",
        "unknown_code",
        "bad_schema",
        "subject_mismatch",
        "missing",
        "missing",
    ]
    assert [r[1] for r in rows[:8]] == list(range(1, 9))  # the stream sequence of each
    assert {r[0] for r in rows[:8]} == {heartbeat}
    assert "+996700123456" not in rows[-1][4]  # personal data pseudonymised in the quarantine too
    assert in_lake == [("BAD-1",)]


def test_a_state_change_that_also_comes_in_the_vms_export_is_counted_once(live):
    from ingestion.pipeline import ingest

    at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    camera = Camera("VMS-1", "KG-C", "S-9")
    change = camera_event(camera, at, "state_change", "offline", "power", 1)
    asyncio.run(publish(live.broker.url, encoded([(subject("camera_heartbeat", "KG-C"), change)])))
    live.consumer()
    wait_until_taken(live.settings(), live.broker.url)
    export = live.home / "landing" / "camera_status" / "vms_status_1.jsonl"
    export.parent.mkdir(parents=True)
    rows = [
        {
            "device_id": "VMS-1",
            "ts": at.isoformat(),
            "type": "STATE_CHANGE",
            "state": "OFFLINE",
            "reason": "power_loss",
        },
        {
            "device_id": "VMS-1",
            "ts": (at + dt.timedelta(hours=1)).isoformat(),
            "type": "STATE_CHANGE",
            "state": "ONLINE",
        },
    ]
    export.write_text("".join(json.dumps(r) + "\n" for r in rows))
    [result] = ingest(live.settings())
    assert (result.inserted, result.duplicates) == (1, 1)
    con = lake.connect(live.settings(), read_only=True)
    count = con.execute("SELECT count(*) FROM lake.camera_status WHERE camera_id = 'VMS-1'").fetchone()[0]
    con.close()
    assert count == 2
