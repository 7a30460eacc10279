"""The one settings object, read from SAFELAKE_* environment variables and .env."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from safelake.errors import SafeLakeError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFELAKE_", env_file=".env", extra="ignore")

    home: Path = Path("var")
    timezone: str = "Asia/Bishkek"
    geography: str = "kg"
    # Keyed hash for personal data. Required by anything that writes the lake; never defaulted.
    pii_key: SecretStr | None = None
    # DuckLake catalog; the embedded default is SQLite under home. Production: "postgres:dbname=...".
    lake_catalog: str | None = None
    lake_data_path: str | None = None
    keep_builds: int = 5

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Bishkek") from None
        return value

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
    def catalog(self) -> str:
        return self.lake_catalog or f"sqlite:{self.lake_dir / 'catalog.sqlite'}"

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
        name = "SAFELAKE_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SafeLakeError(f"{name}: {first['msg'].removeprefix('Value error, ')}") from None
