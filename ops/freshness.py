"""Is data still arriving? Alerts when a source or a region has sent nothing for longer than its
threshold, and when the last warehouse build failed or was abandoned (killed while running); once the live path
is in use (the lake has taken stream messages), when a stream goes silent, its lag grows past a limit, its
consumer is not running while messages wait, or the broker does not answer.

"Sent" means a file was ingested (the lake's ledger) for a source, and a row arrived (its
_ingested_at) for a region, across the datasets that carry a region code. Thresholds are settings
(SAFELAKE_FRESHNESS_HOURS per dataset, SAFELAKE_REGION_FRESHNESS_HOURS). The same alert is e-mailed
again only after SAFELAKE_ALERT_REPEAT_HOURS; it is logged on every check.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from ingestion.profiles import all_profiles
from ops.status import build_state
from safelake import lake, notify
from safelake.contracts import load_contracts
from safelake.reference import geography
from safelake.settings import Settings
from stream.health import health


class AlertKind(StrEnum):
    LAKE = "lake"
    SOURCE = "source"
    REGION = "region"
    BUILD = "build"
    STREAM = "stream"


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    about: str  # the source, region or build id; "" for the lake as a whole
    message: str

    @property
    def key(self) -> str:
        """What the alert is about, stable across checks: e-mails are de-duplicated by it."""
        return f"{self.kind}:{self.about}" if self.about else str(self.kind)


def _age(hours: float) -> str:
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.0f} h"


def _when(moment: dt.datetime | None, settings: Settings) -> str:
    if moment is None:
        return "never"
    return moment.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M %Z")


def _hours(now: dt.datetime, moment: dt.datetime | None) -> float:
    return float("inf") if moment is None else (now - moment).total_seconds() / 3600


def lake_alerts(settings: Settings, now: dt.datetime) -> list[Alert]:
    """Sources (datasets with a threshold that a profile of the instance's geography delivers) and regions that have
    sent nothing for too long."""
    if settings.lake_catalog is None and not (settings.lake_dir / "catalog.sqlite").exists():
        nothing = f"no lake in {settings.home}: nothing has ever been ingested (run `safelake init`)"
        return [Alert(AlertKind.LAKE, "", nothing)]
    contracts = load_contracts()
    delivered = {p.dataset for p in all_profiles().values() if p.geography == settings.geography}
    watched = [name for name in settings.freshness_hours if name in contracts and name in delivered]
    regional = [name for name in watched if contracts[name].time and "region_code" in contracts[name].column_names]
    alerts: list[Alert] = []
    con = lake.connect(settings, read_only=True)
    try:
        place = [settings.geography]  # the lake may hold other geographies' files and rows
        received = dict(
            con.execute(
                "SELECT dataset, max(ingested_at) FROM lake._ingest_ledger WHERE geography = ? GROUP BY dataset", place
            ).fetchall()
        )
        last_by_region: dict[str, dict[str, dt.datetime]] = {}
        for name in regional:
            for region, last in con.execute(
                f"SELECT region_code, max(_ingested_at) FROM lake.{name} WHERE _geography = ? GROUP BY region_code",
                place,
            ).fetchall():
                last_by_region.setdefault(region, {})[name] = last
    finally:
        con.close()
    for name in watched:
        limit, last = settings.freshness_hours[name], received.get(name)
        if _hours(now, last) > limit:
            since = "has never sent a file" if last is None else f"has sent nothing for {_age(_hours(now, last))}"
            alerts.append(
                Alert(
                    AlertKind.SOURCE,
                    name,
                    f"source {name} {since} (threshold {_age(limit)}; last file {_when(last, settings)})",
                )
            )
    if not regional:
        return alerts
    limit = settings.region_freshness_hours
    regions = geography(settings.geography).regions
    for code, region_name in zip(regions["region_code"], regions["name_en"], strict=True):
        per_dataset = last_by_region.get(code, {})
        last = max(per_dataset.values(), default=None)
        if _hours(now, last) > limit:
            since = "has never sent a record" if last is None else f"has sent nothing for {_age(_hours(now, last))}"
            detail = "; ".join(f"{name} {_when(per_dataset.get(name), settings)}" for name in regional)
            alerts.append(
                Alert(
                    AlertKind.REGION,
                    code,
                    f"region {code} ({region_name}) {since} (threshold {_age(limit)}; last record by dataset: "
                    f"{detail})",
                )
            )
    return alerts


def build_alerts(settings: Settings, now: dt.datetime) -> list[Alert]:
    """The last warehouse build, if it failed or was abandoned (the previous good build is still served)."""
    from warehouse.publish import builds_dir, last_build, published_build

    last = last_build(settings)
    state = build_state(settings, last, now) if last else None
    if last is None or state not in ("failed", "abandoned"):
        return []
    if state == "abandoned":
        what = (
            f"was abandoned: it started at {last.started_at} and no builder is running it (killed?); "
            "run `safelake build` or trigger the build_warehouse DAG"
        )
    else:
        failures = "; ".join(last.failures[:3]) + (
            f"; and {len(last.failures) - 3} more" if len(last.failures) > 3 else ""
        )
        what = f"failed at {last.finished_at} and was not published ({failures or 'no detail'})"
    return [
        Alert(
            AlertKind.BUILD,
            last.build_id,
            f"warehouse build {last.build_id} {what}; still serving build {published_build(settings) or 'none'}; "
            f"see {builds_dir(settings) / (last.build_id + '.json')}",
        )
    ]


def stream_alerts(settings: Settings, now: dt.datetime) -> list[Alert]:
    """Streams the lake has taken from before: silent, lagging, or without a consumer; the broker away."""
    found = health(settings, if_used=True)
    used = [s for s in found.streams if s.last_commit is not None]
    alerts = []
    if found.broker_error:
        alerts.append(Alert(AlertKind.STREAM, "broker", f"{found.broker_error}; the live pages are standing still"))
    silent = dt.timedelta(minutes=settings.stream_silent_minutes)
    for s in used:
        if s.last_commit is not None and now - s.last_commit > silent:
            alerts.append(
                Alert(
                    AlertKind.STREAM,
                    f"{s.stream}:silent",
                    f"stream {s.stream} ({s.dataset}) has brought nothing into the lake since "
                    f"{_when(s.last_commit, settings)} (threshold {settings.stream_silent_minutes:g} min): is the "
                    "source sending, and does `safelake stream` run?",
                )
            )
        if s.lag > settings.stream_lag_alert:
            alerts.append(
                Alert(
                    AlertKind.STREAM,
                    f"{s.stream}:lag",
                    f"stream {s.stream} has {s.lag:,} messages not yet in the lake (threshold "
                    f"{settings.stream_lag_alert:,}): the consumer is falling behind",
                )
            )
        elif s.lag and not s.consumer_alive and not found.broker_error:
            alerts.append(
                Alert(
                    AlertKind.STREAM,
                    f"{s.stream}:consumer",
                    f"stream {s.stream} has {s.lag:,} messages waiting and no consumer pulling: start "
                    "`safelake stream` (`bin/stream-up`)",
                )
            )
    return alerts


def check(settings: Settings, now: dt.datetime | None = None) -> list[Alert]:
    now = now or dt.datetime.now(dt.UTC)
    return lake_alerts(settings, now) + build_alerts(settings, now) + stream_alerts(settings, now)


def _state_path(settings: Settings) -> Path:
    return settings.run_dir / "alerts_sent.json"


def due(settings: Settings, alerts: list[Alert], now: dt.datetime) -> list[Alert]:
    """The alerts not e-mailed within SAFELAKE_ALERT_REPEAT_HOURS."""
    path = _state_path(settings)
    sent = json.loads(path.read_text()) if path.exists() else {}
    repeat = dt.timedelta(hours=settings.alert_repeat_hours)
    return [a for a in alerts if a.key not in sent or now - dt.datetime.fromisoformat(sent[a.key]) >= repeat]


def _remember(settings: Settings, alerts: list[Alert], now: dt.datetime) -> None:
    path = _state_path(settings)
    sent = json.loads(path.read_text()) if path.exists() else {}
    sent.update({a.key: now.isoformat() for a in alerts})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(sent, indent=2, sort_keys=True))
    tmp.replace(path)


def notify_oncall(settings: Settings, alerts: list[Alert], now: dt.datetime | None = None) -> str | None:
    """E-mail the alerts that are due, in one message to the on-call address; returns where it went."""
    now = now or dt.datetime.now(dt.UTC)
    fresh = due(settings, alerts, now)
    if not fresh:
        return None
    subject = f"{len(fresh)} data alert(s): " + ", ".join(a.key for a in fresh[:4]) + ("..." if len(fresh) > 4 else "")
    body = "\n".join(
        [f"SafeLake checked at {_when(now, settings)}:", "", *(f"- {a.message}" for a in fresh), ""]
        + [
            "Thresholds: SAFELAKE_FRESHNESS_HOURS, SAFELAKE_REGION_FRESHNESS_HOURS, SAFELAKE_STREAM_SILENT_MINUTES, "
            "SAFELAKE_STREAM_LAG_ALERT; `safelake status` shows the lake and the streams."
        ]
    )
    where = notify.alert(settings, subject, body)
    _remember(settings, fresh, now)
    return where
