"""The broker's side of the live path's health, with the broker down."""

from __future__ import annotations

import socket
from pathlib import Path

from safelake.settings import Settings
from stream.health import health


def test_a_broker_that_is_down_is_reported_as_refusing_not_after_the_timeout(tmp_path: Path) -> None:
    """Data health asks the broker on every render: a refused connection is the answer, where nats-py would
    retry it until the timeout ran out (and report a TimeoutError)."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    settings = Settings(home=tmp_path, nats_url=f"nats://127.0.0.1:{port}")
    found = health(settings, timeout=30)
    assert found.broker_error == f"the broker at nats://127.0.0.1:{port} does not answer (ConnectionRefusedError)"
    assert [s.messages for s in found.streams] == [0] * len(found.streams)
