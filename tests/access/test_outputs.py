"""What crosses the policy towards people: CSV cells that cannot be formulas, CLI output that is not markup,
sessions that end at logout, cookies that are Secure over HTTPS."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from access import csvsafe
from access.users import User, hash_password, revoke_token, save_user, session_token, user_from_token
from dashboards.auth import cookie_script, served_over_https
from safelake.settings import Settings


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        ("-12.5", "-12.5"),  # text that is exactly a number stays a number
        ("+7", "+7"),
        ("-1e-05", "-1e-05"),
        (-500, -500),
        (Decimal("-3.25"), Decimal("-3.25")),
        (None, None),
    ],
)
def test_a_cell_cannot_be_a_formula(value, written) -> None:
    assert csvsafe.cell(value) == written


def test_every_cell_of_a_csv_is_escaped_and_numbers_read_back_as_numbers() -> None:
    data = csvsafe.to_bytes(["=name", "n"], [["=cmd()", -5], ["@x", 2.5]]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows == [["'=name", "n"], ["'=cmd()", "-5"], ["'@x", "2.5"]]


def test_the_briefing_attachments_are_escaped() -> None:
    import inspect

    from briefings import render

    assert "csvsafe.to_bytes" in inspect.getsource(render.csv_files)


@pytest.fixture
def users(settings: Settings) -> Settings:
    return settings


def test_logout_revokes_the_token_everywhere(users: Settings) -> None:
    chief = User(name="chief", role="regional_chief", region_code="KG-GB", password_hash=hash_password("pw-1-long"))
    save_user(users, chief)
    now = 1_800_000_000.0
    token, other = session_token(users, chief, now), session_token(users, chief, now + 1)
    assert user_from_token(users, token, now + 5) == chief
    revoke_token(users, token, now + 10)
    assert user_from_token(users, token, now + 11) is None  # a copy captured before logout is dead
    assert user_from_token(users, other, now + 11) == chief  # the user's other sessions go on
    revoked = users.users_path.with_name("sessions.revoked")
    assert revoked.stat().st_mode & 0o777 == 0o600 and token not in revoked.read_text()  # only a hash is kept
    later = now + users.session_hours * 3600 + 5  # the first entry has expired by then: dropped
    revoke_token(users, session_token(users, chief, later), later)
    assert len(revoked.read_text().splitlines()) == 1
    revoke_token(users, "not-a-token", now)
    assert user_from_token(users, other, now + 12) == chief


@pytest.mark.parametrize(
    ("url", "headers", "secure"),
    [
        ("https://safelake.example/", {}, True),
        ("http://127.0.0.1:8501/", {}, False),
        ("http://10.0.0.5:8501/", {"X-Forwarded-Proto": "https"}, True),
        ("http://10.0.0.5:8501/", {"X-Forwarded-Proto": "http"}, False),
        (None, {}, False),
    ],
)
def test_the_cookie_is_secure_when_served_over_https(url, headers, secure: bool) -> None:
    assert served_over_https(url, headers) is secure
    script = cookie_script("tok", 60, served_over_https(url, headers))
    assert ("; Secure" in script) is secure and "SameSite=Strict" in script


# ---- the command line ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli(published, tmp_path_factory):
    settings = published.settings().model_copy(update={"users_file": tmp_path_factory.mktemp("u") / "users.yaml"})
    save_user(settings, User(name="ana", role="analyst", password_hash=hash_password("another-password")))
    env = {"SAFELAKE_HOME": str(settings.home), "SAFELAKE_USERS_FILE": str(settings.users_path), "PATH": "/usr/bin"}
    env["SAFELAKE_PII_KEY"] = settings.pii_key.get_secret_value()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "ops", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    return run


@pytest.mark.slow
def test_markup_in_a_value_is_printed_as_it_is(cli) -> None:
    result = cli("sql", "--user", "ana", "SELECT '[/red]' AS \"[bold]x\", '[link=file:///etc]y' AS z")
    assert result.returncode == 0, result.stderr
    assert "[/red]" in result.stdout and "[bold]x" in result.stdout and "[link=file:///etc]y" in result.stdout


@pytest.mark.slow
def test_sql_csv_output_escapes_formulas(cli, tmp_path: Path) -> None:
    out = tmp_path / "q.csv"
    sql = "SELECT '=HYPERLINK(\"http://x\")' AS a, -5 AS n, '@cmd' AS b"
    result = cli("sql", "--user", "ana", sql, "--format", "csv", "--out", str(out))
    assert result.returncode == 0, result.stderr
    escaped = ['\'=HYPERLINK("http://x")', "-5", "'@cmd"]
    assert list(csv.reader(out.open(encoding="utf-8"))) == [["a", "n", "b"], escaped]
    stdout = cli("sql", "--user", "ana", sql, "--format", "csv").stdout
    assert list(csv.reader(io.StringIO(stdout)))[1] == escaped


@pytest.mark.slow
def test_refusals_on_the_command_line_are_one_line(cli) -> None:
    result = cli("sql", "--user", "ana", "SELECT " + "abs(" * 990 + "1" + ")" * 990)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "nested too deeply" in result.stderr
    assert "Traceback" not in result.stderr
    shown = cli("sql", "--user", "ana", "SHOW ALL TABLES", "--format", "json")
    assert shown.returncode == 2 and shown.stderr.startswith("error: show is not allowed")
    assert json.loads(cli("sql", "--user", "ana", "SELECT 1 AS n", "--format", "json").stdout) == [{"n": 1}]


def test_a_file_named_with_brackets_is_reported_under_its_real_name() -> None:
    from rich.console import Console

    from ingestion.pipeline import FileResult
    from ops.cli import ingest_summary

    name = "crime [KG-GB] [bold] [red]x[link=file:x].csv"
    result = FileResult(path=Path("/landing/crime") / name, status="ingested", dataset="crime_reports")
    console = Console(width=400, record=True)
    console.print(ingest_summary([result]))
    assert name in console.export_text()


@pytest.mark.slow
def test_a_wide_result_stops_at_the_memory_limit_on_the_command_line(cli) -> None:
    """3,000 rows of 1 MB: DuckDB materialises 3 GB, past its own 2 GB limit, unless the process is capped."""
    result = cli("sql", "--user", "ana", "SELECT repeat('x', 1000000) AS s FROM range(3000)", "--format", "json")
    assert result.returncode == 2 and result.stderr.startswith("error: the query needed more than the 2GB memory")
    assert "Traceback" not in result.stderr and result.stdout == ""
