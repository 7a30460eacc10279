from __future__ import annotations

from pathlib import Path

import pytest

from safelake.settings import Settings, get_settings

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"
PII_KEY = "test-key-0123456789abcdef"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh SAFELAKE_HOME per test, configured through the environment as a user would."""
    monkeypatch.setenv("SAFELAKE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SAFELAKE_PII_KEY", PII_KEY)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()
