"""Readers: turn one export file into a frame of text cells, or refuse it with one clear line.

Every cell is read as text (types are the contract's job); `_line` is the record's line in the
file (for CSV: the record number after the header, which equals the line unless fields hold newlines).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import polars as pl
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ingestion.profiles import Profile
from safelake.errors import SafeLakeError

UTF8 = {"utf-8", "utf-8-sig"}


class FileRefused(SafeLakeError):
    """The file cannot be read as its profile says; it is left in place and nothing is written."""


def _check_bytes(path: Path, data: bytes, binary_ok: bool) -> None:
    if not data.strip():
        raise FileRefused(f"{path}: empty file; nothing to ingest — ask the sender for the export again")
    if not binary_ok and b"\x00" in data[:65536]:
        raise FileRefused(f"{path}: binary content (NUL bytes), not a text export — check what was sent")


def decode(path: Path, data: bytes, encoding: str) -> str:
    codec = codecs.lookup(encoding).name
    if codec not in UTF8 and not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            raise FileRefused(
                f"{path}: the file is UTF-8 but its profile declares {encoding}; fix the profile's `encoding`"
            )
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise FileRefused(
            f"{path}: not valid {encoding} (byte {data[exc.start]:#04x} at offset {exc.start}); "
            "check the export's encoding against the profile"
        ) from None
    return text.removeprefix("\ufeff")


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(path: Path, profile: Profile) -> list[list[str | None]]:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise FileRefused(f"{path}: not a readable XLSX workbook ({type(exc).__name__}); check the file") from None
    try:
        sheet = book[profile.sheet] if profile.sheet else book.worksheets[0]
    except KeyError:
        raise FileRefused(f"{path}: no sheet named {profile.sheet!r}; fix the profile's `sheet`") from None
    rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows[profile.skip_rows :]


def header(path: Path, profile: Profile) -> list[str]:
    """The header cells as the profile would read them (used to pick a profile)."""
    data = path.read_bytes()[:65536] if profile.format != "xlsx" else b""
    if profile.format == "xlsx":
        rows = _xlsx_rows(path, profile)
        return [c or "" for c in rows[0]] if rows else []
    _check_bytes(path, data, binary_ok=False)
    text = decode(path, data[: data.rfind(b"\n") + 1 or len(data)], profile.encoding)
    lines = text.splitlines()[profile.skip_rows :]
    if not lines:
        return []
    if profile.format == "jsonl":
        try:
            first = json.loads(lines[0])
        except json.JSONDecodeError:
            return []
        return list(first) if isinstance(first, dict) else []
    return next(csv.reader([lines[0]], delimiter=profile.delimiter), [])


def _require_columns(path: Path, frame: pl.DataFrame, profile: Profile) -> pl.DataFrame:
    frame = frame.rename({c: c.strip() for c in frame.columns})
    missing = sorted(profile.source_columns - set(frame.columns))
    if missing:
        raise FileRefused(
            f"{path}: missing columns {missing} required by profile {profile.name}; "
            "the export layout changed — update the profile or ask the sender"
        )
    if frame.height == 0:
        raise FileRefused(f"{path}: header only, no data rows; nothing to ingest")
    return frame


def _read_jsonl(path: Path, text: str) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """JSON lines; a line that is not a JSON object is returned as a bad row, the rest is read."""
    try:
        frame = pl.read_ndjson(io.BytesIO(text.encode()), infer_schema_length=None)
        return frame.with_row_index("_line", offset=1), []
    except (pl.exceptions.PolarsError, OSError):
        pass
    records, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((number, f"not valid JSON ({exc.msg})"))
            continue
        if not isinstance(obj, dict):
            bad.append((number, "not a JSON object"))
            continue
        records.append({**{k: _cell(v) for k, v in obj.items()}, "_line": number})
    if not records:
        raise FileRefused(f"{path}: no readable JSON object on any line; check the export")
    return pl.from_dicts(records, infer_schema_length=None), bad


def read(path: Path, profile: Profile) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """(text cells with `_line`, unreadable records as (line, reason))."""
    data = path.read_bytes()
    _check_bytes(path, data, binary_ok=profile.format == "xlsx")
    bad: list[tuple[int, str]] = []
    if profile.format == "xlsx":
        rows = _xlsx_rows(path, profile)
        if not rows:
            raise FileRefused(f"{path}: empty sheet; nothing to ingest")
        names = [c.strip() if c else f"column_{i + 1}" for i, c in enumerate(rows[0])]
        body = [r for r in rows[1:] if any(v is not None for v in r)]
        frame = pl.DataFrame(body, schema=dict.fromkeys(names, pl.String), orient="row")
        frame = frame.with_row_index("_line", offset=profile.skip_rows + 2)
    elif profile.format == "jsonl":
        frame, bad = _read_jsonl(path, decode(path, data, profile.encoding))
    else:
        text = decode(path, data, profile.encoding)
        try:
            frame = pl.read_csv(
                io.BytesIO(text.encode()),
                separator=profile.delimiter,
                skip_rows=profile.skip_rows,
                infer_schema=False,
            )
        except pl.exceptions.PolarsError as exc:
            reason = str(exc).strip().splitlines()[0]
            raise FileRefused(f"{path}: cannot be parsed as CSV ({reason}); check the delimiter and quoting") from None
        frame = frame.with_row_index("_line", offset=profile.skip_rows + 2)
    frame = frame.with_columns(pl.col("_line").cast(pl.Int64))
    frame = frame.with_columns(pl.exclude("_line").cast(pl.String))
    return _require_columns(path, frame, profile), bad
