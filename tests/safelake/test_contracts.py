from __future__ import annotations

import pytest
import yaml

from safelake import contracts
from safelake.contracts import TYPES, load_contracts, render_markdown
from tests.conftest import REPO

EXPECTED = {
    "crime_report",
    "road_incident",
    "road_participant",
    "road_vehicle",
    "camera",
    "camera_status",
    "fraud_report",
    "camera_heartbeat",
    "dispatch_call",
    "incident_report",
    "crime_aggregate",
    # discipline & integrity, cybersecurity
    "disciplinary_case",
    "cyber_incident",
    "fraud_resource_block",
    "citizen_appeal",
    "reception_session",
    # Kazakhstan's holiday operations
    "mass_event",
    "pyrotechnics_seizure",
    "fire_inspection",
    "fire_alarm_installation",
    "child_trip_escort",
}


def test_every_dataset_has_a_contract():
    assert set(load_contracts()) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_contract_is_complete(name):
    contract = load_contracts()[name]
    assert contract.key and all(contract.column(k).required for k in contract.key)
    if contract.time:  # detail rows (the people and vehicles of an incident) have no time of their own
        assert contract.column(contract.time).type in ("timestamp", "date")
    assert all(c.type in TYPES and c.description for c in contract.columns)
    if contract.version:
        assert contract.column(contract.version).required
    for col in contract.columns:
        assert not (col.pii and (col.codes or col.required or col.name in contract.key)), col.name


def test_personal_data_is_marked():
    pii = {name: set(c.pii_columns) for name, c in load_contracts().items()}
    assert pii["crime_report"] == {"victim_name", "victim_phone", "address"}
    assert pii["fraud_report"] == {"victim_name", "victim_phone"}
    assert pii["camera_status"] == set()
    # Sensitive (health, gender) but not identifying on its own: described, not pseudonymised.
    assert pii["road_participant"] == pii["road_vehicle"] == set()
    assert "sensitive" in load_contracts()["road_participant"].description


def test_detail_rows_have_no_record_time_and_are_immutable():
    contracts = load_contracts()
    assert [n for n, c in contracts.items() if c.time is None] == ["road_participant", "road_vehicle"]
    for name in ("road_participant", "road_vehicle"):
        assert contracts[name].version is None
        assert contracts[name].column("incident_id").required
    doc = render_markdown()
    assert doc.count("- record time: none (") == 2
    assert "- record time: `occurred_at`" in doc


def test_committed_doc_is_generated_from_the_definition():
    assert (REPO / "docs" / "data-contracts.md").read_text(encoding="utf-8") == render_markdown()


def refused_contract(tmp_path, monkeypatch, dataset: str, key: str, value: object, message: str) -> None:
    """contracts.yaml with one dataset key changed is refused with `message`."""
    raw = yaml.safe_load(contracts.CONTRACTS_FILE.read_text(encoding="utf-8"))
    raw["datasets"][dataset][key] = value
    broken = tmp_path / "contracts.yaml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(contracts, "CONTRACTS_FILE", broken)
    load_contracts.cache_clear()
    try:
        with pytest.raises(ValueError, match=message):
            load_contracts()
    finally:
        load_contracts.cache_clear()


def test_a_contract_naming_an_undefined_key_is_rejected(tmp_path, monkeypatch):
    refused_contract(tmp_path, monkeypatch, "camera", "key", ["no_such_column"], "no_such_column")


def test_the_build_tests_rules_between_columns_and_date_ranges_are_stated_in_the_contract():
    contracts = load_contracts()
    # The same rules as the staging models' dbt tests (expression_is_true), stated here for ingestion.
    assert [str(c) for c in contracts["road_incident"].checks] == ["seriously_injured <= injured"]
    assert [str(c) for c in contracts["camera"].checks] == ["commissioned_on >= installed_on"]
    dated = [c for contract in contracts.values() for c in contract.columns if c.type in ("date", "timestamp")]
    assert dated and all(c.earliest is not None and c.earliest.year >= 1900 for c in dated)


def test_a_check_that_is_not_column_op_column_is_refused(tmp_path, monkeypatch):
    check = ["installed_on + 1 > commissioned_on"]
    refused_contract(
        tmp_path, monkeypatch, "camera", "checks", check, r"camera check 'installed_on \+ 1 > commissioned_on'"
    )
