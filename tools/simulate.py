"""A national live feed for the stream (tooling, not shipped): `python -m tools.simulate`.

20,000 cameras (by default) send a heartbeat a minute; cameras fail (about two outages a month each, with causes)
and come back; whole sites go dark at once; 102 calls and incident reports follow a daily and weekly rhythm. A share
of the events is published twice (same event id), late (out of order) or malformed.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import heapq
import json
import math
import random
import sys
import time
import zlib
from dataclasses import dataclass, field

import nats

from safelake.errors import SafeLakeError
from safelake.reference import geography
from safelake.settings import get_settings
from stream.streams import ensure_streams, subject

CAUSES = ["power", "network", "hardware", "maintenance", "vandalism", "unknown"]
CATEGORIES = ["crime_in_progress", "violence", "domestic_violence", "road_incident", "theft", "fraud", "public_order"]
OFFENCES = ["assault", "theft", "robbery", "hooliganism", "burglary", "vehicle_crime"]
CALLS_PER_DAY = 4_000  # national 102 calls a day
CAMERAS_PER_SITE = 8
HOUR_WEIGHT = [0.4, 0.3, 0.25, 0.2, 0.2, 0.3, 0.5, 0.8, 1.0, 1.1, 1.1, 1.2, 1.2, 1.2, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7,
               1.6, 1.3, 1.0, 0.7]  # fmt: skip
WEEKDAY_WEIGHT = [0.9, 0.9, 0.95, 1.0, 1.15, 1.3, 1.2]


def stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def camera_event(camera: Camera, at: dt.datetime, kind: str, status: str, cause: str | None, n: int) -> dict:
    return {
        "event_id": f"{camera.camera_id}-{kind}-{n}",
        "camera_id": camera.camera_id,
        "sent_at": stamp(at),
        "kind": kind,
        "status": status,
        "cause": cause,
        "region_code": camera.region,
        "site_id": camera.site,
    }


def call_event(call_id: str, version: int, region: str, district: str, at: dt.datetime, rng: random.Random) -> dict:
    """The whole record of a call at its `version`th step: received, dispatched, arrived, closed."""
    received = at - dt.timedelta(minutes=[0, 3, 15, 60][version])
    status = ["received", "dispatched", "arrived", "closed"][version]
    # the card is entered 20-119 s after the answer, the same in every version of the call; the first version is
    # sent on the answer, before it
    intake = dt.timedelta(seconds=20 + zlib.crc32(call_id.encode()) % 100)
    return {
        "event_id": f"{call_id}-{version}",
        "call_id": call_id,
        "updated_at": stamp(at),
        "received_at": stamp(received),
        "created_at": stamp(received + intake) if version else None,
        "status": status,
        "priority": rng.choice(["urgent", "high", "normal", "normal", "low"]),
        "category": rng.choice(CATEGORIES),
        "region_code": region,
        "district_code": district,
        "unit_id": f"U-{region}-{rng.randrange(40):02d}" if version else None,
        "dispatched_at": stamp(received + dt.timedelta(minutes=3)) if version >= 1 else None,
        "arrived_at": stamp(received + dt.timedelta(minutes=15)) if version >= 2 else None,
        "closed_at": stamp(at) if version == 3 else None,
        "caller_phone": f"+99670{rng.randrange(10**7):07d}",
    }


def incident_event(incident_id: str, region: str, district: str, at: dt.datetime, rng: random.Random) -> dict:
    road = rng.random() < 0.3
    return {
        "event_id": f"{incident_id}-0",
        "incident_id": incident_id,
        "updated_at": stamp(at),
        "occurred_at": stamp(at - dt.timedelta(minutes=rng.randrange(5, 90))),
        "kind": "road" if road else "crime",
        "offence_code": None if road else rng.choice(OFFENCES),
        "incident_type": "collision" if road else None,
        "killed": 0 if road else None,
        "injured": rng.randrange(3) if road else None,
        "region_code": region,
        "district_code": district,
        "latitude": round(42.87 + rng.uniform(-2, 2), 5),
        "longitude": round(74.59 + rng.uniform(-4, 4), 5),
        "victim_name": None,
        "victim_phone": None,
    }


MALFORMED = {
    "not_json": lambda e: b"{not json",
    "bad_schema": lambda e: json.dumps(e | {"surprise": 1}).encode(),
    "unknown_code": lambda e: json.dumps(e | {"status": "exploded"}).encode(),
    "too_large": lambda e: json.dumps(e | {"cause": "x" * 20_000}).encode(),
    "future_date": lambda e: json.dumps(e | {"sent_at": "2999-01-01T00:00:00Z"}).encode(),
}


@dataclass
class Camera:
    camera_id: str
    region: str
    site: str
    status: str = "online"


@dataclass(order=True)
class Due:
    at: float
    payload: tuple = field(compare=False)


class Feed:
    """The events of a national feed second by second, from `start` (simulated time)."""

    def __init__(self, cameras: int, seed: int, start: dt.datetime, malformed: float = 0.0005, duplicates: float = 0.01,
                 late: float = 0.005):  # fmt: skip
        self.rng = random.Random(seed)
        geo = geography(get_settings().geography)
        districts = geo.districts.select("region_code", "district_code").rows()
        self.districts = districts
        self.cameras = []
        for i in range(cameras):
            region, _ = districts[(i // CAMERAS_PER_SITE) % len(districts)]
            self.cameras.append(Camera(f"CAM-{i:05d}", region, f"SITE-{i // CAMERAS_PER_SITE:04d}"))
        self.start, self.second = start, 0
        self.malformed, self.duplicates, self.late = malformed, duplicates, late
        self.delayed: list[Due] = []
        self.counter = 0
        self.calls: list[tuple[str, int, str, str]] = []

    def tick(self) -> list[tuple[str, bytes, str]]:
        """The (subject, payload, event id) published in the next simulated second."""
        now = self.start + dt.timedelta(seconds=self.second)
        out: list[tuple[str, dict]] = []
        rng = self.rng
        for camera in self.cameras[self.second % 60 :: 60]:
            if camera.status == "online":
                out.append(
                    (subject("camera_heartbeat", camera.region, "heartbeat"), self._camera(camera, now, "heartbeat"))
                )
        # about two outages a month per camera; a tenth of them take the whole site down
        for _ in range(self._poisson(len(self.cameras) * 2 / (30 * 86400))):
            first = rng.randrange(len(self.cameras))
            group = [self.cameras[first]]
            if rng.random() < 0.1:
                site = self.cameras[first].site
                group = [c for c in self.cameras[first - CAMERAS_PER_SITE : first + CAMERAS_PER_SITE] if c.site == site]
            cause = rng.choice(CAUSES)
            for camera in group:
                if camera.status == "online":
                    camera.status = "offline"
                    out.append(
                        (subject("camera_heartbeat", camera.region), self._camera(camera, now, "state_change", cause))
                    )
        for camera in rng.sample(self.cameras, min(len(self.cameras), self._poisson(len(self.cameras) / 20_000))):
            if camera.status == "offline":  # repairs: an outage lasts hours
                camera.status = "online"
                out.append((subject("camera_heartbeat", camera.region), self._camera(camera, now, "state_change")))
        local = now + dt.timedelta(hours=6)
        rate = CALLS_PER_DAY / 86400 * HOUR_WEIGHT[local.hour] * WEEKDAY_WEIGHT[local.weekday()]
        for _ in range(self._poisson(rate)):
            region, district = rng.choice(self.districts)
            self.counter += 1
            self.calls.append((f"C-{self.counter:08d}", 0, region, district))
        for i, (call_id, version, region, district) in enumerate(self.calls):
            if version == 0 or rng.random() < 1 / 300:
                out.append((subject("dispatch_call", region), call_event(call_id, version, region, district, now, rng)))
                if version == 1 and rng.random() < 0.3:
                    out.append((subject("incident_report", region),
                                incident_event(f"I-{call_id}", region, district, now, rng)))  # fmt: skip
                self.calls[i] = (call_id, version + 1, region, district)
        self.calls = [c for c in self.calls if c[1] < 4]
        self.second += 1
        return self._deliver(out, now)

    def _camera(self, camera: Camera, now: dt.datetime, kind: str, cause: str | None = None) -> dict:
        self.counter += 1
        return camera_event(camera, now, kind, camera.status, cause, self.counter)

    def _poisson(self, lam: float) -> int:
        n, p, limit = 0, 1.0, math.exp(-lam)
        while True:
            p *= self.rng.random()
            if p < limit:
                return n
            n += 1

    def _deliver(self, out: list[tuple[str, dict]], now: dt.datetime) -> list[tuple[str, bytes, str]]:
        rng, ready = self.rng, []
        for subj, event in out:
            payload = json.dumps(event).encode()
            roll = rng.random()
            if roll < self.malformed and subj.startswith("safelake.camera"):
                kind = rng.choice(sorted(MALFORMED))
                payload = MALFORMED[kind](event)
            elif roll < self.malformed + self.late:
                heapq.heappush(
                    self.delayed, Due(self.second + rng.randrange(5, 120), (subj, payload, event["event_id"]))
                )
                continue
            ready.append((subj, payload, event["event_id"]))
            if rng.random() < self.duplicates:
                ready.append((subj, payload, event["event_id"]))
        while self.delayed and self.delayed[0].at <= self.second:
            ready.append(heapq.heappop(self.delayed).payload)
        return ready


async def publish(js, events: list[tuple[str, bytes, str]]) -> None:
    """Publish with the event id as Nats-Msg-Id, waiting for the broker's acks in parallel."""
    await asyncio.gather(*(js.publish(s, p, headers={"Nats-Msg-Id": i}) for s, p, i in events))


async def main_async(args: argparse.Namespace) -> None:
    settings = get_settings()
    nc = await nats.connect(args.url or settings.nats_url)
    js = nc.jetstream()
    await ensure_streams(js, settings.stream_storage_gib)
    feed = Feed(args.cameras, args.seed, dt.datetime.now(dt.UTC))
    began, sent = time.monotonic(), 0
    while args.seconds is None or feed.second < args.seconds:
        events = feed.tick()
        await publish(js, events)
        sent += len(events)
        pause = began + feed.second / args.speed - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        if feed.second % 60 == 0:
            print(f"simulated {feed.second} s, published {sent} events", flush=True)
    await nc.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=None, help="simulated seconds to run (default: forever)")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per wall-clock second")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--url", default=None, help="NATS URL (default SAFELAKE_NATS_URL)")
    try:
        asyncio.run(main_async(parser.parse_args()))
    except SafeLakeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
