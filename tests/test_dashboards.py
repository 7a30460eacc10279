"""AppTest tests of every dashboard page against the session's published warehouse: no exception, and the figures
shown equal the warehouse's numbers (read here with plain SQL through the same read-only door)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import charts, i18n, queries, ui
from safelake.settings import get_settings
from tests.conftest import Published
from warehouse.policy import connect

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")


@pytest.fixture(scope="module")
def home(published: Published) -> Iterator[Published]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFELAKE_HOME", str(published.home))
        get_settings.cache_clear()
        yield published
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def wh(home: Published) -> duckdb.DuckDBPyConnection:
    return connect(home.settings())


def one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    return con.execute(sql, params or []).fetchone()[0]


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"lang": "en"} | params)
    at.run()
    if page != "plan":
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
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
    return [d.value for d in at.dataframe if d.value.columns[0] == first_column][nth]


def test_plan_page_bullets_burnup_and_since_yesterday(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    at = open_page("plan")
    targets = wh.execute(
        "SELECT target_id, actual_to_date, target_value, status FROM marts.kpi_plan_progress"
    ).fetchall()
    assert len(targets) >= 10
    for target_id, actual, target, status in targets:
        bars = figure(at, f"bullet_{target_id}")["data"]
        assert bars[1]["x"] == [pytest.approx(actual)]
        assert bars[1]["marker"]["color"] == charts.STATUS_COLOURS.get(status, charts.NEUTRAL)
        assert [s["x"] for s in bars if s.get("name") == "Target"] == [[pytest.approx(target)]]
    installed = wh.execute(
        """SELECT cameras_installed FROM marts.kpi_camera_rollout_monthly
           WHERE area_level = 'nation' AND is_measured AND planned_installed IS NOT NULL ORDER BY month_end"""
    ).fetchall()
    burnup = figure(at, "burnup")["data"]
    assert burnup[0]["name"] == "Installed" and values(burnup[0]["y"]) == [v for (v,) in installed]
    added = one(
        wh,
        """SELECT max(b.actual_to_date) FILTER (WHERE b.date_day = p.measured_through)
                - max(b.actual_to_date) FILTER (WHERE b.date_day = p.measured_through - 1)
           FROM marts.kpi_plan_burnup b JOIN marts.kpi_plan_progress p USING (target_id)
           WHERE target_id = 'cameras_installed'""",
    )
    since = [m.value for m in at.markdown if m.value.startswith("**Since yesterday:**")][0]
    assert (f"Cameras installed +{added:,.0f}" in since) == (added > 0)
    regions = frame(at, "Region")
    assert regions["Installed"].sum() == one(
        wh,
        """SELECT sum(cameras_installed) FROM marts.kpi_camera_rollout_monthly WHERE area_level = 'region'
           AND month_end = (SELECT max(month_end) FROM marts.kpi_camera_rollout_monthly WHERE is_measured)""",
    )


def test_cameras_page_matches_the_marts(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    at = open_page("cameras", period="ytd")  # ytd -> the 30-day camera window
    nation = "rolling_window = '30d' AND group_level = 'nation'"
    availability = one(wh, f"SELECT availability_pct FROM marts.kpi_camera_availability WHERE {nation}")
    assert metric(at, "Availability") == f"{availability:.2f}%"
    assert metric(at, "Offline now") == f"{one(wh, 'SELECT count(*) FROM marts.kpi_cameras_offline_now'):,}"
    over_24h = one(wh, "SELECT count(*) FROM marts.kpi_cameras_offline_now WHERE is_offline_over_24h")
    assert metric(at, "Offline > 24 h") == f"{over_24h:,}"
    mttr = one(wh, f"SELECT mttr_minutes / 60 FROM marts.kpi_camera_availability WHERE {nation}")
    assert metric(at, "MTTR, h") == f"{mttr:,.1f}"
    # contractors are added up from the camera rows; they must agree with the mart's own contractor rows
    shown = frame(at, "Contractor").set_index("Contractor")
    for contractor, pct, mtbf in wh.execute(
        """SELECT contractor, availability_pct, mtbf_hours FROM marts.kpi_camera_availability
           WHERE rolling_window = '30d' AND group_level = 'contractor' AND contractor IS NOT NULL"""
    ).fetchall():
        assert shown.loc[contractor, "Availability"] == pytest.approx(pct, abs=0.01)
        assert shown.loc[contractor, "MTBF, h"] == pytest.approx(mtbf, rel=1e-3)
    worst = frame(at, "Camera", 1)
    assert len(worst) == 20
    assert worst["Availability"].iloc[0] == one(
        wh,
        """SELECT min(availability_pct) FROM marts.kpi_camera_availability
           WHERE rolling_window = '30d' AND group_level = 'camera'""",
    )
    assert worst["Availability"].is_monotonic_increasing
    assert values(figure(at, "downtime_by_cause")["data"][0]["x"])[0] == one(
        wh,
        """SELECT max(camera_hours_down) FROM marts.kpi_camera_downtime_by_cause
           WHERE rolling_window = '30d' AND area_level = 'nation'""",
    )


def compstat_row(wh: duckdb.DuckDBPyConnection, table: str, metric: str, where: str) -> list[float]:
    return [
        float(v or 0)
        for w in queries.WINDOWS
        for v in wh.execute(
            f"SELECT {metric}_current, {metric}_prior FROM marts.{table} WHERE compstat_window = ? AND {where}", [w]
        ).fetchone()
        or (0, 0)
    ]


def shown_row(row: Any) -> list[float]:
    """A CompStat table row's counts (current and prior year per window), without its label and % changes."""
    return [float(v) for c, v in row.items() if not isinstance(v, str) and not c.endswith("% change")]


def test_crime_page_compstat_rates_and_suppression(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
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
    minors = frame(at, "Region", 2)
    counts = minors[[c for c in minors.columns if c in ("Against minors", "Domestic violence")]].stack()
    assert not counts.between(1, queries.SUPPRESS_BELOW - 1).any()
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
    assert len(shown) == 1 and shown["YTD"].iloc[0] == one(
        wh,
        """SELECT incidents_current FROM marts.kpi_road_compstat
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
    assert sum(values(figure(at, "fraud_victim_age_group")["data"][0]["x"])) == reports


def test_data_health_page_stamps_and_quarantine(home: Published, wh: duckdb.DuckDBPyConnection) -> None:
    at = open_page("data_health")
    assert metric(at, "Build") == one(wh, "SELECT build_id FROM meta.build")
    sources = frame(at, "Source")
    assert sources["Rows"].sum() == one(wh, "SELECT sum(row_count) FROM marts.kpi_source_freshness")
    assert sum(values(figure(at, "quarantine")["data"][0]["x"])) == one(
        wh, "SELECT sum(rows_quarantined) FROM marts.kpi_quarantine_reasons"
    )


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
    get_settings.cache_clear()
    try:
        for page in ui.PAGES:
            at = open_page(page)
            assert [i.value for i in at.info] == [i18n.t("no_data", "en")]
            assert "make up" in at.markdown[-1].value and "safelake build" in at.markdown[-1].value
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


def test_suppress_hides_small_counts_and_their_change() -> None:
    import pandas as pd

    before = pd.DataFrame({"dv_crimes_current": [0, 3, 9, 12], "dv_crimes_prior": [2, 8, 4, 20]})
    before["dv_crimes_pct_change"] = [None, -62.5, 125.0, -40.0]
    after = queries.suppress(before, ("dv_crimes_current",))
    assert after["dv_crimes_current"].tolist()[::2] == [0, 9] and after["dv_crimes_current"].isna().tolist()[1]
    assert after["dv_crimes_prior"].isna().tolist() == [True, False, True, False]
    assert after["dv_crimes_pct_change"].notna().tolist() == [False, False, False, True]


def test_choropleth_draws_features_by_code() -> None:
    square = {"type": "Polygon", "coordinates": [[[74, 42], [75, 42], [75, 43], [74, 43], [74, 42]]]}
    geojson = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": "KG-C"}, "geometry": square}],
    }
    fig = charts.choropleth(geojson, ["KG-C"], [12.5], "en")
    assert fig.data[0].locations == ("KG-C",) and fig.layout.map.center.lon == 74.5
