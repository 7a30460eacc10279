"""The JetStream streams: one per live dataset, a subject per region, retention and size limits."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import APIError, NotFoundError

from safelake.errors import SafeLakeError

DAY = 24 * 3600.0
GIB = 1 << 30
# Bigger messages are refused by the broker; the consumer quarantines anything over SAFELAKE_STREAM_MAX_EVENT_BYTES.
MAX_MSG_BYTES = 1 << 20
# Within this window a message published again with the same Nats-Msg-Id (the event id) is dropped by the broker;
# later copies reach the consumer, which merges them by key without counting them twice.
DUPLICATE_WINDOW = 600.0
# The broker refuses a stream whose size limit does not fit what is left of its store (75 % of the free disk by
# default).
INSUFFICIENT_STORAGE = 10047


@dataclass(frozen=True)
class Stream:
    name: str
    prefix: str  # subjects: <prefix>.<REGION> (cameras: <prefix>.heartbeat|status.<REGION>)
    dataset: str
    max_age_days: float
    share: float  # of SAFELAKE_STREAM_STORAGE_GIB, the size limit of all the streams together

    def config(self, storage_gib: float) -> StreamConfig:
        return StreamConfig(
            name=self.name,
            subjects=[f"{self.prefix}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            max_age=self.max_age_days * DAY,
            max_bytes=int(self.share * storage_gib * GIB),
            max_msg_size=MAX_MSG_BYTES,
            duplicate_window=DUPLICATE_WINDOW,
        )


STREAMS = (
    Stream("SAFELAKE_CAMERA", "safelake.camera", "camera_heartbeat", max_age_days=30, share=2 / 3),
    Stream("SAFELAKE_CALL", "safelake.call", "dispatch_call", max_age_days=90, share=1 / 6),
    Stream("SAFELAKE_INCIDENT", "safelake.incident", "incident_report", max_age_days=90, share=1 / 6),
)
BY_DATASET = {s.dataset: s for s in STREAMS}
BY_NAME = {s.name: s for s in STREAMS}


def subject(dataset: str, region: str, kind: str | None = None) -> str:
    """Where an event of `dataset` in `region` is published; camera events by kind (heartbeat or status)."""
    stream = BY_DATASET[dataset]
    if dataset == "camera_heartbeat":
        return f"{stream.prefix}.{'heartbeat' if kind == 'heartbeat' else 'status'}.{region}"
    return f"{stream.prefix}.{region}"


def subject_region(name: str) -> str:
    """The region a subject names (its last token)."""
    return name.rsplit(".", 1)[-1]


async def ensure_streams(js: JetStreamContext, storage_gib: float) -> None:
    """Create the streams, or bring their limits up to date; `storage_gib` is SAFELAKE_STREAM_STORAGE_GIB."""
    for stream in STREAMS:
        config = stream.config(storage_gib)
        try:
            try:
                await js.stream_info(stream.name)
            except NotFoundError:
                await js.add_stream(config)
            else:
                await js.update_stream(config)
        except APIError as exc:
            if exc.err_code != INSUFFICIENT_STORAGE:
                raise
            raise SafeLakeError(
                f"stream {stream.name}: the broker cannot reserve {stream.share * storage_gib:.1f} GiB of "
                f"SAFELAKE_STREAM_STORAGE_GIB={storage_gib:g} on its store; free disk there or set "
                "SAFELAKE_STREAM_STORAGE_GIB lower"
            ) from None
