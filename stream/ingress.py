"""The HTTP ingress for systems that cannot speak NATS: `POST /v1/<dataset>` a JSON array of events.

Each source has its own token (`Authorization: Bearer <token>`, SAFELAKE_INGRESS_TOKENS); a request is refused
whole, with one line saying what is wrong and what to do, when its token is unknown (401), the dataset unknown
(404), the body or the batch too big (413), the body not a JSON array of events each with an `event_id` and a
known `region_code` (400), or the source over its rate (429, with Retry-After). An accepted batch is published
into JetStream with each event id as `Nats-Msg-Id` before the answer (202): a batch sent again after a timeout
or a 503 is dropped by the broker's duplicate window, and merged by key in the lake after it. Everything else
about an event (types, codes, times) is the consumer's to check: a bad event is quarantined, never lost.

Served by uvicorn: `python -m stream.ingress` (started by `make up`).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import math
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import nats
from nats.js import JetStreamContext
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from safelake.errors import SafeLakeError
from safelake.reference import geography
from safelake.settings import Settings, get_settings
from stream.streams import BY_DATASET, ensure_streams, subject


class Refused(Exception):
    def __init__(self, status: int, line: str, headers: dict[str, str] | None = None):
        super().__init__(line)
        self.status, self.line, self.headers = status, line, headers or {}


@dataclass
class Bucket:
    """A source's token bucket: `rate` events a second, up to `capacity` at once."""

    rate: float
    capacity: float
    tokens: float
    at: float

    def take(self, n: int, now: float) -> float:
        """Take `n` events' worth; 0 if taken, else the seconds to wait before they would be."""
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if n <= self.tokens:
            self.tokens -= n
            return 0.0
        return (n - self.tokens) / self.rate


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def parse_batch(body: bytes, regions: set[str], max_batch: int) -> list[dict[str, Any]]:
    """The events of a request body, or Refused with the first thing wrong."""
    try:
        events = json.loads(body, parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise Refused(400, "the body is not UTF-8 text; send a JSON array of events in UTF-8") from None
    except ValueError as exc:
        raise Refused(400, f"the body is not JSON ({exc}); send a JSON array of events") from None
    if not isinstance(events, list):
        raise Refused(400, f"the body is a JSON {type(events).__name__}; send a JSON array of events")
    if not events:
        raise Refused(400, "the batch is empty; send a JSON array of one or more events")
    if len(events) > max_batch:
        raise Refused(413, f"{len(events)} events in one request; send at most {max_batch} a request")
    for i, event in enumerate(events):
        if not isinstance(event, dict):
            raise Refused(400, f"event {i} is a JSON {type(event).__name__}; each event must be a JSON object")
        event_id = event.get("event_id")
        if not isinstance(event_id, str) or not event_id.strip():
            raise Refused(400, f"event {i} has no event_id; give each event a unique string event_id")
        if event.get("region_code") not in regions:
            raise Refused(
                400,
                f"event {i} ({event_id}): region_code {event.get('region_code')!r} is not a known region; "
                "use its ISO 3166-2 code (e.g. KG-C)",
            )
    return events


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"the body is {int(declared)} bytes; send at most {limit} bytes a request")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(413, f"the body is over {limit} bytes; send at most {limit} bytes a request")
    return bytes(body)


def create_app(settings: Settings) -> Starlette:
    """The ingress app; it connects to the broker when it starts serving."""
    if not settings.ingress_tokens:
        raise SafeLakeError(
            "SAFELAKE_INGRESS_TOKENS is not set: the ingress takes events only from known sources. "
            'Set it (in the environment or .env) to a JSON object of source → token, e.g. \'{"dispatch": "<24+ '
            "random characters>\"}'"
        )
    tokens = {source: token.get_secret_value().encode() for source, token in settings.ingress_tokens.items()}
    regions = set(geography(settings.geography).regions["region_code"].to_list())
    capacity = max(settings.ingress_rate, settings.ingress_max_batch)
    buckets: dict[str, Bucket] = {}
    broker: dict[str, JetStreamContext] = {}

    def source_of(request: Request) -> str:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and given:
            for source, token in tokens.items():
                if hmac.compare_digest(token, given.strip().encode()):
                    return source
        raise Refused(401, "missing or unknown token; send 'Authorization: Bearer <your source's token>'")

    async def post(request: Request) -> Response:
        try:
            source = source_of(request)
            dataset = request.path_params["dataset"]
            if dataset not in BY_DATASET:
                raise Refused(404, f"unknown dataset {dataset!r}; post to /v1/{'|'.join(BY_DATASET)}")
            events = parse_batch(
                await _body(request, settings.ingress_max_body_bytes), regions, settings.ingress_max_batch
            )
            now = time.monotonic()
            bucket = buckets.setdefault(source, Bucket(settings.ingress_rate, capacity, capacity, now))
            wait = bucket.take(len(events), now)
            if wait:
                raise Refused(
                    429,
                    f"source {source} is over {settings.ingress_rate:g} events/s; retry after {math.ceil(wait)} s",
                    {"Retry-After": str(math.ceil(wait))},
                )
            js = broker["js"]
            try:
                acks = await asyncio.gather(
                    *(
                        js.publish(
                            subject(dataset, e["region_code"], e.get("kind")),
                            json.dumps(e, ensure_ascii=False).encode(),
                            headers={"Nats-Msg-Id": e["event_id"]},
                        )
                        for e in events
                    )
                )
            except nats.errors.Error as exc:
                raise Refused(503, f"the broker did not take the batch ({type(exc).__name__}); send it again") from None
        except Refused as refused:
            return PlainTextResponse(refused.line + "\n", refused.status, refused.headers)
        duplicates = sum(1 for ack in acks if ack.duplicate)
        return JSONResponse({"accepted": len(events) - duplicates, "duplicates": duplicates}, 202)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async def broker_error(exc: Exception) -> None:
            print(f"ingress: broker {settings.nats_url}: {type(exc).__name__} {exc}", file=sys.stderr, flush=True)

        nc = await nats.connect(
            settings.nats_url,
            name="safelake-ingress",
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            error_cb=broker_error,
        )
        broker["js"] = nc.jetstream()
        await ensure_streams(broker["js"], settings.stream_storage_gib)
        try:
            yield
        finally:
            await nc.close()

    return Starlette(routes=[Route("/v1/{dataset}", post, methods=["POST"])], lifespan=lifespan)


async def _streams_ready(settings: Settings) -> None:
    """Before serving: the streams exist and fit the broker's store, else one line and no server (inside the
    app's startup, uvicorn would print a traceback)."""
    nc = await nats.connect(settings.nats_url, name="safelake-ingress")
    try:
        await ensure_streams(nc.jetstream(), settings.stream_storage_gib)
    finally:
        await nc.close()


def main() -> None:
    import uvicorn

    try:
        settings = get_settings()
        app = create_app(settings)
        asyncio.run(_streams_ready(settings))
    except SafeLakeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    uvicorn.run(app, host=settings.ingress_host, port=settings.ingress_port, log_level="warning")


if __name__ == "__main__":
    main()
