"""Each user's saved SQL queries: SAFELAKE_HOME/saved_queries/<user>.json, {name: sql}, rewritten atomically."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from safelake.settings import Settings


def path(settings: Settings, user: str) -> Path:
    if not re.fullmatch(r"[\w@-][\w.@-]*", user):  # the name becomes a file name: no separators, no "..", no ".x"
        raise ValueError(f"user name {user!r} cannot name a saved-queries file")
    return settings.home / "saved_queries" / f"{user}.json"


def load(settings: Settings, user: str) -> dict[str, str]:
    file = path(settings, user)
    return json.loads(file.read_text(encoding="utf-8")) if file.exists() else {}


def _write(settings: Settings, user: str, queries: dict[str, str]) -> None:
    file = path(settings, user)
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f".{file.name}.tmp")
    tmp.write_text(json.dumps(dict(sorted(queries.items())), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, file)  # a crash leaves the old file whole


def save(settings: Settings, user: str, name: str, sql: str) -> None:
    """Add or replace the query called `name`."""
    _write(settings, user, load(settings, user) | {name: sql})


def delete(settings: Settings, user: str, name: str) -> None:
    _write(settings, user, {k: v for k, v in load(settings, user).items() if k != name})
