"""The JetStream streams: one per live dataset, a subject per region, retention and size limits."""

from __future__ import annotations

from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError

DAY = 24 * 3600.0
GIB = 1 << 30
# Bigger messages are refused by the broker; the consumer quarantines anything over SAFELAKE_STREAM_MAX_EVENT_BYTES.
MAX_MSG_BYTES = 1 << 20
# Within this window a message published again with the same Nats-Msg-Id (the event id) is dropped by the broker;
# later copies reach the consumer, which merges them by key without counting them twice.
DUPLICATE_WINDOW = 600.0


@dataclass(frozen=True)
class Stream:
    name: str
    prefix: str  # subjects: <prefix>.<REGION> (cameras: <prefix>.heartbeat|status.<REGION>)
    dataset: str
    max_age_days: float
    max_gib: float

    def config(self) -> StreamConfig:
        return StreamConfig(
            name=self.name,
            subjects=[f"{self.prefix}.>"],
            retention=RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            discard=DiscardPolicy.OLD,
            max_age=self.max_age_days * DAY,
            max_bytes=int(self.max_gib * GIB),
            max_msg_size=MAX_MSG_BYTES,
            duplicate_window=DUPLICATE_WINDOW,
        )


STREAMS = (
    Stream("SAFELAKE_CAMERA", "safelake.camera", "camera_heartbeat", max_age_days=30, max_gib=20),
    Stream("SAFELAKE_CALL", "safelake.call", "dispatch_call", max_age_days=90, max_gib=5),
    Stream("SAFELAKE_INCIDENT", "safelake.incident", "incident_report", max_age_days=90, max_gib=5),
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


async def ensure_streams(js: JetStreamContext) -> None:
    """Create the streams, or bring their limits up to date."""
    for stream in STREAMS:
        try:
            await js.stream_info(stream.name)
        except NotFoundError:
            await js.add_stream(stream.config())
        else:
            await js.update_stream(stream.config())
