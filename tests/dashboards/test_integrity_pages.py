"""AppTests of the Discipline & integrity and Cybersecurity pages in Russian and English against the session's
published warehouse: no exception, nothing shown as "None", the headline figures equal the marts (read here in the
same user's scope), Russian pages without English words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from access import i18n
from access.i18n import Lang, t
from access.policy import connect
from access.users import Role, User, hash_password, scope_for
from safelake.settings import get_settings
from tests.conftest import Published, home_with_users

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
USERS = {"sec": Role.internal_security, "ana": Role.analyst}


@pytest.fixture(scope="module")
def home(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    accounts = [User(name=name, role=role, password_hash=hash_password(name * 3)) for name, role in USERS.items()]
    with home_with_users(published, tmp_path_factory, accounts):
        yield published


def open_page(page: str, user: str, lang: Lang) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = lang
    at.run()
    at.text_input(key="login_name").input(user)
    at.text_input(key="login_password").input(user * 3)
    next(b for b in at.button if b.label == t("login_button", lang)).click().run()
    at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    for table in at.table:
        assert not table.value.isna().any().any(), table.value
    return at


def one(user: str, sql: str) -> float:
    con = connect(get_settings(), scope_for(user, USERS[user], None))
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def metric(at: AppTest, label: str) -> str:
    (value,) = [m.value for m in at.metric if m.label == label]
    return value


def english_words(at: AppTest) -> set[str]:
    texts = [*(e.value for e in [*at.markdown, *at.caption, *at.subheader]), *(m.label for m in at.metric)]
    texts += [" ".join(map(str, table.value.columns)) for table in at.table]
    return {w for text in texts for w in i18n.latin_words(str(text))} - set(USERS)  # the login names


WHERE = "compstat_window = '28d' AND area_level = 'nation'"


def national(user: str, column: str, mart: str, by: str) -> float:
    """`column` of the country's 28-day total in `mart` (its `by` column 'all'), read in `user`'s scope."""
    return one(user, f"SELECT {column} FROM marts.{mart} WHERE {WHERE} AND {by} = 'all'")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_integrity_page(home: Published, lang: Lang) -> None:
    at = open_page("integrity", "sec", lang)
    cases = national("sec", "disciplinary_cases_current", "kpi_discipline_compstat", "breach_type")
    rate = national("sec", "cases_per_100_staff", "kpi_discipline_compstat", "breach_type")
    assert cases > 0
    assert metric(at, t("disciplinary_cases", lang)) == i18n.num(cases, lang)
    assert metric(at, t("cases_per_100_staff", lang)) == i18n.num(rate, lang, 2)
    assert [tb for tb in at.table if t("officer_pseudonym", lang) in tb.value.columns]
    if lang == "ru":
        assert not english_words(at), english_words(at)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_cyber_page(home: Published, lang: Lang) -> None:
    at = open_page("cyber", "ana", lang)
    incidents = national("ana", "incidents_current", "kpi_cyber_incidents", "incident_type")
    blocked = national("ana", "resources_blocked_current", "kpi_fraud_resource_blocks", "resource_type")
    assert incidents > 0 and blocked > 0
    assert metric(at, t("cyber_incidents_n", lang)) == i18n.num(incidents, lang)
    assert metric(at, t("resources_blocked", lang)) == i18n.num(blocked, lang)
    if lang == "ru":
        assert not english_words(at), english_words(at)


def test_analyst_sees_the_integrity_page_with_small_counts_hidden(home: Published) -> None:
    at = open_page("integrity", "ana", "en")
    assert not [tb for tb in at.table if t("officer_pseudonym", "en") in tb.value.columns]
    hidden = t("suppressed_cell", "en")
    assert any(hidden in tb.value.to_csv() for tb in at.table)
    with duckdb.connect(str(home.home / "warehouse" / "current.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.fct_disciplinary_cases").fetchone()[0] > 0
