"""Defects real exports found (issue 17), each on a fixture of its shape: exponent numbers, daylight-saving
gaps, multi-line CSV records, a bad profile among good ones, JSON arrays and nested objects, status
accounting, paths and folders, repeated header names, files changed while ingested, two runs at once."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console

from ingestion import pipeline
from ingestion.pipeline import ingest
from ingestion.profiles import Profile, Rule, all_profiles, get_profile, profile_problems
from ingestion.readers import read
from ingestion.transform import apply_profile, typed_expr
from ops.cli import ingest_summary
from ops.status import lake_status
from safelake import lake
from safelake.contracts import load_contracts
from safelake.errors import SafeLakeError
from safelake.locks import lake_lock
from safelake.reference import geography
from safelake.settings import get_settings
from tests.ingestion.test_readers import profile as crime_profile

PROFILES = Path(__file__).with_name("profiles")
ROAD = load_contracts()["road_incident"]
FRAUD = load_contracts()["fraud_report"]
HEADER = "id,updated,when,region,killed,injured,serious,lat\n"


def typed(contract, column: str, values: list[str], tz: str = "Asia/Bishkek", **rule) -> list:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    parsed = Rule.model_validate({"from": "v"} | rule)
    return frame.select(typed_expr(contract.column(column), parsed, pl.col("v"), tz)).to_series().to_list()


def road_rows(*ids: str) -> str:
    return HEADER + "".join(f"{i},2026-01-02T10:00:00Z,2026-01-02 09:00,KG-C,0,2,1,42.87\n" for i in ids)


@pytest.fixture
def extra(settings, monkeypatch):
    """The settings with the test profiles in SAFELAKE_PROFILES_DIR."""
    monkeypatch.setenv("SAFELAKE_PROFILES_DIR", str(PROFILES))
    get_settings.cache_clear()
    return get_settings()


def test_exponent_notation_is_read_exactly_for_int_double_and_decimal():
    assert typed(ROAD, "killed", ["1.8E5", "2e3", "1.8E-05", "12"]) == [180000, 2000, None, 12]
    assert typed(ROAD, "latitude", ["1.8E-05", "4.2e1"]) == [1.8e-05, 42.0]
    assert typed(FRAUD, "loss_amount", ["1.8E5", "2.5e-1", "1.8E-05"]) == [Decimal("180000.00"), Decimal("0.25"), None]


def test_number_cleaning_never_alters_a_value():
    assert typed(ROAD, "killed", ["\u22121", "-1", "(500)", "12 abc 34", "1 234"]) == [-1, -1, None, None, 1234]
    assert typed(FRAUD, "loss_amount", ["\u2212500", "1.005", "$1,000.50", "KGS 15 000"]) == [
        Decimal("-500.00"),
        None,
        Decimal("1000.50"),
        Decimal("15000.00"),
    ]


def test_numbers_past_their_type_are_quarantined_not_rounded():
    assert typed(ROAD, "latitude", ["7.5e400", "-7.5e400", "1e-400", "4.9e-324", "0e-400", "42.870"]) == [
        None,
        None,
        None,
        None,
        0.0,
        42.87,
    ]
    assert typed(ROAD, "killed", ["9007199254740993.0", "9007199254740992.5", "1e-400", "0.5e1"]) == [
        9007199254740993,
        None,
        None,
        5,
    ]
    assert typed(FRAUD, "loss_amount", ["0.1000000000000000055", "0.10", "1e-400", "12.5000e0"]) == [
        None,
        Decimal("0.10"),
        None,
        Decimal("12.50"),
    ]


JSON_ROAD = {
    "incident_id": {"from": "id"},
    "updated_at": {"from": "at"},
    "occurred_at": {"from": "at"},
    "region_code": {"const": "KG-C"},
    "incident_type": {"const": "collision"},
    "cause": {"const": "other"},
    "killed": {"from": "killed"},
    "injured": {"from": "killed"},
    "latitude": {"from": "lat"},
}
JSON_FRAUD = {
    "report_id": {"from": "id"},
    "updated_at": {"from": "at"},
    "reported_at": {"from": "at"},
    "region_code": {"const": "KG-C"},
    "scheme": {"const": "other"},
    "channel": {"const": "other"},
    "payment_method": {"const": "other"},
    "loss_amount": {"from": "loss"},
    "currency": {"from": "currency"},
    "victim_age_group": {"const": "unknown"},
    "victims": {"from": "victims"},
}


def json_numbers(tmp_path: Path, fmt: str, dataset: str, columns: dict, records: list[str]):
    """(valid rows, quarantine (column, reason, detail)) of `records`, written as the file format writes them."""
    text = "\n".join(records) if fmt == "jsonl" else "[\n" + ",\n".join(records) + "\n]"
    path = tmp_path / f"numbers.{fmt}"
    path.write_text(text + "\n", encoding="utf-8")
    spec = {"name": "t", "dataset": dataset, "geography": "kg", "description": "t", "match": {}, "format": fmt}
    profile = Profile.model_validate(spec | {"timezone": "UTC", "columns": columns})
    frame, bad, _ = read(path, profile)
    assert bad == []
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    valid, quarantined = apply_profile(frame, profile, load_contracts()[dataset], geography("kg"), b"k" * 16, now)
    return valid, quarantined.sort("_line").select("column_name", "reason", "detail").rows()


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_json_numbers_are_read_from_their_text_or_quarantined(tmp_path, fmt):
    at = '"at": "2026-01-02T10:00:00Z"'
    road = [
        f'{{"id": 1.10, {at}, "killed": 9007199254740993, "lat": 42.870}}',
        f'{{"id": -0, {at}, "killed": 9007199254740993.0, "lat": 4287e-2}}',
        f'{{"id": 1E+2, {at}, "killed": 0, "lat": 7.5e400}}',
        f'{{"id": "tiny", {at}, "killed": 0, "lat": 1e-400}}',
        f'{{"id": "half", {at}, "killed": 9007199254740992.5, "lat": 1}}',
        f'{{"id": "nan", {at}, "killed": 0, "lat": NaN}}',
    ]
    valid, quarantined = json_numbers(tmp_path, fmt, "road_incident", JSON_ROAD, road)
    assert valid.select("incident_id", "killed", "latitude").rows() == [
        ("1.10", 9007199254740993, 42.87),
        ("-0", 9007199254740993, 42.87),
    ]
    assert quarantined == [
        ("latitude", "bad_double", "'7.5e400'"),
        ("latitude", "bad_double", "'1e-400'"),
        ("killed", "bad_int", "'9007199254740992.5'"),
        ("latitude", "bad_double", "'NaN'"),
    ]
    fraud = [
        f'{{"id": "a", {at}, "loss": 0.10, "currency": 1.10, "victims": 9007199254740993}}',
        f'{{"id": "b", {at}, "loss": 1.8E5, "currency": "KGS", "victims": [1.10, {{"n": 2.50}}]}}',
        f'{{"id": "c", {at}, "loss": 0.1000000000000000055, "currency": "KGS", "victims": 1}}',
    ]
    valid, quarantined = json_numbers(tmp_path, fmt, "fraud_report", JSON_FRAUD, fraud)
    assert valid.select("report_id", "loss_amount", "currency", "victims").rows() == [
        ("a", Decimal("0.10"), "1.10", 9007199254740993)
    ]
    assert quarantined == [
        ("victims", "bad_int", "'[1.10, {\"n\": 2.50}]'"),
        ("loss_amount", "bad_decimal", "'0.1000000000000000055'"),
    ]


def test_ambiguous_autumn_time_is_the_earlier_instant_and_iso_z_is_utc():
    # 01:30 on 25 Oct 2026 happens twice in London: first in summer time (UTC+1).
    got = typed(ROAD, "occurred_at", ["2026-10-25 01:30", "2026-01-02T10:00:00Z"], tz="Europe/London")
    assert got == [dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), dt.datetime(2026, 1, 2, 10, tzinfo=dt.UTC)]


def test_csv_lines_are_the_physical_first_line_of_each_record(tmp_path):
    rows = ["id,when,offence,region,cleared", '1,2026-01-01,"one\nline two",KG-C,да', "",
            '2,2026-01-02,"a\n\nb\nc",KG-C,да', "3,2026-01-03,x,KG-C,да"]  # fmt: skip
    path = tmp_path / "multi.csv"
    path.write_text("\n".join(rows) + "\n")
    frame, _, _ = read(path, crime_profile())
    assert frame["_line"].to_list() == [2, 4, 5, 9]  # line 4 is blank: a record of empty cells, as always
    assert frame["offence"].to_list() == ["one\nline two", None, "a\n\nb\nc", "x"]


def test_a_bad_profile_is_reported_with_file_and_field_and_the_others_run(settings, monkeypatch, tmp_path):
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "t_road.yaml").write_text((PROFILES / "t_road.yaml").read_text())
    spec = (PROFILES / "t_fraud.yaml").read_text().replace("name: t_fraud", "name: broken")
    (folder / "broken.yaml").write_text(spec.replace("timezone: Asia/Bishkek", "timezone: [1, 2]"))
    (folder / "wrong.yaml").write_text(spec.replace("name: broken", "name: wrong").replace("{const: KGS}", "{}"))
    monkeypatch.setenv("SAFELAKE_PROFILES_DIR", str(folder))
    get_settings.cache_clear()
    assert profile_problems() == [
        f"profile {folder / 'broken.yaml'}: timezone: Input should be a valid string",
        f"profile {folder / 'wrong.yaml'}: columns.currency: give exactly one of `from`, `const` or `row_hash`",
    ]
    assert "t_road" in all_profiles() and "broken" not in all_profiles()
    with pytest.raises(SafeLakeError, match="broken.yaml: timezone"):
        get_profile("broken")
    path = settings.landing / "road_incident" / "road_1.csv"
    path.parent.mkdir(parents=True)
    path.write_text(road_rows("a"))
    (result,) = ingest(get_settings())
    assert (result.status, result.merged) == ("ingested", 1)


def test_json_arrays_top_level_and_by_path_with_nested_keys(extra, tmp_path):
    records = [{"camera": {"id": f"c{i}"}, "at": "2026-01-01T00:00:00Z", "status": "online"} for i in range(3)]
    nested = tmp_path / "status_1.json"
    nested.write_text(json.dumps({"meta": {"n": 3}, "data": {"items": records}}, indent=2))
    profile = get_profile("t_status_array")
    frame, bad, _ = read(nested, profile)
    assert (frame["camera.id"].to_list(), bad) == (["c0", "c1", "c2"], [])
    text = nested.read_text().splitlines()
    assert [text[line - 1].strip() for line in frame["_line"]] == ["{"] * 3  # where each record starts
    top = tmp_path / "top.json"
    top.write_text(json.dumps(records * 5000))  # more than one block of the streaming reader
    frame, _, _ = read(top, profile.model_copy(update={"records": None}))
    assert frame.height == 15000 and frame["_line"].unique().to_list() == [1]
    lines = tmp_path / "status_2.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    frame, _, _ = read(lines, get_profile("t_status"))
    assert frame["camera.id"].to_list() == ["c0", "c1", "c2"]


def test_status_accounts_rows_per_dataset_and_file_and_records_refusals(extra):
    landing = extra.landing / "road_incident"
    landing.mkdir(parents=True)
    (landing / "road_1.csv").write_text(road_rows("a", "b", "b") + "c,x,2026-01-02 09:00,KG-C,0,2,1,1\n")
    (landing / "road_2.csv").write_text("")
    ingest(extra)
    status = lake_status(extra)
    road = status["datasets"]["road_incident"]
    counts = {k: road[k] for k in ("rows_in", "merged", "duplicates", "quarantined", "out_of_scope")}
    assert counts == {"rows_in": 4, "merged": 2, "duplicates": 1, "quarantined": 1, "out_of_scope": 0}
    assert [f["file"] for f in road["per_file"]] == [str(landing / "road_1.csv")]
    (refused,) = status["refused"]
    assert refused["file"] == str(landing / "road_2.csv") and "empty file" in refused["message"]


def test_files_of_one_name_are_shown_by_path_and_a_folder_ingests_its_files(extra, tmp_path):
    for folder, ids in (("north", ["n1"]), ("south", ["s1", "s2"])):
        (tmp_path / "drop" / folder).mkdir(parents=True)
        (tmp_path / "drop" / folder / "road_day.csv").write_text(road_rows(*ids))
    results = ingest(extra, [tmp_path / "drop"])
    assert [(r.path, r.merged) for r in results] == [
        (tmp_path / "drop" / "north" / "road_day.csv", 1),
        (tmp_path / "drop" / "south" / "road_day.csv", 2),
    ]
    console = Console(width=400, record=True)
    console.print(ingest_summary(results))
    shown = console.export_text()
    assert str(tmp_path / "drop" / "north" / "road_day.csv") in shown
    assert str(tmp_path / "drop" / "south" / "road_day.csv") in shown


def test_a_repeated_header_name_is_warned_and_each_column_is_addressable(extra, tmp_path):
    path = tmp_path / "road_dup.csv"
    path.write_text(
        "id,updated,when,when,region,killed,injured,serious,lat\n"
        "a,2026-01-02T10:00:00Z,ignored,2026-01-02 09:00,KG-C,0,2,1,42.87\n"
    )
    profile = get_profile("t_road")
    profile = profile.model_copy(
        update={
            "columns": {
                **profile.columns,
                "occurred_at": Rule.model_validate({"from": "when#2", "format": ["%Y-%m-%d %H:%M"]}),
            }
        }
    )
    frame, _, warnings = read(path, profile)
    assert frame["when"].to_list() == ["ignored"] and frame["when#2"].to_list() == ["2026-01-02 09:00"]
    assert warnings == [f"{path}: header has 'when' 2 times; the repeats are read as 'when#2'"]


def test_a_file_changed_while_ingested_stays_in_landing_and_nothing_is_lost(extra, monkeypatch):
    path = extra.landing / "road_incident" / "road_growing.csv"
    path.parent.mkdir(parents=True)
    path.write_text(road_rows("a"))
    commit = pipeline.commit

    def append_then_commit(*args):
        with path.open("a") as fh:  # the sender appends while the lake transaction runs
            fh.write("b,2026-01-02T10:00:00Z,2026-01-02 09:00,KG-C,0,2,1,42.87\n")
        return commit(*args)

    monkeypatch.setattr(pipeline, "commit", append_then_commit)
    (first,) = ingest(extra)
    assert first.merged == 1 and path.exists() and "changed while it was ingested" in first.warnings[0]
    monkeypatch.setattr(pipeline, "commit", commit)
    (second,) = ingest(extra)
    assert (second.rows_in, second.inserted, path.exists()) == (2, 1, False)  # "b" is new, "a" was in


def test_a_run_that_waited_for_the_lock_lists_landing_after_it(extra):
    path = extra.landing / "road_incident" / "road_1.csv"
    path.parent.mkdir(parents=True)
    path.write_text(road_rows("a"))
    results = []
    with lake_lock(extra):
        waiting = threading.Thread(target=lambda: results.extend(ingest(extra)))
        waiting.start()
        waiting.join(0.5)
        path.unlink()  # the run holding the lock took it
    waiting.join()
    assert results == []


def test_the_connection_is_closed_when_a_run_fails(extra, monkeypatch):
    opened = []
    connect = lake.connect

    def tracked(*args, **kwargs):
        opened.append(connect(*args, **kwargs))
        return opened[-1]

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(lake, "connect", tracked)
    monkeypatch.setattr(pipeline, "_read_group", broken)
    with pytest.raises(RuntimeError):
        ingest(extra)
    with pytest.raises(Exception, match="closed"):
        opened[0].execute("SELECT 1")


def test_a_reference_set_outside_the_package_needs_only_its_regions(extra, monkeypatch, tmp_path):
    (tmp_path / "refs" / "zz").mkdir(parents=True)
    (tmp_path / "refs" / "zz" / "regions.csv").write_text("region_code,name_en\nZZ-A,Alpha Province\n")
    monkeypatch.setenv("SAFELAKE_REFERENCE_DIR", str(tmp_path / "refs"))
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "t_road.yaml").write_text(
        (PROFILES / "t_road.yaml").read_text().replace("geography: kg", "geography: zz")
    )
    monkeypatch.setenv("SAFELAKE_PROFILES_DIR", str(folder))
    get_settings.cache_clear()
    path = tmp_path / "road_zz.csv"
    path.write_text(road_rows("a").replace("KG-C", "alpha province"))
    (result,) = ingest(get_settings(), [path])
    assert (result.status, result.merged, result.quarantined) == ("ingested", 1, 0), result


def test_a_landing_file_younger_than_the_settle_time_waits(extra, monkeypatch):
    path = extra.landing / "road_incident" / "road_1.csv"
    path.parent.mkdir(parents=True)
    path.write_text(road_rows("a"))
    monkeypatch.setenv("SAFELAKE_LANDING_SETTLE_SECONDS", "3600")
    get_settings.cache_clear()
    assert ingest(get_settings()) == [] and path.exists()
    monkeypatch.setenv("SAFELAKE_LANDING_SETTLE_SECONDS", "0")
    get_settings.cache_clear()
    assert [r.status for r in ingest(get_settings())] == ["ingested"]


def test_a_row_already_in_the_lake_sent_again_unchanged_is_a_duplicate(extra, tmp_path):
    """A versioned record re-sent byte for byte in a later file is a duplicate, not a correction, and the lake
    keeps the row (and its lineage) it had."""
    (tmp_path / "road_a.csv").write_text(road_rows("a"))
    (tmp_path / "road_b.csv").write_text(road_rows("a", "b"))
    (first,) = ingest(extra, [tmp_path / "road_a.csv"])
    (second,) = ingest(extra, [tmp_path / "road_b.csv"])
    assert (second.inserted, second.corrected, second.duplicates) == (1, 0, 1)
    con = lake.connect(extra, read_only=True)
    try:
        lineage = con.execute("SELECT _file_sha256 FROM lake.road_incident WHERE incident_id = 'a'").fetchall()
    finally:
        con.close()
    assert lineage == [(first.digest,)]


def test_a_file_refused_on_every_run_is_recorded_once_with_its_attempts(extra):
    path = extra.landing / "road_incident" / "road_stuck.csv"
    path.parent.mkdir(parents=True)
    path.write_text("id,updated\n")  # lacks the profile's columns: refused, left in landing/
    for _ in range(3):
        assert [r.status for r in ingest(extra)] == ["refused"]

    def recorded() -> list[tuple]:
        con = lake.connect(extra, read_only=True)
        try:
            return con.execute("SELECT attempts FROM lake._ingest_files ORDER BY recorded_at").fetchall()
        finally:
            con.close()

    assert recorded() == [(3,)]
    (refused,) = lake_status(extra)["refused"]
    assert (refused["file"], refused["attempts"]) == (str(path), 3)
    path.write_text("id,updated,when\n")  # changed, refused again: a new refusal
    ingest(extra)
    assert recorded() == [(3,), (1,)]
    assert [r["attempts"] for r in lake_status(extra)["refused"]] == [1]
