"""Recipients and schedules (YAML): who gets which briefing, for which region, in which language, when.

SAFELAKE_RECIPIENTS_FILE names the file; unset, the example next to this module is used
(briefings/recipients.example.yaml), so a fresh install sends its demo briefings to the outbox.
Schedules are local wall-clock times in SAFELAKE_TIMEZONE.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from access.scope import Scope
from access.users import Role, scope_for
from safelake.errors import SafeLakeError
from safelake.settings import Settings

EXAMPLE = Path(__file__).with_name("recipients.example.yaml")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = get_args(Weekday)
ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+")


class ConfigError(SafeLakeError):
    """The recipients file is missing or wrong."""


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: dt.time = dt.time(8, 0)
    weekday: Weekday | None = None  # None = every day

    @property
    def cron(self) -> str:
        day = "*" if self.weekday is None else str(WEEKDAYS.index(self.weekday) + 1)
        return f"{self.at.minute} {self.at.hour} * * {day}"

    def last_slot(self, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
        """The latest scheduled moment at or before `now` (aware, in `tz`): the briefing's period starts there."""
        local = now.astimezone(tz)
        slot = dt.datetime.combine(local.date(), self.at, tz)
        if slot > local:
            slot -= dt.timedelta(days=1)
        if self.weekday is not None:
            slot -= dt.timedelta(days=(slot.weekday() - WEEKDAYS.index(self.weekday)) % 7)
        return slot


DEFAULT_SCHEDULES = {"daily": Schedule(), "weekly": Schedule(weekday="monday")}


class Recipient(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    address: str
    role: Role  # as for dashboard users: leadership and admin are cleared for small minors / DV counts
    region: str = "national"  # or an ISO 3166-2 region code such as KG-GB
    language: Literal["ru", "en"] = "ru"
    briefings: list[str] = Field(min_length=1)

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        if not ADDRESS.fullmatch(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @property
    def scope(self) -> Scope:
        region = None if self.region == "national" else self.region
        return scope_for(self.region, self.role, region)


class BriefingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedules: dict[str, Schedule] = Field(default_factory=lambda: dict(DEFAULT_SCHEDULES))
    recipients: list[Recipient] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> BriefingConfig:
        seen: set[str] = set()
        for r in self.recipients:
            unknown = sorted(set(r.briefings) - set(self.schedules))
            if unknown:
                raise ValueError(
                    f"recipient {r.name!r}: unknown briefing(s) {', '.join(unknown)}; "
                    f"use one of {', '.join(self.schedules)} or add it under schedules:"
                )
            if r.address.lower() in seen:
                raise ValueError(f"recipient {r.name!r}: address {r.address} is listed twice")
            seen.add(r.address.lower())
        return self

    def recipients_of(self, briefing: str, to: list[str] | None = None) -> list[Recipient]:
        wanted = {a.lower() for a in to} if to else None
        return [
            r for r in self.recipients if briefing in r.briefings and (wanted is None or r.address.lower() in wanted)
        ]


@dataclass(frozen=True)
class Loaded:
    """A validated config and the file it came from (for messages)."""

    path: Path
    config: BriefingConfig


def recipients_path(settings: Settings) -> Path:
    return settings.recipients_file or EXAMPLE


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such recipients file; fix SAFELAKE_RECIPIENTS_FILE or create it") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({str(exc).splitlines()[0]}); fix the file") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with schedules: and recipients:")
    return data


def _one_line(path: Path, data: dict, exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = list(first["loc"])
    where = ".".join(str(p) for p in loc) or "top level"
    if loc[:1] == ["recipients"] and len(loc) > 1 and isinstance(loc[1], int):
        entry = (data.get("recipients") or [])[loc[1]]
        name = entry.get("name", "?") if isinstance(entry, dict) else "?"
        where = f"recipient #{loc[1] + 1} ({name}), field {'.'.join(str(p) for p in loc[2:]) or '?'}"
    return f"{path}: {where}: {first['msg'].removeprefix('Value error, ')}; fix the file"


def load(settings: Settings, path: Path | None = None) -> Loaded:
    """Read and validate the recipients file; every problem is one line naming the file and the recipient."""
    from safelake.reference import geography

    path = path or recipients_path(settings)
    data = _read(path)
    try:
        config = BriefingConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_one_line(path, data, exc)) from None
    regions = set(geography(settings.geography).regions["region_code"])
    for i, r in enumerate(config.recipients, 1):
        if r.region != "national" and r.region not in regions:
            raise ConfigError(
                f"{path}: recipient #{i} ({r.name}): unknown region {r.region!r}; "
                f"use 'national' or one of {', '.join(sorted(regions))}"
            )
    return Loaded(path=path, config=config)


def load_schedules(settings: Settings) -> dict[str, Schedule]:
    """Only the schedules (the DAG's timetable): a broken recipient entry must not stop the DAG from parsing."""
    path = recipients_path(settings)
    schedules = _read(path).get("schedules")
    try:
        return BriefingConfig.model_validate({"schedules": schedules} if schedules else {}).schedules
    except ValidationError as exc:
        raise ConfigError(_one_line(path, {}, exc)) from None
