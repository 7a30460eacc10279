"""KPIs recomputed with Polars straight from the generated export files, against the published marts.

Independent of ingestion and dbt: the exports are parsed here with their own formats (UTF-8 and cp1251
crime files, the fraud CSV with Kyrgyz region names and decimal commas), regions are mapped with the
reference names, and the latest version of each record wins. Only which rows are invalid is taken from
the lake's quarantine (file, line): the contract tests check those rules. Counts must match exactly,
rates (percentages rounded to one decimal, as the marts publish them) within 1e-9.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import polars as pl
import pytest

from access.policy import connect
from safelake import lake
from safelake.reference import REFERENCE_DIR

pytestmark = pytest.mark.slow

ARCHIVED = re.compile(r"^[0-9a-f]{12}-")  # the archive prefixes each file with its checksum


def region_codes() -> dict[str, str]:
    regions = pl.read_csv(REFERENCE_DIR / "kg" / "regions.csv")
    return {
        name: code
        for code, *names in regions.select("region_code", "name_en", "name_ru", "name_ky").iter_rows()
        for name in names
    } | {code: code for code in regions["region_code"]}


def read_export(path: Path, encoding: str, separator: str) -> pl.DataFrame:
    frame = pl.read_csv(path.read_bytes().decode(encoding).encode(), separator=separator, infer_schema=False)
    return frame.with_columns(
        file=pl.lit(ARCHIVED.sub("", path.name)), line=pl.int_range(2, pl.len() + 2, dtype=pl.Int64)
    )


def valid_latest(frame: pl.DataFrame, quarantined: pl.DataFrame, key: str, version: str) -> pl.DataFrame:
    """Drop the rows the lake quarantined, then keep the newest version of each record."""
    frame = frame.join(quarantined, on=["file", "line"], how="anti")
    return frame.sort(version).unique(key, keep="last")


@pytest.fixture(scope="module")
def sources(published) -> dict[str, pl.DataFrame]:
    settings = published.settings()
    con = lake.connect(settings, read_only=True)
    quarantined = con.execute("SELECT file_name AS file, line, dataset FROM lake._quarantine").pl()
    con.close()
    archive = settings.archive
    codes = region_codes()

    crime = pl.concat(
        [
            read_export(p, "utf-8", ",").select(
                key="report_no",
                registered=pl.col("registered").str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False),
                region="region",
                cleared=pl.col("cleared") == "Y",
                modified=pl.col("last_modified").str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False),
                file="file",
                line="line",
            )
            for p in archive.glob("crime_report/*/*-crime_*.csv")
        ]
        + [
            read_export(p, "cp1251", ";").select(
                key="Номер КУСП",
                registered=pl.col("Дата регистрации").str.to_datetime("%d.%m.%Y %H:%M", strict=False),
                region="Область",
                cleared=pl.col("Раскрыто") == "да",
                modified=pl.col("Дата изменения").str.to_datetime("%d.%m.%Y %H:%M", strict=False),
                file="file",
                line="line",
            )
            for registry in ("kusp", "corruption")  # the corruption registry's cases are crime reports too
            for p in archive.glob(f"crime_report/*/*-{registry}_*.csv")
        ]
    )
    fraud = pl.concat(
        read_export(p, "utf-8-sig", ",").select(
            key="№ обращения",
            registered=pl.col("Дата обращения").str.to_datetime("%d.%m.%Y %H:%M", strict=False),
            region="Область",
            loss=pl.col("Сумма ущерба").str.replace_all(r"\s", "").str.replace(",", ".").cast(pl.Float64),
            modified=pl.col("Дата изменения").str.to_datetime("%d.%m.%Y %H:%M", strict=False),
            file="file",
            line="line",
        )
        for p in archive.glob("fraud_report/*/*-fraud_*.csv")
    )
    out = {}
    for name, frame in (("crime_report", crime), ("fraud_report", fraud)):
        bad = quarantined.filter(pl.col("dataset") == name).select("file", "line")
        assert bad.height > 0, f"the demo data has defects in {name}, so some rows must be quarantined"
        clean = valid_latest(frame, bad, "key", "modified")
        out[name] = clean.with_columns(region_code=pl.col("region").replace_strict(codes))
    return out


def one_decimal(value: float) -> float:
    """The marts' rounding of percentages: one decimal, halves away from zero."""
    return math.floor(value * 10 + 0.5) / 10


def year_to_date(frame: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    return frame.filter(pl.col("registered").dt.date().is_between(dt.date(as_of.year, 1, 1), as_of))


@pytest.fixture(scope="module")
def marts(published):
    con = connect(published.settings())
    yield con
    con.close()


def as_of_day(marts) -> dt.date:
    return marts.execute(
        "SELECT max(window_end) FROM marts.kpi_crime_compstat WHERE compstat_window = 'ytd'"
    ).fetchone()[0]


def test_crime_counts_and_clearance_match(sources, marts) -> None:
    ytd = year_to_date(sources["crime_report"], as_of_day(marts))
    expected = ytd.group_by("region_code").agg(registered=pl.len(), cleared=pl.col("cleared").sum()).sort("region_code")
    shown = marts.execute(
        "SELECT region_code, crimes_registered_current, crimes_cleared_current, clearance_rate_pct "
        "FROM marts.kpi_crime_compstat WHERE compstat_window = 'ytd' AND area_level = 'region' "
        "AND offence_code = 'all' ORDER BY region_code"
    ).pl()
    shown = shown.filter(pl.col("crimes_registered_current") > 0)
    assert shown["region_code"].to_list() == expected["region_code"].to_list()
    assert shown["crimes_registered_current"].to_list() == expected["registered"].to_list()
    assert shown["crimes_cleared_current"].to_list() == expected["cleared"].to_list()
    for rate, registered, cleared in zip(
        shown["clearance_rate_pct"], expected["registered"], expected["cleared"], strict=True
    ):
        assert rate == pytest.approx(one_decimal(100 * cleared / registered), abs=1e-9)
    [(nation,)] = marts.execute(
        "SELECT crimes_registered_current FROM marts.kpi_crime_compstat "
        "WHERE compstat_window = 'ytd' AND area_level = 'nation' AND offence_code = 'all'"
    ).fetchall()
    assert nation == ytd.height > 0


def test_fraud_reports_and_losses_match(sources, marts) -> None:
    ytd = year_to_date(sources["fraud_report"], as_of_day(marts))
    [(reports, loss, with_loss)] = marts.execute(
        "SELECT fraud_reports_current, loss_amount_current, reports_with_loss_current FROM marts.kpi_fraud_compstat "
        "WHERE compstat_window = 'ytd' AND area_level = 'nation' AND scheme = 'all'"
    ).fetchall()
    assert reports == ytd.height > 0
    assert with_loss == ytd.filter(pl.col("loss") > 0).height
    assert float(loss) == pytest.approx(ytd["loss"].fill_null(0).sum(), abs=1e-6)
    by_region = ytd.group_by("region_code").agg(pl.len(), pl.col("loss").fill_null(0).sum()).sort("region_code")
    shown = marts.execute(
        "SELECT region_code, fraud_reports_current, loss_amount_current FROM marts.kpi_fraud_compstat "
        "WHERE compstat_window = 'ytd' AND area_level = 'region' AND scheme = 'all' AND fraud_reports_current > 0 "
        "ORDER BY region_code"
    ).fetchall()
    assert [r[:2] for r in shown] == [r[:2] for r in by_region.iter_rows()]
    assert [float(r[2]) for r in shown] == pytest.approx([r[2] for r in by_region.iter_rows()], abs=1e-6)
