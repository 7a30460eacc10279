"""The writers' locks: one ingesting process per lake, one build per warehouse.

Embedded (SQLite catalog): file locks under SAFELAKE_HOME. With a PostgreSQL catalog the writers may be on
several machines, so the locks are PostgreSQL advisory locks on the catalog's database, held by a session:
a holder that dies (killed, or its machine gone: TCP keepalives) loses its session and so the lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
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


# The server drops a session whose machine stopped answering after about 30 + 3 x 10 s.
KEEPALIVE_OPTIONS = "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3"


def advisory_key(settings: Settings, name: str) -> int:
    """A lock's 64-bit key: one per lake (its data path), so lakes sharing a database do not block each other."""
    digest = hashlib.sha256(f"safelake:{settings.data_path}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _advisory_lock(conninfo: str, key: int) -> Iterator[None]:
    import psycopg

    with psycopg.connect(conninfo, autocommit=True, keepalives=1, options=KEEPALIVE_OPTIONS) as session:
        session.execute("SELECT pg_advisory_lock(%s)", [key])
        yield  # closing the session releases the lock


def lake_lock(settings: Settings) -> AbstractContextManager[None]:
    """One lake writer at a time (ingest, stream, maintenance), so two runs never merge the same file twice."""
    if settings.postgres_catalog is not None:
        return _advisory_lock(settings.postgres_catalog, advisory_key(settings, "lake"))
    return _file_lock(settings.lake_dir / "ingest.lock")


@contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """One warehouse build at a time: DuckDB takes one writer per file (the file lock, on this machine's
    staging file) and, with a shared catalog, one builder publishes at a time across machines."""
    with ExitStack() as held:
        if settings.postgres_catalog is not None:
            held.enter_context(_advisory_lock(settings.postgres_catalog, advisory_key(settings, "build")))
        held.enter_context(_file_lock(build_lock_path(settings)))
        yield


def build_lock_path(settings: Settings) -> Path:
    return settings.warehouse_dir / "build.lock"
