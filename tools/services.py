"""The production stack's servers as local processes on loopback, for the tests and the benchmark on a
machine without containers: PostgreSQL (Debian's binaries), an S3 server (moto), Redis.

Each runs in a directory of its own and stops with it; nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before listening on {HOST}:{port}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {HOST}:{port} within {timeout:.0f} s")


@contextmanager
def _process(command: list[str], port: int, what: str, log: Path) -> Iterator[subprocess.Popen]:
    with log.open("ab") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for_port(port, process, f"{what} (log: {log})")
        yield process
    finally:
        os.killpg(process.pid, signal.SIGINT)  # PostgreSQL's fast shutdown; the others stop on it too
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)")
    return found[-1].parent


@dataclass(frozen=True)
class Postgres:
    port: int
    password: str
    bin: Path

    def conninfo(self, dbname: str) -> str:
        """A libpq connection string without the password (PGPASSWORD carries it, as in production)."""
        return f"dbname={dbname} host={HOST} port={self.port} user=postgres"

    def url(self, dbname: str) -> str:
        return f"postgresql://postgres:{self.password}@{HOST}:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.conninfo("postgres"), password=self.password, autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return name


@contextmanager
def postgres(workdir: Path) -> Iterator[Postgres]:
    """A fresh cluster with password authentication. initdb refuses root: as root, the cluster runs as the
    `postgres` user in a directory of its own (it cannot enter root's private temporary folders)."""
    binaries = postgres_bin()
    workdir.mkdir(parents=True, exist_ok=True)
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    password = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="safelake-postgres-") as own:
        cluster = Path(own)
        if as_user:
            shutil.chown(cluster, "postgres")
        pwfile = cluster / "pw"
        pwfile.write_text(password + "\n")
        if as_user:
            shutil.chown(pwfile, "postgres")
        data, port = cluster / "data", free_port()
        subprocess.run(
            [*as_user, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "scram-sha-256",
             f"--pwfile={pwfile}", "--no-sync"],
            check=True, capture_output=True,
        )  # fmt: skip
        pwfile.unlink()
        server = [
            *as_user, str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-k", str(cluster),
            "-c", f"listen_addresses={HOST}", "-c", "fsync=off", "-c", "max_connections=200",
        ]  # fmt: skip
        with _process(server, port, "postgres", workdir / "postgres.log"):
            yield Postgres(port, password, binaries)


@dataclass(frozen=True)
class S3:
    endpoint: str  # host:port
    access_key_id: str
    secret_access_key: str

    def client(self):  # noqa: ANN201 (boto3 has no types)
        return boto3.client(
            "s3",
            endpoint_url=f"http://{self.endpoint}",
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name="us-east-1",
        )

    def create_bucket(self, name: str) -> str:
        self.client().create_bucket(Bucket=name)
        return name


@contextmanager
def s3(workdir: Path) -> Iterator[S3]:
    """moto's S3 server (in memory)."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)]
    with _process(command, port, "moto S3 server", workdir / "moto.log"):
        yield S3(f"{HOST}:{port}", secrets.token_hex(8), secrets.token_urlsafe(24))


@contextmanager
def redis(workdir: Path) -> Iterator[str]:
    """redis-server without persistence; yields its URL."""
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [server, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", str(workdir)]
    with _process(command, port, "redis-server", workdir / "redis.log"):
        yield f"redis://{HOST}:{port}/0"


@dataclass(frozen=True)
class Stack:
    postgres: Postgres
    s3: S3
    redis_url: str

    def lake_env(self, name: str) -> dict[str, str]:
        """The settings of a new lake, `name`, on this stack: its own catalog database and bucket prefix,
        one bucket for the published builds."""
        database = self.postgres.create_database(name)
        self.s3.create_bucket(name)
        return {
            "SAFELAKE_LAKE_CATALOG": f"postgres:{self.postgres.conninfo(database)}",
            "PGPASSWORD": self.postgres.password,
            "SAFELAKE_LAKE_DATA_PATH": f"s3://{name}/lake/",
            "SAFELAKE_WAREHOUSE_URL": f"s3://{name}/warehouse/",
            "SAFELAKE_S3_ENDPOINT": self.s3.endpoint,
            "SAFELAKE_S3_ACCESS_KEY_ID": self.s3.access_key_id,
            "SAFELAKE_S3_SECRET_ACCESS_KEY": self.s3.secret_access_key,
            "SAFELAKE_S3_USE_SSL": "false",
        }


@contextmanager
def stack(workdir: Path, with_redis: bool = True) -> Iterator[Stack]:
    with ExitStack() as running:
        pg = running.enter_context(postgres(workdir / "postgres"))
        store = running.enter_context(s3(workdir / "s3"))
        url = running.enter_context(redis(workdir / "redis")) if with_redis else ""
        yield Stack(pg, store, url)
