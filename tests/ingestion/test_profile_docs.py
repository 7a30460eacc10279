"""docs/profiles.md is true: each example profile there is ingested with the sample file that follows it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from ingestion.pipeline import ingest
from safelake import lake
from safelake.settings import get_settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "profiles.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def examples() -> dict[str, tuple[str, str]]:
    """Example profile name -> (profile YAML, the sample file after it)."""
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    found = {}
    for (kind, text), (_, sample) in zip(blocks, blocks[1:], strict=False):
        if kind == "yaml" and text.startswith("name: example_"):
            found[yaml.safe_load(text)["name"]] = (text, sample)
    return found


EXPECTED = {  # rows in, merged, quarantined by reason, out of scope
    "example_crime_registry": (3, 2, {}, 1),
    "example_participants": (3, 2, {"bad_int": 1}, 0),
    "example_vms_status": (2, 2, {}, 0),
}


def test_every_example_is_checked():
    assert set(examples()) == set(EXPECTED)


@pytest.mark.parametrize("name", list(EXPECTED))
def test_the_example_ingests_as_the_page_says(settings, monkeypatch, tmp_path, name):
    profile, sample = examples()[name]
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / f"{name}.yaml").write_text(profile, encoding="utf-8")
    monkeypatch.setenv("SAFELAKE_PROFILES_DIR", str(folder))
    get_settings.cache_clear()
    path = tmp_path / yaml.safe_load(profile)["match"]["filename"].replace("*", "1")
    path.write_text(sample, encoding="utf-8")
    (result,) = ingest(get_settings(), [path])
    assert result.status == "ingested", result.message
    assert (result.rows_in, result.merged, dict(result.reasons), result.out_of_scope) == EXPECTED[name]
    con = lake.connect(get_settings(), read_only=True)
    try:
        if name == "example_crime_registry":
            rows = con.execute("SELECT report_id, registered_at, cleared FROM lake.crime_report ORDER BY 1").fetchall()
            assert rows == [
                ("kgx-101", dt.datetime(2026, 1, 5, 3, 35, tzinfo=dt.UTC), True),
                ("kgx-102", dt.datetime(2026, 1, 5, 8, 10, tzinfo=dt.UTC), False),
            ]
        elif name == "example_participants":
            rows = con.execute("SELECT participant_id, driving_experience_years FROM lake.road_participant ORDER BY 1")
            assert rows.fetchall() == [("p1", 12), ("p2", None)]
        else:
            rows = con.execute("SELECT camera_id, status FROM lake.camera_status ORDER BY 1").fetchall()
            assert rows == [("vms-17", "online"), ("vms-18", "offline")]
    finally:
        con.close()
