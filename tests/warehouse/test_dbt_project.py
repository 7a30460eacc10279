"""The dbt project's own rules, checked on its parsed manifest (no lake, no warehouse needed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from safelake.contracts import load_contracts
from safelake.reference import REFERENCE_DIR
from safelake.settings import Settings
from warehouse.build import dbt_vars

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
PUBLISHED = ("marts", "analytics")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`dbt parse` of a copy of the project in another folder (as a scheduler's scratch copy is), with
    no SAFELAKE_* variable in the environment: everything comes from `--vars`."""
    tmp = tmp_path_factory.mktemp("dbt_parse")
    project = tmp / "elsewhere" / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFELAKE_")}
    # parsing renders the profile but never connects
    variables = dbt_vars(Settings(home=tmp / "home"), tmp / "unused.duckdb")
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "parse",
            "--vars",
            json.dumps(variables),
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ],
        env=env | {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    return json.loads((tmp / "target" / "manifest.json").read_text())


def models(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def generic_tests_on(manifest: dict, unique_id: str) -> set[str]:
    return {
        n["test_metadata"]["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and n.get("test_metadata") and n.get("attached_node") == unique_id
    }


def test_every_model_states_its_grain(manifest: dict) -> None:
    missing = [m["name"] for m in models(manifest) if "grain" not in m["description"].lower()]
    assert not missing


def test_layers_land_in_their_schemas(manifest: dict) -> None:
    for m in models(manifest):
        folder = m["fqn"][1]
        expected = {"reference": "reference", "staging": "staging", "intermediate": "intermediate"}.get(folder)
        if folder == "marts":
            expected = "analytics" if m["fqn"][2] == "core" else "marts"
        assert m["schema"] == expected, m["name"]
        if m["schema"] in PUBLISHED:
            assert m["config"]["materialized"] in ("table", "incremental"), m["name"]


def test_published_models_have_a_tested_key_and_documented_columns(manifest: dict) -> None:
    for m in models(manifest):
        if m["schema"] not in PUBLISHED:
            continue
        key_tests = generic_tests_on(manifest, m["unique_id"]) & {"unique", "unique_combination"}
        assert key_tests, f"{m['name']} has no unique / unique_combination test"
        undocumented = [c for c, spec in m["columns"].items() if not spec.get("description")]
        assert not undocumented, (m["name"], undocumented)


def test_compstat_has_one_implementation(manifest: dict) -> None:
    users = {m["name"] for m in models(manifest) if "macro.safelake.compstat" in m["depends_on"]["macros"]}
    assert {
        "kpi_crime_compstat",
        "kpi_road_compstat",
        "kpi_fraud_compstat",
        "kpi_appeals_compstat",
        "kpi_receptions_compstat",
        "kpi_dispatch_compstat",
    } <= users


def test_kpi_formulas_have_unit_tests(manifest: dict) -> None:
    tested = {u["model"] for u in manifest["unit_tests"].values()}
    assert {
        "kpi_crime_compstat",
        "kpi_plan_progress",
        "kpi_camera_availability",
        "fct_camera_days",
        "int_camera_outages_split_by_day",
        "fct_citizen_appeals",
        "fct_dispatch_calls",
        "kpi_dispatch_compstat",
    } <= tested


def test_dashboards_and_emails_are_exposures(manifest: dict) -> None:
    labels = {e["label"] for e in manifest["exposures"].values()}
    assert {"Plan 2026", "Cameras", "Crime", "Road safety", "Fraud", "Data health", "KPI e-mails"} <= labels


def test_reference_data_is_read_where_it_lies(manifest: dict) -> None:
    """Every reference file is a model that reads it by its absolute path (the `reference_dir` var),
    so the project needs no link to safelake/ and never writes beside the file (as dbt does for seeds
    outside the project: its run output would overwrite them)."""
    files = {p.stem for p in (REFERENCE_DIR / "kg").glob("*.csv")}
    readers = {m["name"] for m in models(manifest) if "macro.safelake.reference_csv" in m["depends_on"]["macros"]}
    assert readers == files
    seeds = [n["original_file_path"] for n in manifest["nodes"].values() if n["resource_type"] == "seed"]
    assert all(path.startswith("seeds/") for path in seeds), seeds


def test_every_lake_reader_keeps_only_the_builds_geography(manifest: dict) -> None:
    """The lake holds several geographies: a model that reads a lake table without the filter puts another
    country's rows (or its files' counts) into this build."""
    readers = {m["name"] for m in models(manifest) if "macro.safelake.lake_source" in m["depends_on"]["macros"]}
    filtered = {m["name"] for m in models(manifest) if "macro.safelake.this_geography" in m["depends_on"]["macros"]}
    assert readers and readers == filtered, readers ^ filtered


def test_code_lists_come_from_the_contracts(manifest: dict) -> None:
    """accepted_values on a contract's code list name the list (var code_lists), never repeat it."""
    lists = {c.codes for contract in load_contracts().values() for c in contract.columns if c.codes}
    tests = [n for n in manifest["nodes"].values() if (n.get("test_metadata") or {}).get("name") == "accepted_values"]
    repeated = [
        n["name"]
        for n in tests
        if isinstance(values := n["test_metadata"]["kwargs"]["values"], list) and tuple(map(str, values)) in lists
    ]
    assert not repeated
    named = [n for n in tests if "var('code_lists')" in str(n["test_metadata"]["kwargs"]["values"])]
    assert len(named) >= 13


def test_late_data_has_no_second_threshold(manifest: dict) -> None:
    """Late data is judged by the settings' thresholds (the freshness_hours var) only: no dbt source
    freshness that nothing runs, no threshold of the project's own."""
    declared = [
        source["name"]
        for source in manifest["sources"].values()
        if any(((source.get("freshness") or {}).get(k) or {}).get("count") for k in ("warn_after", "error_after"))
    ]
    assert not declared
    users = {m["name"] for m in models(manifest) if "macro.safelake.is_late" in m["depends_on"]["macros"]}
    assert users == {"kpi_source_freshness", "kpi_region_reporting"}
