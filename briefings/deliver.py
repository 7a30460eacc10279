"""Send a briefing to its recipients: at most once per recipient and period, one failure never stops the rest.

The ledger (SQLite, SAFELAKE_HOME/briefings/ledger.sqlite) keys every e-mail by briefing × recipient ×
period (the scheduled slot the e-mail belongs to, e.g. the daily briefing of 2026-11-23 08:00). A key is
claimed in one transaction before the message goes out and marked sent after: a retried task skips
what was sent; a recipient whose send failed is released and tried again by the retry; a process killed
between the two steps leaves the key "sending", which is reported and not resent (no duplicates).

A warehouse older than SAFELAKE_WAREHOUSE_STALE_HOURS (or none published) gets the recipients a short
"data delayed" note instead (its own ledger key); the briefing itself follows when fresh data arrives
(the DAG also runs when the warehouse Asset is updated) while its slot is less than LATE_AFTER_SLOT old.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

from access.policy import Scope
from access.read import published_stamp
from briefings.config import ConfigError, Loaded, Recipient, load
from briefings.content import Briefing, load_briefing
from briefings.render import delayed_message, render, to_message
from safelake import notify
from safelake.settings import Settings
from warehouse.publish import NoWarehouse

log = logging.getLogger("briefings")
LATE_AFTER_SLOT = dt.timedelta(hours=12)  # later than this, a missed briefing waits for its next slot


@dataclass(frozen=True)
class WarehouseState:
    build_id: str | None
    built_at: dt.datetime | None
    fresh: bool

    def describe(self) -> str:
        if self.build_id is None:
            return "no warehouse published"
        return f"build {self.build_id} built {self.built_at:%Y-%m-%d %H:%M %Z} ({'fresh' if self.fresh else 'stale'})"


@dataclass
class Report:
    briefing: str
    period: str
    delayed: bool = False
    sent: list[tuple[str, str]] = field(default_factory=list)  # address, where it went
    skipped: list[tuple[str, str]] = field(default_factory=list)  # address, why
    failed: list[tuple[str, str]] = field(default_factory=list)  # address, error

    def summary(self) -> str:
        what = f"{self.briefing} ({'data-delayed note' if self.delayed else 'briefing'}) for {self.period}"
        return f"{what}: {len(self.sent)} sent, {len(self.skipped)} already done, {len(self.failed)} failed"


def ledger_path(settings: Settings) -> Path:
    return settings.home / "briefings" / "ledger.sqlite"


class Ledger:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(path, timeout=30, isolation_level=None)  # explicit transactions below
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS sent (key TEXT PRIMARY KEY, briefing TEXT NOT NULL, recipient TEXT NOT NULL,"
            " period TEXT NOT NULL, build_id TEXT, state TEXT NOT NULL, at TEXT NOT NULL, went_to TEXT)"
        )

    def close(self) -> None:
        self.con.close()

    def state(self, key: str) -> str | None:
        row = self.con.execute("SELECT state FROM sent WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def claim(self, key: str, briefing: str, recipient: str, period: str, build_id: str | None) -> bool:
        """Atomically take the key; False when another run (or an earlier try) already has it."""
        with self.con:
            self.con.execute("BEGIN IMMEDIATE")
            cur = self.con.execute(
                "INSERT OR IGNORE INTO sent VALUES (?, ?, ?, ?, ?, 'sending', ?, NULL)",
                [key, briefing, recipient, period, build_id, _now()],
            )
            return cur.rowcount == 1

    def done(self, key: str, went_to: str) -> None:
        with self.con:
            self.con.execute(
                "UPDATE sent SET state = 'sent', at = ?, went_to = ? WHERE key = ?", [_now(), went_to, key]
            )

    def release(self, key: str) -> None:
        with self.con:
            self.con.execute("DELETE FROM sent WHERE key = ? AND state = 'sending'", [key])


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def warehouse_state(settings: Settings, now: dt.datetime) -> WarehouseState:
    try:
        stamp = published_stamp(settings)
    except NoWarehouse:
        return WarehouseState(None, None, False)
    fresh = now - stamp.built_at <= dt.timedelta(hours=settings.warehouse_stale_hours)
    return WarehouseState(stamp.build_id, stamp.built_at, fresh)


def due(loaded: Loaded, now: dt.datetime, tz: ZoneInfo) -> list[str]:
    """Briefings whose latest slot is at most LATE_AFTER_SLOT before `now`."""
    return [
        name
        for name, schedule in loaded.config.schedules.items()
        if now - schedule.last_slot(now, tz) < LATE_AFTER_SLOT
    ]


def _send_once(
    ledger: Ledger,
    report: Report,
    key: str,
    recipient: Recipient,
    build_id: str | None,
    make: Callable[[], EmailMessage],
    settings: Settings,
) -> None:
    """Claim, build the message, send, record; any failure is this recipient's alone."""
    state = ledger.state(key)
    if state is not None:
        why = "already sent" if state == "sent" else "a previous try was interrupted mid-send; not resent"
        report.skipped.append((recipient.address, why))
        if state != "sent":
            log.warning("%s %s: %s (ledger key %s)", report.briefing, recipient.address, why, key)
        return
    try:
        message = make()
    except Exception as exc:  # one recipient's content must not stop the others
        log.exception("%s for %s could not be rendered", report.briefing, recipient.address)
        report.failed.append((recipient.address, f"render: {exc}"))
        return
    if not ledger.claim(key, report.briefing, recipient.address, report.period, build_id):
        report.skipped.append((recipient.address, "taken by a concurrent run"))
        return
    try:
        where = notify.send(settings, message)
    except Exception as exc:
        ledger.release(key)
        log.error("%s to %s (%s) failed: %s", report.briefing, recipient.name, recipient.address, exc)
        report.failed.append((recipient.address, str(exc)))
        return
    ledger.done(key, where)
    report.sent.append((recipient.address, where))
    log.info("%s to %s: %s", report.briefing, recipient.address, where)


def deliver(
    settings: Settings,
    briefing: str,
    now: dt.datetime | None = None,
    to: list[str] | None = None,
    loaded: Loaded | None = None,
    delayed: bool | None = None,
) -> Report:
    """Send `briefing` for the period that contains `now` to its recipients (or those of `to`).

    delayed=None decides by the warehouse's age; True/False forces the note or the briefing (the DAG's gate).
    """
    loaded = loaded or load(settings)
    config = loaded.config
    if briefing not in config.schedules:
        raise ConfigError(f"{loaded.path}: no briefing {briefing!r}; known: {', '.join(config.schedules)}")
    tz = ZoneInfo(settings.timezone)
    now = now or dt.datetime.now(dt.UTC)
    period = config.schedules[briefing].last_slot(now, tz).isoformat()
    recipients = config.recipients_of(briefing, to)
    if to and len(recipients) < len(set(to)):
        known = {r.address.lower() for r in recipients}
        missing = ", ".join(a for a in to if a.lower() not in known)
        raise ConfigError(f"{loaded.path}: {missing} is not a recipient of the {briefing} briefing; add it there")
    state = warehouse_state(settings, now)
    report = Report(briefing, period, delayed=not state.fresh if delayed is None else delayed)
    log.info("%s for %s: %d recipient(s); warehouse %s", briefing, period, len(recipients), state.describe())
    ledger = Ledger(ledger_path(settings))
    try:
        if report.delayed:
            build = (state.build_id, state.built_at) if state.build_id and state.built_at else None
            for r in recipients:
                key = f"{briefing}:delayed|{r.address.lower()}|{period}"
                note = functools.partial(delayed_message, settings, r, briefing, build, tz)
                _send_once(ledger, report, key, r, state.build_id, note, settings)
            return report
        contents: dict[Scope, Briefing] = {}

        def make(r: Recipient) -> EmailMessage:
            if r.scope not in contents:  # one set of queries per scope, shared by its recipients
                contents[r.scope] = load_briefing(settings, briefing, r.scope)
            return to_message(settings, render(contents[r.scope], r, tz), r.address)

        for r in recipients:
            key = f"{briefing}|{r.address.lower()}|{period}"
            _send_once(ledger, report, key, r, state.build_id, functools.partial(make, r), settings)
    finally:
        ledger.close()
    return report


def deliver_due(settings: Settings, now: dt.datetime, delayed: bool | None = None) -> list[Report]:
    """Every briefing due at `now` (the DAG's entry point)."""
    loaded = load(settings)
    tz = ZoneInfo(settings.timezone)
    return [deliver(settings, name, now, loaded=loaded, delayed=delayed) for name in due(loaded, now, tz)]
