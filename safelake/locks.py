"""The writers' locks: one ingesting process per lake, one build per warehouse."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from safelake.settings import Settings


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def lake_lock(settings: Settings) -> Iterator[None]:
    """One lake writer at a time (ingest, maintenance), so two runs never merge the same file twice."""
    return _file_lock(settings.lake_dir / "ingest.lock")


def build_lock(settings: Settings) -> Iterator[None]:
    """One warehouse build at a time: DuckDB takes one writer per file."""
    return _file_lock(settings.warehouse_dir / "build.lock")
