"""Every reader on good input, and every kind of unreadable file refused with one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xlsxwriter

from ingestion.pipeline import fingerprint
from ingestion.profiles import Profile
from ingestion.readers import FileRefused, read, read_together

COLUMNS = {
    "report_id": {"from": "id"},
    "updated_at": {"from": "when"},
    "registered_at": {"from": "when"},
    "offence_code": {"from": "offence"},
    "region_code": {"from": "region"},
    "cleared": {"from": "cleared"},
}


def profile(**overrides) -> Profile:
    spec = {
        "name": "t",
        "dataset": "crime_report",
        "geography": "kg",
        "description": "test",
        "match": {},
        "format": "csv",
        "timezone": "Asia/Bishkek",
        "columns": COLUMNS,
    } | overrides
    return Profile.model_validate(spec)


ROWS = [
    ["id", "when", "offence", "region", "cleared"],
    ["1", "2026-01-05 10:00", "кража", "Чуй", "да"],
    ["2", "2026-01-06 11:00", "грабёж", "Ош", "нет"],
]


def write_csv(path: Path, rows, encoding="utf-8", delimiter=",", newline="\n") -> Path:
    path.write_bytes(newline.join(delimiter.join(r) for r in rows).encode(encoding) + newline.encode())
    return path


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline"), [("utf-8", ",", "\n"), ("cp1251", ";", "\r\n"), ("utf-8-sig", ",", "\r\n")]
)
def test_csv_reader(tmp_path, encoding, delimiter, newline):
    path = write_csv(tmp_path / "a.csv", ROWS, encoding, delimiter, newline)
    frame, bad, _ = read(path, profile(encoding=encoding, delimiter=delimiter))
    assert bad == []
    assert frame.columns == ["_line", "id", "when", "offence", "region", "cleared"]
    assert frame["offence"].to_list() == ["кража", "грабёж"]
    assert frame["_line"].to_list() == [2, 3]
    assert frame["cleared"].to_list() == ["да", "нет"]


def test_csv_skip_rows_keeps_line_numbers(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["Export of 2026-01"], *ROWS])
    frame, _, _ = read(path, profile(skip_rows=1))
    assert frame["_line"].to_list() == [3, 4]


def test_xlsx_reader(tmp_path):
    path = tmp_path / "a.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Данные")
    for r, row in enumerate(ROWS):
        sheet.write_row(r, 0, row)
    sheet.write_number(1, 0, 1)  # a numeric id cell reads as "1", not "1.0"
    book.close()
    frame, _, _ = read(path, profile(format="xlsx", sheet="Данные"))
    assert frame["id"].to_list() == ["1", "2"]
    assert frame["_line"].to_list() == [2, 3]


def test_jsonl_reader_quarantines_broken_lines_and_reads_the_rest(tmp_path):
    good = [dict(zip(ROWS[0], r, strict=True)) for r in ROWS[1:]]
    lines = [json.dumps(good[0], ensure_ascii=False), "{not json", json.dumps(good[1], ensure_ascii=False), "[1]"]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame, bad, _ = read(path, profile(format="jsonl"))
    assert frame["id"].to_list() == ["1", "2"]
    assert frame["_line"].to_list() == [1, 3]
    assert [line for line, _ in bad] == [2, 4]


def test_jsonl_values_become_text(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(
        json.dumps({"id": 7, "when": "2026-01-01", "offence": "theft", "region": "KG-C", "cleared": True}) + "\n",
        encoding="utf-8",
    )
    frame, _, _ = read(path, profile(format="jsonl"))
    assert frame.row(0) == (1, "7", "2026-01-01", "theft", "KG-C", "true")


def test_jsonl_keys_first_seen_late_are_read_if_mapped_and_a_key_never_sent_is_missing(tmp_path):
    first = {"id": 1, "when": "2026-01-01", "offence": "theft", "region": "KG-C"}
    records = [{**first, "id": n} for n in range(1, 1500)]
    records[1400] |= {"cleared": True, "note": "unmapped and late"}
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    frame, _, _ = read(path, profile(format="jsonl"))
    assert frame.height == 1499 and frame["cleared"].to_list()[1400] == "true"
    assert frame["cleared"].null_count() == 1498 and "note" not in frame.columns
    path.write_text("".join(json.dumps(r) + "\n" for r in records[:1400]), encoding="utf-8")
    with pytest.raises(FileRefused, match=r"missing columns \['cleared'\]"):
        read(path, profile(format="jsonl"))


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def record(n: int, **extra) -> dict:
    return {"id": n, "when": "2026-01-01", "offence": "кража", "region": "KG-C", "cleared": False} | extra


def test_jsonl_line_numbers_count_blank_lines(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(jsonl(record(1)) + "\n  \n" + jsonl(record(2)), encoding="utf-8")
    frame, _, _ = read(path, profile(format="jsonl"))
    assert frame["_line"].to_list() == [1, 4]


def test_jsonl_files_read_together_as_each_alone(tmp_path):
    """One parse of several files gives each file what reading it alone gives, its own columns and line numbers
    included; a file that one parse would get wrong or could not read makes it decline, so each is read alone."""
    jsonl_profile = profile(format="jsonl")
    plain = {
        "a": jsonl(record(1), record(2, note="unmapped")),
        "b": jsonl(*(record(n) for n in range(3, 9))),
        "c": jsonl(record(9, cleared=None)).rstrip("\n"),
        "strings like numbers": jsonl(record(0, id="1.10"), record(0, id="-0")),  # searched, kept as written
        "no numbers": jsonl(record(0, id="CAM-1")),  # not searched: no cell a number could have made
    }
    paths = []
    for name, text in plain.items():
        paths.append(tmp_path / f"{name}.jsonl")
        paths[-1].write_text(text, encoding="utf-8")
    together = read_together({p: fingerprint(p)[1] for p in paths}, jsonl_profile)
    alone = [read(p, jsonl_profile)[0] for p in paths]
    assert [(f.columns, f.rows()) for f in together] == [(f.columns, f.rows()) for f in alone]
    assert "note" in together[0].columns and "note" not in together[1].columns
    assert together[3]["id"].to_list() == ["1.10", "-0"]

    odd = {
        "blank lines": jsonl(record(10)) + "\n" + jsonl(record(11)),
        "byte-order mark": "\ufeff" + jsonl(record(10)),
        "a broken line": jsonl(record(10)) + "{not json\n",
        "a key never sent": jsonl({k: v for k, v in record(10).items() if k != "cleared"}),
        "no records": "\n",
        "a number Polars would rewrite": jsonl(record(10)).replace('"id": 10', '"id": 1.10'),
    }
    for name, text in odd.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_text(text, encoding="utf-8")
        assert read_together({paths[0]: 2, path: fingerprint(path)[1]}, jsonl_profile) is None, name
    assert read_together({p: fingerprint(p)[1] for p in paths}, profile(format="csv")) is None


@pytest.mark.parametrize(
    ("content", "fmt", "encoding", "message"),
    [
        (b"", "csv", "utf-8", "empty file"),
        (b"  \n\n", "csv", "utf-8", "empty file"),
        (b"id,when,offence,region,cleared\n", "csv", "utf-8", "no data rows"),
        (bytes(range(256)) * 40, "csv", "utf-8", "binary content"),
        ("id,when,offence,region,cleared\n1,x,кража,Чуй,да\n".encode("cp1251"), "csv", "utf-8", "not valid utf-8"),
        ("id,when,offence,region,cleared\n1,x,кража,Чуй,да\n".encode(), "csv", "cp1251", "is UTF-8 but"),
        (b"id,offence\n1,theft\n", "csv", "utf-8", "missing columns ['cleared', 'region', 'when']"),
        (b"PK\x03\x04 not really a zip", "xlsx", "utf-8", "not a readable XLSX"),
        (b"{broken\n[also broken\n", "jsonl", "utf-8", "no readable JSON object"),
    ],
    ids=[
        "empty",
        "blank",
        "header-only",
        "binary",
        "wrong-encoding-utf8",
        "wrong-encoding-cp1251",
        "missing-columns",
        "bad-xlsx",
        "bad-jsonl",
    ],
)
def test_unreadable_files_are_refused_with_one_line(tmp_path, content, fmt, encoding, message):
    path = tmp_path / f"file.{fmt}"
    path.write_bytes(content)
    with pytest.raises(FileRefused) as info:
        read(path, profile(format=fmt, encoding=encoding))
    text = str(info.value)
    assert message in text
    assert str(path) in text and "\n" not in text
    assert path.read_bytes() == content  # left in place, untouched
