"""Demo aggregate statistics for Kazakhstan: a workbook per month of crime counts by region × offence group ×
measure, the way a statistics office publishes them (profile ingestion/profiles/kz_crime_aggregate_xlsx.yaml).

Each workbook has one sheet per chapter of the criminal code: a title with the period, the date compiled, two
header rows (each offence group merged across its measures, `Всего` last) and a row per region (names from the
reference set), then `Республика Казахстан`. Volumes and rates below are modelling assumptions, of the order of
Kazakhstan's ~130,000 registered offences a year. The same arguments give byte-identical files. About one
workbook in four has one regional `Всего` cell off by one: ingestion quarantines it and the national `Всего`
of its column as `total_mismatch`, and keeps every count.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import xlsxwriter

from tools.demo import _population, _read

FOLDER = "crime_aggregate"
MEASURES = ("зарегистрировано", "раскрыто", "направлено в суд")
# sheet → offence group (its Russian heading) → (registered a year nationally, share solved)
SHEETS = {
    "Против личности": {
        "Убийство": (700, 0.95),
        "Причинение вреда здоровью": (3_000, 0.85),
        "Изнасилование": (1_000, 0.85),
    },
    "Против собственности": {
        "Кража": (45_000, 0.5),
        "Мошенничество": (30_000, 0.3),
        "Грабёж и разбой": (2_500, 0.7),
    },
    "Общественная безопасность": {
        "Хулиганство": (2_500, 0.9),
        "Наркотики": (5_000, 0.98),
        "Оружие": (800, 0.95),
    },
}
TO_COURT = 0.75  # share of solved cases sent to court in the month
WRONG_TOTAL_RATE = 0.25  # workbooks with one regional total off by one
TOTAL = "Республика Казахстан"


def _regions(reference_dir: Path, year: int) -> tuple[list[str], np.ndarray]:
    """Russian names of the regions and their share of the population (the latest year not after `year`); a
    region without population figures weighs as one person, all of them alike when there are none."""
    regions, pop = _read(reference_dir / "regions.csv"), _population(reference_dir, year)
    weight = np.array([pop.get(r["region_code"], 1) for r in regions], dtype=float)
    return [r.get("name_ru") or r["name_en"] for r in regions], weight / weight.sum()


def _counts(rng: np.random.Generator, share: np.ndarray, days: int) -> dict[str, dict[str, np.ndarray]]:
    """Per sheet and group: regions × measures of one month."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for sheet, groups in SHEETS.items():
        out[sheet] = {}
        for group, (annual, solved_share) in groups.items():
            registered = rng.poisson(annual * days / 365 * share)
            solved = rng.binomial(registered, solved_share)
            out[sheet][group] = np.stack([registered, solved, rng.binomial(solved, TO_COURT)], axis=1)
    return out


def _write(
    path: Path, names: list[str], counts: dict, period: tuple[date, date], compiled: date, wrong: tuple[int, int] | None
) -> None:
    """The workbook; `wrong` (sheet, region) has its first `Всего` cell off by one."""
    book = xlsxwriter.Workbook(str(path), {"in_memory": True})
    book.set_properties({"created": datetime(compiled.year, compiled.month, compiled.day), "author": "КПСиСУ"})
    bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "border": 1})
    cell = book.add_format({"border": 1})
    title = "Сведения о зарегистрированных уголовных правонарушениях за период с {:%d.%m.%Y} по {:%d.%m.%Y}"
    for number, (sheet_name, groups) in enumerate(counts.items()):
        sheet = book.add_worksheet(sheet_name)
        table = np.concatenate([*groups.values(), sum(groups.values())], axis=1)  # `Всего` last
        table = np.concatenate([table, table.sum(axis=0, keepdims=True)])  # `Республика Казахстан` last
        if wrong is not None and wrong[0] == number:
            table[wrong[1], -len(MEASURES)] += 1
        sheet.merge_range(0, 0, 0, table.shape[1], title.format(*period), bold)
        sheet.write(1, 0, f"Дата формирования: {compiled:%d.%m.%Y}")
        sheet.merge_range(2, 0, 3, 0, "Регион", bold)
        for g, group in enumerate([*groups, "Всего"]):
            left = 1 + g * len(MEASURES)
            sheet.merge_range(2, left, 2, left + len(MEASURES) - 1, group, bold)
            sheet.write_row(3, left, MEASURES, bold)
        for r, (name, row) in enumerate(zip([*names, TOTAL], table, strict=True)):
            sheet.write(4 + r, 0, name, cell)
            sheet.write_row(4 + r, 1, [int(v) if v else "-" for v in row], cell)
        sheet.set_column(0, 0, 32)
    book.close()


def generate(landing: Path, start: date, days: int, seed: int, reference_dir: Path) -> dict[str, int]:
    """One workbook per calendar month that ends within the `days` days from `start`, under
    landing/crime_aggregate/, compiled five days after the month (at most on the last day). Returns the counts
    written (cells that are no total), the workbooks, and the wrong totals: each wrong cell, and the national
    `Всего` whose column it is in, disagree with their parts."""
    end = start + timedelta(days=days - 1)
    names, share = _regions(reference_dir, start.year)
    folder = landing / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    per_book = len(names) * len(MEASURES) * sum(len(groups) for groups in SHEETS.values())
    written = {"rows": 0, "files": 0, "wrong_totals": 0}
    month = date(start.year, start.month, 1)
    while (last := date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])) <= end:
        rng = np.random.default_rng([seed, month.year, month.month])
        counts = _counts(rng, share, last.day)
        wrong = (int(rng.integers(len(SHEETS))), int(rng.integers(len(names))))
        wrong_here = rng.random() < WRONG_TOTAL_RATE
        compiled = min(last + timedelta(days=5), end)
        path = folder / f"kz_crime_stats_{month:%Y_%m}.xlsx"
        _write(path, names, counts, (month, last), compiled, wrong if wrong_here else None)
        written["rows"] += per_book
        written["files"] += 1
        written["wrong_totals"] += 2 * wrong_here
        month = last + timedelta(days=1)
    return written
