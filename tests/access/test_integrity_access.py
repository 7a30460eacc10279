"""Discipline and integrity data are personnel data (docs/access.md#personnel-data): an analyst and a regional chief
read no disciplinary case and no employee's pseudonym through any interface (analysts' SQL, the dashboards, the
e-mails), and small counts about employees are hidden from them; internal security reads the cases, with the
employees as pseudonyms only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from access import i18n
from access.policy import connect, run_sql
from access.users import Role, User, hash_password, scope_for
from briefings.config import Recipient
from briefings.content import load_briefing
from briefings.render import render
from safelake.settings import Settings
from tests.conftest import Published, home_with_users
from warehouse.publish import published_file

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
REGION = "KG-C"
USERS = {  # name: (role, region)
    "ana": (Role.analyst, None),
    "chief": (Role.regional_chief, REGION),
    "boss": (Role.leadership, None),
    "sec": (Role.internal_security, None),
}
NOT_CLEARED = ("ana", "chief")


def scope(name: str):  # type: ignore[no-untyped-def]
    role, region = USERS[name]
    return scope_for(name, role, region)


@pytest.fixture(scope="module")
def home(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    accounts = [
        User(name=name, role=role, region_code=region, password_hash=hash_password(name * 3))
        for name, (role, region) in USERS.items()
    ]
    with home_with_users(published, tmp_path_factory, accounts) as settings:
        yield settings


@pytest.fixture(scope="module")
def pseudonyms(home: Settings) -> set[str]:
    """Every employee's pseudonym in the build, read from the file itself (outside the policy)."""
    with duckdb.connect(str(published_file(home)), read_only=True) as con:
        found = {
            r[0] for r in con.execute("SELECT DISTINCT officer_pseudonym FROM marts.fct_disciplinary_cases").fetchall()
        }
    assert len(found) > 50
    return found


def readable_text(con: duckdb.DuckDBPyConnection) -> Iterator[tuple[str, str]]:
    """(view.column, SQL) for every text column of every view the scope's connection offers."""
    for schema, view, column in con.execute(
        "SELECT schema_name, table_name, column_name FROM duckdb_columns() WHERE database_name = 'memory' "
        "AND data_type = 'VARCHAR' ORDER BY ALL"
    ).fetchall():
        yield f"{schema}.{view}.{column}", f'SELECT DISTINCT "{column}" FROM {schema}.{view}'


@pytest.mark.parametrize("user", NOT_CLEARED)
def test_sql_gives_no_case_and_no_pseudonym(home: Settings, pseudonyms: set[str], user: str) -> None:
    result = run_sql(home, user, scope(user), "SELECT * FROM marts.fct_disciplinary_cases")
    assert result.rows == [] and "officer_pseudonym" in result.columns
    con = connect(home, scope(user))
    try:
        for name, sql in readable_text(con):
            leaked = {row[0] for row in con.execute(sql).fetchall()} & pseudonyms
            assert not leaked, name
    finally:
        con.close()


def test_internal_security_reads_the_cases_as_pseudonyms(home: Settings, pseudonyms: set[str]) -> None:
    result = run_sql(home, "sec", scope("sec"), "SELECT DISTINCT officer_pseudonym FROM marts.fct_disciplinary_cases")
    assert {row[0] for row in result.rows} == pseudonyms
    assert all(re.fullmatch(r"[0-9a-f]{32}", p) for p in pseudonyms)


def test_no_employee_is_named_anywhere(home: Settings, published: Published) -> None:
    """The service numbers of the exports never reach the warehouse, for any role: only their keyed hashes do."""
    raw = set()
    for path in (published.home / "archive" / "disciplinary_case").rglob("*.csv"):
        for line in path.read_bytes().decode("cp1251").splitlines()[1:]:
            raw.add(line.split(";")[1])
    assert len(raw) > 50
    con = connect(home, scope("sec"))
    try:
        for name, sql in readable_text(con):
            assert not {row[0] for row in con.execute(sql).fetchall()} & raw, name
    finally:
        con.close()


@pytest.mark.parametrize("user", [*NOT_CLEARED, "boss"])
def test_small_counts_about_employees_are_hidden_from_everyone_else(home: Settings, user: str) -> None:
    below = home.suppress_below
    small = (
        "SELECT count(*) FROM marts.kpi_discipline_compstat WHERE disciplinary_cases_current BETWEEN 1 AND ? "
        "OR dismissals_current BETWEEN 1 AND ?"
    )
    with duckdb.connect(str(published_file(home)), read_only=True) as raw:
        assert raw.execute(small, [below - 1, below - 1]).fetchone()[0] > 0  # there are some to hide
    con = connect(home, scope(user))
    try:
        assert con.execute(small, [below - 1, below - 1]).fetchone()[0] == 0
        officers = "SELECT count(*) FROM marts.kpi_corruption_compstat WHERE officers_charged_current BETWEEN 1 AND ?"
        assert con.execute(officers, [below - 1]).fetchone()[0] == 0
    finally:
        con.close()
    sec = connect(home, scope("sec"))
    try:
        assert sec.execute(small, [below - 1, below - 1]).fetchone()[0] > 0
    finally:
        sec.close()


def page(user: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "en"
    at.run()
    at.text_input(key="login_name").input(user)
    at.text_input(key="login_password").input(user * 3)
    next(b for b in at.button if b.label == i18n.t("login_button", "en")).click().run()
    at.switch_page("views/integrity.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_text(at: AppTest) -> str:
    parts = [str(e.value) for e in [*at.markdown, *at.caption, *at.metric, *at.info]]
    parts += [t.value.to_csv() for t in at.table]
    return "\n".join(parts)


@pytest.mark.parametrize("user", NOT_CLEARED)
def test_dashboard_shows_no_case_and_no_pseudonym(home: Settings, pseudonyms: set[str], user: str) -> None:
    at = page(user)
    label = i18n.t("officer_pseudonym", "en")
    assert not [t for t in at.table if label in t.value.columns]
    text = shown_text(at)
    assert not [p for p in pseudonyms if p in text]
    assert i18n.t("personnel_rows_note", "en") in text


def test_dashboard_shows_internal_security_the_cases(home: Settings, pseudonyms: set[str]) -> None:
    at = page("sec")
    label = i18n.t("officer_pseudonym", "en")
    (cases,) = [t.value for t in at.table if label in t.value.columns]
    assert len(cases) and set(cases[label]) <= pseudonyms


def email(home: Settings, user: str) -> str:
    """The rendered daily briefing (HTML, text and attachments) with every count about employees below a bar no
    count reaches, so that whatever a scope not cleared for them would see of them is hidden."""
    role, region = USERS[user]
    recipient = Recipient(
        name=user, address=f"{user}@example.org", role=role, region=region or "national", language="en",
        briefings=["daily"],
    )  # fmt: skip
    settings = home.model_copy(update={"suppress_below": 10**9})
    rendered = render(load_briefing(settings, "daily", recipient.scope), recipient, ZoneInfo(home.timezone))
    return "\n".join([rendered.html, rendered.text, *(a.decode() for a in rendered.attachments.values())])


def discipline_line(text: str) -> str:
    (line,) = [ln for ln in text.splitlines() if ln.startswith("Discipline, 28 days:")]
    return line


@pytest.mark.parametrize("user", NOT_CLEARED)
def test_email_hides_counts_about_employees(home: Settings, pseudonyms: set[str], user: str) -> None:
    text = email(home, user)
    assert discipline_line(text).startswith(f"Discipline, 28 days: {i18n.t('suppressed_cell', 'en')} cases")
    assert not [p for p in pseudonyms if p in text]


def test_email_gives_internal_security_the_count(home: Settings) -> None:
    with duckdb.connect(str(published_file(home)), read_only=True) as con:
        (cases,) = con.execute(
            "SELECT disciplinary_cases_current FROM marts.kpi_discipline_compstat "
            "WHERE compstat_window = '28d' AND area_level = 'nation' AND breach_type = 'all'"
        ).fetchone()
    assert cases > 0
    assert discipline_line(email(home, "sec")).startswith(f"Discipline, 28 days: {i18n.num(cases, 'en')} cases")
