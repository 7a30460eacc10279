"""The Service page (appeals, receptions, 102 response) in Russian and English, against the published marts; a
regional chief sees the region's figures and its districts."""

from __future__ import annotations

import duckdb
import pytest

from access import i18n
from access.i18n import t
from tests.conftest import Published
from tests.dashboards.test_dashboards import REGION, frame, home, metric, open_page, scoped, wh  # noqa: F401

NATION = "compstat_window = '28d' AND area_level = 'nation'"
SEGMENTS = ("answer_to_entry", "entry_to_dispatch", "dispatch_to_arrival", "to_dispatch", "to_arrival")  # in page order


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_service_page_shows_the_marts_figures(home: Published, wh: duckdb.DuckDBPyConnection, lang: str) -> None:  # noqa: F811
    at = open_page("service", lang=lang)
    assert [h.value for h in at.header] == [t("appeals", lang), t("receptions", lang), t("response_102", lang)]
    on_time, overdue, received = wh.execute(
        "SELECT on_time_pct, overdue_open_appeals, appeals_received_current FROM marts.kpi_appeals_compstat "
        f"WHERE {NATION} AND category = 'all'"
    ).fetchone()
    assert metric(at, t("on_time", lang)) == i18n.pct(on_time, lang)
    assert metric(at, t("overdue_open_appeals", lang)) == i18n.num(overdue, lang)
    assert metric(at, t("appeals_received", lang)) == i18n.num(received, lang)
    held = wh.execute(
        f"SELECT held_pct FROM marts.kpi_receptions_compstat WHERE {NATION} AND leader_position = 'all'"
    ).fetchone()[0]
    assert metric(at, t("held_pct", lang)) == i18n.pct(held, lang)
    p90, within = wh.execute(
        "SELECT to_arrival_p90_minutes, arrival_within_standard_pct FROM marts.kpi_dispatch_compstat "
        f"WHERE {NATION} AND area_type = 'all'"
    ).fetchone()
    assert metric(at, t("to_arrival", lang, p="p90")) == i18n.num(p90, lang, 1)
    assert metric(at, t("arrival_within_standard", lang)) == i18n.pct(within, lang)
    # the end-to-end segments for the whole area, its cities and its rural districts
    segments = frame(at, t("segment", lang)).set_index(t("segment", lang))
    assert list(segments.index) == [t(f"seg_{s}", lang) for s in SEGMENTS]
    assert segments.loc[t("seg_to_arrival", lang), f"{i18n.code('all', lang)}, p90"] == pytest.approx(p90)
    city = wh.execute(
        f"SELECT to_arrival_p90_minutes FROM marts.kpi_dispatch_compstat WHERE {NATION} AND area_type = 'city'"
    ).fetchone()[0]
    assert segments.loc[t("seg_to_arrival", lang), f"{i18n.code('city', lang)}, p90"] == pytest.approx(city)
    shares = frame(at, t("area_type", lang)).set_index(t("area_type", lang))
    assert {i18n.code(c, lang) for c in ("all", "city", "rural")} <= set(shares.index)
    # one row per region in the appeals' area table and the CompStat table of calls
    regions = {n for (n,) in wh.execute(f"SELECT name_{lang} FROM analytics.regions").fetchall()}
    assert set(frame(at, t("region", lang))[t("region", lang)]) == regions


def test_a_regional_chief_sees_the_regions_service(home: Published) -> None:  # noqa: F811
    at = open_page("service", user="chief")
    gb = scoped("chief")
    on_time = gb.execute(
        "SELECT on_time_pct FROM marts.kpi_appeals_compstat "
        "WHERE compstat_window = '28d' AND area_level = 'region' AND category = 'all'"
    ).fetchone()[0]
    assert metric(at, "Answered on time") == i18n.pct(on_time, "en")
    districts = gb.execute(f"SELECT name_en FROM analytics.districts WHERE region_code = '{REGION}'").fetchall()
    districts = {n for (n,) in districts}
    assert set(frame(at, "District")["District"]) <= districts | {"Unknown"}
    assert gb.execute("SELECT count(DISTINCT region_code) FROM analytics.dispatch_calls").fetchone()[0] == 1
