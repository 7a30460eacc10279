"""`safelake stream`: a durable pull consumer per stream, group-committing into the lake exactly once.

Each commit writes the messages' rows, their quarantined messages and the runs of stream sequences they had in one
DuckLake transaction, and only then acks them. A crash before the commit leaves the messages unacked: the broker
redelivers them. A crash after it and before the acks: they come again, their sequences are in the ledger, and they
are acked without being written twice.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import nats
import polars as pl
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig

from safelake import lake
from safelake.contracts import Contract, load_contracts
from safelake.locks import lake_lock
from safelake.reference import geography
from safelake.settings import Settings
from stream.events import Message, check, source
from stream.streams import BY_NAME, STREAMS, ensure_streams

DURABLE = "safelake-lake"
COMMIT_AUTHOR = "safelake stream"  # on each commit's lake snapshot: lake_maintenance thins these out
LIVE_TABLES = ("camera_heartbeat", "dispatch_call", "incident_report")
FETCH = 5000  # messages asked for at once per stream


@dataclass
class Ledger:
    """The stream sequences already in the lake, per stream, as sorted disjoint runs [first, last]."""

    runs: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> Ledger:
        ledger = cls()
        for stream, first, last in con.execute(
            "SELECT stream, first_seq, last_seq FROM lake._stream_ledger ORDER BY stream, first_seq"
        ).fetchall():
            ledger.add(stream, [(first, last)])
        return ledger

    def has(self, stream: str, seq: int) -> bool:
        runs = self.runs.get(stream, [])
        i = bisect.bisect_right(runs, (seq, float("inf"))) - 1
        return i >= 0 and runs[i][0] <= seq <= runs[i][1]

    def add(self, stream: str, new: list[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for first, last in sorted(self.runs.get(stream, []) + new):
            if merged and first <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], last))
            else:
                merged.append((first, last))
        self.runs[stream] = merged


def runs_of(seqs: list[int]) -> list[tuple[int, int]]:
    """Sequence numbers as runs of consecutive numbers."""
    runs: list[tuple[int, int]] = []
    for seq in sorted(set(seqs)):
        if runs and seq == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], seq)
        else:
            runs.append((seq, seq))
    return runs


def open_lake(settings: Settings) -> duckdb.DuckDBPyConnection:
    con = lake.connect(settings)
    with lake_lock(settings):
        lake.ensure_tables(con)
        for table in LIVE_TABLES:
            con.execute(
                "CALL lake.set_option('data_inlining_row_limit', ?, table_name => ?)",
                [settings.stream_inline_rows, table],
            )
    return con


def _lineage(frame: pl.DataFrame, stream: str, now: dt.datetime, geography: str) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(source(stream)).alias("_file_sha256"),
        pl.col("_seq").alias("_line"),
        pl.col("_subject").alias("_profile"),
        pl.lit(now).alias("_ingested_at"),
        pl.lit(geography).alias("_geography"),
    ).drop("_seq", "_subject")


def _merge_newest(con: duckdb.DuckDBPyConnection, contract: Contract, rows: pl.DataFrame) -> None:
    """Upsert the newest version of each key (by version, then stream sequence); an older or equal version
    than the lake's changes nothing, so a copy of an event is never counted twice."""
    key, version = list(contract.key), contract.version
    newest = rows.sort(version, "_line").unique(subset=key, keep="last")
    con.register("incoming", newest)
    on = " AND ".join(f"t.{k} = s.{k}" for k in key)
    columns = [c for c in newest.columns if c not in key]
    update = ", ".join(f'"{c}" = s."{c}"' for c in columns)
    con.execute(
        f"MERGE INTO lake.{contract.name} t USING incoming s ON {on} "
        f"WHEN MATCHED AND s.{version} > t.{version} THEN UPDATE SET {update} "
        "WHEN NOT MATCHED THEN INSERT BY NAME"
    )
    con.unregister("incoming")


def _insert_state_changes(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> None:
    """Camera state changes into camera_status under the daily VMS export's key, unless already there."""
    changes = (
        rows.filter(pl.col("kind") == "state_change")
        .select(
            "camera_id", pl.col("sent_at").alias("status_at"), "kind", "status", "cause", pl.selectors.starts_with("_")
        )
        .unique(subset=["camera_id", "status_at", "kind"], keep="first", maintain_order=True)
    )
    if changes.height == 0:
        return
    con.register("changes", changes)
    con.execute(
        "INSERT INTO lake.camera_status BY NAME SELECT c.* FROM changes c ANTI JOIN ("
        "  SELECT camera_id, status_at, kind FROM lake.camera_status WHERE status_at BETWEEN ? AND ?"
        ") t USING (camera_id, status_at, kind)",
        [changes["status_at"].min(), changes["status_at"].max()],
    )
    con.unregister("changes")


@dataclass
class Outcome:
    written: int = 0
    quarantined: int = 0
    redelivered: int = 0  # already in the lake: acked only


class Writer:
    """Turns batches of messages into lake commits; one per batch."""

    def __init__(self, con: duckdb.DuckDBPyConnection, settings: Settings):
        self.con, self.settings = con, settings
        self.geo = geography(settings.geography)
        self.key = settings.require_pii_key()
        self.ledger = Ledger.read(con)

    def commit(self, messages: list[Message]) -> Outcome:
        outcome = Outcome()
        fresh: dict[tuple[str, int], Message] = {}
        for m in messages:
            if self.ledger.has(m.stream, m.seq) or (m.stream, m.seq) in fresh:
                outcome.redelivered += 1
            else:
                fresh[m.stream, m.seq] = m
        if not fresh:
            return outcome
        now = dt.datetime.now(dt.UTC)
        contracts = load_contracts()
        by_stream: dict[str, list[Message]] = {}
        for m in fresh.values():
            by_stream.setdefault(m.stream, []).append(m)
        checked = {
            stream: check(
                found,
                contracts[BY_NAME[stream].dataset],
                self.geo,
                self.key,
                self.settings.timezone,
                now,
                self.settings.stream_max_event_bytes,
            )
            for stream, found in by_stream.items()
        }
        con = self.con
        with lake_lock(self.settings), lake.transaction(con):
            con.execute("CALL lake.set_commit_message(?, 'stream commit')", [COMMIT_AUTHOR])
            for stream, result in checked.items():
                contract = contracts[BY_NAME[stream].dataset]
                if result.valid.height:
                    rows = _lineage(result.valid, stream, now, self.settings.geography)
                    _merge_newest(con, contract, rows)
                    if contract.name == "camera_heartbeat":
                        _insert_state_changes(con, rows)
                if result.quarantine.height:
                    con.register("bad", result.quarantine)
                    con.execute(
                        "INSERT INTO lake._quarantine BY NAME SELECT *, ? AS quarantined_at, ? AS geography FROM bad",
                        [now, self.settings.geography],
                    )
                    con.unregister("bad")
                outcome.written += result.valid.height
                outcome.quarantined += result.quarantine.height
            ledger = pl.DataFrame(
                [
                    (s, first, last, now)
                    for s, found in by_stream.items()
                    for first, last in runs_of([m.seq for m in found])
                ],
                schema={
                    "stream": pl.String,
                    "first_seq": pl.Int64,
                    "last_seq": pl.Int64,
                    "committed_at": pl.Datetime("us", "UTC"),
                },
                orient="row",
            )
            con.register("ledger_rows", ledger)
            con.execute("INSERT INTO lake._stream_ledger BY NAME SELECT * FROM ledger_rows")
            con.unregister("ledger_rows")
        for stream, found in by_stream.items():
            self.ledger.add(stream, runs_of([m.seq for m in found]))
        return outcome


async def run(
    settings: Settings,
    stop: asyncio.Event | None = None,
    on_commit: Callable[[Outcome, float], None] = lambda outcome, seconds: None,
) -> None:
    """Consume until `stop` is set (or SIGTERM/SIGINT), then return: what was committed is acked, what was not is
    left to the broker to deliver again."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    nc = await nats.connect(
        settings.nats_url, name="safelake-stream", max_reconnect_attempts=-1, reconnect_time_wait=0.5
    )
    js = nc.jetstream()
    await ensure_streams(js, settings.stream_storage_gib)
    writer = Writer(open_lake(settings), settings)
    buffer: list[Msg] = []
    arrived = asyncio.Event()
    config = ConsumerConfig(
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=settings.stream_ack_wait_seconds,
        max_ack_pending=4 * settings.stream_batch,
    )

    async def pull(stream_name: str, prefix: str) -> None:
        sub = None
        while not stop.is_set():
            if sub is None:
                try:  # the broker may be away at start: a puller that died here would leave its stream unread
                    sub = await js.pull_subscribe(f"{prefix}.>", durable=DURABLE, stream=stream_name, config=config)
                except (nats.errors.Error, TimeoutError, OSError):
                    await asyncio.sleep(0.2)
                    continue
            room = settings.stream_batch - len(buffer)
            if room <= 0:
                await asyncio.sleep(0.02)
                continue
            try:
                msgs = await sub.fetch(batch=min(FETCH, room), timeout=0.5)
            except TimeoutError:  # nats-py's own, and now and then a bare one when a fetch ends idle
                continue
            except nats.errors.Error:  # the broker is away: the client reconnects; try again shortly
                await asyncio.sleep(0.2)
                continue
            buffer.extend(msgs)
            arrived.set()

    async def ack(taken: list[Msg], outcome: Outcome, started: float) -> None:
        try:
            for m in taken:
                await m.ack()
            await nc.flush()
        except nats.errors.Error:  # unacked: redelivered, recognised by the ledger, acked then
            pass
        on_commit(outcome, time.monotonic() - started)

    pullers = [asyncio.create_task(pull(s.name, s.prefix)) for s in STREAMS]
    acking: asyncio.Task[None] | None = None  # the last commit's acks, sent while the next commit runs
    last = 0.0
    try:
        while not stop.is_set():
            for task in pullers:
                if task.done():  # a puller that died would leave its stream unread while the rest went on
                    task.result()
            if not buffer:
                arrived.clear()
                try:
                    await asyncio.wait_for(arrived.wait(), timeout=0.5)
                except TimeoutError:
                    continue
            wait = last + settings.stream_commit_seconds - time.monotonic()
            if wait > 0 and len(buffer) < settings.stream_batch:
                await asyncio.sleep(wait)
            taken = buffer[:]
            del buffer[:]
            last = time.monotonic()
            messages = [Message(m.metadata.stream, m.metadata.sequence.stream, m.subject, m.data) for m in taken]
            outcome = await loop.run_in_executor(None, writer.commit, messages)
            if acking is not None:
                await acking
            acking = asyncio.create_task(ack(taken, outcome, last))
    finally:
        if acking is not None:
            await acking
        for task in pullers:
            task.cancel()
        await asyncio.gather(*pullers, return_exceptions=True)
        await nc.close()
        writer.con.close()
