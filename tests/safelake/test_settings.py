from __future__ import annotations

import subprocess
import sys

import pytest

from safelake.errors import SafeLakeError
from safelake.settings import Settings, get_settings


def test_defaults_and_paths(settings):
    assert settings.timezone == "Asia/Bishkek"
    assert settings.landing == settings.home / "landing"
    assert settings.catalog == f"sqlite:{settings.home / 'lake' / 'catalog.sqlite'}"


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SAFELAKE_TIMEZONE", "Mars/Olympus", "SAFELAKE_TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ("SAFELAKE_PII_KEY", "short", "SAFELAKE_PII_KEY: must be at least 16 characters"),
        ("SAFELAKE_HOME", "/etc/hostname", "SAFELAKE_HOME: /etc/hostname exists and is not a directory"),
    ],
)
def test_wrong_values_get_one_clear_line(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    get_settings.cache_clear()
    with pytest.raises(SafeLakeError) as info:
        get_settings()
    get_settings.cache_clear()
    assert str(info.value).startswith(message)


def test_missing_pii_key_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv("SAFELAKE_PII_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SafeLakeError, match="SAFELAKE_PII_KEY is not set"):
        Settings(home=tmp_path / "h").require_pii_key()


def test_cli_prints_the_error_line_and_exits_nonzero(tmp_path):
    env = {"SAFELAKE_HOME": str(tmp_path), "SAFELAKE_TIMEZONE": "Nowhere/Land", "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "ops", "status"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "error: SAFELAKE_TIMEZONE: unknown time zone 'Nowhere/Land'; use an IANA name such as Asia/Bishkek"
    )


def test_init_writes_a_private_random_key_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SAFELAKE_PII_KEY", raising=False)
    env = {"SAFELAKE_HOME": str(tmp_path / "home"), "PATH": ""}
    for _ in range(2):
        subprocess.run([sys.executable, "-m", "ops", "init"], env=env, check=True, cwd=tmp_path, capture_output=True)
    lines = (tmp_path / ".env").read_text().splitlines()
    assert len(lines) == 1 and len(lines[0].split("=", 1)[1]) >= 32
    assert (tmp_path / ".env").stat().st_mode & 0o077 == 0
