"""The writers' locks: one ingesting process per lake, one build per warehouse."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Literal

from safelake.settings import Settings


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        # the holder's pid stays written if it dies holding the lock: lock_state() tells that apart
        fh.truncate(0)
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fh.truncate(0)


def lock_state(path: Path) -> Literal["held", "free", "abandoned"]:
    """held: a live process holds it; abandoned: free, but its last holder died holding it (killed)."""
    if not path.exists():
        return "free"
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return "held"
        return "abandoned" if path.stat().st_size else "free"


def lake_lock(settings: Settings) -> AbstractContextManager[None]:
    """One lake writer at a time (ingest, maintenance), so two runs never merge the same file twice."""
    return _file_lock(settings.lake_dir / "ingest.lock")


def build_lock(settings: Settings) -> AbstractContextManager[None]:
    """One warehouse build at a time: DuckDB takes one writer per file."""
    return _file_lock(build_lock_path(settings))


def build_lock_path(settings: Settings) -> Path:
    return settings.warehouse_dir / "build.lock"
