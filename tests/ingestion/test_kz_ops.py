"""Kazakhstan's holiday-operations exports (tools/demo_kz_ops.py) through their kz_* profiles into the lake: every row
is accounted for (rows in = merged + duplicates + quarantined), each injected defect is quarantined with its reason,
corrections replace the older version, personal data arrives only as pseudonyms."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter, defaultdict

import pytest

from ingestion.pipeline import FileResult, ingest
from safelake import lake
from safelake.contracts import load_contracts
from safelake.reference import REFERENCE_DIR
from safelake.settings import Settings, get_settings
from tools.demo_kz_ops import DATASETS, generate_kz_ops

START, DAYS = dt.date(2025, 12, 1), 42  # the winter campaign (15 Dec - 15 Jan) inside the window
# a small reference set of its own: the kz_* profiles resolve region names against whatever set is named kz
REGIONS = """region_code,name_en,name_ru
KZ-71,Astana,Астана
KZ-75,Almaty,Алматы
KZ-79,Shymkent,Шымкент
KZ-19,Almaty Region,Алматинская область
"""
# reason the ingestion gives → the demo's defect kinds it stands for
EXPECTED_REASONS = {
    "mass_event": {"bad_timestamp", "unknown_code", "unknown_region", "out_of_range", "inconsistent"},
    "pyrotechnics_seizure": {"bad_int", "bad_date", "missing"},
    "fire_inspection": {"unknown_code", "bad_date"},
    "fire_alarm_installation": {"bad_int", "unknown_code"},
    "child_trip_escort": {"bad_timestamp", "bad_bool", "missing"},
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, dict, list[FileResult]]:
    root = tmp_path_factory.mktemp("kz_ops")
    reference = root / "reference" / "kz"
    reference.mkdir(parents=True)
    (reference / "regions.csv").write_text(REGIONS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAFELAKE_HOME", str(root / "home"))
        patch.setenv("SAFELAKE_PII_KEY", "test-key-0123456789abcdef")
        patch.setenv("SAFELAKE_REFERENCE_DIR", str(reference.parent))
        get_settings.cache_clear()
        settings = get_settings()
        manifest = generate_kz_ops(settings.landing, START, DAYS, 3, reference)
        results = ingest(settings)
        yield settings, manifest, results
    get_settings.cache_clear()


def by_dataset(results: list[FileResult]) -> dict[str, Counter]:
    totals: dict[str, Counter] = defaultdict(Counter)
    for r in results:
        assert r.status == "ingested", (r.path, r.message)
        for field in ("rows_in", "inserted", "corrected", "duplicates", "quarantined", "out_of_scope"):
            totals[r.dataset][field] += getattr(r, field)
        totals[r.dataset].update({f"reason:{k}": v for k, v in r.reasons.items()})
    return totals


def test_every_file_matches_its_profile_and_every_row_is_accounted_for(loaded) -> None:
    settings, manifest, results = loaded
    assert {r.profile for r in results} == {
        "kz_mass_event_xlsx",
        "kz_pyrotechnics_seizure_csv",
        "kz_fire_inspection_csv",
        "kz_fire_alarm_installation_xlsx",
        "kz_child_trip_escort_csv",
    }
    totals = by_dataset(results)
    con = lake.connect(settings, read_only=True)
    try:
        for name in DATASETS:
            t = totals[name]
            assert t["rows_in"] == manifest[name]["rows"] > 100, name
            assert t["rows_in"] == t["inserted"] + t["corrected"] + t["duplicates"] + t["quarantined"], name
            assert t["duplicates"] == manifest[name]["defects"]["duplicate"], name
            assert t["corrected"] == manifest[name]["defects"].get("correction", 0), name
            (rows,) = con.execute(f"SELECT count(*) FROM lake.{name}").fetchone()
            assert rows == t["inserted"], name
    finally:
        con.close()


def test_each_defect_is_quarantined_with_its_reason(loaded) -> None:
    _, manifest, results = loaded
    totals = by_dataset(results)
    for name, reasons in EXPECTED_REASONS.items():
        found = {k.removeprefix("reason:") for k in totals[name] if k.startswith("reason:")}
        assert found == reasons, name
        spoiled = sum(n for kind, n in manifest[name]["defects"].items() if kind not in ("duplicate", "correction"))
        assert totals[name]["quarantined"] == spoiled, name


def test_corrections_keep_the_newest_version(loaded) -> None:
    settings, manifest, _ = loaded
    con = lake.connect(settings, read_only=True)
    try:
        # a repeat inspection found the violations removed: the later act wins (the first is written the same day)
        newest = con.execute(
            """SELECT count(*) FROM lake.fire_inspection
               WHERE result = 'no_violations' AND violations = 0
                 AND timezone('Asia/Almaty', updated_at)::DATE > inspected_on"""
        ).fetchone()[0]
        assert newest == manifest["fire_inspection"]["defects"]["correction"] > 0
    finally:
        con.close()


def test_personal_data_reaches_the_lake_only_as_pseudonyms(loaded) -> None:
    settings, _, _ = loaded
    pii = {name: load_contracts()[name].pii_columns for name in DATASETS}
    assert pii == {
        "mass_event": ["organiser_phone"],
        "pyrotechnics_seizure": ["offender_name"],
        "fire_inspection": ["responsible_person"],
        "fire_alarm_installation": [],
        "child_trip_escort": ["leader_name", "leader_phone"],
    }
    con = lake.connect(settings, read_only=True)
    try:
        for name, columns in pii.items():
            for column in columns:
                values = [
                    v for (v,) in con.execute(f"SELECT {column} FROM lake.{name} WHERE {column} IS NOT NULL").fetchall()
                ]
                assert values and all(re.fullmatch(r"[0-9a-f]{32}", v) for v in values), (name, column)
    finally:
        con.close()


def test_the_winter_campaign_is_where_the_operations_are(loaded) -> None:
    settings, _, _ = loaded
    con = lake.connect(settings, read_only=True)
    try:
        per_day = dict(
            con.execute(
                """WITH events AS (SELECT timezone('Asia/Almaty', starts_at)::DATE AS day FROM lake.mass_event)
                   SELECT day BETWEEN '2025-12-15' AND '2026-01-15', count(*) / count(DISTINCT day)
                   FROM events GROUP BY 1"""
            ).fetchall()
        )
        assert per_day[True] > 5 * per_day[False]
        with_children, secured = con.execute(
            "SELECT avg(with_children::INT), avg((police_assigned > 0)::INT) FROM lake.mass_event "
            "WHERE starts_at >= '2025-12-20'"
        ).fetchone()
        assert with_children > 0.5 and secured > 0.9  # most events with children, nearly all secured
    finally:
        con.close()


def test_the_kz_plan_files_have_the_kg_columns_and_valid_directions() -> None:
    for file in ("plan_targets.csv", "plan_milestones.csv", "plan_region_targets.csv"):
        kz, kg = (REFERENCE_DIR / country / file for country in ("kz", "kg"))
        assert kz.read_text(encoding="utf-8").splitlines()[0] == kg.read_text(encoding="utf-8").splitlines()[0]
    with (REFERENCE_DIR / "kz" / "plan_targets.csv").open(encoding="utf-8") as fh:
        targets = list(csv.DictReader(fh))
    assert {t["direction"] for t in targets} == {"up", "down"}
    assert all(t["owner"] and t["owner_ru"] and t["due_date"] == "2026-12-31" for t in targets)
    sourced = {t["target_id"]: float(t["target_value"]) for t in targets if t["sourced"] == "true"}
    assert sourced == {
        "mass_events_secured": 1000,
        "fire_inspections": 7000,
        "fire_alarm_sensors": 36000,
        "child_trips_escorted": 100,
    }
