"""The demo-data generator: deterministic, realistic in volume, matched by its profiles, with its defects."""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import yaml

from tools.demo import ANNUAL, generate

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "safelake" / "reference" / "kg"
PROFILE_DIR = ROOT / "ingestion" / "profiles"
PROFILES = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in PROFILE_DIR.glob("kg_*.yaml")}
CONTRACTS = yaml.safe_load((ROOT / "safelake" / "contracts.yaml").read_text(encoding="utf-8"))
START, DAYS, CAMERAS = date(2025, 11, 23), 14, 300


def _run(root: Path, **kwargs: Any) -> Path:
    args = {"start": START, "days": DAYS, "cameras": CAMERAS, "seed": 7} | kwargs
    generate(root, args["start"], args["days"], args["cameras"], args["seed"], REFERENCE)
    return root


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("landing"))


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def _manifest(root: Path) -> dict[str, Any]:
    return json.loads((root / ".demo_manifest.json").read_text(encoding="utf-8"))


def _rows(path: Path, profile: dict[str, Any]) -> list[dict[str, str]]:
    """The file's records as header → text, read the way its profile declares."""
    if profile["format"] == "xlsx":
        sheet = openpyxl.load_workbook(path, read_only=True)[profile["sheet"]]
        cells = sheet.iter_rows(values_only=True)
        head, *body = [["" if v is None else str(v) for v in row] for row in cells]
        return [dict(zip(head, row, strict=True)) for row in body]
    text = path.read_bytes().decode(profile.get("encoding", "utf-8"))
    if profile["format"] == "jsonl":
        records = [json.loads(line) for line in text.splitlines()]
        return [{k: "" if v is None else str(v) for k, v in r.items()} for r in records]
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=profile.get("delimiter", ","))
    return list(reader)


def _header(path: Path, profile: dict[str, Any]) -> list[str]:
    try:
        if profile["format"] == "xlsx":
            return list(_rows(path, profile)[0])
        text = path.read_bytes().decode(profile.get("encoding", "utf-8")).removeprefix("\ufeff")
    except (UnicodeDecodeError, KeyError, OSError, ValueError):
        return []
    first = text.splitlines()[0]
    if profile["format"] == "jsonl":
        return list(json.loads(first)) if first.startswith("{") else []
    return next(csv.reader([first], delimiter=profile.get("delimiter", ",")))


def _matches(path: Path, profile: dict[str, Any]) -> bool:
    match = profile["match"]
    if not fnmatch.fnmatch(path.name, match["filename"]):
        return False
    return set(match.get("header", [])) <= {cell.strip() for cell in _header(path, profile)}


def _profile_of(path: Path) -> dict[str, Any]:
    (name,) = [name for name, profile in PROFILES.items() if _matches(path, profile)]
    return PROFILES[name]


def test_same_arguments_give_identical_bytes(landing: Path, tmp_path: Path) -> None:
    again = _run(tmp_path / "again")
    assert [p.relative_to(landing) for p in _files(landing)] == [p.relative_to(again) for p in _files(again)]
    for path in _files(landing):
        assert path.read_bytes() == (again / path.relative_to(landing)).read_bytes(), path
    other = _run(tmp_path / "other", seed=8)
    assert (other / "crime_report").exists()
    assert any(p.read_bytes() != (other / p.relative_to(landing)).read_bytes() for p in _files(landing)[:5])


def test_every_dataset_written_with_rows(landing: Path) -> None:
    manifest = _manifest(landing)
    for dataset in ("crime_report", "road_incident", "camera", "camera_status", "fraud_report"):
        files = list((landing / dataset).iterdir())
        assert files and manifest[dataset]["files"] == len(files), dataset
        assert manifest[dataset]["rows"] > 0


def _distinct_ids(root: Path, dataset: str) -> int:
    ids = set()
    for path in _files(root / dataset):
        profile = _profile_of(path)
        ids |= {row[profile["columns"][_key(dataset)]["from"]] for row in _rows(path, profile)}
    return len(ids)


def _key(dataset: str) -> str:
    return {"crime_report": "report_id", "road_incident": "incident_id", "fraud_report": "report_id"}[dataset]


def test_volumes_follow_the_national_rates_and_scale_with_days(landing: Path, tmp_path: Path) -> None:
    longer = _run(tmp_path / "longer", days=4 * DAYS, cameras=2 * CAMERAS)
    for dataset, annual in ANNUAL.items():
        short, long = _distinct_ids(landing, dataset), _distinct_ids(longer, dataset)
        expected = annual * DAYS / 365
        assert 0.75 * expected < short < 1.2 * expected, (dataset, short, expected)
        assert 3.0 < long / short < 5.6, (dataset, short, long)  # 4x, give or take the December peak
    registry = _manifest(longer)["camera"]["rows"] - _manifest(longer)["camera"]["defects"]["duplicate"]
    assert 2 * CAMERAS <= registry < 2.5 * CAMERAS


def test_crime_volumes_do_not_depend_on_the_number_of_cameras(landing: Path, tmp_path: Path) -> None:
    more = _run(tmp_path / "more", cameras=5 * CAMERAS)
    for path in _files(landing / "crime_report"):
        assert path.read_bytes() == (more / path.relative_to(landing)).read_bytes()


def test_files_decode_in_their_declared_encoding(landing: Path) -> None:
    encodings = Counter()
    for path in _files(landing):
        profile = _profile_of(path)
        if profile["format"] == "xlsx":
            continue
        data, encoding = path.read_bytes(), profile.get("encoding", "utf-8")
        text = data.decode(encoding)
        encodings[encoding] += 1
        if encoding == "cp1251":
            assert any("а" <= ch <= "я" for ch in text)
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        if encoding == "utf-8-sig":
            assert data.startswith(b"\xef\xbb\xbf")
    assert encodings["cp1251"] and encodings["utf-8"] and encodings["utf-8-sig"]


def test_each_file_matches_exactly_one_profile_and_each_profile_some_file(landing: Path) -> None:
    used = Counter()
    for path in _files(landing):
        names = [name for name, profile in PROFILES.items() if _matches(path, profile)]
        globs = {name: profile["match"]["filename"] for name, profile in PROFILES.items()}
        by_glob = [name for name, glob in globs.items() if fnmatch.fnmatch(path.name, glob)]
        assert len(names) == 1 and by_glob == names, (path.name, names, by_glob)
        assert PROFILES[names[0]]["dataset"] == path.parent.name
        used[names[0]] += 1
    assert set(used) == set(PROFILES)


def test_profiles_follow_the_documented_format() -> None:
    for name, profile in PROFILES.items():
        contract = CONTRACTS["datasets"][profile["dataset"]]["columns"]
        assert profile["name"] == name and profile["geography"] == "kg"
        assert profile["timezone"] == "Asia/Bishkek"
        assert set(profile["columns"]) <= set(contract), name
        assert {c for c, spec in contract.items() if spec.get("required")} <= set(profile["columns"]), name


def _day(text: str) -> date | None:
    """An ISO date, or None for a missing or deliberately broken one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _known_names(kind: str) -> set[str]:
    rows = list(csv.DictReader((REFERENCE / f"{kind}s.csv").open(encoding="utf-8")))
    columns = (f"{kind}_code", "name_en", "name_ru", "name_ky")
    return {row[col].strip().lower() for row in rows for col in columns}


def test_every_value_is_mapped_or_counted_as_a_defect(landing: Path) -> None:
    """Values a profile cannot map or look up are exactly the unknown codes the manifest counts."""
    codes = {name: set(values) for name, values in CONTRACTS["code_lists"].items()}
    known = {"region": _known_names("region"), "district": _known_names("district")}
    unknown = Counter()
    for path in _files(landing):
        profile = _profile_of(path)
        contract = CONTRACTS["datasets"][profile["dataset"]]["columns"]
        for row in _rows(path, profile):
            for column, rule in profile["columns"].items():
                value = row.get(rule.get("from", ""), "").strip()
                if not value or "default" in rule:
                    continue
                if "lookup" in rule:
                    unknown[profile["dataset"]] += value.lower() not in known[rule["lookup"]]
                elif "map" in rule or "codes" in contract[column]:
                    mapping = {str(k).lower(): str(v).lower() for k, v in rule.get("map", {}).items()}
                    mapped = mapping.get(value.lower(), value)
                    allowed = codes.get(contract[column].get("codes", ""), {"true", "false"})
                    unknown[profile["dataset"]] += mapped not in allowed
    for dataset, entry in _manifest(landing).items():
        if isinstance(entry, dict):
            assert unknown[dataset] == entry["defects"].get("unknown_code", 0), dataset


def test_defects_are_present_and_counted(landing: Path) -> None:
    manifest = _manifest(landing)
    expected = {
        "crime_report": {"duplicate", "correction", "missing_district", "bad_date", "unknown_code"},
        "road_incident": {"duplicate", "correction", "missing_district", "bad_date", "unknown_code"},
        "fraud_report": {
            "duplicate",
            "correction",
            "missing_district",
            "bad_date",
            "unknown_code",
            "negative_amount",
        },
        "camera": {"duplicate", "missing_district", "bad_date"},
        "camera_status": {"duplicate"},
    }
    for dataset, kinds in expected.items():
        defects = manifest[dataset]["defects"]
        assert {k for k, n in defects.items() if n > 0} == kinds, dataset
        assert sum(defects.values()) < 0.06 * manifest[dataset]["rows"], dataset
        lines = Counter(
            tuple(row.items()) for path in _files(landing / dataset) for row in _rows(path, _profile_of(path))
        )
        assert sum(n - 1 for n in lines.values()) == defects["duplicate"], dataset


def test_negative_losses_and_bad_dates_are_in_the_files(landing: Path) -> None:
    rows = [row for path in _files(landing / "fraud_report") for row in _rows(path, _profile_of(path))]
    negative = [r for r in rows if r["Сумма ущерба"].startswith("-")]
    assert len(negative) == _manifest(landing)["fraud_report"]["defects"]["negative_amount"]
    stamps = [r["Дата обращения"] for r in rows]
    bad = [s for s in stamps if not s[:2].isdigit() or s.startswith("31.02")]
    assert len(bad) == _manifest(landing)["fraud_report"]["defects"]["bad_date"]


def _versions(root: Path, dataset: str) -> dict[str, list[tuple[str, datetime, dict[str, str]]]]:
    """Record id → (file, updated_at, row) for every row, in file-name order."""
    out = defaultdict(list)
    for path in _files(root / dataset):
        profile = _profile_of(path)
        cols = profile["columns"]
        fmt = (cols["updated_at"].get("format") or ["%Y-%m-%dT%H:%M:%S"])[0]
        for row in _rows(path, profile):
            stamp = row[cols["updated_at"]["from"]]
            when = datetime.fromisoformat(stamp) if stamp[:4].isdigit() else datetime.strptime(stamp, fmt)
            key = cols[_key(dataset) if dataset != "camera" else "camera_id"]["from"]
            out[row[key]].append((path.name, when, row))
    return out


@pytest.mark.parametrize("dataset", ["crime_report", "road_incident", "fraud_report"])
def test_corrections_come_in_a_later_file_with_a_later_version(landing: Path, dataset: str) -> None:
    changed = 0
    for versions in _versions(landing, dataset).values():
        distinct = {(file, when, tuple(row.items())) for file, when, row in versions}
        if len(distinct) > 1:
            ordered = sorted(distinct, key=lambda v: v[1])
            assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(ordered, ordered[1:], strict=False))
            changed += 1
    manifest = _manifest(landing)[dataset]
    assert changed == manifest["defects"]["correction"] + manifest["updates"]


def test_crime_mix_is_realistic(tmp_path: Path) -> None:
    root = _run(tmp_path, days=84, cameras=50)
    latest = [max(v, key=lambda x: x[1])[2] for v in _versions(root, "crime_report").values()]
    latest = [row for row in latest if "Статья УК" not in row]  # the corruption registry: no mix of its own
    flags = Counter()
    for row in latest:
        en = "report_no" in row
        yes = "Y" if en else "да"
        flags["theft"] += row["offence" if en else "Вид преступления"] in ("theft", "Кража")
        flags["minor"] += row["minor_victim" if en else "Потерпевший несовершеннолетний"] == yes
        flags["dv"] += row["domestic" if en else "Семейное насилие"] == yes
        flags["cleared"] += row["cleared" if en else "Раскрыто"] == yes
    n = len(latest)
    assert 0.30 < flags["theft"] / n < 0.42
    assert 0.06 < flags["minor"] / n < 0.10
    assert 0.08 < flags["dv"] / n < 0.13
    assert 0.40 < flags["cleared"] / n < 0.60  # ~55 % once the last weeks' cases have had time


@pytest.fixture(scope="module")
def rollout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _run(tmp_path_factory.mktemp("rollout"), start=date(2026, 1, 1), days=91, cameras=2000)


def test_camera_rollout_follows_the_plan_milestones(rollout: Path) -> None:
    root, cameras = rollout, 2000
    latest = {cid: max(v, key=lambda x: x[1])[2] for cid, v in _versions(root, "camera").items()}
    assert len(latest) == cameras
    installed = sorted(d for r in latest.values() if (d := _day(r["installed"])))
    plan = list(csv.DictReader((REFERENCE / "plan_milestones.csv").open(encoding="utf-8")))
    final = max(float(r["cumulative_target"]) for r in plan)
    milestones = [r for r in plan if r["month_end"] < "2026-04"]
    for row in milestones:
        done = sum(d <= date.fromisoformat(row["month_end"]) for d in installed)
        assert abs(done - float(row["cumulative_target"]) * cameras / final) <= 0.03 * cameras, row
    per_month = Counter(d.strftime("%Y-%m") for d in installed if d >= date(2026, 1, 1))
    assert per_month["2026-01"] < per_month["2026-02"] < per_month["2026-03"]  # the rollout accelerates
    shares = {
        r["region_code"]: float(r["target_value"])
        for r in csv.DictReader((REFERENCE / "plan_region_targets.csv").open())
    }
    regions = csv.DictReader((REFERENCE / "regions.csv").open(encoding="utf-8"))
    names = {r["name_en"]: r["region_code"] for r in regions}
    per_region = Counter(names[r["oblast"]] for r in latest.values())
    for code, share in shares.items():
        assert abs(per_region[code] - share / sum(shares.values()) * cameras) <= 1, code


def test_camera_states_only_move_forward(rollout: Path) -> None:
    order = ["PLANNED", "INSTALLED", "COMMISSIONED"]
    for versions in _versions(rollout, "camera").values():
        states = [order.index(row["status"]) for _, _, row in sorted(versions, key=lambda v: v[1])]
        assert states == sorted(states)
        for _, _, row in versions:
            installed, commissioned = _day(row["installed"]), _day(row["commissioned"])
            if row["status"] == "COMMISSIONED" and installed and commissioned:
                assert 3 <= (commissioned - installed).days <= 30


def test_camera_status_is_consistent(tmp_path: Path) -> None:
    days = 30
    root = _run(tmp_path, start=date(2026, 3, 1), days=days, cameras=400)
    registry = {cid: max(v, key=lambda x: x[1])[2] for cid, v in _versions(root, "camera").items()}
    rows = [row for path in _files(root / "camera_status") for row in _rows(path, _profile_of(path))]
    snapshots = [r for r in rows if r["type"] == "DAILY_SNAPSHOT"]
    assert all(r["ts"].endswith("T23:59:00+06:00") for r in snapshots)
    assert len({(r["device_id"], r["ts"]) for r in snapshots}) == len(snapshots)
    for r in snapshots:
        assert registry[r["device_id"]]["commissioned"] <= r["ts"][:10]
        assert (r["state"] == "ONLINE") == (r["reason"] == "")
    unique = {tuple(r.items()) for r in rows if r["type"] == "STATE_CHANGE"}
    changes = sorted(unique, key=lambda r: (r[0], r[1]))
    by_camera = defaultdict(list)
    for r in map(dict, changes):
        by_camera[r["device_id"]].append(r["state"] == "ONLINE")
    for ups in by_camera.values():  # down, up, down, up ... (the last outage may still be open)
        assert ups[0] is False and all(a != b for a, b in zip(ups, ups[1:], strict=False))
    downs = sum(ups.count(False) for ups in by_camera.values())
    camera_days = len(snapshots)
    assert 1.5 < downs / camera_days * 30.44 < 3.5  # about two outages a camera a month
    sites = Counter(
        (registry[r["device_id"]]["site"], r["ts"])
        for r in map(dict, changes)
        if r["state"] == "OFFLINE" and r["reason"] in ("power_loss", "network_down")
    )
    assert max(sites.values()) >= 4  # a mass outage: a whole site down at the same minute


def test_rejects_impossible_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="days"):
        generate(tmp_path, START, 0, CAMERAS, 1, REFERENCE)


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])  # UTC+14 and UTC-11: never one date
def test_demo_data_ends_yesterday_where_the_data_is_reported(tmp_path: Path, zone: str) -> None:
    """`safelake demo-data --days N` (as `make up` runs it) writes the N days up to yesterday in SAFELAKE_TIMEZONE,
    so the dashboards' windows, which end on the local last whole day, have data whatever the machine's clock."""
    env = os.environ | {"SAFELAKE_HOME": str(tmp_path), "SAFELAKE_TIMEZONE": zone}
    command = [sys.executable, "-m", "tools.demo", "--days", "2", "--cameras", "50"]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    yesterday = datetime.now(ZoneInfo(zone)).date() - timedelta(days=1)
    days = sorted(p.stem.split("_")[-1] for p in (tmp_path / "landing").rglob("vms_status_*.jsonl"))
    assert days == [f"{yesterday - timedelta(days=1):%Y%m%d}", f"{yesterday:%Y%m%d}"]
