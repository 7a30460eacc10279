"""The access policy under attack: as an analyst and as a regional chief, every way out of the scope is
refused or cut off with a clear message, and the warehouse is byte for byte the same afterwards."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from access.policy import NATIONAL, QueryRefused, Scope, connect, run_sql
from access.users import (
    User,
    authenticate,
    create_demo_users,
    hash_password,
    load_users,
    save_user,
    session_token,
    user_from_token,
)
from safelake.errors import SafeLakeError
from safelake.settings import Settings
from warehouse.publish import published_file

pytestmark = pytest.mark.slow

REGION = "KG-GB"
ANALYST = Scope("ana", None)
CHIEF = Scope("chief", REGION)

ATTACKS = {
    "read_csv": "SELECT * FROM read_csv('/etc/passwd')",
    "read_parquet": "SELECT * FROM read_parquet('{lake}/**/*.parquet')",
    "read_text": "SELECT * FROM read_text('/etc/hostname')",
    "copy_to": "COPY (SELECT * FROM marts.kpi_crime_compstat) TO '/tmp/leak.csv'",
    "attach": "ATTACH '{warehouse}' AS raw",
    "install": "INSTALL httpfs",
    "load": "LOAD ducklake",
    "set": "SET enable_external_access = true",
    "pragma": "PRAGMA database_list",
    "create": "CREATE TABLE marts.mine AS SELECT 1 AS x",
    "drop": "DROP VIEW marts.kpi_crime_compstat",
    "insert": "INSERT INTO marts.kpi_crime_compstat SELECT * FROM marts.kpi_crime_compstat",
    "several_statements": "SELECT 1; DROP VIEW marts.kpi_crime_compstat",
    "published_catalog": "SELECT count(*) FROM published.analytics.crime_reports",
    "query_function": "SELECT * FROM query('SELECT * FROM published.analytics.crime_reports')",
    "catalog_functions": "SELECT * FROM duckdb_tables()",
    "information_schema": "SELECT * FROM information_schema.columns",
    "getenv": "SELECT getenv('SAFELAKE_PII_KEY')",
}


@pytest.fixture(scope="module")
def settings(published, tmp_path_factory) -> Settings:
    home = published.settings()
    # a short timeout so the runaway query test is quick; the audit log goes to a scratch folder
    return home.model_copy(
        update={"sql_timeout_seconds": 2.0, "users_file": tmp_path_factory.mktemp("users") / "users.yaml"}
    )


@pytest.fixture(scope="module")
def fingerprint(settings: Settings) -> str:
    return hashlib.sha256(published_file(settings).read_bytes()).hexdigest()


@pytest.mark.parametrize("scope", [ANALYST, CHIEF], ids=["analyst", "regional_chief"])
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_escape_attempts_are_refused(settings: Settings, fingerprint: str, scope: Scope, attack: str) -> None:
    sql = ATTACKS[attack].format(lake=settings.lake_dir, warehouse=published_file(settings))
    with pytest.raises(QueryRefused) as refused:
        run_sql(settings, scope.name, scope, sql)
    message = str(refused.value)
    assert message and "\n" not in message
    assert hashlib.sha256(published_file(settings).read_bytes()).hexdigest() == fingerprint
    assert not Path("/tmp/leak.csv").exists()
    last = json.loads(settings.audit_log.read_text().splitlines()[-1])
    assert (last["user"], last["sql"], last["status"]) == (scope.name, sql, "refused")


def test_a_cartesian_product_is_cut_off_at_the_timeout(settings: Settings, fingerprint: str) -> None:
    sql = "SELECT count(*) FROM analytics.camera_days a, analytics.camera_days b, analytics.camera_days c"
    with pytest.raises(QueryRefused, match="longer than 2 s"):
        run_sql(settings, "ana", ANALYST, sql)
    assert json.loads(settings.audit_log.read_text().splitlines()[-1])["status"] == "timeout"
    assert hashlib.sha256(published_file(settings).read_bytes()).hexdigest() == fingerprint


def test_results_are_cut_at_the_row_limit(settings: Settings) -> None:
    small = settings.model_copy(update={"sql_row_limit": 7})
    result = run_sql(small, "ana", ANALYST, "SELECT * FROM analytics.camera_days")
    assert len(result.rows) == 7 and result.truncated


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT DISTINCT region_code FROM analytics.crime_reports",
        "SELECT DISTINCT region_code FROM marts.kpi_crime_compstat WHERE region_code IS NOT NULL",
        "SELECT DISTINCT c.region_code FROM analytics.crime_reports c JOIN analytics.regions r USING (region_code)",
        "SELECT DISTINCT r.region_code FROM analytics.regions r LEFT JOIN analytics.cameras c USING (region_code)",
        "SELECT region_code FROM analytics.camera_days UNION SELECT region_code FROM marts.agg_road_daily",
        "WITH x AS (SELECT region_code FROM analytics.fraud_reports) SELECT DISTINCT region_code FROM x",
    ],
)
def test_a_regional_chief_reaches_only_their_region(settings: Settings, sql: str) -> None:
    assert run_sql(settings, "chief", CHIEF, sql).rows == [(REGION,)]


def test_national_aggregates_are_empty_for_a_region_but_data_health_is_shared(settings: Settings) -> None:
    def count(table: str) -> int:
        return run_sql(settings, "chief", CHIEF, f"SELECT count(*) FROM {table}").rows[0][0]

    assert count("marts.kpi_plan_progress") == 0
    assert count("marts.kpi_crime_compstat WHERE area_level = 'nation'") == 0
    assert count("marts.kpi_source_freshness") > 0 and count("meta.build") == 1


def test_small_counts_about_minors_and_domestic_violence_are_suppressed(settings: Settings) -> None:
    below = settings.suppress_below
    full = connect(settings, NATIONAL)
    small = full.execute(
        f"SELECT count(*) FROM marts.kpi_crime_compstat WHERE dv_crimes_current BETWEEN 1 AND {below - 1}"
    ).fetchone()[0]
    assert small > 0, "the fixture has small DV cells (districts, week-to-date)"
    for scope in (ANALYST, CHIEF):
        con = connect(settings, scope)
        assert (
            con.execute(
                f"SELECT count(*) FROM marts.kpi_crime_compstat WHERE dv_crimes_current BETWEEN 1 AND {below - 1} "
                f"OR crimes_against_minors_current BETWEEN 1 AND {below - 1} "
                f"OR dv_crimes_prior BETWEEN 1 AND {below - 1}"
            ).fetchone()[0]
            == 0
        )
        assert (
            con.execute(
                "SELECT count(*) FROM analytics.crime_reports WHERE is_victim_minor OR is_domestic_violence"
            ).fetchone()[0]
            == 0
        )
    assert full.execute("SELECT count(*) FROM analytics.crime_reports WHERE is_domestic_violence").fetchone()[0] > 0


def test_no_raw_personal_data_through_sql(settings: Settings) -> None:
    columns = (
        connect(settings, NATIONAL)
        .execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'published' "
            "AND regexp_matches(column_name, 'name|phone|address|driver') AND schema_name IN ('marts', 'analytics')"
        )
        .fetchall()
    )
    personal = [(t, c) for t, c in columns if c.endswith(("_name_pseudonym", "_phone_pseudonym"))]
    assert personal, "the facts carry pseudonyms"
    for table, column in personal:
        values = run_sql(settings, "ana", ANALYST, f"SELECT DISTINCT {column} FROM analytics.{table} LIMIT 50").rows
        assert all(v is None or (len(v) >= 16 and all(ch in "0123456789abcdef" for ch in v)) for (v,) in values)
    assert not [c for t, c in columns if c in ("victim_name", "victim_phone", "address", "driver_name")]


def test_users_file_round_trip_and_bad_entries(settings: Settings) -> None:
    save_user(
        settings,
        User(name="chief", role="regional_chief", region_code=REGION, password_hash=hash_password("a-long-password")),
    )
    assert authenticate(settings, "chief", "a-long-password").scope == Scope("chief", REGION)
    assert authenticate(settings, "chief", "wrong") is None
    assert "a-long-password" not in settings.users_path.read_text()
    assert load_users(settings)["chief"].scope.cleared_for_sensitive is False
    broken = settings.model_copy(update={"users_file": settings.users_path.with_name("broken.yaml")})
    broken.users_path.write_text("users:\n  boss: {role: emperor}\n")
    with pytest.raises(SafeLakeError, match="broken.yaml: not a valid users file"):
        load_users(broken)


@pytest.mark.parametrize(
    ("place", "chief", "region"), [("kg", "chief.bishkek", "KG-GB"), ("kz", "chief.almaty", "KZ-75")]
)
def test_the_demo_users_are_one_per_role_with_a_chief_of_the_instances_country(
    tmp_path: Path, place: str, chief: str, region: str
) -> None:
    settings = Settings(home=tmp_path, geography=place)
    created = {name: role for name, role, _ in create_demo_users(settings)}
    assert set(created.values()) == {"leadership", "regional_chief", "analyst", "admin", "internal_security"}
    assert load_users(settings)[chief].scope == Scope(chief, region)
    assert create_demo_users(settings) == []  # a users file exists: nothing is changed


def test_a_session_token_stands_for_its_user_until_it_expires_or_the_password_changes(settings: Settings) -> None:
    chief = User(name="chief", role="regional_chief", region_code=REGION, password_hash=hash_password("pw-1-long"))
    save_user(settings, chief)
    now = 1_800_000_000.0
    token = session_token(settings, chief, now)
    assert user_from_token(settings, token, now + 60) == chief
    assert settings.users_path.with_name("session.key").stat().st_mode & 0o777 == 0o600
    hours = settings.session_hours * 3600
    assert user_from_token(settings, token, now + hours - 1) == chief
    assert user_from_token(settings, token, now + hours) is None  # expired
    name, expires, signature = token.split(".")
    forged = [
        f"{name}.{int(expires) + 3600}.{signature}",  # a longer life
        f"{name}.{expires}.{signature[:-1]}{'0' if signature[-1] != '0' else '1'}",
        "Ym9zcw." + f"{expires}.{signature}",  # another user's name ("boss")
        "not-a-token",
        "!!!.1.x",
    ]
    assert [user_from_token(settings, f, now) for f in forged] == [None] * len(forged)
    save_user(settings, chief.model_copy(update={"password_hash": hash_password("pw-2-long")}))
    assert user_from_token(settings, token, now + 60) is None  # a new password ends the old sessions


def test_the_sql_command_line(settings: Settings, tmp_path: Path) -> None:
    save_user(settings, User(name="ana", role="analyst", password_hash=hash_password("another-password")))
    env = {"SAFELAKE_HOME": str(settings.home), "SAFELAKE_USERS_FILE": str(settings.users_path), "PATH": "/usr/bin"}
    env["SAFELAKE_PII_KEY"] = settings.pii_key.get_secret_value()
    cli = [sys.executable, "-m", "ops"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=120)

    out = tmp_path / "regions.parquet"
    result = run(
        "sql",
        "--user",
        "ana",
        "SELECT region_code FROM analytics.regions ORDER BY 1",
        "--format",
        "parquet",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert pq.read_table(out).num_rows == 9
    result = run("sql", "--user", "ana", "SELECT count(*) AS n FROM analytics.regions", "--format", "json")
    assert json.loads(result.stdout) == [{"n": 9}]
    refused = run("sql", "--user", "ana", "DROP VIEW marts.kpi_plan_progress")
    assert refused.returncode == 2 and refused.stderr.startswith("error: only SELECT")
    assert run("sql", "--user", "nobody", "SELECT 1").stderr.startswith("error: unknown user 'nobody'")
