"""The Holiday operations page (AppTest), in Russian and English, for both countries: Kazakhstan's warehouse built
from its holiday-operations exports (and 102 calls in the lake), and the session's Kyrgyz warehouse, which has no
mass-event data. The figures shown are the warehouse's (read here through the same policy); what a country does not
collect is named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import warehouse.build
from access import i18n
from access.policy import connect
from access.users import Role, User, hash_password, save_user
from ingestion.pipeline import ingest
from safelake import lake
from safelake.reference import REFERENCE_DIR
from safelake.settings import get_settings
from tests.conftest import PII_KEY
from tests.dashboards.test_dashboards import home  # noqa: F401  # the Kyrgyz session warehouse, as its page tests see it
from tools.demo_kz_ops import DATASETS, generate_kz_ops

pytestmark = pytest.mark.slow

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
USERS = {"boss": (Role.leadership, None), "chief": (Role.regional_chief, "KZ-75")}
# 102 calls (local time, minutes to dispatch, minutes to arrival): three in the New Year period, two ordinary
NEW_YEAR = dt.date(2026, 1, 1)  # kz holidays: 1-2 January; 16 December is a holiday too
CALLS = [
    (dt.datetime(2026, 1, 1, 0, 30), 2, 10),
    (dt.datetime(2026, 1, 1, 1, 0), 4, 20),
    (dt.datetime(2026, 1, 2, 12, 0), 6, 30),
    (dt.datetime(2025, 12, 20, 9, 0), 1, 8),
    (dt.datetime(2025, 12, 21, 9, 0), 3, 12),
]


def _users(path: Path) -> None:
    settings = get_settings().model_copy(update={"users_file": path})
    for name, (role, region) in USERS.items():
        user = User(name=name, role=role, region_code=region, password_hash=hash_password(f"{name}-password"))
        save_user(settings, user)


def _calls(settings) -> None:  # type: ignore[no-untyped-def]
    zone = dt.timezone(dt.timedelta(hours=5))  # Asia/Almaty since March 2024
    con = lake.connect(settings)
    try:
        for i, (received, dispatch, arrival) in enumerate(CALLS):
            at = received.replace(tzinfo=zone)
            con.execute(
                """INSERT INTO lake.dispatch_call (event_id, call_id, updated_at, received_at, status, priority,
                   category, region_code, dispatched_at, arrived_at, _geography)
                   VALUES (?, ?, ?, ?, 'arrived', 'high', 'public_order', 'KZ-75', ?, ?, 'kz')""",
                [f"e{i}", f"c{i}", at, at, at + dt.timedelta(minutes=dispatch), at + dt.timedelta(minutes=arrival)],
            )
    finally:
        con.close()


def _kz_env(patch: pytest.MonkeyPatch, root: Path) -> None:
    patch.setenv("SAFELAKE_HOME", str(root / "home"))
    patch.setenv("SAFELAKE_PII_KEY", PII_KEY)
    patch.setenv("SAFELAKE_GEOGRAPHY", "kz")
    patch.setenv("SAFELAKE_USERS_FILE", str(root / "users.yaml"))
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def kz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Kazakhstan warehouse: 60 days of holiday-operations exports from 1 Dec 2025, published by `build`."""
    root = tmp_path_factory.mktemp("kz")
    with pytest.MonkeyPatch.context() as patch:
        _kz_env(patch, root)
        settings = get_settings()
        generate_kz_ops(settings.landing, dt.date(2025, 12, 1), 60, 5, REFERENCE_DIR / "kz")
        ingest(settings)
        _calls(settings)
        record = warehouse.build.build(settings)
        assert record.status == "published", record.failures[:3]
        _users(root / "users.yaml")
    get_settings.cache_clear()
    return root


@pytest.fixture
def kz(kz_root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Kazakhstan's settings for one test only (the Kyrgyz tests of this module read the session warehouse)."""
    _kz_env(monkeypatch, kz_root)
    yield kz_root
    get_settings.cache_clear()


def page(lang: str, user: str = "boss", period: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"lang": lang})
    at.run()
    at.text_input(key="login_name").input(user)
    at.text_input(key="login_password").input(f"{user}-password")
    next(b for b in at.button if b.label == i18n.t("login_button", lang)).click().run()
    at.switch_page("views/holiday.py").run()
    if period:
        at.selectbox(key="holiday_period").set_value(period).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == i18n.t("holiday", lang)
    return at


def table(at: AppTest, lang: str, first: str):  # type: ignore[no-untyped-def]
    (found,) = [d.value for d in at.table if d.value.columns[0] == i18n.t(first, lang)]
    return found


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_kazakhstan_period_against_ordinary_days_with_targets_and_102(kz: Path, lang: str) -> None:
    at = page(lang, period="new_year_2026")
    notes = " ".join(i.value for i in at.info)
    assert all(i18n.code(d, lang) not in notes for d in DATASETS)  # collected here
    assert i18n.code("road_incident", lang) in notes  # this lake has no road exports
    con = connect(get_settings())
    try:
        expected = con.execute(
            """SELECT metric, value, per_day FROM marts.kpi_holiday_ops_periods
               WHERE period_id = 'new_year_2026' AND area_level = 'nation'"""
        ).fetchall()
        targets = con.execute("SELECT count(*) FROM marts.kpi_plan_progress").fetchone()[0]
    finally:
        con.close()
    shown = table(at, lang, "holiday_measure")
    assert len(shown) == len(expected) == 19  # the five datasets' measures; no road or crime exports here
    rows = {label: (value, per_day) for label, value, per_day, *_ in shown.itertuples(index=False)}
    for metric, value, per_day in expected:
        assert rows[i18n.code(metric, lang)] == (value, pytest.approx(per_day)), metric
    days = i18n.t(
        "holiday_days", lang, start=i18n.date(NEW_YEAR, lang), end=i18n.date(dt.date(2026, 1, 2), lang), days=2
    )
    assert days in [c.value for c in at.caption]
    # 102: three calls in the 2-day period (p50 4 min to dispatch, 20 to arrival), two on the 27 ordinary days
    response = table(at, lang, "holiday_choose")
    assert list(response.iloc[:, 0]) == [i18n.holiday("new_year_2026", lang), i18n.t("holiday_ordinary", lang)]
    period, ordinary = (list(row[1:]) for row in response.itertuples(index=False))
    assert period == pytest.approx([1.5, 4.0, 20.0, 28.0])
    assert ordinary == pytest.approx([2 / 27, 2.0, 10.0, 11.6])
    plan = table(at, lang, "holiday_target")
    assert len(plan) == targets == 8
    assert i18n.code("fire_alarm_sensors", lang) in set(plan.iloc[:, 0])


def test_a_regional_chief_sees_the_region_only(kz: Path) -> None:
    at = page("en", user="chief", period="new_year_2026")
    con = connect(get_settings())
    try:
        incidents = con.execute(
            """SELECT value FROM marts.kpi_holiday_ops_periods WHERE period_id = 'new_year_2026'
               AND region_code = 'KZ-75' AND metric = 'event_incidents'"""
        ).fetchone()[0]
    finally:
        con.close()
    rows = {r[0]: r[1] for r in table(at, "en", "holiday_measure").itertuples(index=False)}
    assert rows["Incidents at or near events"] == incidents
    assert not [s for s in at.subheader if s.value.endswith("by region in the period")]  # no breakdown of others


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_kyrgyzstan_shows_what_exists_and_names_what_is_not_collected(lang: str) -> None:
    at = page(lang)
    (note,) = [i.value for i in at.info]
    assert note == i18n.t("holiday_not_collected", lang, items=", ".join(i18n.code(d, lang) for d in DATASETS))
    shown = table(at, lang, "holiday_measure")
    roads = ("road_incidents", "road_killed", "road_ksi")  # Kyrgyzstan's road and crime exports: all roads,
    highways = ("highway_road_incidents", "highway_road_deaths", "highway_ksi")  # highways, public places
    assert set(shown.iloc[:, 0]) == {i18n.code(m, lang) for m in (*roads, *highways, "street_crimes")}
    assert i18n.t("holiday_targets_none", lang) in [c.value for c in at.caption]
    # the 102 centre's daily export is in the lake (service to citizens), so the period has response times
    assert i18n.t("holiday_response_none", lang) not in [c.value for c in at.caption]


def test_kazakhstans_plan_page_has_no_camera_roll_out(kz: Path) -> None:
    """Kazakhstan's plan has no cameras target: its plan page lists its targets and draws no camera burn-up."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"lang": "en"})
    at.run()
    at.text_input(key="login_name").input("boss")
    at.text_input(key="login_password").input("boss-password")
    next(b for b in at.button if b.label == i18n.t("login_button", "en")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(s.value for s in at.subheader)
    assert i18n.t("plan_targets", "en") in shown
    assert i18n.t("burnup", "en") not in shown
