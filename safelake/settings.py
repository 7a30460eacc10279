"""The one settings object, read from SAFELAKE_* environment variables and .env."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from safelake.errors import SafeLakeError

# How long a source may send nothing before it is late: its export's cadence and a margin (a week and a day for a
# weekly export). A source is watched where the instance's geography has a profile for it.
WEEKLY, MONTHLY, DAILY = 24.0 * 8, 24.0 * 35, 26.0
FRESHNESS_HOURS = {
    "crime_report": WEEKLY,
    "road_incident": WEEKLY,
    "fraud_report": WEEKLY,
    "camera": MONTHLY,  # the registry
    "camera_status": DAILY,  # the video-management system's snapshot
    "dispatch_call": DAILY,  # the 102 centre's export at 00:30
    "citizen_appeal": WEEKLY,
    "reception_session": MONTHLY,
    "disciplinary_case": MONTHLY,
    "fraud_resource_block": WEEKLY,
    "cyber_incident": WEEKLY,  # a daily export, but none on a day without incidents
    "crime_aggregate": MONTHLY + 24.0 * 5,  # a month's workbook comes in the first days of the next
    "mass_event": WEEKLY,
    "fire_inspection": WEEKLY,
    "fire_alarm_installation": MONTHLY,
    # not watched: seasonal sources (pyrotechnics raids, children's trips) owe nothing out of season
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFELAKE_", env_file=".env", extra="ignore")

    home: Path = Path("var")
    # The reference set (safelake/reference/<geography>/) whose rows a warehouse build reads; the plan's local
    # time is its time zone (geography.csv) unless SAFELAKE_TIMEZONE says otherwise.
    geography: str = "kg"
    timezone: str = "Asia/Bishkek"
    # Keyed hash for personal data. Required by anything that writes the lake; never defaulted.
    pii_key: SecretStr | None = None
    # DuckLake catalog; the embedded default is SQLite under home. Production: "postgres:dbname=... host=..."
    # (a libpq connection string; the password from PGPASSWORD or a passfile, never from this string).
    lake_catalog: str | None = None
    lake_data_path: str | None = None  # default home/lake/data/; production: s3://bucket/prefix/
    # Object storage (the S3 API: AWS, SeaweedFS, MinIO, Ceph...) for the lake's Parquet and the published
    # builds. Endpoint and credentials come from the environment only; there are no defaults.
    s3_endpoint: str | None = None  # host[:port]; unset = AWS
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_region: str = "us-east-1"
    s3_use_ssl: bool = True
    s3_url_style: Literal["path", "vhost"] = "path"
    # Published warehouse builds uploaded here (s3://bucket/prefix/) and pulled by each reader; unset = the
    # local warehouse/ folder only (one machine).
    warehouse_url: str | None = None
    keep_builds: int = 5
    # Group commit: files read together land in one lake transaction, each with its rows, quarantine and
    # ledger entry, so a file is never partly in the lake. 1 = one lake snapshot per file.
    ingest_group_files: int = Field(256, ge=1)
    ingest_group_rows: int = Field(500_000, ge=1)
    # Operators' own source profiles and reference geographies, besides the package's.
    profiles_dir: Path | None = None
    reference_dir: Path | None = None
    # Caps that keep one hostile or broken file from taking the machine's memory: it is refused instead.
    ingest_max_columns: int = Field(2_000, ge=1)
    ingest_max_unzipped_mb: int = Field(1_024, ge=1)  # an XLSX's parts, uncompressed
    ingest_max_json_depth: int = Field(64, ge=2)
    # A landing file modified less than this long ago may still be being written: it waits for the next run.
    landing_settle_seconds: float = Field(0, ge=0)

    # Access policy (access/policy.py): who sees what, and how analysts' SQL is bounded.
    users_file: Path | None = None  # default SAFELAKE_HOME/users.yaml (`safelake users add`)
    session_hours: float = Field(12, gt=0)  # a dashboard password login outlives a browser reload this long
    suppress_below: int = Field(5, ge=1)  # minors/DV cells of 1..N-1 are hidden from roles not cleared
    sql_timeout_seconds: float = Field(30, gt=0)
    sql_row_limit: int = Field(10_000, ge=1)
    sql_memory_limit: str = "2GB"
    sql_result_mb: int = Field(64, ge=1)  # bytes (Arrow size) of one analyst query's result, besides its rows

    # Operations: retention, freshness alerts, the on-call address and the mail server.
    archive_retention_days: int = Field(365, ge=1)  # original exports under archive/ are deleted after this
    snapshot_retention_days: int = Field(30, ge=1)  # lake snapshots older than this are expired ("as of" limit)
    # A dataset that has sent nothing (no file ingested) for longer than this many hours raises an alert.
    # SAFELAKE_FRESHNESS_HOURS='{"crime_report": 24}' overrides some; the others keep their default.
    freshness_hours: dict[str, float] = Field(default_factory=lambda: dict(FRESHNESS_HOURS))
    # A region with a regional dataset that has sent nothing for longer than this raises an alert.
    region_freshness_hours: float = Field(24 * 8, gt=0)
    alert_repeat_hours: float = Field(24, gt=0)  # the same alert is e-mailed again only after this long
    oncall_email: str = "oncall@localhost"
    mail_from: str = "safelake@localhost"
    # SMTP for alerts (and the KPI e-mails); unset host = write .eml files into SAFELAKE_HOME/outbox/.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    # Inside Airflow, an Airflow connection (host, port, login, password) overrides the SMTP fields above.
    smtp_conn_id: str | None = None

    # KPI briefings: who gets which e-mail (YAML; unset = briefings/recipients.example.yaml).
    recipients_file: Path | None = None
    # A published warehouse older than this is stale: recipients get a "data delayed" note instead.
    warehouse_stale_hours: float = Field(26, gt=0)

    # Orchestration: the embedded Airflow (`make up`) and the build cadence.
    airflow_host: str = "127.0.0.1"
    airflow_port: int = Field(8080, ge=1, le=65535)
    airflow_parallelism: int = Field(4, ge=1, le=64)
    airflow_owner: str = "safelake-data"
    airflow_retries: int = Field(2, ge=0)  # every task; the delay doubles at each try (exponential backoff)
    airflow_retry_delay_seconds: int = Field(60, ge=1)
    build_min_interval_minutes: int = Field(60, ge=0)  # data-aware builds start at most this often

    # The live path (docs/streaming.md): the broker and the consumer's group commit.
    nats_url: str = "nats://127.0.0.1:4222"
    heartbeat_timeout: float = Field(180, gt=0)  # seconds without a heartbeat after which a camera is offline
    stream_commit_seconds: float = Field(1.0, gt=0, le=1.0)  # a message waits at most this long for its commit
    stream_batch: int = Field(20_000, ge=1)  # messages per commit at most
    stream_ack_wait_seconds: float = Field(30, gt=0)  # an unacked message is redelivered after this
    stream_max_event_bytes: int = Field(16_384, ge=256)  # bigger events are quarantined (too_large)
    stream_inline_rows: int = Field(1_000, ge=0)  # commits of up to this many rows stay in the catalog (inlined)
    stream_snapshot_hours: float = Field(24, gt=0)
    # The streams' size limit together (docs/streaming.md), reserved on the broker's disk: about two days of a
    # national camera feed; the oldest messages go first when it is reached.
    stream_storage_gib: float = Field(30, gt=0)  # older stream commits keep one lake snapshot an hour (nightly)
    # Alerts (ops/freshness.py): a stream the lake has taken nothing from for this long is silent; a lag (messages
    # not yet in the lake) over this many messages is growing faster than the consumer drains it.
    stream_silent_minutes: float = Field(10, gt=0)
    stream_lag_alert: int = Field(60_000, ge=1)
    # The HTTP ingress (stream/ingress.py): a token per source, never defaulted ('{"dispatch-kg": "<token>"}').
    ingress_tokens: dict[str, SecretStr] = Field(default_factory=dict)
    ingress_host: str = "127.0.0.1"
    ingress_port: int = Field(8090, ge=1, le=65535)
    ingress_max_body_bytes: int = Field(1 << 20, ge=1024)  # a bigger request body is refused (413)
    ingress_max_batch: int = Field(1_000, ge=1)  # events in one request at most
    ingress_rate: float = Field(2_000, gt=0)  # events per second per source (a second's worth may come at once)

    @field_validator("ingress_tokens")
    @classmethod
    def _strong_tokens(cls, value: dict[str, SecretStr]) -> dict[str, SecretStr]:
        for source, token in value.items():
            if len(token.get_secret_value()) < 24:
                raise ValueError(f"the token of source {source!r} must be at least 24 characters")
        if len({token.get_secret_value() for token in value.values()}) < len(value):
            raise ValueError("two sources share a token; give each source its own")
        return value

    @model_validator(mode="after")
    def _geography_zone(self) -> Settings:
        from safelake.reference import search_roots, zone

        try:
            found = zone(self.geography, search_roots(self.reference_dir))
        except SafeLakeError as exc:
            raise ValueError(f"SAFELAKE_GEOGRAPHY: {exc}") from None
        if "timezone" not in self.model_fields_set:
            self.timezone = self._known_zone(found)
        return self

    @model_validator(mode="after")
    def _object_storage_credentials(self) -> Settings:
        used = [
            name
            for name, value in (("LAKE_DATA_PATH", self.lake_data_path), ("WAREHOUSE_URL", self.warehouse_url))
            if value and value.startswith("s3://")
        ]
        if used and (self.s3_access_key_id is None or self.s3_secret_access_key is None):
            raise ValueError(
                f"SAFELAKE_{used[0]} is on S3 but SAFELAKE_S3_ACCESS_KEY_ID or SAFELAKE_S3_SECRET_ACCESS_KEY is "
                "not set; export both (and SAFELAKE_S3_ENDPOINT unless the store is AWS)"
            )
        if self.warehouse_url and not (self.warehouse_url.startswith("s3://") and self.warehouse_url.endswith("/")):
            raise ValueError(f"SAFELAKE_WAREHOUSE_URL {self.warehouse_url!r}: use s3://bucket/prefix/ (ending in /)")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Bishkek") from None
        return value

    @field_validator("profiles_dir", "reference_dir")
    @classmethod
    def _existing_folder(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"{value} is not a folder")
        return value

    @field_validator("freshness_hours")
    @classmethod
    def _complete_thresholds(cls, value: dict[str, float]) -> dict[str, float]:
        if any(hours <= 0 for hours in value.values()):
            raise ValueError("every threshold must be a positive number of hours")
        return FRESHNESS_HOURS | value

    @field_validator("pii_key")
    @classmethod
    def _strong_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("must be at least 16 characters; `safelake init` writes a random one to .env")
        return value

    @field_validator("home")
    @classmethod
    def _usable_home(cls, value: Path) -> Path:
        home = value.expanduser().absolute()
        if home.exists() and not home.is_dir():
            raise ValueError(f"{home} exists and is not a directory; point SAFELAKE_HOME at a folder")
        probe = home if home.exists() else next(p for p in home.parents if p.exists())
        if not os.access(probe, os.W_OK):
            raise ValueError(f"{probe} is not writable; point SAFELAKE_HOME at a folder you can write")
        return home

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def lake_dir(self) -> Path:
        return self.home / "lake"

    @property
    def warehouse_dir(self) -> Path:
        return self.home / "warehouse"

    @property
    def extension_dir(self) -> Path:
        return self.home / "duckdb_extensions"

    @property
    def users_path(self) -> Path:
        return self.users_file or self.home / "users.yaml"

    @property
    def audit_log(self) -> Path:
        return self.home / "audit" / "sql.jsonl"

    @property
    def outbox(self) -> Path:
        return self.home / "outbox"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def nats_store(self) -> Path:
        return self.home / "nats"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def catalog(self) -> str:
        return self.lake_catalog or f"sqlite:{self.lake_dir / 'catalog.sqlite'}"

    @property
    def postgres_catalog(self) -> str | None:
        """The libpq connection string of a PostgreSQL catalog (shared by many machines), else None."""
        return self.catalog.removeprefix("postgres:") if self.catalog.startswith("postgres:") else None

    @property
    def data_path(self) -> str:
        return self.lake_data_path or f"{self.lake_dir / 'data'}/"

    def require_pii_key(self) -> bytes:
        if self.pii_key is None:
            raise SafeLakeError(
                "SAFELAKE_PII_KEY is not set: personal data cannot be pseudonymised. "
                "Run `safelake init` (writes a random key to .env) or export SAFELAKE_PII_KEY."
            )
        return self.pii_key.get_secret_value().encode()


@cache
def get_settings() -> Settings:
    """Read the settings once; a bad value stops the program with one line naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        if not first["loc"]:  # a check across settings names its variables itself
            raise SafeLakeError(message) from None
        raise SafeLakeError(f"SAFELAKE_{str(first['loc'][0]).upper()}: {message}") from None
