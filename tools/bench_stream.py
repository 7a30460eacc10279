"""`make bench-stream`: the live path against a floor, side by side in one run, on a real nats-server.

- Sustained: N heartbeats of 20,000 cameras wait in the stream; `safelake stream` drains them into the lake (validated,
  pseudonymised, folded, exactly once), then the floor drains the same messages: a bare nats-py pull consumer that
  inserts each message's subject and payload into a DuckDB table, acking after the insert, with no validation.
  Messages per second, and CPU seconds per message of each process (the cost ratio).
- Latency at national load: the simulated national feed (20,000 cameras, a heartbeat a minute, calls, incidents)
  at real speed, with a probe camera's heartbeat every half second; publish → visible through the access layer's
  live query (access/live.py), p50/p95.

Prints JSON lines and writes docs/bench-stream.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import platform
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import nats
import polars as pl
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import AckPolicy, ConsumerConfig

from access import live
from safelake.errors import SafeLakeError
from safelake.settings import Settings
from stream.health import health
from stream.streams import STREAMS, ensure_streams, subject
from tools.simulate import Camera, Feed, camera_event
from tools.simulate import publish as publish_events

REPO = Path(__file__).resolve().parents[1]
PII_KEY = "bench-key-0123456789abcdef"
NATIONAL_CAMERAS = 20_000
STORAGE_GIB = 4  # the streams' size limit here: far more than a run publishes, small enough for any disk
PUBLISH_GROUP = 1000  # publishes awaited together: more time out (5 s) on a busy machine


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_child(args: list[str], env: dict[str, str], done: Callable[[], bool], timeout: float) -> tuple[float, float]:
    """Run a child until `done()`; its wall seconds (start to done) and CPU seconds."""
    cpu = _children_cpu()
    started = time.monotonic()
    child = subprocess.Popen(args, env=env, cwd=env["SAFELAKE_HOME"], stdout=subprocess.DEVNULL)
    while not done():
        if time.monotonic() - started > timeout or child.poll() is not None:
            child.kill()
            raise RuntimeError(f"{args[-1]} did not finish in {timeout} s")
        time.sleep(0.05)
    wall = time.monotonic() - started
    child.send_signal(signal.SIGTERM)
    child.wait(60)
    return wall, _children_cpu() - cpu


async def _publish_backlog(url: str, n: int) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    await ensure_streams(js, STORAGE_GIB)
    cameras = [Camera(f"CAM-{i:05d}", "KG-C", f"SITE-{i // 8:04d}") for i in range(NATIONAL_CAMERAS)]
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    heartbeat = subject("camera_heartbeat", "KG-C", "heartbeat")
    for first in range(0, n, PUBLISH_GROUP):
        batch = []
        for i in range(first, min(n, first + PUBLISH_GROUP)):
            event = camera_event(cameras[i % NATIONAL_CAMERAS], start + dt.timedelta(milliseconds=i), "heartbeat",
                                 "online", None, i)  # fmt: skip
            batch.append((heartbeat, json.dumps(event).encode(), event["event_id"]))
        await publish_events(js, batch)
    await nc.close()


async def floor(url: str, database: str, expect: int) -> None:
    """The floor: pull, insert subject and payload into DuckDB, ack; no validation, no exactly-once ledger."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    con = duckdb.connect(database)
    con.execute("CREATE TABLE IF NOT EXISTS events (subject VARCHAR, payload VARCHAR)")
    config = ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, max_ack_pending=40_000)
    sub = await js.pull_subscribe("safelake.camera.>", durable="bench-floor", stream="SAFELAKE_CAMERA", config=config)
    taken = 0
    while taken < expect:
        try:
            msgs = await sub.fetch(batch=5000, timeout=0.5)
        except NatsTimeout:
            continue
        frame = pl.DataFrame({"subject": [m.subject for m in msgs], "payload": [m.data.decode() for m in msgs]})
        con.register("frame", frame)
        con.execute("INSERT INTO events SELECT * FROM frame")
        con.unregister("frame")
        for m in msgs:
            await m.ack()
        taken += len(msgs)
    await nc.flush()
    await nc.close()
    con.close()


def sustained(url: str, home: Path, n: int, env: dict[str, str]) -> dict[str, float]:
    asyncio.run(_publish_backlog(url, n))
    settings = Settings(home=home, pii_key=PII_KEY, nats_url=url)

    def ours_done() -> bool:
        found = health(settings)
        return any(s.last_commit for s in found.streams) and found.lag == 0

    wall, cpu = _run_child([sys.executable, "-m", "ops", "stream", "--quiet"], env, ours_done, 600)
    database = str(home / "floor.duckdb")
    marker = home / "floor.done"

    def floor_done() -> bool:
        return marker.exists()

    floor_args = [sys.executable, "-m", "tools.bench_stream", "--floor", database, "--expect", str(n),
                  "--marker", str(marker)]  # fmt: skip
    floor_wall, floor_cpu = _run_child(floor_args, env | {"SAFELAKE_NATS_URL": url}, floor_done, 600)
    return {
        "messages": n,
        "safelake_msgs_per_s": round(n / wall),
        "floor_msgs_per_s": round(n / floor_wall),
        "safelake_cpu_us_per_msg": round(cpu / n * 1e6, 1),
        "floor_cpu_us_per_msg": round(floor_cpu / n * 1e6, 1),
        "cost_ratio": round(cpu / floor_cpu, 2),
    }


def latency(url: str, home: Path, seconds: float, env: dict[str, str]) -> dict[str, float]:
    """National load at real speed with probes; publish → visible through access.live, p50/p95 (s)."""
    settings = Settings(home=home, pii_key=PII_KEY, nats_url=url)
    consumer = subprocess.Popen([sys.executable, "-m", "ops", "stream", "--quiet"], env=env, cwd=home,
                                stdout=subprocess.DEVNULL)  # fmt: skip
    published: dict[str, float] = {}
    seen: dict[str, float] = {}
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                con = live.connect(settings)
                rows = con.execute("SELECT event_id FROM cameras WHERE camera_id = 'PROBE'").fetchall()
                con.close()
            except (duckdb.Error, SafeLakeError):  # the consumer is still creating the lake
                time.sleep(0.1)
                continue
            now = time.monotonic()
            for (event_id,) in rows:
                seen.setdefault(event_id, now)
            time.sleep(0.02)

    async def feed() -> int:
        nc = await nats.connect(url)
        js = nc.jetstream()
        await ensure_streams(js, STORAGE_GIB)
        simulated = Feed(NATIONAL_CAMERAS, 7, dt.datetime.now(dt.UTC), malformed=0, duplicates=0, late=0)
        probe = Camera("PROBE", "KG-C", "PROBE")
        began, sent, n = time.monotonic(), 0, 0
        while time.monotonic() - began < seconds:
            events = simulated.tick()
            await publish_events(js, events)
            sent += len(events)
            for half in (0, 0.5):
                await asyncio.sleep(max(0.0, began + simulated.second - 1 + half - time.monotonic()))
                n += 1
                event = camera_event(probe, dt.datetime.now(dt.UTC), "heartbeat", "online", None, n)
                await js.publish(subject("camera_heartbeat", "KG-C", "heartbeat"), json.dumps(event).encode(),
                                 headers={"Nats-Msg-Id": event["event_id"]})  # fmt: skip
                published[event["event_id"]] = time.monotonic()
        await nc.close()
        return sent

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    sent = asyncio.run(feed())
    time.sleep(3)
    stop.set()
    watcher.join()
    consumer.send_signal(signal.SIGTERM)
    consumer.wait(60)
    # The probe's row is overwritten by the next probe: a probe never seen itself was superseded (committed with a
    # newer one, or within the poll interval). What a reader waits for is the probe or a newer one: a probe is
    # visible from the first moment it or any later probe was seen.
    order = list(published)  # publish order
    visible: dict[str, float] = {}
    first = math.inf
    for event_id in reversed(order):
        first = min(first, seen.get(event_id, math.inf))
        visible[event_id] = first
    counted = order[len(order) // 10 :]  # not the first tenth: the consumer starting and creating the lake
    delays = sorted(visible[e] - published[e] for e in counted if visible[e] < math.inf)
    return {
        "seconds": seconds,
        "msgs_per_s": round(sent / seconds),
        "probes": len(delays),
        "probes_superseded": sum(e not in seen for e in counted),
        # none seen: the consumer did not keep up within the run (a busy machine); no latency to report
        "p50_s": round(statistics.median(delays), 3) if delays else None,
        "p95_s": round(delays[int(0.95 * (len(delays) - 1))], 3) if delays else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000, help="the backlog drained (sustained rate)")
    parser.add_argument("--seconds", type=float, default=60, help="national load run (latency)")
    parser.add_argument("--floor", help=argparse.SUPPRESS)
    parser.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--marker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor:
        asyncio.run(floor(os.environ["SAFELAKE_NATS_URL"], args.floor, args.expect))
        Path(args.marker).touch()
        return
    server = shutil.which("nats-server") or "/usr/sbin/nats-server"
    with tempfile.TemporaryDirectory() as tmp:
        port = _port()
        url = f"nats://127.0.0.1:{port}"
        broker = subprocess.Popen([server, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", f"{tmp}/js"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(1)
        results = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        try:
            for name, run in (("sustained", sustained), ("national_latency", latency)):
                home = Path(tmp) / name
                home.mkdir()
                env = os.environ | {
                    "SAFELAKE_HOME": str(home),
                    "SAFELAKE_PII_KEY": PII_KEY,
                    "SAFELAKE_NATS_URL": url,
                    "SAFELAKE_STREAM_STORAGE_GIB": str(STORAGE_GIB),
                    "PYTHONPATH": str(REPO),
                }
                asyncio.run(_drop(url))
                size = args.messages if name == "sustained" else args.seconds
                results[name] = run(url, home, size, env)
                print(json.dumps({name: results[name]}), flush=True)
        finally:
            broker.terminate()
            broker.wait()
    national = results["national_latency"]["msgs_per_s"]
    results["goals"] = {
        "national_p95_le_2s": (results["national_latency"]["p95_s"] or float("inf")) <= 2,
        "sustained_ge_10x_national": results["sustained"]["safelake_msgs_per_s"] >= 10 * national,
        "cost_le_3x_floor": results["sustained"]["cost_ratio"] <= 3,
    }
    print(json.dumps({"goals": results["goals"]}))
    (REPO / "docs" / "bench-stream.json").write_text(json.dumps(results, indent=2) + "\n")


async def _drop(url: str) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    for stream in STREAMS:
        with contextlib.suppress(nats.js.errors.NotFoundError):
            await js.delete_stream(stream.name)
    await nc.close()


if __name__ == "__main__":
    main()
