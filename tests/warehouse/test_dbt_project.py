"""The dbt project's own rules, checked on its parsed manifest (no lake, no warehouse needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT = REPO / "dbt_project"
PUBLISHED = ("marts", "analytics")


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    tmp = tmp_path_factory.mktemp("dbt_parse")
    env = {
        **os.environ,
        # parsing renders the profile but never connects
        "SAFELAKE_WAREHOUSE_PATH": str(tmp / "unused.duckdb"),
        "SAFELAKE_EXTENSION_DIR": str(tmp),
        "SAFELAKE_LAKE_CATALOG": f"sqlite:{tmp / 'unused.sqlite'}",
        "SAFELAKE_LAKE_DATA_PATH": f"{tmp}/",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "parse",
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
        ],
        env=env,
        cwd=DBT_PROJECT,
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
        expected = {"staging": "staging", "intermediate": "intermediate"}.get(folder)
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
    assert users == {"kpi_crime_compstat", "kpi_road_compstat", "kpi_fraud_compstat"}


def test_kpi_formulas_have_unit_tests(manifest: dict) -> None:
    tested = {u["model"] for u in manifest["unit_tests"].values()}
    assert {
        "kpi_crime_compstat",
        "kpi_plan_progress",
        "kpi_camera_availability",
        "fct_camera_days",
        "int_camera_outages_split_by_day",
    } <= tested


def test_dashboards_and_emails_are_exposures(manifest: dict) -> None:
    labels = {e["label"] for e in manifest["exposures"].values()}
    assert {"Plan 2026", "Cameras", "Crime", "Road safety", "Fraud", "Data health", "KPI e-mails"} <= labels
