from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from streamlit.components.v2 import manifest_scanner

from access.users import User, save_user
from safelake.settings import Settings, get_settings

# Each new AppTest scans every installed package for Streamlit components (about 2 s); the packages do not change
# during a test session, so they are scanned once.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
PII_KEY = "test-key-0123456789abcdef"


def local_today(zone: str = "Asia/Bishkek") -> dt.date:
    """Today where the demo data is reported (the warehouse counts days there): from 18:00 UTC Bishkek's date is
    already the next one, and a fixture dated by the machine's clock would end two days before the as-of day."""
    return dt.datetime.now(ZoneInfo(zone)).date()


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh SAFELAKE_HOME per test, configured through the environment as a user would."""
    monkeypatch.setenv("SAFELAKE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SAFELAKE_PII_KEY", PII_KEY)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@dataclass(frozen=True)
class Published:
    """A SAFELAKE_HOME with demo data ingested and one warehouse published by `safelake build`."""

    home: Path
    start: dt.date
    days: int

    @property
    def env(self) -> dict[str, str]:
        return {"SAFELAKE_HOME": str(self.home), "SAFELAKE_PII_KEY": PII_KEY}

    def settings(self) -> Settings:
        return Settings(home=self.home, pii_key=PII_KEY)


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """Built once per test session and shared read-only: readers' tests (dashboards, e-mails, SQL) must not
    write into it. The demo data ends yesterday, so the warehouse's as-of day is today."""
    from ingestion.pipeline import ingest
    from safelake.reference import REFERENCE_DIR
    from tools.demo import generate
    from warehouse.build import build

    days = 120
    fixture = Published(tmp_path_factory.mktemp("published") / "home", local_today() - dt.timedelta(days=days), days)
    settings = fixture.settings()
    generate(settings.landing, fixture.start, days, 400, 11, REFERENCE_DIR / "kg")
    ingest(settings)
    record = build(settings)
    assert record.status == "published", record.failures
    return fixture


@contextlib.contextmanager
def home_with_users(
    published: Published, tmp_path_factory: pytest.TempPathFactory, users: Iterable[User]
) -> Iterator[Settings]:
    """The session's warehouse as the dashboards and the policy see it, for a module's tests: SAFELAKE_HOME is
    `published`, SAFELAKE_USERS_FILE a new file with `users` (password hashes set); settings read afresh on the
    way in and out."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFELAKE_HOME", str(published.home))
        patch.setenv("SAFELAKE_USERS_FILE", str(tmp_path_factory.mktemp("users") / "users.yaml"))
        get_settings.cache_clear()
        settings = get_settings()
        for user in users:
            save_user(settings, user)
        yield settings
    get_settings.cache_clear()
