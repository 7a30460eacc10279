"""CSV that a spreadsheet opens without running anything: every CSV a person opens is written here (the
e-mails' attachments, the SQL page's download, `safelake sql --format csv`).

A text cell that starts with = + - @, a tab or a carriage return is read as a formula by Excel, LibreOffice
and Google Sheets (`=HYPERLINK(...)`, `@SUM(...)`, DDE); it gets a leading apostrophe, which the spreadsheet
shows as text. Numbers stay numbers: numeric values, and text that is exactly a number ("-12.5"), are
written as they are."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """The value as a CSV cell that cannot be a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write(stream: TextIO, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([cell(v) for v in header])
    writer.writerows([cell(v) for v in row] for row in rows)


def to_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Cyrillic."""
    out = io.StringIO()
    write(out, header, rows)
    return out.getvalue().encode("utf-8-sig")
