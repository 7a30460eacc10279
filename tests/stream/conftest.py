"""A real nats-server (JetStream, storage in a temp dir) on a loopback port, started once per session; each test
starts from empty streams and a fresh SAFELAKE_HOME, and runs `safelake stream` as a process of its own."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nats
import pytest
from nats.js.errors import NotFoundError

from safelake.settings import Settings
from stream.streams import STREAMS
from tests.conftest import PII_KEY, REPO
from tests.stream.feed import STORAGE_GIB

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Broker:
    port: int
    store: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    if not os.path.exists(NATS_SERVER):
        pytest.fail("nats-server is not installed: apt-get install nats-server")
    server = Broker(free_port(), tmp_path_factory.mktemp("jetstream"))
    server.start()
    yield server
    server.stop()


async def _drop_streams(url: str) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()
    for stream in STREAMS:
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(stream.name)
    await nc.close()


@dataclass
class Live:
    """A SAFELAKE_HOME and the environment a `safelake stream` process needs, against the session's broker."""

    broker: Broker
    home: Path

    @property
    def env(self) -> dict[str, str]:
        return os.environ | {
            "SAFELAKE_HOME": str(self.home),
            "SAFELAKE_PII_KEY": PII_KEY,
            "SAFELAKE_NATS_URL": self.broker.url,
            "SAFELAKE_STREAM_ACK_WAIT_SECONDS": "2",
            "SAFELAKE_STREAM_COMMIT_SECONDS": "0.2",
            "SAFELAKE_STREAM_STORAGE_GIB": str(STORAGE_GIB),
            "PYTHONPATH": str(REPO),
        }

    def settings(self, **overrides: object) -> Settings:
        given: dict[str, object] = {
            "home": self.home,
            "pii_key": PII_KEY,
            "nats_url": self.broker.url,
            "stream_ack_wait_seconds": 2,
            "stream_commit_seconds": 0.2,
            "stream_storage_gib": STORAGE_GIB,
        }
        return Settings(**(given | overrides))

    def consumer(self) -> subprocess.Popen:
        log = (self.home / "consumer.log").open("a")
        return subprocess.Popen(
            [sys.executable, "-m", "ops", "stream"], env=self.env, cwd=self.home, stdout=log, stderr=subprocess.STDOUT
        )


@pytest.fixture
def live(broker: Broker, tmp_path: Path) -> Iterator[Live]:
    asyncio.run(_drop_streams(broker.url))
    home = tmp_path / "home"
    home.mkdir()
    started: list[subprocess.Popen] = []
    fixture = Live(broker, home)
    original = fixture.consumer

    def tracked() -> subprocess.Popen:
        process = original()
        started.append(process)
        return process

    fixture.consumer = tracked  # type: ignore[method-assign]
    yield fixture
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
