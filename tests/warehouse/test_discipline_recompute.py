"""Disciplinary cases per 100 staff, recomputed with Polars from the exports the session's warehouse was built from
(the archived files, as the regions sent them), equal to marts.kpi_discipline_compstat for the nation and every
region in every CompStat window."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import polars as pl
import pytest
import yaml

from ingestion.profiles import PROFILE_DIR
from safelake.reference import REFERENCE_DIR
from tests.conftest import Published
from warehouse.publish import published_file

KG = REFERENCE_DIR / "kg"


def exports(home: Path) -> pl.DataFrame:
    files = sorted((home / "archive" / "disciplinary_case").rglob("*discipline_*.csv"))
    assert files, "no archived disciplinary exports"
    return pl.concat(
        [
            pl.read_csv(io.BytesIO(f.read_bytes().decode("cp1251").encode()), separator=";", infer_schema=False)
            for f in files
        ]
    )


def valid_cases(raw: pl.DataFrame) -> pl.DataFrame:
    """What the contract lets through: dates that parse, a breach type the export's vocabulary knows, a decision
    not before the opening; then the newest version of each case."""
    profile = yaml.safe_load((PROFILE_DIR / "kg_disciplinary_case.yaml").read_text(encoding="utf-8"))
    breaches = list(profile["columns"]["breach_type"]["map"])
    day = "%d.%m.%Y"
    cases = raw.select(
        case_id=pl.col("№ дела"),
        unit_id=pl.col("Код подразделения"),
        breach=pl.col("Вид нарушения"),
        opened=pl.col("Дата возбуждения").str.strptime(pl.Date, day, strict=False),
        decided=pl.col("Дата решения").str.strptime(pl.Date, day, strict=False),
        decided_text=pl.col("Дата решения"),
        updated=pl.col("Дата изменения").str.strptime(pl.Datetime, "%d.%m.%Y %H:%M", strict=False),
    )
    ok = (
        pl.col("opened").is_not_null()
        & pl.col("updated").is_not_null()
        & pl.col("breach").is_in(breaches)
        & (
            pl.col("decided_text").is_null()
            | (pl.col("decided").is_not_null() & (pl.col("decided") >= pl.col("opened")))
        )
    )
    return cases.filter(ok).sort("updated").unique("case_id", keep="last")


@pytest.fixture(scope="module")
def mart(published: Published) -> pl.DataFrame:
    with duckdb.connect(str(published_file(published.settings())), read_only=True) as con:
        return pl.from_arrow(
            con.execute(
                """SELECT compstat_window, area_level, region_code, window_start, window_end,
                          disciplinary_cases_current::BIGINT AS cases, cases_per_100_staff
                   FROM marts.kpi_discipline_compstat
                   WHERE breach_type = 'all' AND area_level IN ('nation', 'region')"""
            ).arrow()
        )


def test_cases_per_100_staff_equal_the_mart(published: Published, mart: pl.DataFrame) -> None:
    units = pl.read_csv(KG / "unit_staffing.csv", schema_overrides={"staff": pl.Int64})
    cases = valid_cases(exports(published.home)).join(units.select("unit_id", "region_code"), on="unit_id")
    staff = {"nation": {None: units["staff"].sum()}} | {
        "region": dict(units.group_by("region_code").agg(pl.col("staff").sum()).iter_rows())
    }
    windows = mart.select("compstat_window", "window_start", "window_end").unique().iter_rows()
    expected = []
    for window, start, end in windows:
        inside = cases.filter(pl.col("opened").is_between(start, end))
        counts = {"nation": {None: inside.height}} | {"region": dict(inside.group_by("region_code").len().iter_rows())}
        for level, areas in counts.items():
            for region, n in areas.items():
                expected.append((window, level, region, n, round(100 * n / staff[level][region], 2)))
    ours = pl.DataFrame(
        expected, schema=["compstat_window", "area_level", "region_code", "cases", "per_100"], orient="row"
    )
    theirs = mart.select("compstat_window", "area_level", "region_code", "cases", per_100="cases_per_100_staff")
    key = ["compstat_window", "area_level", "region_code"]
    assert ours.height > 10 and ours.filter(pl.col("cases") > 0).height > 10
    # the mart has a row for an area with a case in either period; a region without any in the current one is 0
    joined = ours.join(theirs, on=key, how="full", coalesce=True, nulls_equal=True, suffix="_mart")
    joined = joined.with_columns(
        pl.col("cases", "per_100").fill_null(0), pl.col("cases_mart", "per_100_mart").fill_null(0)
    )
    mismatched = joined.filter(
        (pl.col("cases") != pl.col("cases_mart")) | ((pl.col("per_100") - pl.col("per_100_mart")).abs() > 1e-9)
    )
    assert mismatched.is_empty(), mismatched
