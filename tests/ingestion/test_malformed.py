"""The malformed-input attack suite: every file below is ingested in one run; each gets its expected one-line
refusal or quarantine reason, and nothing is lost (a refused file stays in landing/ byte for byte; an
ingested file's rows in = merged + duplicates + quarantined + out of scope, its good row in the lake)."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingestion.pipeline import ingest
from safelake import lake
from safelake.settings import get_settings
from tests.conftest import PII_KEY

PROFILES = Path(__file__).with_name("profiles")
ROAD = ["id", "updated", "when", "region", "killed", "injured", "serious", "lat"]
GOOD_ROAD = {
    "updated": "2026-01-02T10:00:00Z",
    "when": "2026-01-02 09:00",
    "region": "KG-C",
    "killed": "0",
    "injured": "2",
    "serious": "1",
    "lat": "42.87",
}


@dataclass(frozen=True)
class Case:
    name: str
    reason: str  # quarantine reason of the bad row, or text of the file's refusal
    refused: bool = False


def road_file(case: str, **bad: str) -> bytes:
    rows = [ROAD, [f"{case}-good", *GOOD_ROAD.values()], [f"{case}-bad", *(GOOD_ROAD | bad).values()]]
    return "".join(",".join(json.dumps(c) if "," in c or '"' in c else c for c in r) + "\n" for r in rows).encode()


def fraud_file(case: str, loss: str) -> bytes:
    lines = ["id,when,loss", f"{case}-good,2026-01-02 10:00,500", f'{case}-bad,2026-01-02 10:00,"{loss}"']
    return ("\n".join(lines) + "\n").encode()


BAD_INTS = [
    "(5)",
    "12 abc 34",
    "1.5",
    "2e0.5",
    "1e",
    "0x10",
    "1,2",
    "--1",
    "+-1",
    "1 2",
    "١",
    "1e-5",
    "3.0000001",
    "9223372036854775808",
    "1e400",
    "inf",
    "nan",
    "1_000",
    "½",
    "1.2.3",
    "12-",
    "-",
    "$",
    "1/2",
    "one",
    "1e+",
    "e5",
    "1 000 0",
    "٣٤",
    "1e5.0",
    "0b1",
    "+",
    "1 ,000",
    "1.",
    ".5",
    "9007199254740992.5",
    "1e-400",
]
OUT_OF_RANGE_INTS = ["\u22121", "-1", "-1e0", "\u2212 2"]
BAD_DOUBLES = ["45,5", "4 5.5", "N 42.8", "42.8.1", "42°52'", "1e", "--42", "7.5e400", "-7.5e400", "1e-400"]
BAD_DECIMALS = [
    "1.005",
    "1e30",
    "(500)",
    "12 abc 34",
    "500-",
    "5..0",
    "0.001",
    "1,00",
    "12 34",
    "0.1000000000000000055",
    "1e-400",
]
NEGATIVE_DECIMALS = ["\u2212500", "-0.01", "KGS -5", "-$3"]
BAD_TIMES = [
    "2026-02-30 10:00",
    "2026-13-01 10:00",
    "yesterday",
    "2026-01-01 25:00",
    "01/02/2026",
    "2026-01-01T10:00+25:00",
    "2026/01/01 10:00",
    "31.12.2025 10:00",
    "2026-00-10 10:00",
    "2026-01-32 10:00",
]
IMPLAUSIBLE = ["0000-01-01 10:00", "1969-12-31 23:59", "1066-10-14 09:00"]
FUTURE = ["2100-01-01 00:00", "9999-12-31 23:59"]

GROUPS = [  # (case prefix, values, source cell, contract column, reason)
    ("int", BAD_INTS, "killed", "killed", "bad_int"),
    ("negint", OUT_OF_RANGE_INTS, "killed", "killed", "out_of_range"),
    ("double", BAD_DOUBLES, "lat", "latitude", "bad_double"),
    ("decimal", BAD_DECIMALS, "loss", "loss_amount", "bad_decimal"),
    ("negdecimal", NEGATIVE_DECIMALS, "loss", "loss_amount", "out_of_range"),
    ("time", BAD_TIMES, "when", "occurred_at", "bad_timestamp"),
    ("old", IMPLAUSIBLE, "when", "occurred_at", "implausible_date"),
    ("future", FUTURE, "when", "occurred_at", "future_date"),
]
VALUE_CASES: dict[str, tuple[bytes, str | None, str]] = {}  # file name -> (content, column, reason)
for prefix, values, cell, column, reason in GROUPS:
    for i, value in enumerate(values):
        case = f"{prefix}-{i}"
        if cell == "loss":
            VALUE_CASES[f"fraud_{case}.csv"] = (fraud_file(case, value), column, reason)
        else:
            VALUE_CASES[f"road_{case}.csv"] = (road_file(case, **{cell: value}), column, reason)
VALUE_CASES |= {
    "road_double-range.csv": (road_file("double-range", lat="9.1E1"), "latitude", "out_of_range"),
    "road_dst-gap.csv": (road_file("dst-gap", when="2026-03-29 01:30"), "occurred_at", "nonexistent_local_time"),
    "road_dst-gap-2.csv": (road_file("dst-gap-2", when="2025-03-30 01:59"), "occurred_at", "nonexistent_local_time"),
    "road_serious>injured.csv": (road_file("si", serious="5", injured="3"), "seriously_injured", "inconsistent"),
    "road_region.csv": (road_file("region", region="XX-YY"), "region_code", "unknown_region"),
    "road_region-name.csv": (road_file("region-name", region="Марс"), "region_code", "unknown_region"),
    "road_missing-time.csv": (road_file("missing-time", when=""), "occurred_at", "missing"),
    "road_missing-id.csv": (road_file("missing-id").replace(b"missing-id-bad", b""), "incident_id", "missing"),
    "road_missing-injured.csv": (road_file("missing-injured", injured=""), "injured", "missing"),
    "road_updated-z-garbage.csv": (road_file("uz", updated="2026-01-02T10:00:00Zulu"), "updated_at", "bad_timestamp"),
    "road_offset-25h.csv": (road_file("o25", updated="2026-01-02T10:00:00+25:00"), "updated_at", "bad_timestamp"),
    "road_nan.csv": (road_file("nan", lat="NaN"), "latitude", "bad_double"),
    "road_infinity.csv": (road_file("infinity", lat="Infinity"), "latitude", "bad_double"),
    "road_grouped-lat.csv": (road_file("grouped-lat", lat="42,870.5"), "latitude", "out_of_range"),
    "road_control-char.csv": (road_file("control-char", killed="1\x07"), "killed", "bad_int"),
    "road_fullwidth.csv": (road_file("fullwidth", killed="\uff11\uff12"), "killed", "bad_int"),
    "fraud_missing-when.csv": (
        fraud_file("missing-when", "5").replace(b"missing-when-bad,2026-01-02 10:00", b"missing-when-bad,"),
        "updated_at",
        "missing",
    ),
    "fraud_missing-loss.csv": (fraud_file("missing-loss", ""), "loss_amount", "missing"),
}


def status_file(case: str, bad_line: str) -> bytes:
    good = {"camera": {"id": f"{case}-good"}, "at": "2026-01-01T00:00:00Z", "status": "online"}
    return (json.dumps(good) + "\n" + bad_line + "\n").encode()


def status_record(case: str, **bad: object) -> str:
    return json.dumps({"camera": {"id": f"{case}-bad"}, "at": "2026-01-01T00:00:00Z", "status": "online"} | bad)


VALUE_CASES |= {
    "status_code.jsonl": (status_file("code", status_record("code", status="exploded")), "status", "unknown_code"),
    "status_list.jsonl": (status_file("list", status_record("list", status=["online"])), "status", "unknown_code"),
    "status_object.jsonl": (status_file("object", status_record("object", status={"a": 1})), "status", "missing"),
    "status_time.jsonl": (status_file("time", status_record("time", at="soon")), "status_at", "bad_timestamp"),
    "status_no-id.jsonl": (
        status_file("no-id", '{"at": "2026-01-01T00:00:00Z", "status": "online"}'),
        "camera_id",
        "missing",
    ),
    "status_number-line.jsonl": (status_file("number-line", "42"), None, "unreadable"),
    "status_string-line.jsonl": (status_file("string-line", '"text"'), None, "unreadable"),
}


def json_object(values: dict[str, str]) -> str:
    """An object whose values are JSON text, written as given (a number as the sender wrote it)."""
    return "{" + ", ".join(f"{json.dumps(k)}: {v}" for k, v in values.items()) + "}"


def road_jsonl(case: str, **bad: str) -> bytes:
    good = {k: v if k in ("killed", "injured", "serious", "lat") else json.dumps(v) for k, v in GOOD_ROAD.items()}
    rows = [{"id": f'"{case}-good"'} | good, {"id": f'"{case}-bad"'} | good | bad]
    return "".join(json_object(row) + "\n" for row in rows).encode()


def fraud_json(case: str, loss: str) -> bytes:
    rows = [
        {"id": f'"{case}-{n}"', "when": '"2026-01-02 10:00"', "loss": v} for n, v in (("good", "500"), ("bad", loss))
    ]
    return ("[\n" + ",\n".join(map(json_object, rows)) + "\n]\n").encode()


JSON_NUMBERS = [  # (file name, column, the number as the file writes it, reason)
    ("road_lat-overflow.jsonl", "latitude", "7.5e400", "bad_double"),
    ("road_lat-underflow.jsonl", "latitude", "1e-400", "bad_double"),
    ("road_lat-nan.jsonl", "latitude", "NaN", "bad_double"),
    ("road_killed-half.jsonl", "killed", "9007199254740992.5", "bad_int"),
    ("road_killed-exp.jsonl", "killed", "1e400", "bad_int"),
    ("fraud_loss-digits.json", "loss_amount", "0.1000000000000000055", "bad_decimal"),
    ("fraud_loss-overflow.json", "loss_amount", "7.5e400", "bad_decimal"),
    ("fraud_loss-tiny.json", "loss_amount", "1e-400", "bad_decimal"),
]
for file, column, number, reason in JSON_NUMBERS:
    case = file.split("_")[1].removesuffix(".json").removesuffix(".jsonl")
    source = {"latitude": "lat", "killed": "killed"}
    content = fraud_json(case, number) if column == "loss_amount" else road_jsonl(case, **{source[column]: number})
    VALUE_CASES[file] = (content, column, reason)

DEEP = 200_000


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _xlsx_bomb(path: Path) -> None:
    """A tiny workbook whose shared-strings part unzips to 3 MB (the suite caps unzipped parts at 1 MB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>a</t></si>" * 200_000 + "</sst>")


FILE_CASES: dict[str, tuple[str, bytes | None, str]] = {  # name -> (file name, content, refusal text)
    "empty": ("road_empty.csv", b"", "empty file"),
    "blank": ("road_blank.csv", b"  \n\n", "empty file"),
    "header-only": ("road_header.csv", (",".join(ROAD) + "\n").encode(), "no data rows"),
    "binary": ("road_binary.csv", bytes(range(256)) * 40, "binary content"),
    "nul": ("road_nul.csv", b"id,when\x00\n1,2\n", "binary content"),
    "cp1251": ("road_cp1251.csv", (",".join(ROAD) + "\nкража\n").encode("cp1251"), "not valid utf-8"),
    "missing-columns": ("road_cols.csv", b"id,killed\n1,0\n", "missing columns"),
    "ragged": ("road_ragged.csv", road_file("ragged") + b"a,b,c,d,e,f,g,h,i,j,k\n", "cannot be parsed as CSV"),
    "wide": (
        "road_wide.csv",
        (",".join(f"c{i}" for i in range(100_000)) + "\n" + "1," * 99_999 + "1\n").encode(),
        "more than SAFELAKE_INGEST_MAX_COLUMNS",
    ),
    "no-profile": ("mystery.csv", b"a,b\n1,2\n", "no profile matches"),
    "bad-xlsx": ("road_book.xlsx", b"PK\x03\x04 not really a zip", "no profile matches"),
    "jsonl-array": (
        "status_array.jsonl",
        b'[{"camera": {"id": "c"}, "at": "2026-01-01T00:00:00Z"}]\n',
        "a JSON array, not JSON lines",
    ),
    "jsonl-garbage": ("status_garbage.jsonl", b"{broken\n[also\n", "no readable JSON object"),
    "json-not-array": ("status_obj.json", b'{"data": {"items": 5}}', "expected '['"),
    "json-no-path": ("status_nopath.json", b'{"other": []}', "no key 'data'"),
    "json-truncated": ("status_trunc.json", b'{"data": {"items": [{"camera": {"id": "c"}, "at": "x"', "not valid JSON"),
    "json-deep": (
        "status_deep.json",
        b'{"data": {"items": [' + b"[" * DEEP + b"]" * DEEP + b"]}}",
        "nested too deeply",
    ),
    "json-empty-array": ("status_none.json", b'{"data": {"items": []}}', "no JSON object"),
    "json-scalar": ("status_scalar.json", b"42", "expected '{'"),
    "json-items-object": ("status_items_obj.json", b'{"data": {"items": {"a": 1}}}', "expected '['"),
    "jsonl-numbers": ("status_numbers.jsonl", b"1\n2\n", "no readable JSON object"),
    "jsonl-bad-utf8": ("status_utf8.jsonl", b'{"camera": {"id": "\xff\xfe"}, "at": "x"}\n', "not valid utf-8"),
    "unclosed-quote": ("road_quote.csv", road_file("quote") + b'q,"2026-01-02T10:00:00Z,2026\n', "cannot be parsed"),
    "utf16": ("road_utf16.csv", road_file("utf16").decode().encode("utf-16"), "binary content"),
    "gzip": ("road_gzip.csv", gzip.compress(road_file("gzip")), "binary content"),
    "zip": ("road_zip.csv", _zip({"a.txt": "hello"}), "binary content"),
    "xlsx-no-workbook": ("dtp_empty.xlsx", _zip({"xl/styles.xml": "<styleSheet/>"}), "not a readable XLSX workbook"),
    "bom-only": ("road_bom.csv", b"\xef\xbb\xbf", "cannot be parsed as CSV"),
    "only-delimiters": ("road_delimiters.csv", b",,,\n,,,\n", "missing columns"),
    "semicolons": ("road_semicolons.csv", road_file("semicolons").replace(b",", b";"), "missing columns"),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("malformed") / "home"
    landing = home / "landing"
    landing.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAFELAKE_HOME", str(home))
        mp.setenv("SAFELAKE_PII_KEY", PII_KEY)
        mp.setenv("SAFELAKE_PROFILES_DIR", str(PROFILES))
        mp.setenv("SAFELAKE_INGEST_MAX_UNZIPPED_MB", "1")
        get_settings.cache_clear()
        settings = get_settings()
        for file, (content, _, _) in VALUE_CASES.items():
            (landing / file).write_bytes(content)
        for file, content, _ in FILE_CASES.values():
            (landing / file).write_bytes(content)
        _xlsx_bomb(landing / "dtp_bomb.xlsx")
        (landing / "road_link.csv").symlink_to(landing / "road_int-0.csv")
        (landing / "road_upload.csv.part").write_bytes(road_file("part"))
        (landing / "status_deep.jsonl").write_bytes(
            b'{"camera": {"id": "c1"}, "at": "2026-01-01T00:00:00Z", "status": "online"}\n'
            + b'{"camera": {"id": "c2"}, "at": "2026-01-01T00:00:00Z", "status": '
            + b"[" * DEEP
            + b"]" * DEEP
            + b"}\n"
        )
        long_name = "road_" + "x" * 241 + ".csv"  # 250 bytes: the archive's prefix would pass the 255 limit
        (landing / long_name).write_bytes(road_file("long"))
        contents = {p: p.read_bytes() for p in landing.iterdir() if not p.is_symlink()}
        results = {r.path.name: r for r in ingest(settings)}
        con = lake.connect(settings, read_only=True)
        yield settings, results, contents, con
        con.close()
    get_settings.cache_clear()


def lake_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT incident_id FROM lake.road_incident UNION ALL SELECT report_id FROM lake.fraud_report "
        "UNION ALL SELECT camera_id FROM lake.camera_status"
    ).fetchall()
    return {r[0] for r in rows}


def adds_up(result) -> bool:
    return result.rows_in == result.merged + result.duplicates + result.quarantined + result.out_of_scope


@pytest.mark.parametrize("file", list(VALUE_CASES))
def test_a_malformed_value_is_quarantined_with_its_reason_and_the_rest_goes_in(run, file):
    settings, results, _, con = run
    _, column, reason = VALUE_CASES[file]
    result = results[file]
    assert result.status == "ingested", result.message
    assert adds_up(result) and (result.merged, result.quarantined) == (1, 1)
    (row,) = con.execute(
        "SELECT column_name, reason, detail FROM lake._quarantine WHERE file_name = ?", [file]
    ).fetchall()
    assert row[:2] == (column, reason), row
    assert "\n" not in row[2]
    assert not (settings.landing / file).exists()  # archived


def test_a_json_number_is_quarantined_as_the_file_wrote_it(run):
    _, _, _, con = run
    for file, column, number, _ in JSON_NUMBERS:
        (detail,) = con.execute(
            "SELECT detail FROM lake._quarantine WHERE file_name = ? AND column_name = ?", [file, column]
        ).fetchone()
        assert detail == f"'{number}'", file


@pytest.mark.parametrize("name", list(FILE_CASES))
def test_a_malformed_file_is_refused_with_one_line_and_left_in_place(run, name):
    settings, results, contents, _ = run
    file, content, message = FILE_CASES[name]
    result = results[file]
    assert result.status in ("refused", "failed"), result
    assert message in result.message and "\n" not in result.message
    assert file in result.message
    assert (settings.landing / file).read_bytes() == content


def test_an_xlsx_bomb_is_refused_before_it_is_unzipped(run):
    _, results, _, _ = run
    assert "more than SAFELAKE_INGEST_MAX_UNZIPPED_MB" in results["dtp_bomb.xlsx"].message


def test_a_symbolic_link_in_landing_is_refused_and_a_partial_upload_waits(run):
    settings, results, _, _ = run
    assert "symbolic link" in results["road_link.csv"].message
    assert "road_upload.csv.part" not in results
    assert (settings.landing / "road_upload.csv.part").exists()


def test_a_line_nested_200000_deep_is_quarantined_and_its_neighbours_go_in(run):
    _, results, _, con = run
    result = results["status_deep.jsonl"]
    assert (result.status, result.merged, result.quarantined, result.reasons) == ("ingested", 1, 1, {"unreadable": 1})
    assert "c1" in lake_ids(con)


def test_a_250_byte_file_name_is_ingested_and_archived(run):
    settings, results, _, con = run
    long_name = "road_" + "x" * 241 + ".csv"
    assert results[long_name].status == "ingested" and results[long_name].warnings == []
    assert not (settings.landing / long_name).exists()
    assert {"long-good", "long-bad"} <= lake_ids(con)


def test_refusals_are_recorded_in_the_lake(run):
    _, results, _, con = run
    refused = {
        r for (r,) in con.execute("SELECT file_path FROM lake._ingest_files WHERE status <> 'ingested'").fetchall()
    }
    assert refused == {str(r.path) for r in results.values() if r.status in ("refused", "failed")}


def test_the_suite_has_at_least_100_distinct_malformed_inputs(run):
    """Counted from what was written to landing/: each distinct content once (not the partial upload, which
    is not malformed but waits), and the symbolic link."""
    _, _, contents, _ = run
    malformed = {content for path, content in contents.items() if path.suffix != ".part"}
    assert len(malformed) + 1 >= 100, len(malformed) + 1
