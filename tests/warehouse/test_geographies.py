"""One lake, several geographies: Kyrgyzstan's and Kazakhstan's demo exports and a foreign real-data set (West
Yorkshire's street crime) in one lake; a kg and a kz warehouse are published from it, each with only its own rows."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from ingestion.pipeline import FileResult, ingest
from safelake import lake
from safelake.reference import geography
from safelake.settings import Settings
from tests.conftest import PII_KEY, REALDATA
from tools.demo import generate
from warehouse.build import build
from warehouse.publish import current_path

POLICE = REALDATA / "crime_policeuk_westyorkshire" / "2018-07-west-yorkshire-street.csv"
# lake table → the warehouse's table of the same records
TABLES = {
    "crime_report": "analytics.crime_reports",
    "road_incident": "analytics.road_incidents",
    "fraud_report": "analytics.fraud_reports",
    "camera": "analytics.cameras",
}


def instance(root: Path, name: str) -> Settings:
    """A SafeLake instance of one geography (its own home, landing and warehouse) on the shared lake."""
    return Settings(
        home=root / name,
        pii_key=PII_KEY,
        geography=name,
        lake_catalog=f"sqlite:{root / 'lake' / 'catalog.sqlite'}",
        lake_data_path=f"{root / 'lake' / 'data'}/",
    )


@pytest.fixture(scope="module")
def lake_of_three(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Settings], list[FileResult]]:
    root = tmp_path_factory.mktemp("geographies")
    (root / "lake").mkdir()
    sites = {name: instance(root, name) for name in ("kg", "kz")}
    start = dt.date.today() - dt.timedelta(days=21)
    for name, settings in sites.items():
        generate(settings.landing, start, 21, 120, 4, geography(name).folder)
    (sites["kg"].landing / "crime_report").mkdir(parents=True, exist_ok=True)
    shutil.copy(POLICE, sites["kg"].landing / "crime_report" / POLICE.name)  # a foreign file among kg's
    con = lake.connect(sites["kg"])
    lake.ensure_tables(con)
    con.close()
    results = [r for settings in sites.values() for r in ingest(settings)]
    assert {r.status for r in results} == {"ingested"}, [r.message for r in results if r.status != "ingested"]
    return sites, results


def test_every_lake_row_carries_its_profiles_geography(lake_of_three):
    sites, results = lake_of_three
    con = lake.connect(sites["kz"], read_only=True)
    try:
        for table in TABLES:
            held = dict(con.execute(f"SELECT _geography, count(*) FROM lake.{table} GROUP BY ALL").fetchall())
            inserted = Counter()
            for r in results:
                if r.dataset == table:
                    inserted[r.profile.split("_")[0]] += r.inserted
            expected = {"kg": inserted["kg"], "kz": inserted["kz"]} | (
                {"gb_wyk": inserted["police"]} if table == "crime_report" else {}
            )
            assert held == expected, table
    finally:
        con.close()


@pytest.mark.parametrize("name", ["kg", "kz"])
def test_each_geography_publishes_a_warehouse_of_only_its_own_rows(lake_of_three, name):
    sites, results = lake_of_three
    settings = sites[name]
    record = build(settings)
    assert record.status == "published", record.failures
    regions = set(geography(name).regions["region_code"])
    inserted = Counter()
    for r in results:
        if r.profile.startswith(f"{name}_"):
            inserted[r.dataset] += r.inserted
    with duckdb.connect(str(current_path(settings)), read_only=True) as warehouse:
        assert warehouse.execute("SELECT geography, timezone FROM meta.build").fetchone() == (
            name,
            {"kg": "Asia/Bishkek", "kz": "Asia/Almaty"}[name],
        )
        for table, mart in TABLES.items():
            assert warehouse.execute(f"SELECT count(*) FROM {mart}").fetchone()[0] == inserted[table], mart
            codes = {row[0] for row in warehouse.execute(f"SELECT DISTINCT region_code FROM {mart}").fetchall()}
            assert codes and codes <= regions, mart
        assert {row[0] for row in warehouse.execute("SELECT region_code FROM analytics.regions").fetchall()} == regions
        plan = warehouse.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name LIKE 'kpi_plan%'"
        ).fetchone()[0]
        # Kyrgyzstan has a plan in its reference set; Kazakhstan's set has none: no plan marts, the rest built
        assert plan == (3 if (geography(name).folder / "plan_targets.csv").exists() else 0)
