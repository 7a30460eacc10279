"""One lake, several geographies: Kyrgyzstan's and Kazakhstan's demo exports and a foreign real-data set (West
Yorkshire's street crime) in one lake; a kg and a kz warehouse are published from it, each with only its own rows."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from access import i18n, read
from access.policy import NATIONAL, connect
from access.users import Role, User, hash_password, save_user
from briefings.config import Recipient
from briefings.content import load_briefing
from briefings.render import render
from dashboards import ui
from ingestion.pipeline import FileResult, ingest
from safelake import lake
from safelake.reference import geography
from safelake.settings import Settings, get_settings
from tests.conftest import PII_KEY, REALDATA, REPO
from tests.dashboards.test_dashboards import APP, login
from tools.demo import generate
from warehouse.build import build
from warehouse.publish import BuildRecord, current_path

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
        for table in [*TABLES, "crime_aggregate"]:  # Kazakhstan's monthly statistics: kz rows only
            held = dict(con.execute(f"SELECT _geography, count(*) FROM lake.{table} GROUP BY ALL").fetchall())
            inserted = Counter()
            for r in results:
                if r.dataset == table:
                    inserted[{"police": "gb_wyk"}.get(r.profile.split("_")[0], r.profile.split("_")[0])] += r.inserted
            assert held == {geo: n for geo, n in inserted.items() if n}, table
    finally:
        con.close()


def test_kazakh_exports_are_read_exactly_their_defects_quarantined(lake_of_three):
    """Every Kazakh demo defect (a broken date, an unknown code or region, a negative amount) is quarantined and
    nothing else: the kz profiles read every other cell of the Kazakh shapes."""
    sites, results = lake_of_three
    manifest = json.loads((sites["kz"].landing / ".demo_manifest.json").read_text(encoding="utf-8"))
    for dataset in TABLES:
        quarantined = sum(r.quarantined for r in results if r.dataset == dataset and r.profile.startswith("kz_"))
        defects = manifest[dataset]["defects"]
        assert quarantined == sum(defects.get(k, 0) for k in ("bad_date", "unknown_code", "negative_amount")), dataset


@pytest.fixture(scope="module")
def published(lake_of_three) -> dict[str, BuildRecord]:
    """A kg and a kz warehouse built from the one lake."""
    sites, _ = lake_of_three
    return {name: build(settings) for name, settings in sites.items()}


@pytest.mark.parametrize("name", ["kg", "kz"])
def test_each_geography_publishes_a_warehouse_of_only_its_own_rows(lake_of_three, published, name):
    sites, results = lake_of_three
    settings = sites[name]
    assert published[name].status == "published", published[name].failures
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
        # the data-health pages count this geography's files and quarantined rows only
        own = [r for r in results if r.profile.startswith(f"{name}_")]
        health = dict(warehouse.execute("SELECT dataset, files_ingested FROM marts.kpi_source_freshness").fetchall())
        files = Counter(r.dataset for r in own)
        assert health == {dataset: files[dataset] for dataset in health}
        quarantined = warehouse.execute("SELECT sum(rows_quarantined) FROM marts.kpi_quarantine_reasons").fetchone()
        assert quarantined == (sum(r.quarantined for r in own),)
        plan = warehouse.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name LIKE 'kpi_plan%'"
        ).fetchone()[0]
        # Kyrgyzstan has a plan in its reference set; Kazakhstan's set has none: no plan marts, the rest built
        assert plan == (3 if (geography(name).folder / "plan_targets.csv").exists() else 0)


def test_readers_of_a_geography_without_a_plan_say_so(lake_of_three, tmp_path, monkeypatch):
    """A reference set without a plan (Kazakhstan's, its plan files left out, as an operator's own set may be): the
    build publishes; the stamp names the country and its zone, the e-mail's plan section and the plan page say there
    is no plan, and every page opens."""
    references = tmp_path / "reference"
    shutil.copytree(geography("kz").folder, references / "kz", ignore=shutil.ignore_patterns("plan_*.csv"))
    monkeypatch.setenv("SAFELAKE_REFERENCE_DIR", str(references))
    get_settings.cache_clear()
    settings = lake_of_three[0]["kz"].model_copy(update={"home": tmp_path / "home", "reference_dir": references})
    record = build(settings)
    assert record.status == "published", record.failures
    con = connect(settings)
    stamp = read.stamp(con)
    con.close()
    assert (stamp.geography, stamp.timezone, stamp.has_plan) == ("kz", "Asia/Almaty", False)
    assert read.geography_name(stamp.geography, "ru") == "Казахстан"
    briefing = load_briefing(settings, "daily", NATIONAL)
    assert briefing.plan == []
    boss = Recipient(name="Boss", address="boss@example.org", role="leadership", language="en", briefings=["daily"])
    no_plan = i18n.t("no_plan", "en", geography="Kazakhstan")
    assert no_plan in render(briefing, boss, ZoneInfo(stamp.timezone)).text

    for variable, value in {
        "HOME": settings.home,
        "GEOGRAPHY": "kz",
        "LAKE_CATALOG": settings.catalog,
        "LAKE_DATA_PATH": settings.data_path,
        "PII_KEY": PII_KEY,
        "USERS_FILE": tmp_path / "users.yaml",
    }.items():
        monkeypatch.setenv(f"SAFELAKE_{variable}", str(value))
    get_settings.cache_clear()
    try:
        user = User(name="boss", role=Role.leadership, password_hash=hash_password("boss-password"))
        save_user(get_settings(), user)
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update({"lang": "en"})
        at.run()
        login(at, "boss", "boss-password")
        assert not at.exception, [e.value for e in at.exception]
        assert [i.value for i in at.info] == [no_plan]
        assert "Kazakhstan (Asia/Almaty)" in at.caption[0].value
        for page in ui.PAGES[1:]:
            at.switch_page(f"views/{page}.py").run()
            assert not at.exception, (page, [e.value for e in at.exception])
    finally:
        get_settings.cache_clear()


def test_a_kazakhstan_instance_comes_up_by_the_steps_of_make_up(tmp_path):
    """What `SAFELAKE_GEOGRAPHY=kz make up` runs before Airflow takes over: init, dbt's parse, demo data, ingest,
    build."""
    env = os.environ | {
        "SAFELAKE_GEOGRAPHY": "kz",
        "SAFELAKE_HOME": str(tmp_path / "var-kz"),
        "SAFELAKE_PII_KEY": PII_KEY,
    }
    for step in (
        ["ops", "init"],
        ["ops", "build", "--parse-only"],
        ["tools.demo", "--days", "10", "--cameras", "60"],
        ["ops", "ingest"],
        ["ops", "build"],
    ):
        done = subprocess.run([sys.executable, "-m", *step], env=env, cwd=REPO, capture_output=True, text=True)
        assert done.returncode == 0, (step, done.stdout[-2000:], done.stderr[-2000:])
    settings = Settings(home=tmp_path / "var-kz", pii_key=PII_KEY, geography="kz")
    archived = [p.name.split("-", 1)[1] for p in settings.archive.rglob("*") if p.is_file()]
    assert any(name.startswith("kz_erdr_") for name in archived)  # Kazakh exports, read by the kz profiles
    assert not [p for p in settings.landing.rglob("[!.]*") if p.is_file()]  # each one ingested
    with duckdb.connect(str(current_path(settings)), read_only=True) as warehouse:
        assert warehouse.execute("SELECT geography, timezone FROM meta.build").fetchone() == ("kz", "Asia/Almaty")
        codes = {r[0] for r in warehouse.execute("SELECT DISTINCT region_code FROM analytics.crime_reports").fetchall()}
        assert codes == set(geography("kz").regions["region_code"])
