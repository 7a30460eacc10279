"""The published warehouse: build records, the `current.duckdb` symlink readers open, the atomic switch.

dbt builds builds/next.duckdb; a green build is stamped, renamed to builds/<id>.duckdb and current.duckdb,
a symlink, is swapped to it with one rename, so readers that opened the previous file keep reading it.
Every build, green or not, leaves builds/<id>.json.

With SAFELAKE_WAREHOUSE_URL (object storage), publishing also uploads builds/<id>.duckdb and then replaces
one small object, `current`, holding the build id (one PUT: atomic). Every reader, on any machine, pulls the
build `current` names into its own builds/ and swaps its own current.duckdb the same way, so its readers that
opened the previous file keep reading it.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from safelake.errors import SafeLakeError
from safelake.lake import fetch_one
from safelake.settings import Settings

PUBLISHED_SCHEMAS = ("marts", "analytics")


class NoWarehouse(SafeLakeError):
    """Nothing has been published yet."""


BuildStatus = Literal["running", "published", "failed"]


@dataclass
class BuildRecord:
    build_id: str
    started_at: str
    finished_at: str = ""
    status: BuildStatus = "running"
    lake_snapshot: int | None = None
    incremental: bool = False
    results: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # the dbt code this build ran (code_fingerprint) and, when it skipped the dbt unit tests, the
    # published build that passed them with that same code
    code_fingerprint: str = ""
    unit_tests_passed_in: str = ""
    # the reference geography whose lake rows the build read, and the time zone its days are counted in
    geography: str = "kg"
    timezone: str = "Asia/Bishkek"


def builds_dir(settings: Settings) -> Path:
    return settings.warehouse_dir / "builds"


def current_path(settings: Settings) -> Path:
    return settings.warehouse_dir / "current.duckdb"


def staging_path(settings: Settings) -> Path:
    """The build in progress; one at a time (the CLI holds a lock, the DAG runs with max_active_runs=1)."""
    return builds_dir(settings) / "next.duckdb"


def records(settings: Settings) -> list[BuildRecord]:
    """Every build's record, oldest first."""
    return [BuildRecord(**json.loads(p.read_text())) for p in sorted(builds_dir(settings).glob("*.json"))]


def load_record(settings: Settings, build_id: str) -> BuildRecord:
    """One build's record (builds/<id>.json): what Airflow tasks pass between them is only the id."""
    path = builds_dir(settings) / f"{build_id}.json"
    if not path.exists():
        raise SafeLakeError(f"no build record {path}; was the build started in another SAFELAKE_HOME?")
    return BuildRecord(**json.loads(path.read_text()))


def last_build(settings: Settings) -> BuildRecord | None:
    found = records(settings) if builds_dir(settings).exists() else []
    return found[-1] if found else None


def published_build(settings: Settings) -> str | None:
    current = current_path(settings)
    return current.resolve().stem if current.is_symlink() else None


def dbt_target(settings: Settings) -> Path:
    """Where dbt writes its artefacts, the manifest among them."""
    return settings.warehouse_dir / "dbt_target"


def _declared_meta(manifest: Path) -> list[tuple[str, str, str | None, str]]:
    """The dbt `meta` of each published model and column (schema, table, column or None, meta as JSON): the
    access policy reads its sensitivity declarations from here (docs/access.md)."""
    if not manifest.exists():
        raise SafeLakeError(f"no dbt manifest at {manifest}: the build cannot carry its sensitivity declarations")
    nodes = json.loads(manifest.read_text())["nodes"].values()
    rows: list[tuple[str, str, str | None, str]] = []
    for node in nodes:
        if node["resource_type"] != "model" or node["schema"] not in PUBLISHED_SCHEMAS:
            continue
        table = node["alias"] or node["name"]
        if node.get("meta"):
            rows.append((node["schema"], table, None, json.dumps(node["meta"])))
        rows += [
            (node["schema"], table, c, json.dumps(col["meta"])) for c, col in node["columns"].items() if col.get("meta")
        ]
    return rows


def stamp(target: Path, record: BuildRecord, manifest: Path) -> None:
    """Row counts, the build record inside the file itself: the stamp readers show, with the as-of day (the day
    the numbers run through, as the marts computed it), and the models' declared `meta` (meta.declared)."""
    declared = _declared_meta(manifest)
    con = duckdb.connect(str(target))
    try:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name, estimated_size FROM duckdb_tables() "
            f"WHERE schema_name IN {PUBLISHED_SCHEMAS} ORDER BY 1"
        ).fetchall()
        record.row_counts = {name: fetch_one(con, f"SELECT count(*) FROM {name}")[0] for name, _ in tables}
        con.execute("CREATE SCHEMA IF NOT EXISTS meta")
        con.execute(
            "CREATE OR REPLACE TABLE meta.build AS SELECT ?::VARCHAR AS build_id, ?::TIMESTAMPTZ AS built_at, "
            "?::BIGINT AS lake_snapshot, (SELECT max(as_of_date) FROM marts.kpi_source_freshness) AS as_of, "
            "?::VARCHAR AS geography, ?::VARCHAR AS timezone",
            [record.build_id, record.finished_at, record.lake_snapshot, record.geography, record.timezone],
        )
        con.execute(
            "CREATE OR REPLACE TABLE meta.declared (schema_name VARCHAR, table_name VARCHAR, column_name VARCHAR, "
            "meta JSON)"
        )
        con.executemany("INSERT INTO meta.declared VALUES (?, ?, ?, ?)", declared)
    finally:
        con.close()


def _switch(settings: Settings, target: Path) -> None:
    """Swap current.duckdb to the new build with one atomic rename of a symlink."""
    link = current_path(settings)
    tmp = link.with_name(f".current-{secrets.token_hex(4)}")
    tmp.symlink_to(target.relative_to(link.parent))
    os.replace(tmp, link)


class ObjectStore:
    """The published builds on object storage: builds/<id>.duckdb and `current` under SAFELAKE_WAREHOUSE_URL."""

    def __init__(self, settings: Settings, url: str):
        import boto3
        from botocore.config import Config

        self.bucket, _, self.prefix = url.removeprefix("s3://").partition("/")
        scheme = "https" if settings.s3_use_ssl else "http"
        self.client = boto3.client(
            "s3",
            endpoint_url=f"{scheme}://{settings.s3_endpoint}" if settings.s3_endpoint else None,
            aws_access_key_id=settings.s3_access_key_id and settings.s3_access_key_id.get_secret_value(),
            aws_secret_access_key=settings.s3_secret_access_key and settings.s3_secret_access_key.get_secret_value(),
            region_name=settings.s3_region,
            config=Config(s3={"addressing_style": settings.s3_url_style}),
        )

    def current(self) -> str | None:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + "current")["Body"]
        except self.client.exceptions.NoSuchKey:
            return None
        return body.read().decode().strip()

    def upload(self, target: Path) -> None:
        self.client.upload_file(str(target), self.bucket, f"{self.prefix}builds/{target.name}")

    def point_to(self, build_id: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + "current", Body=build_id.encode())

    def download(self, build_id: str, target: Path) -> None:
        part = target.with_name(f".{target.name}-{secrets.token_hex(4)}.part")
        try:
            self.client.download_file(self.bucket, f"{self.prefix}builds/{build_id}.duckdb", str(part))
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)


def object_store(settings: Settings) -> ObjectStore | None:
    return ObjectStore(settings, settings.warehouse_url) if settings.warehouse_url else None


def publish(settings: Settings, target: Path) -> None:
    """Serve the new build here and, with object storage, to every reader that pulls."""
    store = object_store(settings)
    if store is not None:
        store.upload(target)
    _switch(settings, target)
    if store is not None:
        store.point_to(target.stem)


def pull(settings: Settings) -> None:
    """Serve here the build object storage names current (downloaded once); no-op without object storage.
    Keeps the newest SAFELAKE_KEEP_BUILDS pulled files, so a reader that just resolved one still finds it."""
    store = object_store(settings)
    build_id = store.current() if store is not None else None
    if store is None or build_id is None or build_id == published_build(settings):
        return
    target = builds_dir(settings) / f"{build_id}.duckdb"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        store.download(build_id, target)
    _switch(settings, target)
    pulled = sorted(builds_dir(settings).glob("*.duckdb"), key=lambda path: path.stat().st_mtime, reverse=True)
    for path in pulled[settings.keep_builds :]:
        if path != target and path != staging_path(settings):
            path.unlink(missing_ok=True)


def prune(settings: Settings) -> None:
    """Keep the newest N published builds (and never the one being served); failed builds keep their record."""
    published = [r.build_id for r in records(settings) if r.status == "published"]
    keep = set(published[-settings.keep_builds :]) | {published_build(settings), staging_path(settings).stem}
    for path in builds_dir(settings).glob("*.duckdb"):
        if path.stem not in keep:
            path.unlink()


def save_record(settings: Settings, record: BuildRecord) -> None:
    (builds_dir(settings) / f"{record.build_id}.json").write_text(json.dumps(asdict(record), indent=2))


def published_file(settings: Settings) -> Path:
    pull(settings)
    link = current_path(settings)
    if not link.exists():
        raise NoWarehouse(
            f"no warehouse published yet in {link.parent}; run `safelake ingest` then `safelake build` (or `make up`)"
        )
    return link.resolve()  # pin the build: a publish during this connection's life does not move it
