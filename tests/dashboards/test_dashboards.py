"""AppTest tests of every dashboard page against the session's published warehouse: no exception, and the figures
shown equal the warehouse's numbers (read here with plain SQL through the same read-only door, in the logged-in
user's scope); the login, a regional chief's view of every page, and the SQL page."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from access import i18n, read
from access.policy import connect, schema_catalog
from access.users import Role, User, hash_password, save_user
from dashboards import charts, queries, saved_queries, schema_ru, ui
from safelake.settings import get_settings
from tests.conftest import Published, home_with_users, local_today

APP = str(Path(__file__).resolve().parents[2] / "dashboards" / "app.py")
REGION = "KG-GB"
NAMES = {"boss": "Руководство", "ana": "Аналитик", "chief": "Начальник ГУВД"}  # display names
# name: (role, region, password)
USERS = {
    "boss": (Role.leadership, None, "boss-password"),
    "ana": (Role.analyst, None, "ana-password"),
    "chief": (Role.regional_chief, REGION, "chief-password"),
}


def accounts() -> list[User]:
    return [
        User(name=name, display_name=NAMES[name], role=role, region_code=region, password_hash=hash_password(password))
        for name, (role, region, password) in USERS.items()
    ]


def create_users(path: Path) -> None:
    settings = get_settings().model_copy(update={"users_file": path})
    for user in accounts():
        save_user(settings, user)


@pytest.fixture(scope="module")
def home(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    with home_with_users(published, tmp_path_factory, accounts()):
        yield published


@pytest.fixture(scope="module")
def wh(home: Published) -> duckdb.DuckDBPyConnection:
    """The national, cleared view: what the leadership user "boss" sees."""
    return connect(home.settings())


def scoped(user: str) -> duckdb.DuckDBPyConnection:
    role, region, _ = USERS[user]
    return connect(get_settings(), User(name=user, role=role, region_code=region).scope)


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    return con.execute(sql, params or []).fetchone()[0]


def login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    return (
        next(b for b in at.button if b.label == i18n.t("login_button", at.query_params.get("lang", "ru"))).click().run()
    )


def open_page(page: str, user: str = "boss", **params: str) -> AppTest:
    """The page as `user`, logged in through the login form; no table may show an empty cell as "None"."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"lang": "en"} | params)
    at.run()
    login(at, user, USERS[user][2])
    if page != "plan":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    for shown in [*at.dataframe, *at.table]:
        assert not shown.value.isna().any().any(), shown.value  # a table would draw "None"
    return at


def figure(at: AppTest, key: str) -> dict[str, Any]:
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    return json.loads(chart.proto.spec)


def values(field: Any) -> list[Any]:
    """A trace's data array: Plotly sends numeric arrays as base64 ("bdata") with a dtype and shape."""
    if isinstance(field, dict) and "bdata" in field:
        array = np.frombuffer(base64.b64decode(field["bdata"]), dtype=field["dtype"])
        if "shape" in field:
            array = array.reshape([int(n) for n in str(field["shape"]).split(",")])
        return array.tolist()
    return list(field)


def metric(at: AppTest, label: str) -> str:
    (value,) = [m.value for m in at.metric if m.label == label]
    return value


def frame(at: AppTest, first_column: str, nth: int = 0):  # type: ignore[no-untyped-def]
    return [d.value for d in at.table if d.value.columns[0] == first_column][nth]


def test_plan_page_bullets_burnup_and_since_yesterday(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    at = open_page("plan")
    targets = wh.execute("SELECT target_id, plan_score_pct, direction, status FROM marts.kpi_plan_progress").fetchall()
    assert len(targets) >= 10
    for target_id, score, direction, status in targets:
        bars = figure(at, f"bullet_{target_id}")["data"]
        # the bar is the plan score (% of the plan to date) for both directions, in the rule's colour
        assert bars[1]["x"] == [pytest.approx(min(score, read.BAR_MAX))]
        assert bars[1]["marker"]["color"] == read.target_rule(direction, status).colour
        assert [s["x"] for s in bars if s.get("name") == "Plan to date"] == [[100]]
    installed = wh.execute(
        """SELECT cameras_installed FROM marts.kpi_camera_rollout_monthly
           WHERE area_level = 'nation' AND is_measured AND planned_installed IS NOT NULL ORDER BY month_end"""
    ).fetchall()
    burnup = figure(at, "burnup")["data"]
    assert burnup[0]["name"] == "Installed" and values(burnup[0]["y"]) == [v for (v,) in installed]
    # since yesterday: the last two whole days (today's exports are still arriving)
    added, day = wh.execute(
        "SELECT change_on_last_whole_day, last_whole_day FROM marts.kpi_plan_progress "
        "WHERE target_id = 'cameras_installed'"
    ).fetchone()
    assert day == local_today() - dt.timedelta(days=1)
    since = [m.value for m in at.markdown if m.value.startswith("**Since yesterday")][0]
    assert i18n.date(day, "en") in since
    assert (f"Cameras installed +{added:,.0f}" in since) == (added > 0)
    # a rate's change in percentage points
    clearance = one(wh, "SELECT change_on_last_whole_day FROM marts.kpi_plan_progress WHERE kpi = 'clearance_rate_pct'")
    assert (f"Clearance rate, % {'+' if clearance > 0 else ''}{clearance:.1f}\u00a0pp" in since) == (clearance != 0)
    regions = frame(at, "Region")
    assert regions["Installed"].sum() == one(
        wh,
        """SELECT sum(cameras_installed) FROM marts.kpi_camera_rollout_monthly WHERE area_level = 'region'
           AND month_end = (SELECT max(month_end) FROM marts.kpi_camera_rollout_monthly WHERE is_measured)""",
    )


def test_cameras_page_follows_the_period_and_draws_the_target(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    """The cameras page covers the sidebar's period, ending on the last whole day as every page does: its figures
    are the camera-day facts of those days (the formulas of marts.kpi_camera_availability); the availability bars
    are zoomed and carry the plan's target line."""
    at = open_page("cameras", period="ytd")
    start, end = wh.execute(
        "SELECT min(window_start), max(window_end) FROM marts.kpi_crime_compstat WHERE compstat_window = 'ytd'"
    ).fetchone()
    assert end == local_today() - dt.timedelta(days=1)  # the last whole day, as on every page
    days = "date_day BETWEEN ? AND ?"
    up, expected, cameras = wh.execute(
        f"SELECT sum(up_minutes), sum(expected_minutes), count(DISTINCT camera_id) FROM analytics.camera_days "
        f"WHERE {days}",
        [start, end],
    ).fetchone()
    assert metric(at, "Availability") == f"{100 * up / expected:.2f}%"
    assert metric(at, "Cameras commissioned") == f"{cameras:,}"
    assert metric(at, "Offline now") == f"{one(wh, 'SELECT count(*) FROM marts.kpi_cameras_offline_now'):,}"
    over_24h = one(wh, "SELECT count(*) FROM marts.kpi_cameras_offline_now WHERE is_offline_over_24h")
    assert f"{i18n.t('offline_24h', 'en')}: {over_24h:,}" in [c.value for c in at.caption]
    mttr = one(
        wh,
        """SELECT avg(duration_minutes) / 60 FROM analytics.camera_outages
           WHERE outage_kind = 'unplanned' AND NOT is_ongoing AND ended_at::DATE BETWEEN ? AND ?""",
        [start, end],
    )
    assert metric(at, "MTTR, h") == f"{mttr:,.1f}"
    shown = frame(at, "Contractor").set_index("Contractor")
    for contractor, pct in wh.execute(
        f"""SELECT contractor, round(100 * sum(up_minutes) / sum(expected_minutes), 2) FROM analytics.camera_days
            WHERE {days} AND contractor IS NOT NULL GROUP BY 1""",
        [start, end],
    ).fetchall():
        assert shown.loc[contractor, "Availability"] == pytest.approx(pct)
    worst = frame(at, "Camera", 1)
    assert len(worst) == 20 and worst["Availability"].is_monotonic_increasing
    assert worst["Availability"].iloc[0] == one(
        wh,
        f"""SELECT min(pct) FROM (SELECT round(100 * sum(up_minutes) / nullif(sum(expected_minutes), 0), 2) AS pct
            FROM analytics.camera_days WHERE {days} GROUP BY camera_id)""",
        [start, end],
    )
    causes = ", ".join(f"sum(down_minutes_{c})" for c in queries.CAUSES)
    most = max(wh.execute(f"SELECT {causes} FROM analytics.camera_days WHERE {days}", [start, end]).fetchone())
    assert values(figure(at, "downtime_by_cause")["data"][0]["x"])[0] == pytest.approx(most / 60)
    # zoomed: the axis starts near the lowest region, not at 0; the plan's target is a line on it
    target = one(wh, "SELECT target_value FROM marts.kpi_plan_progress WHERE kpi = 'availability_pct'")
    bars = figure(at, "availability_bars")
    lowest = min(values(bars["data"][0]["x"]))
    assert 0 < bars["layout"]["xaxis"]["range"][0] <= min(lowest, target)
    assert [s["x0"] for s in bars["layout"]["shapes"]] == [pytest.approx(target)]
    caption = [c.value for c in at.caption if c.value.startswith("Year to date:")]
    assert caption and i18n.date(end, "en") in caption[0]


def compstat_row(wh: duckdb.DuckDBPyConnection, table: str, metric: str, where: str) -> list[float | str]:
    """Per window the current and prior-year counts the mart holds; a dash for the prior year where the data
    does not cover the whole prior-year window (then there is no comparison to show)."""
    row: list[float | str] = []
    for w in read.WINDOWS:
        [complete] = wh.execute(
            f"SELECT bool_and(prior_is_complete) FROM marts.{table} WHERE compstat_window = ?", [w]
        ).fetchone()
        current, prior = wh.execute(
            f"SELECT {metric}_current, {metric}_prior FROM marts.{table} WHERE compstat_window = ? AND {where}", [w]
        ).fetchone() or (0, 0)
        row += [float(current or 0), float(prior or 0) if complete else i18n.DASH]
    return row


def shown_row(row: Any) -> list[float | str]:
    """A CompStat table row's counts (current and prior year per window), without its label and % changes."""
    windows = {i18n.t(w, "en") for w in read.WINDOWS}
    counts = [v for c, v in row.items() if c.split(",")[0] in windows and not c.endswith("% change")]
    return [v if isinstance(v, str) else float(v) for v in counts]


def test_crime_page_compstat_rates_and_minors(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    at = open_page("crime")
    by_category = frame(at, "Category")
    assert by_category.iloc[0]["Category"] == "All"
    assert shown_row(by_category.iloc[0]) == compstat_row(
        wh, "kpi_crime_compstat", "crimes_registered", "area_level = 'nation' AND offence_code = 'all'"
    )
    by_region = frame(at, "Region").set_index("Region")
    for code, name in wh.execute("SELECT region_code, name_en FROM analytics.regions").fetchall():
        where = f"area_level = 'region' AND region_code = '{code}' AND offence_code = 'all'"
        assert shown_row(by_region.loc[name]) == compstat_row(wh, "kpi_crime_compstat", "crimes_registered", where)
    rate = one(
        wh,
        """SELECT rate_per_100k FROM marts.kpi_crime_compstat
           WHERE compstat_window = '28d' AND area_level = 'nation' AND offence_code = 'all'""",
    )
    assert metric(at, "Per 100,000") == f"{rate:,.2f}"
    minors = frame(at, "Region", 2).set_index("Region")  # leadership: cleared, the counts as they are
    for name, count in wh.execute(
        """SELECT r.name_en, c.crimes_against_minors_current FROM marts.kpi_crime_compstat c JOIN analytics.regions r
           USING (region_code) WHERE compstat_window = '28d' AND area_level = 'region' AND offence_code = 'all'"""
    ).fetchall():
        assert minors.loc[name, "Against minors"] == count
    heat = values(figure(at, "hour_weekday")["data"][0]["z"])
    assert sum(map(sum, heat)) == one(
        wh, "SELECT sum(crimes_registered) FROM marts.kpi_crime_hour_weekday_profile WHERE area_level = 'nation'"
    )


def test_region_drill_down_and_filters_in_the_url(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    region, district = wh.execute(
        "SELECT region_code, min(district_code) FROM analytics.districts GROUP BY 1 ORDER BY 1 LIMIT 1"
    ).fetchone()
    at = open_page("crime", period="ytd", region=region)
    names = {
        n for (n,) in wh.execute("SELECT name_en FROM analytics.districts WHERE region_code = ?", [region]).fetchall()
    }
    assert set(frame(at, "District")["District"]) <= names | {"Unknown"}
    at.session_state["district"] = district  # the sidebar's widget state (AppTest drops the sidebar after a switch)
    at.run()
    at.switch_page("views/road.py").run()  # filters persist across pages and stay in the URL
    assert not at.exception
    assert at.query_params == {"lang": "en", "period": "ytd", "region": region, "district": district}
    shown = frame(at, "District")
    # no row in a window means nothing happened in it (early in January the year to date may be empty)
    assert len(shown) == 1 and shown["YTD"].iloc[0] == one(
        wh,
        """SELECT coalesce(max(incidents_current), 0) FROM marts.kpi_road_compstat
           WHERE compstat_window = 'ytd' AND area_level = 'district' AND district_code = ? AND cause = 'all'""",
        [district],
    )
    at.session_state["region"] = ""
    at.run()
    assert "district" not in at.query_params and "region" not in at.query_params


def test_road_page_ksi_compstat_and_holidays(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    at = open_page("road")
    [measure] = [r for r in at.radio if r.label == "Measure"]
    measure.set_value("ksi").run()
    assert not at.exception
    cause = frame(at, "Cause")
    assert shown_row(cause.iloc[0]) == compstat_row(
        wh, "kpi_road_compstat", "ksi", "area_level = 'nation' AND cause = 'all'"
    )
    periods = frame(at, "Period")
    assert len(periods) == one(wh, "SELECT count(*) FROM marts.kpi_road_holiday_periods")
    assert list(periods.columns[1:3]) == ["Start", "End"]  # words, not arrows
    daily = values(figure(at, "road_daily")["data"][0]["y"])
    assert sum(daily) == one(
        wh,
        """SELECT sum(incidents) FROM marts.agg_road_daily
           WHERE date_day > (SELECT max(as_of_date) FROM marts.kpi_source_freshness) - 365""",
    )


def test_fraud_page_totals_median_and_breakdowns(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    at = open_page("fraud")
    nation = "compstat_window = '28d' AND area_level = 'nation' AND scheme = 'all'"
    reports, loss, start, end = wh.execute(
        f"SELECT fraud_reports_current, loss_amount_current, window_start, window_end FROM marts.kpi_fraud_compstat "
        f"WHERE {nation}"
    ).fetchone()
    assert metric(at, "Reports") == f"{reports:,.0f}"
    assert metric(at, "Loss, KGS") == f"{loss:,.0f}"
    median = one(
        wh,
        """SELECT median(loss_amount_reporting) FROM analytics.fraud_reports
           WHERE has_loss AND reported_date BETWEEN ? AND ?""",
        [start, end],
    )
    assert metric(at, "Median loss, KGS") == f"{median:,.0f}"
    assert sum(values(figure(at, "fraud_scheme")["data"][0]["x"])) == reports
    ages = figure(at, "fraud_victim_age_group")["data"][0]
    assert sum(values(ages["x"])) == reports
    # age groups youngest first (the contract's order), not by count
    order = [
        i18n.code(c, "en") for c in ("under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus", "unknown")
    ]
    assert len(values(ages["y"])) >= 5 and values(ages["y"]) == [a for a in order if a in values(ages["y"])]


def test_data_health_page_stamps_and_quarantine(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    at = open_page("data_health")
    build_id, snapshot, as_of, built_at = wh.execute(
        "SELECT build_id, lake_snapshot, as_of, built_at FROM meta.build"
    ).fetchone()
    # a minister reads the day the numbers run through; the build's identity is in the engineers' view
    [technical] = [e for e in at.expander if e.label == i18n.t("technical_view", "en")]
    engineers = [m.value for m in technical.markdown]
    assert any(f"Build: `{build_id}`" in m and f"Lake snapshot: `{snapshot}`" in m for m in engineers)
    minister = [m.value for m in at.markdown if m.value not in engineers]
    built = i18n.datetime(built_at, "en", get_settings().timezone)
    date = i18n.date(as_of, "en")
    assert (
        f"The numbers on every page run through **{date}**; they were last brought up to date on {built}." in minister
    )
    assert not [m for m in minister if build_id in m or "snapshot" in m.lower()]
    sources = frame(at, "Source")
    assert sources["Rows"].sum() == one(wh, "SELECT sum(row_count) FROM marts.kpi_source_freshness")
    assert sum(values(figure(at, "quarantine")["data"][0]["x"])) == one(
        wh, "SELECT sum(rows_quarantined) FROM marts.kpi_quarantine_reasons"
    )


def test_data_health_names_the_regions_that_went_silent(
    home: Published, wh: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    reporting = queries.region_reporting

    def one_silent(src: queries.Source):  # type: ignore[no-untyped-def]
        frame = reporting(src).copy()
        frame.loc[0, ["is_silent", "records_last_28d"]] = [True, 0]
        return frame

    monkeypatch.setattr(queries, "region_reporting", one_silent)
    at = open_page("data_health")
    dataset, region = wh.execute(
        "SELECT dataset, region_code FROM marts.kpi_region_reporting ORDER BY dataset, region_code LIMIT 1"
    ).fetchone()
    silent = frame(at, "Source", 1)
    assert silent[["Source", "Region", "Records, 28 days"]].to_dict("records") == [
        {
            "Source": i18n.code(dataset, "en"),
            "Region": one(wh, "SELECT name_en FROM analytics.regions WHERE region_code = ?", [region]),
            "Records, 28 days": 0,
        }
    ]


def test_every_page_in_russian_has_the_as_of_stamp(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    build_id = one(wh, "SELECT build_id FROM meta.build")
    for page in ui.PAGES:
        at = open_page(page, lang="ru")
        assert at.title[0].value == i18n.t(page, "ru")
        assert any(c.value.startswith("Данные на ") and build_id in c.value for c in at.caption)
    offline = one(wh, "SELECT count(*) FROM marts.kpi_cameras_offline_now")
    at = open_page("cameras", lang="ru")
    assert metric(at, "Не в сети сейчас") == f"{offline:,}".replace(",", "\u00a0")


def test_every_page_says_no_data_yet_without_a_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFELAKE_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("SAFELAKE_USERS_FILE", str(tmp_path / "users.yaml"))
    get_settings.cache_clear()
    try:
        create_users(tmp_path / "users.yaml")
        for page in ui.PAGES:
            at = open_page(page)
            assert [i.value for i in at.info] == [i18n.t("no_data", "en")]
            assert "make up" in at.main.markdown[-1].value and "safelake build" in at.main.markdown[-1].value
    finally:
        get_settings.cache_clear()


def test_without_a_users_file_the_login_page_says_how_to_create_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFELAKE_HOME", str(tmp_path / "empty"))
    monkeypatch.setenv("SAFELAKE_USERS_FILE", str(tmp_path / "missing.yaml"))
    get_settings.cache_clear()
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["lang"] = "en"
        at.run()
        assert not at.exception
        [notice] = [i.value for i in at.info]
        assert "safelake users demo" in notice and "safelake users add" in notice and "missing.yaml" in notice
        assert not at.text_input and not at.button
    finally:
        get_settings.cache_clear()


def test_number_and_date_formats() -> None:
    import datetime as dt

    assert i18n.num(1234567.891, "en", 1) == "1,234,567.9"
    assert i18n.num(1234567.891, "ru", 1) == "1\u00a0234\u00a0567,9"
    assert i18n.pct(-3.26, "ru", signed=True) == "-3,3\u00a0%"
    assert i18n.pct(4.0, "en", signed=True) == "+4.0%"
    assert i18n.num(None, "en") == i18n.DASH
    assert i18n.date(dt.date(2026, 3, 8), "ru") == "8 мар 2026"
    assert i18n.code("speeding", "ru") == "Превышение скорости" and i18n.code("new_code", "en") == "New code"


def test_choropleth_greys_shapes_without_a_value_and_fits_the_view() -> None:
    def square(code: str, lon: float) -> dict[str, Any]:
        ring = [[lon, 42], [lon + 1, 42], [lon + 1, 43], [lon, 43], [lon, 42]]
        return {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}

    shapes = [
        charts.Shape(square("KG-C", 74), 12.5, "<b>Chuy</b>"),
        charts.Shape(square("KG-Y", 76), None, "<b>Issyk-Kul</b><br>hidden"),
    ]
    fig = charts.choropleth(shapes, "en", "Rate", chosen="KG-C")
    grey, coloured = fig.data
    assert grey.locations == ("KG-Y",) and grey.showscale is False and grey.hovertext == ("<b>Issyk-Kul</b><br>hidden",)
    assert {c for _, c in grey.colorscale} == {charts.NO_VALUE}  # a missing or hidden value is never a colour
    assert coloured.locations == ("KG-C",) and coloured.z == (12.5,) and coloured.marker.line.width == (2.5,)
    assert [f["properties"]["code"] for f in coloured.geojson["features"]] == ["KG-C"]
    assert fig.layout.map.center.lon == 75.5 and 6 < fig.layout.map.zoom < 8  # three degrees wide in 560 px


# --- login ----------------------------------------------------------------------------------------------------


def test_login_refuses_a_wrong_password_lets_the_right_one_in_and_logs_out(home: Published) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert [t.value for t in at.title] == ["Log in"]
    login(at, "chief", "not-the-password")
    assert [e.value for e in at.error] == [i18n.t("login_wrong", "en")]
    assert [t.value for t in at.title] == ["Log in"] and not at.table
    login(at, "chief", USERS["chief"][2])
    assert not at.exception and [t.value for t in at.title] == ["Plan 2026"]
    assert "chief" in at.sidebar.markdown[0].value
    assert "Regional chief · Bishkek · small counts hidden" in [c.value for c in at.sidebar.caption]
    at.sidebar.button(key="logout").click().run()
    assert [t.value for t in at.title] == ["Log in"] and "user" not in at.session_state and not at.table


# --- suppression: one policy ----------------------------------------------------------------------------------


def test_small_counts_are_suppressed_by_the_policy_for_an_analyst_only(
    home: Published, wh: duckdb.DuckDBPyConnection
) -> None:
    counts = """SELECT c.region_code, d.name_en, c.crimes_against_minors_current, c.dv_crimes_current
                FROM marts.kpi_crime_compstat c JOIN analytics.districts d USING (district_code)
                WHERE compstat_window = '28d' AND area_level = 'district' AND offence_code = 'all'"""
    region = next(r for r, _, minors, dv in scoped("ana").execute(counts).fetchall() if minors is None or dv is None)
    for user, con, small in (("ana", scoped("ana"), "hidden"), ("boss", wh, None)):
        shown = frame(open_page("crime", user=user, region=region), "District", 2).set_index("District")
        for _, name, minors, dv in con.execute(counts + " AND c.region_code = ?", [region]).fetchall():
            for column, value in (("Against minors", minors), ("Domestic violence", dv)):
                cell = shown.loc[name, column]  # a column with an empty cell is shown as text
                assert (cell if isinstance(cell, str) else f"{cell:,.0f}") == (
                    small if value is None else f"{value:,.0f}"
                )
        assert ("hidden" in shown.to_numpy()) == (user == "ana")


# --- a regional chief ---------------------------------------------------------------------------------------------


def page_text(at: AppTest) -> str:
    """Every text, number, table cell, option and chart label the page shows."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "warning", "info") for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_csv(index=False) for d in at.table]
    parts += [json.dumps(json.loads(c.proto.spec)["data"]) for c in at.get("plotly_chart")]
    parts += [str(o) for s in at.selectbox for o in s.options]
    return "\n".join(parts)


def test_a_regional_chief_sees_only_their_region_on_every_page(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    gb = scoped("chief")
    others = wh.execute(
        "SELECT region_code, name_en FROM analytics.regions WHERE region_code <> ?", [REGION]
    ).fetchall()
    others += wh.execute(
        "SELECT district_code, name_en FROM analytics.districts WHERE region_code <> ?", [REGION]
    ).fetchall()
    foreign = re.compile("|".join(rf"\b{re.escape(w)}\b" for pair in others for w in pair))
    crime_28d = "SELECT crimes_registered_current FROM marts.kpi_crime_compstat WHERE compstat_window = '28d' AND "
    national = one(wh, crime_28d + "area_level = 'nation' AND offence_code = 'all'")
    regional = one(gb, crime_28d + "area_level = 'region' AND offence_code = 'all'")
    assert 0 < regional < national

    at = open_page("plan", user="chief", region="KG-C")  # another region in the URL is ignored
    region = at.sidebar.selectbox(key="region")
    assert region.options == ["Bishkek"] and region.value == REGION and region.disabled
    shown = {"plan": at}
    for page in ui.PAGES[1:]:
        shown[page] = open_page(page, user="chief")
    for page, at in shown.items():
        assert at.query_params.get("region") == REGION, page
        assert not foreign.search(page_text(at)), (page, foreign.search(page_text(at)))
        assert any(c.value.startswith("Data as of") and c.value.endswith("Bishkek") for c in at.caption), page

    # the numbers are the warehouse's numbers for KG-GB, never the nation's
    at = shown["plan"]
    assert frame(at, "Region")["Installed"].tolist() == [
        one(
            gb,
            """SELECT cameras_installed FROM marts.kpi_camera_rollout_monthly WHERE area_level = 'region'
                   AND month_end = (SELECT max(month_end) FROM marts.kpi_camera_rollout_monthly WHERE is_measured)""",
        )
    ]
    # the region's own plan: its share of each target the plan splits, "national only" next to the others
    assert "Plan for Bishkek" in [h.value for h in at.subheader]
    labels = "\n".join(m.value for m in at.markdown)
    plan = "SELECT target_id, kpi, regional_split, plan_score_pct, direction, status FROM marts.kpi_plan_progress"
    for target_id, kpi, split, score, direction, status in gb.execute(plan + "_by_region").fetchall():
        if split == "national_only":  # no regional share: no status, no bar
            assert f"**{i18n.code(kpi, 'en')}** · national only" in labels
            assert not [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-bullet_{target_id}")]
        else:
            bar = figure(at, f"bullet_{target_id}")["data"]
            assert bar[1]["x"] == [pytest.approx(min(score, read.BAR_MAX))]
            assert bar[1]["marker"]["color"] == read.target_rule(direction, status).colour
    start, end = gb.execute(
        "SELECT min(window_start), max(window_end) FROM marts.kpi_crime_compstat WHERE compstat_window = '28d'"
    ).fetchone()
    up, expected = gb.execute(
        "SELECT sum(up_minutes), sum(expected_minutes) FROM analytics.camera_days WHERE date_day BETWEEN ? AND ?",
        [start, end],
    ).fetchone()
    assert metric(shown["cameras"], "Availability") == f"{100 * up / expected:.2f}%"
    assert (
        metric(shown["cameras"], "Offline now") == f"{one(gb, 'SELECT count(*) FROM marts.kpi_cameras_offline_now'):,}"
    )
    all_crimes = frame(shown["crime"], "Category").iloc[0]
    assert all_crimes["28 days"] == regional != national
    assert shown_row(all_crimes) == compstat_row(
        gb, "kpi_crime_compstat", "crimes_registered", "area_level = 'region' AND offence_code = 'all'"
    )
    assert set(frame(shown["crime"], "District")["District"]) <= {
        n for (n,) in gb.execute("SELECT name_en FROM analytics.districts").fetchall()
    } | {"Unknown"}
    assert shown_row(frame(shown["road"], "Cause").iloc[0]) == compstat_row(
        gb, "kpi_road_compstat", "incidents", "area_level = 'region' AND cause = 'all'"
    )
    reports = one(
        gb,
        """SELECT fraud_reports_current FROM marts.kpi_fraud_compstat
           WHERE compstat_window = '28d' AND area_level = 'region' AND scheme = 'all'""",
    )
    assert metric(shown["fraud"], "Reports") == f"{reports:,.0f}"
    # the feeds as a whole (they describe the data, not a place), then the region's own records
    health = shown["data_health"]
    assert frame(health, "Source")["Rows"].sum() == one(gb, "SELECT sum(row_count) FROM marts.kpi_source_freshness")
    assert "Sources — Bishkek" in [h.value for h in health.subheader]
    own = frame(health, "Source", 1).set_index("Source")["Records, 28 days"].to_dict()
    assert own == {
        i18n.code(dataset, "en"): n
        for dataset, n in gb.execute("SELECT dataset, records_last_28d FROM marts.kpi_region_reporting").fetchall()
    }
    assert 0 < sum(own.values()) < one(wh, "SELECT sum(records_last_28d) FROM marts.kpi_region_reporting")


# --- the SQL page -------------------------------------------------------------------------------------------------


def run_query(at: AppTest, sql: str) -> AppTest:
    at.text_area(key="sql_text").input(sql)
    return at.button(key="sql_run").click().run()


def result_frame(at: AppTest):  # type: ignore[no-untyped-def]
    """The query's result table (the other tables on the page are the schema browser's)."""
    results = [d.value for d in at.dataframe if d.value.columns[0] not in ("Table", "Column")]
    assert len(results) <= 1
    return results[0] if results else None


def test_sql_page_runs_a_query_with_a_chart_and_downloads(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    at = run_query(
        open_page("sql", user="ana"),
        "SELECT region_code, sum(crimes_registered) AS crimes FROM marts.agg_crime_daily GROUP BY 1 ORDER BY 1",
    )
    assert not at.exception and not at.error
    expected = wh.execute(
        "SELECT region_code, sum(crimes_registered) FROM marts.agg_crime_daily GROUP BY 1 ORDER BY 1"
    ).fetchall()
    result = result_frame(at)
    assert list(result.itertuples(index=False, name=None)) == expected
    assert any(c.value.startswith(f"Rows: {len(expected)} · ") for c in at.caption)  # never "1 rows"
    bars = figure(at, "sql_chart")["data"][0]
    assert bars["type"] == "bar" and values(bars["y"]) == [float(n) for _, n in expected]
    assert [b.label for b in at.get("download_button")] == ["Download CSV", "Download Parquet"]
    audit = json.loads(get_settings().audit_log.read_text(encoding="utf-8").splitlines()[-1])
    assert (audit["user"], audit["status"], audit["rows"]) == ("ana", "ok", len(expected))


@pytest.mark.parametrize(
    "sql", ["SELECT * FROM read_csv('/etc/passwd')", "DROP VIEW marts.kpi_crime_compstat"], ids=["read_csv", "drop"]
)
def test_sql_page_shows_a_refusal_as_one_line_and_nothing_else(home: Published, sql: str) -> None:
    at = run_query(open_page("sql", user="ana"), "SELECT 1 AS one")
    assert result_frame(at) is not None
    at = run_query(at, sql)
    [error] = [e.value for e in at.error]
    assert error and "\n" not in error and not at.exception
    assert result_frame(at) is None and not at.get("download_button")
    assert not [c for c in at.get("plotly_chart") if c.proto.id.endswith("-sql_chart")]
    # in Russian, in Russian words: the refusal's reason too, with only names and SQL words as code
    [error] = [e.value for e in run_query(open_page("sql", user="ana", lang="ru"), sql).error]
    assert error.startswith("Запрос отклонён: ") and not i18n.latin_words(re.sub(r"`[^`]*`", "", error)), error
    assert ("табличная функция" if "read_csv" in sql else "разрешены только запросы") in error, error


def test_sql_page_says_when_the_result_was_cut_by_its_bytes(home: Published, monkeypatch) -> None:
    monkeypatch.setenv("SAFELAKE_SQL_RESULT_MB", "1")
    get_settings.cache_clear()
    try:
        at = run_query(open_page("sql", user="ana"), "SELECT x, repeat('x', 1000) AS pad FROM range(5000) t(x)")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    shown = len(result_frame(at))
    assert 0 < shown < 1000
    [warning] = [w.value for w in at.warning]
    assert warning.startswith(f"Cut at {shown:,} rows, the 1 MB result limit"), warning


# One process per measurement: its resident memory is the page's alone.
MEMORY_PROBE = """
import gc, json, sys
from tests.dashboards.test_dashboards import open_page, run_query

def rss(field):
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(status[field].split()[0]) // 1024

at = run_query(open_page("sql", user="ana"), "SELECT 1 AS one")  # what any first query loads once
start = rss("VmRSS")
at = run_query(at, "SELECT length(list(x)) AS n FROM range(100000000) t(x)")
heavy = {"errors": [e.value for e in at.error], "peak": rss("VmHWM") - start}
at = run_query(at, "SELECT x, repeat('x', 6000) AS pad FROM range(20000) t(x)")
wide = {"warnings": [w.value for w in at.warning]}
del at
gc.collect()
print(json.dumps({"heavy": heavy, "wide": wide, "left": rss("VmRSS") - start}))
"""


def test_sql_page_memory_stays_under_the_caps_and_is_released_after_the_session(home: Published) -> None:
    """A query that needs more than SAFELAKE_SQL_MEMORY_LIMIT is stopped at it, and a result at the row limit
    (60 MB) is not kept once the session is over: no download file is made before its button is clicked,
    and the result is held once, as Arrow."""
    env = {**os.environ, "SAFELAKE_SQL_MEMORY_LIMIT": "256MB", "PYTHONPATH": str(Path(APP).parents[1])}
    done = subprocess.run([sys.executable, "-c", MEMORY_PROBE], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    measured = json.loads(done.stdout.splitlines()[-1])
    assert measured["heavy"]["errors"] == [
        "Query refused: the query needed more than the 256MB memory limit; filter first"
    ], measured
    assert measured["heavy"]["peak"] < 256 + 128, measured  # MB: the limit, and room for the page itself
    assert measured["wide"]["warnings"][0].startswith("Cut at 10,000 rows"), measured
    # MB, after a 60 MB result: less than the result itself and the allocator's slack (339 MB before)
    assert measured["left"] < 96, measured


def test_sql_page_keeps_a_regional_chief_in_their_region(home: Published) -> None:
    at = run_query(open_page("sql", user="chief"), "SELECT DISTINCT region_code FROM analytics.crime_reports")
    assert result_frame(at)["region_code"].tolist() == [REGION]


def test_sql_page_saves_loads_and_deletes_a_users_queries(home: Published) -> None:
    settings = get_settings()
    stored = saved_queries.path(settings, "ana")
    assert not stored.exists()
    try:
        at = open_page("sql", user="ana")
        at.text_area(key="sql_text").input("SELECT count(*) AS n FROM analytics.regions")
        at.text_input(key="sql_name").input("regions")
        at.button(key="sql_save").click().run()
        assert saved_queries.load(settings, "ana") == {"regions": "SELECT count(*) AS n FROM analytics.regions"}
        at.text_area(key="sql_text").input("SELECT 2").run()
        at.button(key="sql_load").click().run()
        assert at.text_area(key="sql_text").value == "SELECT count(*) AS n FROM analytics.regions"
        assert saved_queries.load(settings, "chief") == {}  # per user
        at.button(key="sql_delete").click().run()
        assert saved_queries.load(settings, "ana") == {} and not at.exception
    finally:
        stored.unlink(missing_ok=True)  # the published home is shared by the session's tests


def test_sql_page_schema_browser_lists_marts_and_analytics(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    at = open_page("sql", user="ana")
    catalog = schema_catalog(wh)
    tables = frame(at, "Table")
    assert set(tables["Table"]) == {f"{c['schema']}.{c['table']}" for c in catalog}
    assert {name.split(".")[0] for name in tables["Table"]} == {"marts", "analytics"}
    chosen = at.selectbox(key="sql_table").value
    columns = frame(at, "Column")
    assert columns["Column"].tolist() == [c["column"] for c in catalog if f"{c['schema']}.{c['table']}" == chosen]
    assert columns["Type"].tolist() == [c["type"] for c in catalog if f"{c['schema']}.{c['table']}" == chosen]
    # in Russian every table and column is described in Russian (dashboards/schema_ru.yaml)
    at = open_page("sql", user="ana", lang="ru")
    ru = frame(at, "Таблица")
    assert set(ru["Таблица"]) == set(tables["Table"])
    assert all(d != i18n.DASH and not i18n.latin_words(d) for d in ru["Описание"])
    ru_columns = frame(at, "Столбец")
    assert ru_columns["Столбец"].tolist() == columns["Column"].tolist()
    names = set(ru_columns["Столбец"])
    assert all(d != i18n.DASH and not i18n.latin_words(d) - names for d in ru_columns["Описание"]), ru_columns


def test_every_published_column_has_a_russian_description(wh: duckdb.DuckDBPyConnection) -> None:
    catalog = schema_catalog(wh)
    missing = [
        f"{c['schema']}.{c['table']}.{c['column']}"
        for c in catalog
        if not schema_ru.column(f"{c['schema']}.{c['table']}", c["column"])
    ]
    assert not missing, missing
    columns = {c["column"] for c in catalog}
    assert (
        not {w for c in catalog for w in i18n.latin_words(schema_ru.column(f"{c['schema']}.{c['table']}", c["column"]))}
        - columns
    )


def test_auto_chart_picks_the_first_label_and_number_columns() -> None:
    import pandas as pd

    days = pd.DataFrame({"n": [3, 1], "day": pd.to_datetime(["2026-02-01", "2026-01-01"]), "x": [1.5, 2.5]})
    line = charts.auto(days, "en")
    assert line.data[0].type == "scatter" and list(line.data[0].y) == [1, 3]
    assert charts.auto(pd.DataFrame({"a": ["x"], "b": [1]}), "en").data[0].type == "bar"
    assert charts.auto(pd.DataFrame({"a": [1], "b": [2]}), "en") is None
    assert charts.auto(pd.DataFrame({"a": ["x"], "b": ["y"]}), "en") is None


# --- Russian only -------------------------------------------------------------------------------------------------


def chart_words(spec: dict[str, Any]) -> list[str]:
    """What a Plotly chart writes: trace names and hover texts, axis titles and tick labels, annotations."""
    words = []
    for trace in spec["data"]:
        words += [
            str(trace.get("name", "")),
            re.sub(r"%\{[^}]*\}|<extra>.*?</extra>", "", trace.get("hovertemplate", "")),
        ]
        if trace.get("type") in ("bar", "heatmap") and trace.get("orientation") == "h":
            words += [str(v) for v in values(trace.get("y", []))]
    layout = spec.get("layout", {})
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")):
            words += [str(v) for v in axis.get("ticktext", [])]
            title = axis.get("title")
            words.append(title.get("text", "") if isinstance(title, dict) else str(title or ""))
    words += [a.get("text", "") for a in layout.get("annotations", [])]
    title = layout.get("title")
    words.append(title.get("text", "") if isinstance(title, dict) else str(title or ""))
    return words


def shown_words(at: AppTest) -> str:
    """Every word the page shows a reader: texts, help tooltips, tables (headers and cells), widget labels and
    options, chart labels."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "warning", "info") for e in at.get(kind)]
    parts += [e.proto.help for kind in ("subheader", "markdown") for e in at.get(kind) if getattr(e.proto, "help", "")]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [d.value.to_csv(index=False) for d in at.table]
    parts += [w for c in at.get("plotly_chart") for w in chart_words(json.loads(c.proto.spec))]
    for kind in ("selectbox", "radio", "multiselect"):
        for widget in at.get(kind):
            parts += [widget.label, *(str(o) for o in widget.options)]
    parts += [b.label for b in at.button] + [e.label for e in at.expander] + [tab.label for tab in at.tabs]
    parts += [w.label for kind in ("text_input", "text_area") for w in at.get(kind)]
    return "\n".join(parts)


@pytest.mark.parametrize(("user", "region"), [("boss", None), ("boss", REGION), ("chief", None)])
def test_every_page_in_russian_has_no_english_word(
    home: Published, wh: duckdb.DuckDBPyConnection, user, region
) -> None:
    """Russian pages show Russian words only: phrases and code labels through access.i18n, numbers in тыс./млн/млрд.
    Allowed: i18n.LATIN_ALLOWED (names of systems) and the contractors' company names."""
    names = {
        w for (c,) in wh.execute("SELECT DISTINCT contractor FROM analytics.cameras").fetchall() for w in c.split()
    }
    # the SQL page's schema browser: column names are identifiers an analyst types, SQL types are codes
    catalog = schema_catalog(wh)
    names |= {w for row in catalog for w in i18n.latin_words(row["type"])} | {row["column"] for row in catalog}
    params = {"lang": "ru"} | ({"region": region} if region else {})
    at = open_page("plan", user, **params)
    for page in ui.PAGES:
        if page != "plan":
            at.switch_page(f"views/{page}.py").run()
            assert not at.exception, [e.value for e in at.exception]
        # the engineers' technical view names columns and tables as they are
        technical = [e for e in at.expander if e.label == i18n.t("technical_view", "ru")]
        foreign = i18n.latin_words(shown_words(at)) - names
        foreign -= {w for e in technical for w in i18n.latin_words(shown_words(e))}
        assert not foreign, (page, sorted(foreign))


# --- maps ---------------------------------------------------------------------------------------------------------

MAPS = {  # page: its maps' keys
    "plan": ["rollout_map"],
    "cameras": ["availability_map"],
    "crime": ["crime_rates_map", "minors_map"],
    "road": ["road_map"],
    "fraud": ["fraud_map"],
    "live": ["live_map"],
}


def map_shapes(at: AppTest, key: str) -> dict[str, tuple[float | None, str]]:
    """A map's shapes: code -> (value, or None where the shape is grey; hover text)."""
    shapes = {}
    for trace in figure(at, key)["data"]:
        assert trace["type"] == "choroplethmap" and trace["featureidkey"] == "properties.code"
        assert [f["properties"]["code"] for f in trace["geojson"]["features"]] == list(trace["locations"])
        grey = not trace["showscale"]
        for code, z, hover in zip(trace["locations"], values(trace["z"]), trace["hovertext"], strict=True):
            shapes[code] = (None if grey else z, hover)
    return shapes


def click_map(at: AppTest, key: str, code: str) -> AppTest:
    """A click on one area of a map as the browser reports it: Plotly's selection, through Streamlit's widget state
    (AppTest has no API for a chart selection)."""
    (chart,) = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    states = at._tree.get_widget_states()
    state = states.widgets.add()
    state.id = chart.proto.id
    point = {"curve_number": 1, "point_number": 0, "point_index": 0, "location": code}
    state.string_value = json.dumps({"selection": {"points": [point], "point_indices": [0], "box": [], "lasso": []}})
    return at._run(states)


def test_every_area_page_has_a_map_of_the_regions_with_its_figures(
    home: Published, wh: duckdb.DuckDBPyConnection
) -> None:
    regions = {c for (c,) in wh.execute("SELECT region_code FROM analytics.regions").fetchall()}
    rates = dict(
        wh.execute(
            """SELECT region_code, rate_per_100k FROM marts.kpi_crime_compstat
               WHERE compstat_window = '28d' AND area_level = 'region' AND offence_code = 'all'"""
        ).fetchall()
    )
    for page, keys in MAPS.items():
        at = open_page(page)
        for key in keys:
            assert set(map_shapes(at, key)) == regions, (page, key)  # every region's shape, once
        assert any("UN OCHA" in c.value and "CC BY 3.0 IGO" in c.value for c in at.caption), page
        if page == "crime":
            shown = map_shapes(at, "crime_rates_map")
            for code, rate in rates.items():
                value, hover = shown[code]
                assert value == pytest.approx(rate) and f"Per 100,000: {i18n.num(rate, 'en', 2)}" in hover
                assert hover.startswith(
                    f"<b>{one(wh, 'SELECT name_en FROM analytics.regions WHERE region_code = ?', [code])}</b>"
                )
    at = open_page("crime", lang="ru")
    (_, hover) = map_shapes(at, "crime_rates_map")["KG-C"]
    assert hover.startswith("<b>Чуйская область</b>") and "Административные границы Кыргызстана" in page_text(at)


def test_a_click_on_the_map_drills_down_to_the_regions_districts(
    home: Published, wh: duckdb.DuckDBPyConnection
) -> None:
    at = click_map(open_page("crime"), "crime_rates_map", "KG-C")
    assert not at.exception and at.session_state["region"] == "KG-C" and at.query_params["region"] == "KG-C"
    districts = {
        c for (c,) in wh.execute("SELECT district_code FROM analytics.districts WHERE region_code = 'KG-C'").fetchall()
    }
    shown = map_shapes(at, "crime_rates_map")
    assert set(shown) == districts  # the district level: Chuy's districts, no other shape
    assert set(frame(at, "District")["District"]) <= {at.session_state["context"].name(c) for c in districts} | {
        "Unknown"
    }
    district = sorted(districts)[0]
    at = click_map(at, "crime_rates_map", district)
    assert at.session_state["district"] == district and at.query_params["district"] == district
    # Bishkek's four city districts have one shape: listed in its hover, not coloured as any one of them
    at = click_map(open_page("road"), "road_map", "KG-GB")
    ((code, (value, hover)),) = map_shapes(at, "road_map").items()
    assert code == "KG-GB" and value is None and hover.count("<b>") == 4
    assert any("one shape for several districts" in c.value for c in at.caption)


def test_a_regional_chiefs_maps_show_only_their_region(home: Published) -> None:
    for page, keys in MAPS.items():
        at = open_page(page, user="chief")
        for key in keys:
            assert set(map_shapes(at, key)) == {REGION}, (page, key)  # Bishkek, as a region or as its one shape


def test_hidden_small_counts_are_grey_on_the_map_and_hidden_in_its_hover(
    home: Published, wh: duckdb.DuckDBPyConnection
) -> None:
    counts = """SELECT district_code, region_code, crimes_against_minors_current FROM marts.kpi_crime_compstat
                WHERE compstat_window = '28d' AND area_level = 'district' AND offence_code = 'all'"""
    # Bishkek's districts share one shape, never coloured: a region with shapes of its own
    hidden = {d: r for d, r, minors in scoped("ana").execute(counts).fetchall() if minors is None and r != REGION}
    assert hidden, "the demo data has no suppressed district count to test with"
    region = next(iter(hidden.values()))
    seen = {d: minors for d, r, minors in wh.execute(counts).fetchall() if r == region}
    for user in ("ana", "boss"):
        shown = map_shapes(open_page("crime", user=user, region=region), "minors_map")
        for code, minors in seen.items():
            value, hover = shown[code]
            if user == "ana" and code in hidden:
                assert value is None and "Against minors: hidden" in hover
            else:
                assert value == minors and f"Against minors: {i18n.num(minors, 'en')}" in hover
        assert any(d in hidden and shown[d][0] is None for d in seen) == (user == "ana")
