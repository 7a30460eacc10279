"""The lake's schema upgrade: rows of a lake written before they carried their geography get their profile's (and so
do the ledger's files and the quarantine's rows)."""

from __future__ import annotations

import pytest

from ops.cli import profile_geography
from safelake import lake
from safelake.errors import SafeLakeError


def old_lake(settings):
    """A lake as the code before per-row geography wrote it: crime rows of a kg, a gb_wyk, a removed profile and
    none, their files in the ledger, quarantined rows of two of the files and of a stream, and no geography
    column."""
    con = lake.connect(settings)
    lake.ensure_tables(con)
    con.execute("ALTER TABLE lake.crime_report DROP COLUMN _geography")
    con.execute("ALTER TABLE lake.camera_heartbeat DROP COLUMN _geography")  # an empty table needs no backfill
    con.execute("ALTER TABLE lake._ingest_ledger DROP COLUMN geography")
    con.execute("ALTER TABLE lake._quarantine DROP COLUMN geography")
    for key, profile in (
        ("a", "kg_crime_report_cp1251"),
        ("b", "police_uk_street_crime"),
        ("c", "a_profile_since_removed"),
        ("d", None),
    ):
        con.execute("INSERT INTO lake.crime_report (report_id, _profile) VALUES (?, ?)", [key, profile])
        con.execute("INSERT INTO lake._ingest_ledger (file_sha256, profile) VALUES (?, ?)", [key, profile])
    for file in ("a", "b", "stream:SAFELAKE_CAMERA"):
        con.execute("INSERT INTO lake._quarantine (file_sha256, reason) VALUES (?, 'bad_date')", [file])
    return con


def test_an_old_lake_is_refused_with_the_command_that_upgrades_it(settings):
    con = old_lake(settings)
    with pytest.raises(SafeLakeError, match=r"crime_report rows .* run `safelake init` once"):
        lake.ensure_tables(con)
    assert "_geography" not in {c[0] for c in con.execute("DESCRIBE lake.crime_report").fetchall()}


def test_init_gives_old_rows_their_profiles_geography(settings):
    settings = settings.model_copy(update={"geography": "kz"})
    con = old_lake(settings)
    before = lake.fetch_one(con, "SELECT max(snapshot_id) FROM lake.snapshots()")[0]
    lake.ensure_tables(con, profile_geography(settings))
    rows = dict(con.execute("SELECT report_id, _geography FROM lake.crime_report").fetchall())
    # the profile's own geography, else the configured one (documented in docs/ingestion.md)
    assert rows == {"a": "kg", "b": "gb_wyk", "c": "kz", "d": "kz"}
    assert dict(con.execute("SELECT file_sha256, geography FROM lake._ingest_ledger").fetchall()) == rows
    quarantined = dict(con.execute("SELECT file_sha256, geography FROM lake._quarantine").fetchall())
    assert quarantined == {"a": "kg", "b": "gb_wyk", "stream:SAFELAKE_CAMERA": "kz"}  # by its file's profile
    assert lake.fetch_one(con, "SELECT max(snapshot_id) FROM lake.snapshots()")[0] == before + 1  # one snapshot
    assert lake.fetch_one(con, "SELECT count(*) FROM lake.camera_heartbeat")[0] == 0
    lake.ensure_tables(con)  # upgraded: nothing left to do
