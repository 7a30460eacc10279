"""How the live path is doing, for `safelake status`, the freshness alerts, the Live operations and Data health pages:
per stream, the messages the broker holds, the lag (messages not yet committed to the lake and acked), whether a
consumer is pulling, the lake's last commit from it, and its quarantined messages by reason."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import urllib.parse
from dataclasses import dataclass

import duckdb
import nats
from nats.js.errors import NotFoundError

from safelake import lake
from safelake.errors import SafeLakeError
from safelake.settings import Settings
from stream.consumer import DURABLE
from stream.events import source
from stream.streams import STREAMS


@dataclass(frozen=True)
class StreamHealth:
    stream: str
    dataset: str
    messages: int  # held by the broker (within the stream's limits)
    lag: int  # not yet committed and acked by the consumer
    consumer_alive: bool  # a `safelake stream` is pulling from it now
    last_commit: dt.datetime | None  # the lake's newest commit of this stream's messages
    quarantined_by_reason: dict[str, int]  # most first

    @property
    def quarantined(self) -> int:
        return sum(self.quarantined_by_reason.values())


@dataclass(frozen=True)
class Health:
    streams: list[StreamHealth]
    broker_error: str | None  # the broker could not be asked; the lake's side is still shown

    @property
    def lag(self) -> int:
        return sum(s.lag for s in self.streams)


def _listening(url: str, timeout: float) -> None:
    """Raise OSError unless one of the broker's addresses accepts a connection. nats-py keeps retrying a refused
    first connection until the timeout, even with reconnects off; a broker that is down refuses at once, and the
    pages that ask on every render should say so at once."""
    error: OSError | None = None
    for server in url.split(","):
        address = urllib.parse.urlsplit(server.strip() if "://" in server else f"nats://{server.strip()}")
        try:
            socket.create_connection((address.hostname or "127.0.0.1", address.port or 4222), timeout).close()
            return
        except OSError as exc:
            error = exc
    raise error or OSError(f"no broker address in {url!r}")


async def _broker(settings: Settings, timeout: float) -> dict[str, tuple[int, int, bool]]:
    async def quiet(exc: Exception) -> None:
        """The caller reports a broker that does not answer in one line, not a traceback per attempt."""

    _listening(settings.nats_url, timeout)
    nc = await asyncio.wait_for(
        nats.connect(
            settings.nats_url,
            connect_timeout=timeout,
            max_reconnect_attempts=0,
            allow_reconnect=False,
            error_cb=quiet,
        ),
        timeout,
    )
    try:
        js = nc.jetstream(timeout=timeout)
        found = {}
        for stream in STREAMS:
            try:
                info = await js.stream_info(stream.name)
            except NotFoundError:
                continue
            try:
                consumer = await js.consumer_info(stream.name, DURABLE)
            except NotFoundError:  # never consumed: everything it holds is lag
                found[stream.name] = (info.state.messages, info.state.messages, False)
                continue
            lag = (consumer.num_pending or 0) + (consumer.num_ack_pending or 0)
            found[stream.name] = (info.state.messages, lag, (consumer.num_waiting or 0) > 0)
        return found
    finally:
        await nc.close()


def _lake(settings: Settings) -> dict[str, tuple[dt.datetime | None, dict[str, int]]]:
    try:
        con = lake.connect(settings, read_only=True)
    except (duckdb.Error, SafeLakeError):  # no lake yet: nothing committed
        return {}
    try:
        commits = dict(con.execute("SELECT stream, max(committed_at) FROM lake._stream_ledger GROUP BY 1").fetchall())
        quarantined: dict[str, dict[str, int]] = {}
        for file, reason, count in con.execute(
            "SELECT file_sha256, reason, count(*) FROM lake._quarantine WHERE file_sha256 LIKE 'stream:%' "
            "GROUP BY 1, 2 ORDER BY 3 DESC, 2"
        ).fetchall():
            quarantined.setdefault(file, {})[reason] = count
    except duckdb.CatalogException:
        return {}
    finally:
        con.close()
    return {s.name: (commits.get(s.name), quarantined.get(source(s.name), {})) for s in STREAMS}


def health(settings: Settings, timeout: float = 2.0, if_used: bool = False) -> Health:
    """`if_used`: ask the broker only when the lake has taken stream messages before (the live path is in use)."""
    committed = _lake(settings)
    if if_used and not any(last for last, _ in committed.values()):
        return Health([], None)
    try:
        broker, error = asyncio.run(_broker(settings, timeout)), None
    except (OSError, TimeoutError, nats.errors.Error) as exc:
        broker, error = {}, f"the broker at {settings.nats_url} does not answer ({type(exc).__name__})"
    streams = []
    for s in STREAMS:
        messages, lag, alive = broker.get(s.name, (0, 0, False))
        last, quarantined = committed.get(s.name, (None, {}))
        streams.append(StreamHealth(s.name, s.dataset, messages, lag, alive, last, quarantined))
    return Health(streams, error)
