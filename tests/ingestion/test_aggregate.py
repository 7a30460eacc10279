"""Aggregate workbooks: several sheets, two header rows, merged cells, totals checked against their parts.

The profile is the example of docs/profiles.md ("Aggregate workbooks"), read from the page, so the page says
what the code does; the workbooks are built here with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import yaml

from ingestion.pipeline import ingest
from ingestion.profiles import load_profile
from safelake.errors import SafeLakeError
from safelake.settings import get_settings
from tests.ingestion.test_pipeline import lake_rows

DOC = Path(__file__).resolve().parents[2] / "docs" / "profiles.md"
TITLE = "Сведения о преступлениях за период с 01.01.2026 по 31.01.2026"
PROPERTY = {  # the page's sheet: Всего columns and the Республика Казахстан row agree with their parts
    "groups": ["Кража", "Мошенничество"],
    "rows": [
        ["Астана", 120, 61, 45, 9, 165, 70],
        ["Алматы", 210, 98, 80, "-", 290, 98],
        ["Республика Казахстан", 330, 159, 125, 9, 455, 168],
    ],
}
PERSON = {  # G9, Итого / Всего / раскрыто, says 121; its parts (G5:G7, and C9 + E9) sum to 120
    "groups": ["Убийство", "Причинение вреда здоровью"],
    "rows": [
        ["Астана", 3, 3, 40, 31, 43, 34],
        ["Алматы", 5, 4, 62, 50, 67, 54],
        ["Шымкент", 2, 2, 33, 30, 35, 32],
        [],  # a blank row: lines stay the sheet's physical rows
        ["Итого", 10, 9, 135, 111, 145, 121],
    ],
}
WRONG_TOTAL_LINE = 2 * 10**10 + 9 * 10**4 + 7  # sheet 2, row 9, column 7 (G)


def copy(table: dict, **cells: object) -> dict:
    """The table with some cells changed, given by address (`B6=...`)."""
    rows = [list(row) for row in table["rows"]]
    for address, value in cells.items():
        rows[int(address[1:]) - 5][ord(address[0]) - ord("A")] = value
    return {"groups": table["groups"], "rows": rows}


PERSON_AGREEING = copy(PERSON, G9=120)


def example_profile() -> str:
    text = DOC.read_text(encoding="utf-8")
    return re.search(r"```yaml\n(name: workbook_example_crime_stats\n.*?)```", text, re.S).group(1)


def write_book(path: Path, tables: dict[str, dict], compiled: str = "05.02.2026") -> Path:
    """The page's layout: title and date compiled, then `Регион` merged down over two header rows, each group
    merged across its two measures, a `Всего` group last; and a sheet of notes the profile does not read."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, table in tables.items():
        sheet = book.create_sheet(name)
        sheet["A1"], sheet["A2"], sheet["A3"] = TITLE, f"Дата формирования: {compiled}", "Регион"
        sheet.merge_cells("A1:G1")
        sheet.merge_cells("A3:A4")
        for i, group in enumerate([*table["groups"], "Всего"]):
            column = 2 + 2 * i
            sheet.cell(3, column, group)
            sheet.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + 1)
            sheet.cell(4, column, "зарегистрировано")
            sheet.cell(4, column + 1, "раскрыто")
        for r, row in enumerate(table["rows"], start=5):
            for c, value in enumerate(row, start=1):
                sheet.cell(r, c, value)
        for merged in table.get("merged", []):
            sheet.merge_cells(merged)
    book.create_sheet("Справка")["A1"] = "Примечание: «-» означает отсутствие случаев."
    book.save(path)
    return path


@pytest.fixture
def env(settings, monkeypatch, tmp_path):
    """The page's profile and a small kz reference set (three cities, names in Russian)."""
    profiles, reference = tmp_path / "profiles", tmp_path / "reference" / "kz"
    profiles.mkdir()
    reference.mkdir(parents=True)
    (profiles / "workbook_example_crime_stats.yaml").write_text(example_profile(), encoding="utf-8")
    (reference / "regions.csv").write_text(
        "region_code,name_en,name_ru\nKZ-71,Astana,Астана\nKZ-75,Almaty,Алматы\nKZ-79,Shymkent,Шымкент\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SAFELAKE_PROFILES_DIR", str(profiles))
    monkeypatch.setenv("SAFELAKE_REFERENCE_DIR", str(reference.parent))
    get_settings.cache_clear()
    return get_settings()


def test_sheets_with_merged_headers_ingest_and_a_wrong_total_is_quarantined(env, tmp_path):
    path = write_book(
        tmp_path / "crime_stats_2026_01.xlsx", {"Против собственности": PROPERTY, "Против личности": PERSON}
    )
    (result,) = ingest(env, [path])
    assert result.status == "ingested", result.message
    assert (result.rows_in, result.merged, result.duplicates, result.quarantined) == (21, 20, 0, 1)
    assert result.rows_in == result.merged + result.quarantined
    assert dict(result.reasons) == {"total_mismatch": 1}
    rows = lake_rows(
        env,
        "SELECT region_code, offence_group, measure, count, period_start, period_end, published_on, _line "
        "FROM lake.crime_aggregate ORDER BY _line",
    )
    assert len(rows) == 20
    jan = (dt.date(2026, 1, 1), dt.date(2026, 1, 31), dt.date(2026, 2, 5))
    assert rows[0] == ("KZ-71", "theft", "registered", 120, *jan, 1 * 10**10 + 5 * 10**4 + 2)  # B5, merged headers
    assert ("KZ-75", "fraud", "solved", 0, *jan, 1 * 10**10 + 6 * 10**4 + 5) in rows  # E6: `-` is 0
    assert {r[0] for r in rows} == {"KZ-71", "KZ-75", "KZ-79"}  # no totals row stored
    assert {r[1] for r in rows} == {"theft", "fraud", "homicide", "assault"}  # no totals column stored
    # every part of the wrong total is kept
    solved = lake_rows(
        env,
        "SELECT sum(count) FROM lake.crime_aggregate "
        "WHERE measure = 'solved' AND offence_group IN ('homicide', 'assault')",
    )
    assert solved == [(120,)]
    ((line, column, reason, detail, raw),) = lake_rows(
        env, "SELECT line, column_name, reason, detail, raw FROM lake._quarantine"
    )
    assert (line, column, reason) == (WRONG_TOTAL_LINE, "count", "total_mismatch")
    assert "121" in detail and "120" in detail and "Против личности!G9" in detail
    assert (
        json.loads(raw).items() >= {"sheet": "Против личности", "cell": "G9", "label": "Итого", "value": "121"}.items()
    )


def test_a_part_that_is_not_a_number_leaves_its_totals_unchecked(env, tmp_path):
    table = copy(PROPERTY, B6="21O")  # a letter O for a zero
    path = write_book(
        tmp_path / "crime_stats_2026_01.xlsx", {"Против собственности": table, "Против личности": PERSON_AGREEING}
    )
    (result,) = ingest(env, [path])
    # B7 (its column) and F6 (its row) cannot be checked; F7 still agrees both ways and is dropped
    assert dict(result.reasons) == {"bad_int": 1, "total_unchecked": 2}
    assert (result.rows_in, result.merged, result.quarantined) == (22, 19, 3)
    reasons = lake_rows(env, "SELECT raw::JSON->>'cell', reason FROM lake._quarantine ORDER BY line")
    assert reasons == [("B6", "bad_int"), ("F6", "total_unchecked"), ("B7", "total_unchecked")]


def test_a_revised_workbook_replaces_the_counts(env, tmp_path):
    sheets = {"Против собственности": PROPERTY, "Против личности": PERSON_AGREEING}
    first = write_book(tmp_path / "crime_stats_2026_01.xlsx", sheets)
    sheets["Против собственности"] = copy(PROPERTY, B5=121, F5=166, B7=331, F7=456)
    revised = write_book(tmp_path / "crime_stats_2026_01_rev.xlsx", sheets, "10.02.2026")
    results = ingest(env, [first, revised])
    assert [(r.inserted, r.corrected, r.quarantined) for r in results] == [(20, 0, 0), (0, 20, 0)]
    rows = lake_rows(
        env,
        "SELECT count, published_on FROM lake.crime_aggregate "
        "WHERE region_code = 'KZ-71' AND offence_group = 'theft' AND measure = 'registered'",
    )
    assert rows == [(121, dt.date(2026, 2, 10))]


def test_a_workbook_without_a_named_sheet_is_refused_with_one_line(env, tmp_path):
    (result,) = ingest(env, [write_book(tmp_path / "crime_stats_2026_01.xlsx", {"Против собственности": PROPERTY})])
    assert result.status == "refused"
    assert "no sheet named 'Против личности'" in result.message and "aggregate.sheets" in result.message
    assert "\n" not in result.message


def test_a_file_that_is_not_a_workbook_is_refused(env, tmp_path):
    path = tmp_path / "crime_stats_2026_01.xlsx"
    path.write_text("Регион;Кража\nАстана;1\n", encoding="utf-8")
    (result,) = ingest(env, [path], profile_name="workbook_example_crime_stats")
    assert result.status == "refused"
    assert "not a readable XLSX workbook" in result.message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "csv"}, "aggregate: only for `format: xlsx`"),
        ({"columns": {"measure": {"from": "header_3"}}}, "['header_3'] are not columns of the aggregate table"),
        ({"columns": {"count": {"from": "label"}}}, "exactly one int or decimal contract column"),
        ({"aggregate": {"cells": {"label": "A1"}}}, "cells: ['label'] are names of the table's own columns"),
        ({"aggregate": {"cells": {"period": "first row"}}}, "aggregate.cells.period"),
    ],
)
def test_a_profile_that_misreads_the_table_is_reported(tmp_path, change, message):
    profile = yaml.safe_load(example_profile())
    for key, value in change.items():
        profile[key] = profile[key] | value if isinstance(value, dict) else value
    path = tmp_path / "workbook_example_crime_stats.yaml"
    path.write_text(yaml.safe_dump(profile, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SafeLakeError, match=re.escape(message)):
        load_profile(path)


def test_the_demo_workbooks_ingest_with_the_kz_profile(env, tmp_path):
    from tools.demo_kz_aggregate import generate

    reference = Path(env.reference_dir) / "kz"
    written = generate(tmp_path / "landing", dt.date(2026, 1, 1), 90, 1, reference)
    again = generate(tmp_path / "again", dt.date(2026, 1, 1), 90, 1, reference)
    books = sorted((tmp_path / "landing" / "crime_aggregate").iterdir())
    assert [p.name for p in books] == [f"kz_crime_stats_2026_{m:02}.xlsx" for m in (1, 2, 3)]
    assert [p.read_bytes() for p in books] == [
        (tmp_path / "again" / "crime_aggregate" / p.name).read_bytes() for p in books
    ]
    assert (written, again) == ({"rows": 243, "files": 3, "wrong_totals": 2}, written)
    results = ingest(env, books)
    assert [r.profile for r in results] == ["kz_crime_aggregate_xlsx"] * 3
    assert sum(r.merged for r in results) == written["rows"]
    assert sum(r.quarantined for r in results) == written["wrong_totals"]
    assert all(r.rows_in == r.merged + r.quarantined for r in results)
    assert sum((r.reasons for r in results), start=Counter()) == {"total_mismatch": 2}
    months = lake_rows(env, "SELECT DISTINCT period_start, period_end FROM lake.crime_aggregate ORDER BY 1")
    assert months == [
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
    ]


def test_a_label_merged_down_is_not_copied_to_the_row_below(env, tmp_path):
    table = {
        "groups": PROPERTY["groups"],
        "rows": [
            ["Астана", 120, 61, 45, 9, 165, 70],
            ["Алматы", 210, 98, 80, "-", 290, 98],
            [None, 1, 0, 0, 0, 1, 0],
            ["Республика Казахстан", 331, 159, 125, 9, 456, 168],
        ],
        "merged": ["A6:A7"],
    }
    path = write_book(
        tmp_path / "crime_stats_2026_01.xlsx", {"Против собственности": table, "Против личности": PERSON_AGREEING}
    )
    (result,) = ingest(env, [path])
    # B7:E7 have no region: quarantined, not counted for Алматы (nor dropped as its duplicates)
    assert (result.rows_in, result.merged, result.duplicates, dict(result.reasons)) == (24, 20, 0, {"missing": 4})
    cells = lake_rows(env, "SELECT raw::JSON->>'cell', column_name FROM lake._quarantine ORDER BY line")
    assert cells == [("B7", "region_code"), ("C7", "region_code"), ("D7", "region_code"), ("E7", "region_code")]


def test_a_formula_without_a_stored_result_is_quarantined_not_taken_for_empty(env, tmp_path):
    table = copy(PROPERTY, B6="=200+10")  # openpyxl stores the formula, not its result
    path = write_book(
        tmp_path / "crime_stats_2026_01.xlsx", {"Против собственности": table, "Против личности": PERSON_AGREEING}
    )
    (result,) = ingest(env, [path])
    assert (result.rows_in, result.merged, dict(result.reasons)) == (22, 19, {"bad_int": 1, "total_unchecked": 2})
    rows = lake_rows(env, "SELECT raw::JSON->>'cell', raw::JSON->>'value', reason FROM lake._quarantine ORDER BY line")
    assert rows == [("B6", "=200+10", "bad_int"), ("F6", "290", "total_unchecked"), ("B7", "330", "total_unchecked")]
