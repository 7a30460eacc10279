"""The service KPIs recomputed with Polars straight from the generated exports, against the published marts.

Independent of ingestion and dbt, as tests/warehouse/test_kpi_independent.py: the appeals register and the 102
dispatch centre's daily export are parsed here with their own formats, regions mapped with the reference names,
the legal term read from the reference file; only which lines are invalid is taken from the lake's quarantine.
On-time appeals % (one decimal, as published) and the 90th percentile of answered → first unit on scene (two
decimals) must equal the marts for the nation and every region, year to date.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from safelake import lake
from safelake.reference import REFERENCE_DIR
from tests.warehouse.test_kpi_independent import one_decimal, read_export, region_codes, valid_latest

pytestmark = pytest.mark.slow

CATEGORIES = {"Жалоба": "complaint", "Заявление": "statement", "Предложение": "proposal"}
CATEGORIES |= {"Запрос информации": "information_request"}


def ru_date(column: str) -> pl.Expr:
    return pl.col(column).str.to_date("%d.%m.%Y", strict=False)


def stamp(column: str) -> pl.Expr:
    return pl.col(column).str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False)


@pytest.fixture(scope="module")
def exports(published) -> dict[str, pl.DataFrame]:
    settings = published.settings()
    con = lake.connect(settings, read_only=True)
    quarantined = con.execute("SELECT file_name AS file, line, dataset FROM lake._quarantine").pl()
    con.close()
    codes = region_codes()

    def bad(dataset: str) -> pl.DataFrame:
        rows = quarantined.filter(pl.col("dataset") == dataset).select("file", "line")
        assert rows.height > 0, f"the demo data has defects in {dataset}, so some lines must be quarantined"
        return rows

    appeals = pl.concat(
        read_export(p, "utf-8", ";").select(
            key="Рег. №",
            region="Область",
            category=pl.col("Вид обращения").replace_strict(CATEGORIES, default=None),
            received=ru_date("Дата поступления"),
            due=ru_date("Срок исполнения"),
            answered=ru_date("Дата ответа"),
            modified=pl.col("Дата изменения").str.to_datetime("%d.%m.%Y %H:%M", strict=False),
            file="file",
            line="line",
        )
        for p in settings.archive.glob("citizen_appeal/*/*-appeals_*.csv")
    )
    calls = pl.concat(
        read_export(p, "utf-8", ";").select(
            key="Номер вызова",
            region="Область",
            received=stamp("Время ответа"),
            arrived=stamp("Время прибытия"),
            modified=stamp("Изменено"),
            file="file",
            line="line",
        )
        for p in settings.archive.glob("dispatch_call/*/*-dispatch_*.csv")
    )
    return {
        name: valid_latest(frame, bad(dataset), "key", "modified").with_columns(
            region_code=pl.col("region").replace_strict(codes)
        )
        for name, dataset, frame in (("appeals", "citizen_appeal", appeals), ("calls", "dispatch_call", calls))
    }


@pytest.fixture(scope="module")
def marts(published):
    from access.policy import connect

    con = connect(published.settings())
    yield con
    con.close()


def ytd(marts, mart: str) -> tuple[dt.date, dt.date]:
    return marts.execute(
        f"SELECT min(window_start), max(window_end) FROM marts.{mart} WHERE compstat_window = 'ytd'"
    ).fetchone()


def test_on_time_appeals_pct_matches(exports, marts) -> None:
    terms = pl.read_csv(REFERENCE_DIR / "kg" / "appeal_terms.csv")
    first, last = ytd(marts, "kpi_appeals_compstat")
    law = pl.col("received") + pl.duration(days=pl.col("term_days"))
    appeals = (
        exports["appeals"]
        .join(terms, on="category")
        .with_columns(due=pl.min_horizontal(pl.col("due").fill_null(law), law + pl.duration(days="max_extension_days")))
        .with_columns(on_time=(pl.col("answered") <= pl.col("due")).fill_null(False))
        .with_columns(settled=pl.when("on_time").then("answered").otherwise(pl.col("due") + pl.duration(days=1)))
        .filter(pl.col("settled").is_between(first, last))
    )
    assert appeals.height > 0 and 0 < appeals["on_time"].mean() < 1
    expected = {None: one_decimal(100 * appeals["on_time"].mean())}
    for (region,), part in appeals.group_by("region_code"):
        expected[region] = one_decimal(100 * part["on_time"].mean())
    shown = dict(
        marts.execute(
            "SELECT region_code, on_time_pct FROM marts.kpi_appeals_compstat "
            "WHERE compstat_window = 'ytd' AND category = 'all' AND area_level IN ('nation', 'region') "
            "AND appeals_settled_current > 0"
        ).fetchall()
    )
    assert shown.keys() == expected.keys()
    for region, pct in expected.items():
        assert shown[region] == pytest.approx(pct, abs=1e-9), region


def test_102_p90_arrival_matches(exports, marts) -> None:
    first, last = ytd(marts, "kpi_dispatch_compstat")
    calls = (
        exports["calls"]
        .filter(pl.col("received").dt.date().is_between(first, last))
        .with_columns(minutes=(pl.col("arrived") - pl.col("received")).dt.total_seconds() / 60)
    )
    attended = calls.drop_nulls("minutes")
    assert 0 < attended.height < calls.height  # some calls are settled on the phone or cancelled

    def p90(minutes: pl.Series) -> float:  # rounded as the mart rounds: two decimals, halves away from zero
        return math.floor(minutes.quantile(0.9, interpolation="linear") * 100 + 0.5) / 100

    expected = {None: p90(attended["minutes"])}
    for (region,), part in attended.group_by("region_code"):
        expected[region] = p90(part["minutes"])
    shown = dict(
        marts.execute(
            "SELECT region_code, to_arrival_p90_minutes FROM marts.kpi_dispatch_compstat "
            "WHERE compstat_window = 'ytd' AND area_type = 'all' AND area_level IN ('nation', 'region') "
            "AND calls_attended_current > 0"
        ).fetchall()
    )
    assert shown.keys() == expected.keys()
    for region, minutes in expected.items():
        assert shown[region] == pytest.approx(minutes, abs=1e-9), region
