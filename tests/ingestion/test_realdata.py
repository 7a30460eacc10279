"""Every real public export in ../shared/realdata ingests through a source profile alone.

Each file is ingested once per module (the police.uk and CAFC files hold 30k+ rows). The counts
are checked against an independent count with Python's csv module, and against the lake.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from ingestion import pipeline
from ops.status import lake_status
from safelake import lake
from safelake.settings import Settings

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"
PII_KEY = "test-key-0123456789abcdef"
UTC = dt.UTC

POLICE = REALDATA / "crime_policeuk_westyorkshire" / "2018-07-west-yorkshire-street.csv"
NYC = REALDATA / "road_nyc_mvc_brooklyn_11234" / "Motor_Vehicle_Collisions_-_Crashes.csv"
RU = REALDATA / "road_ru_tochno_sample" / "sample_accidents.csv"
RU_PARTICIPANTS = REALDATA / "road_ru_tochno_sample" / "sample_participants.csv"
RU_VEHICLES = REALDATA / "road_ru_tochno_sample" / "sample_vehicles.csv"
CAFC = REALDATA / "fraud_cafc" / "cafc_fraud_reports_2024-01_to_2024-09.csv"
CAMERAS = REALDATA / "camera_austin_traffic_cameras" / "Traffic_Cameras.csv"
SIGNALS = REALDATA / "camera_austin_traffic_cameras" / "Traffic_Signals_Status.csv"

# (case, file, profile, dataset); the first profile of a file is the one auto-detection picks.
CASES = [
    ("police_uk", POLICE, "police_uk_street_crime", "crime_report"),
    ("nyc", NYC, "nyc_mvc_crashes", "road_incident"),
    ("ru", RU, "ru_dtp_accidents", "road_incident"),
    ("ru_participants", RU_PARTICIPANTS, "ru_dtp_participants", "road_participant"),
    ("ru_vehicles", RU_VEHICLES, "ru_dtp_vehicles", "road_vehicle"),
    ("cafc", CAFC, "cafc_fraud_reports", "fraud_report"),
    ("austin_cameras", CAMERAS, "austin_traffic_cameras", "camera"),
    ("austin_comm_status", CAMERAS, "austin_traffic_cameras_comm_status", "camera_status"),
    ("austin_signals", SIGNALS, "austin_signal_status", "camera_status"),
]
AUTO = [c for c in CASES if c[0] != "austin_comm_status"]

pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason="real data exports not available")


def make_settings(mp: pytest.MonkeyPatch, home: Path) -> Settings:
    mp.setenv("SAFELAKE_HOME", str(home))
    mp.setenv("SAFELAKE_PII_KEY", PII_KEY)
    return Settings()


@cache
def csv_records(path: Path) -> list[dict[str, str]]:
    """The file's records as Python's csv module reads them (an independent count)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory):
    """One lake with every file under its auto-detected profile; a second lake for the profile
    that reads the camera registry again (the ledger skips a file it has seen, by checksum)."""
    with pytest.MonkeyPatch.context() as mp:
        main = make_settings(mp, tmp_path_factory.mktemp("main"))
        results = dict(zip([c[0] for c in AUTO], pipeline.ingest(main, [c[1] for c in AUTO]), strict=True))
        extra = make_settings(mp, tmp_path_factory.mktemp("comm_status"))
        (results["austin_comm_status"],) = pipeline.ingest(
            extra, [CAMERAS], profile_name="austin_traffic_cameras_comm_status"
        )
    homes = {case: extra if case == "austin_comm_status" else main for case, *_ in CASES}
    return results, homes


@pytest.fixture(scope="module")
def rows(ingested):
    """fetch(case, sql_where, *params) -> lake rows of that case's file as dicts."""
    results, homes = ingested
    connections = {}

    def fetch(case: str, where: str = "true", *params) -> list[dict]:
        settings = homes[case]
        con = connections.setdefault(id(settings), lake.connect(settings, read_only=True))
        table = next(c[3] for c in CASES if c[0] == case)
        cur = con.execute(
            f"SELECT * FROM lake.{table} WHERE _file_sha256 = ? AND ({where}) ORDER BY _line",
            [results[case].digest, *params],
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    yield fetch
    for con in connections.values():
        con.close()


@pytest.mark.parametrize(("case", "path", "profile", "dataset"), CASES, ids=[c[0] for c in CASES])
def test_file_ingests_and_counts_add_up(ingested, case, path, profile, dataset):
    results, homes = ingested
    result = results[case]
    assert result.status == "ingested", result.message
    assert (result.profile, result.dataset) == (profile, dataset)
    assert result.rows_in == len(csv_records(path))
    assert result.rows_in == result.merged + result.duplicates + result.quarantined
    con = lake.connect(homes[case], read_only=True)
    try:
        in_lake = con.execute(f"SELECT count(*) FROM lake.{dataset} WHERE _file_sha256 = ?", [result.digest])
        assert in_lake.fetchone()[0] == result.merged
        quarantined = con.execute(
            "SELECT count(*) FROM lake._quarantine WHERE file_sha256 = ? AND dataset = ?", [result.digest, dataset]
        ).fetchone()[0]
        assert quarantined == result.quarantined == sum(result.reasons.values())
    finally:
        con.close()
    # Every row of these exports fits its contract: nothing is quarantined, nothing merged away.
    assert (result.merged, result.duplicates, result.quarantined) == (result.rows_in, 0, 0), result.reasons


@pytest.mark.parametrize(("case", "path", "profile", "dataset"), AUTO, ids=[c[0] for c in AUTO])
def test_auto_detection_picks_the_profile(tmp_path, monkeypatch, case, path, profile, dataset):
    assert pipeline.choose_profile(path, make_settings(monkeypatch, tmp_path)).name == profile


def test_camera_status_profile_is_picked_in_its_landing_folder(tmp_path, monkeypatch):
    settings = make_settings(monkeypatch, tmp_path)
    landed = settings.landing / "camera_status" / CAMERAS.name
    landed.parent.mkdir(parents=True)
    shutil.copy(CAMERAS, landed)
    assert pipeline.choose_profile(landed, settings).name == "austin_traffic_cameras_comm_status"


@pytest.mark.parametrize(("case", "rows_in"), [("ru_participants", 2476), ("ru_vehicles", 1605)])
def test_linked_ru_files_ingest_every_row(ingested, case, rows_in):
    """Detail rows without a record time: immutable, each key inserted once, nothing corrected."""
    results, homes = ingested
    result = results[case]
    assert (result.rows_in, result.inserted, result.corrected, result.duplicates, result.quarantined) == (
        rows_in,
        rows_in,
        0,
        0,
        0,
    )
    dataset = next(c[3] for c in CASES if c[0] == case)
    status = lake_status(homes[case])["datasets"][dataset]
    assert (status["rows"], status["newest_record"], status["quarantined_by_reason"]) == (rows_in, None, {})


def test_linked_ru_files_insert_only_new_keys(tmp_path, monkeypatch):
    """Without a record time the immutable path is a plain anti-join on the key: a later export
    that repeats rows inserts only the new ones."""
    settings = make_settings(monkeypatch, tmp_path)
    lines = RU_VEHICLES.read_text(encoding="utf-8").splitlines(keepends=True)
    first = tmp_path / "sample_vehicles_part.csv"
    first.write_text("".join(lines[:101]), encoding="utf-8")
    (part,) = pipeline.ingest(settings, [first])
    (whole,) = pipeline.ingest(settings, [RU_VEHICLES])
    assert (part.profile, part.inserted, part.duplicates) == ("ru_dtp_vehicles", 100, 0)
    assert (whole.inserted, whole.corrected, whole.duplicates) == (1505, 0, 100)
    con = lake.connect(settings, read_only=True)
    try:
        assert con.execute("SELECT count(*), count(DISTINCT vehicle_id) FROM lake.road_vehicle").fetchone() == (
            1605,
            1605,
        )
    finally:
        con.close()


def test_second_ingest_of_the_same_files_is_skipped(ingested):
    results, homes = ingested
    settings = homes["police_uk"]

    def counts() -> tuple:
        con = lake.connect(settings, read_only=True)
        try:
            tables = [
                "crime_report",
                "road_incident",
                "road_participant",
                "road_vehicle",
                "fraud_report",
                "camera",
                "camera_status",
                "_quarantine",
            ]
            return tuple(
                con.execute(f"SELECT count(*) FROM lake.{t}").fetchone()[0] for t in [*tables, "_ingest_ledger"]
            )
        finally:
            con.close()

    before = counts()
    again = pipeline.ingest(settings, [c[1] for c in AUTO])
    assert [r.status for r in again] == ["skipped"] * len(AUTO)
    assert counts() == before


def test_two_profiles_over_one_file_share_a_lake(tmp_path, monkeypatch):
    settings = make_settings(monkeypatch, tmp_path)
    (first,) = pipeline.ingest(settings, [CAMERAS])
    (second,) = pipeline.ingest(settings, [CAMERAS], profile_name="austin_traffic_cameras_comm_status")
    assert (first.status, first.profile) == ("ingested", "austin_traffic_cameras")
    assert second.status == "ingested", second.message


# --- spot checks of mapped values -------------------------------------------------------------


def police_line(crime_id: str) -> int:
    """The record number (_line) of a Crime ID; no field of this export holds a newline."""
    return next(i for i, r in enumerate(csv_records(POLICE), start=2) if r["Crime ID"] == crime_id)


def test_police_crime_row_mapped(rows):
    crime_id = "170c41944fe890a7f20d58e7595c51c9baf1ff3ef0bd57659c74028583607e9f"
    (row,) = rows("police_uk", "_line = ?", police_line(crime_id))
    # Barnsley 003A: a border LSOA of South Yorkshire in a West Yorkshire Police file.
    assert row["offence_code"] == "vehicle_crime"
    assert (row["region_code"], row["district_code"]) == ("GB-SYK", "GB-SYK-BNS")
    assert row["cleared"] is False  # Investigation complete; no suspect identified
    assert row["registered_at"] == row["updated_at"] == dt.datetime(2018, 7, 1, tzinfo=UTC)
    assert (row["latitude"], row["longitude"]) == (53.598298, -1.409547)


def test_police_outcomes_offences_and_places(rows):
    records = csv_records(POLICE)
    lake_rows = {r["_line"]: r for r in rows("police_uk")}
    by_line = dict(enumerate(records, start=2))
    caution = next(n for n, r in by_line.items() if r["Last outcome category"] == "Offender given a caution")
    assert lake_rows[caution]["cleared"] is True
    shoplifting_leeds = next(
        n for n, r in by_line.items() if r["Crime type"] == "Shoplifting" and r["LSOA name"].startswith("Leeds ")
    )
    assert lake_rows[shoplifting_leeds]["offence_code"] == "theft"
    assert lake_rows[shoplifting_leeds]["district_code"] == "GB-WYK-LDS"
    # "No Location" rows: no LSOA and no coordinates; the region falls back to the force area.
    no_location = [n for n, r in by_line.items() if r["Location"] == "No Location"]
    assert len(no_location) == 883
    assert {(lake_rows[n]["region_code"], lake_rows[n]["district_code"]) for n in no_location} == {("GB-WYK", None)}
    assert all(lake_rows[n]["latitude"] is None for n in no_location)
    # Every outcome that names a dealt-with offender counts as cleared.
    expected = sum(
        r["Last outcome category"].startswith(
            ("Offender", "Court", "Awaiting court", "Defendant", "Local resolution", "Suspect charged")
        )
        for r in records
    )
    assert sum(r["cleared"] for r in lake_rows.values()) == expected


def test_police_identical_asb_lines_are_distinct_reports(rows):
    records = csv_records(POLICE)
    asb = [r for r in rows("police_uk", "offence_code = 'anti_social_behaviour'")]
    assert len(asb) == sum(r["Crime type"] == "Anti-social behaviour" for r in records) == 5442
    assert all(r["cleared"] is False for r in asb)
    lines = Counter(tuple(r.values()) for r in records)
    assert sum(n - 1 for n in lines.values() if n > 1) == 1563
    repeated, times = lines.most_common(1)[0]
    numbers = [i for i, r in enumerate(records, start=2) if tuple(r.values()) == repeated]
    same = [r for r in asb if r["_line"] in numbers]
    assert len(same) == times > 1
    assert len({r["report_id"] for r in same}) == times
    assert len({r["report_id"] for r in rows("police_uk")}) == len(records)


def test_nyc_crash_mapped(rows):
    (row,) = rows("nyc", "incident_id = 'nyc-4407930'")  # 04/14/2021, 7:44, Turning Improperly
    assert row["occurred_at"] == dt.datetime(2021, 4, 14, 11, 44, tzinfo=UTC)  # 7:44 EDT
    assert (row["region_code"], row["district_code"]) == ("US-NY-BK", "US-NY-BK-11234")
    assert (row["cause"], row["incident_type"], row["killed"], row["injured"]) == ("other", "collision", 0, 0)
    assert row["road_name"] == "AVENUE U"
    (first,) = rows("nyc", "incident_id = 'nyc-4403773'")
    assert (first["cause"], first["injured"], first["latitude"]) == ("other", 1, 40.626457)


def test_nyc_types_causes_and_positions(rows):
    records = {f"nyc-{r['COLLISION_ID']}": r for r in csv_records(NYC)}
    lake_rows = {r["incident_id"]: r for r in rows("nyc")}
    assert lake_rows.keys() == records.keys()
    for key, r in records.items():
        pedestrians = int(r["NUMBER OF PEDESTRIANS INJURED"]) + int(r["NUMBER OF PEDESTRIANS KILLED"])
        cyclists = int(r["NUMBER OF CYCLIST INJURED"]) + int(r["NUMBER OF CYCLIST KILLED"])
        expected = "pedestrian_hit" if pedestrians else "cyclist_hit" if cyclists else "collision"
        assert lake_rows[key]["incident_type"] == expected, key

    def causes(factor: str) -> Counter:
        return Counter(
            lake_rows[k]["cause"] for k, r in records.items() if r["CONTRIBUTING FACTOR VEHICLE 1"] == factor
        )

    assert causes("") == {"unknown": 30}
    assert causes("Unspecified") == {"unknown": 6343}
    assert causes("Unsafe Speed") == {"speeding": 232}
    assert causes("Following Too Closely") == {"other": 634}
    zero = [k for k, r in records.items() if r["LATITUDE"] == "0"]
    assert zero and all(lake_rows[k]["latitude"] is None and lake_rows[k]["longitude"] is None for k in zero)


def test_ru_accident_mapped(rows):
    (row,) = rows("ru", "incident_id = 'ru-dtp-2685304'")
    assert (row["region_code"], row["district_code"]) == ("RU-SPE", "RU-SPE-ALL")
    assert row["occurred_at"] == dt.datetime(2022, 1, 12, 9, 5, tzinfo=UTC)  # 12:05 Moscow time
    assert (row["incident_type"], row["cause"], row["killed"], row["injured"]) == ("collision", "unknown", 0, 2)
    (hit,) = rows("ru", "incident_id = 'ru-dtp-1980641'")
    assert hit["incident_type"] == "pedestrian_hit"
    assert Counter(r["incident_type"] for r in rows("ru"))["rollover"] == 62


def test_ru_participant_mapped(rows):
    (driver,) = rows("ru_participants", "participant_id = 'ru-dtp-2585509_1_1'")
    assert (driver["incident_id"], driver["vehicle_id"]) == ("ru-dtp-2585509", "ru-dtp-2585509_1")
    # "Раненый, находящийся (находившийся) на амбулаторном лечении, либо в условиях дневного стационара"
    assert (driver["role"], driver["gender"], driver["health"]) == ("driver", "female", "injured")
    assert (driver["violation"], driver["driving_experience_years"]) == (None, 1)
    (walker,) = rows("ru_participants", "participant_id = 'ru-dtp-2731878_0_1'")
    assert (walker["role"], walker["vehicle_id"], walker["driving_experience_years"]) == ("pedestrian", None, None)
    records = csv_records(RU_PARTICIPANTS)
    lake_rows = {r["participant_id"]: r for r in rows("ru_participants")}
    by_text = Counter((r["health_status"], lake_rows["ru-dtp-" + r["participant_id"]]["health"]) for r in records)
    assert by_text["Не пострадал", "unhurt"] == 1041
    assert by_text["Раненый, находящийся (находившийся) на стационарном лечении", "seriously_injured"] == 437
    assert by_text["Скончался в течение 1 суток", "killed"] == 17
    assert by_text["", None] == 6
    assert Counter(r["health"] for r in lake_rows.values()) == {
        "unhurt": 1089,
        "injured": 831,
        "seriously_injured": 437,
        "killed": 113,
        None: 6,
    }
    # One violation's own text holds a comma: the list is kept whole, not cut at the first comma.
    unlicensed = "Управление ТС лицом, не имеющим права на управление ТС"
    kept = [r for r in records if r["violations"].startswith(unlicensed + ",")]
    assert kept and all(lake_rows["ru-dtp-" + r["participant_id"]]["violation"] == r["violations"] for r in kept)


def test_ru_participants_add_up_to_their_incidents(rows):
    """Participants link to incidents of the accidents file, and their outcomes match its counts."""
    incidents = {r["incident_id"]: r for r in rows("ru")}
    vehicles = {r["vehicle_id"] for r in rows("ru_vehicles")}
    people = rows("ru_participants")
    assert {p["incident_id"] for p in people} <= incidents.keys()
    assert {p["vehicle_id"] for p in people if p["vehicle_id"]} <= vehicles
    killed, injured = Counter(), Counter()
    for p in people:
        killed[p["incident_id"]] += p["health"] == "killed"
        injured[p["incident_id"]] += p["health"] in ("injured", "seriously_injured")
    assert sum(incidents[i]["killed"] == killed[i] for i in incidents) == 999
    assert sum(incidents[i]["injured"] == injured[i] for i in incidents) == 994


def test_ru_vehicle_mapped(rows):
    (car,) = rows("ru_vehicles", "vehicle_id = 'ru-dtp-2585509_1'")
    assert (car["incident_id"], car["brand"], car["model"], car["model_year"]) == (
        "ru-dtp-2585509",
        "TOYOTA",
        "Yaris",
        2008,
    )
    assert car["category"] == "В-класс (малый) до 3,9 м"  # a decimal comma, not a list
    lada = rows("ru_vehicles", "model LIKE '%ВАЗ-2108%'")
    assert {r["model"] for r in lada} == {"Жигули  ВАЗ-2108, 09 и модификации"}  # trimmed, not split
    assert len(rows("ru_vehicles", "model_year IS NULL")) == 56


def test_cafc_report_mapped(rows):
    (row,) = rows("cafc", "report_id = 'cafc-264511'")
    assert row["loss_amount"] == Decimal("2000.00")
    assert (row["scheme"], row["channel"], row["payment_method"], row["currency"]) == (
        "job_offer",
        "email",
        "unknown",
        "CAD",
    )
    assert (row["region_code"], row["district_code"], row["victims"]) == ("CA-XX", "CA-XX-ALL", 1)
    assert row["reported_at"] == row["updated_at"] == dt.datetime(2024, 1, 1, 5, tzinfo=UTC)


def test_cafc_amounts_ages_and_regions(rows):
    records = {"cafc-" + r["Numero d'identification / Number ID"]: r for r in csv_records(CAFC)}
    lake_rows = {r["report_id"]: r for r in rows("cafc")}
    thousand = next(k for k, r in records.items() if r["Dollar Loss /pertes financieres"] == "$1,000.00")
    assert lake_rows[thousand]["loss_amount"] == Decimal("1000.00")
    loss = {k: Decimal(r["Dollar Loss /pertes financieres"].lstrip("$").replace(",", "")) for k, r in records.items()}
    assert all(lake_rows[k]["loss_amount"] == amount for k, amount in loss.items())
    age = "Victim Age Range / Tranche d'age des victimes"
    assert {lake_rows[k]["victim_age_group"] for k, r in records.items() if r[age] == "'70 - 79"} == {"65_plus"}
    assert {lake_rows[k]["victim_age_group"] for k, r in records.items() if r[age] == "'1 - 9"} == {"under_18"}
    assert {lake_rows[k]["victim_age_group"] for k, r in records.items() if r[age] == "'30 - 39"} == {"unknown"}
    ontario = {lake_rows[k]["region_code"] for k, r in records.items() if r["Province/State"] == "Ontario"}
    assert ontario == {"CA-ON"}
    abroad = {lake_rows[k]["region_code"] for k, r in records.items() if r["Country"] != "Canada"}
    assert abroad == {"CA-XX"}
    california = [k for k, r in records.items() if r["Country"] == "Canada" and r["Province/State"] == "California"]
    assert [lake_rows[k]["region_code"] for k in california] == ["CA-XX"]


def test_austin_camera_mapped(rows):
    (row,) = rows("austin_cameras", "camera_id = 'austin-79'")
    assert (row["region_code"], row["district_code"], row["site_id"]) == ("US-TX-AUS", "US-TX-AUS-D01", "LOC16-000350")
    assert (row["state"], row["programme"], row["contractor"]) == ("commissioned", "municipal", "Spectra Enhanced")
    assert row["commissioned_on"] == dt.date(2017, 8, 3)
    assert row["updated_at"] == dt.datetime(2020, 5, 1, 8, 45, tzinfo=UTC)
    (boundary,) = rows("austin_cameras", "camera_id = 'austin-391'")  # Council District "10,7"
    assert boundary["district_code"] == "US-TX-AUS-D10"
    states = Counter(r["state"] for r in rows("austin_cameras"))
    assert states == {"commissioned": 595, "planned": 139, "decommissioned": 24}


def test_austin_comm_status_mapped(rows):
    (row,) = rows("austin_comm_status", "camera_id = 'austin-79'")
    assert (row["status"], row["cause"], row["kind"]) == ("offline", "network", "state_change")
    assert row["status_at"] == dt.datetime(2020, 5, 1, 8, 35, tzinfo=UTC)
    statuses = Counter((r["status"], r["cause"]) for r in rows("austin_comm_status"))
    assert statuses == {("online", None): 485, ("offline", "network"): 257 + 16}


def test_austin_signal_status_mapped(rows):
    (row,) = rows("austin_signals", "camera_id = 'austin-signal-130'")
    assert (row["status"], row["cause"], row["kind"]) == ("offline", "network", "state_change")
    assert row["status_at"] == dt.datetime(2020, 5, 5, 17, 23, 17, tzinfo=UTC)
