"""Readers: turn one export file into a frame of text cells, or refuse it with one clear line.

Every cell is read as text (types are the contract's job); `_line` is the record's line in the
file (for CSV: the record number after the header, which equals the line unless fields hold newlines).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import fastexcel
import polars as pl

from ingestion.profiles import Profile
from safelake.errors import SafeLakeError

UTF8 = {"utf-8", "utf-8-sig"}
JSONL_SAMPLE = 100


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


def _utf8(path: Path, data: bytes, encoding: str) -> bytes:
    """The file's bytes as UTF-8 for the parsers. UTF-8 is passed as it is, since the parsers reject
    invalid bytes (the caller then calls `decode` for the precise error); other encodings are decoded."""
    if codecs.lookup(encoding).name in UTF8:
        return data.removeprefix(codecs.BOM_UTF8)
    return decode(path, data, encoding).encode()


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_frame(path: Path, profile: Profile) -> pl.DataFrame:
    """The sheet's cells as text, the profile's leading rows skipped; `_line` is the row in the sheet."""
    try:
        book = fastexcel.read_excel(path)
        sheet = profile.sheet if profile.sheet is not None else 0
        if isinstance(sheet, str) and sheet not in book.sheet_names:
            raise FileRefused(f"{path}: no sheet named {profile.sheet!r}; fix the profile's `sheet`")
        cells = book.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    except fastexcel.FastExcelError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FileRefused(f"{path}: not a readable XLSX workbook ({reason}); check the file") from None
    return cells.with_row_index("_line", offset=1).slice(profile.skip_rows)


def header(path: Path, profile: Profile) -> list[str]:
    """The header cells as the profile would read them (used to pick a profile)."""
    if profile.format == "xlsx":
        cells = _xlsx_frame(path, profile)
        return [c or "" for c in cells.row(0)[1:]] if cells.height else []
    with path.open("rb") as fh:
        data = fh.read(65536)
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


def _first_lines(data: bytes) -> bytes:
    """The first JSONL_SAMPLE lines of `data`."""
    end = -1
    for _ in range(JSONL_SAMPLE):
        end = data.find(b"\n", end + 1)
        if end < 0:
            return data
    return data[:end]


def _jsonl_keys(head: bytes) -> list[str]:
    """The keys of the records in `head`, in order of first appearance; ValueError if a line is not a JSON
    object."""
    keys: dict[str, None] = {}
    for line in head.splitlines():
        if line.strip():
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            keys.update(dict.fromkeys(record))
    return list(keys)


def _jsonl_schema(samples: list[list[str]], profile: Profile) -> dict[str, type[pl.String]]:
    keys = list(dict.fromkeys(k for sample in samples for k in sample))
    return dict.fromkeys([*keys, *sorted(profile.source_columns - set(keys))], pl.String)


def _record_lines(data: bytes) -> list[int]:
    """The line number of each record of JSON lines: the lines that are not blank."""
    return [number for number, line in enumerate(data.split(b"\n"), start=1) if line.strip()]


def _drop_unsampled(frame: pl.DataFrame, sample: list[str]) -> pl.DataFrame:
    """Without the columns of keys this file's sample lacks and none of its records has."""
    unsampled = [k for k in frame.columns if k != "_line" and k not in sample]
    return frame.drop([k for k in unsampled if frame[k].null_count() == frame.height])


def _read_jsonl(path: Path, data: bytes, profile: Profile) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """JSON lines, every value as text; a line that is not a JSON object is returned as a bad row, the
    rest is read. The keys read are those of the first JSONL_SAMPLE records and every key the profile
    maps: a fixed schema reads three times as fast as one inferred from every record. A key the profile
    does not map that first appears later is not read (it would only be shown in a quarantined row)."""
    utf8 = _utf8(path, data, profile.encoding)
    try:
        sample = _jsonl_keys(_first_lines(utf8))
        frame = pl.read_ndjson(io.BytesIO(utf8), schema=_jsonl_schema([sample], profile))
        if frame.height == utf8.count(b"\n") + (not utf8.endswith(b"\n")):
            frame = frame.with_row_index("_line", offset=1)
        else:  # blank lines, which the parser skips
            frame = frame.insert_column(0, pl.Series("_line", _record_lines(utf8)))
        return _drop_unsampled(frame, sample), []
    except (pl.exceptions.PolarsError, OSError, ValueError):
        pass
    text = decode(path, data, profile.encoding)  # refuses bytes that are not in the declared encoding
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
        cells = _xlsx_frame(path, profile)
        if cells.height == 0:
            raise FileRefused(f"{path}: empty sheet; nothing to ingest")
        names = [c.strip() if c else f"column_{i + 1}" for i, c in enumerate(cells.row(0)[1:])]
        frame = cells.slice(1).rename(dict(zip(cells.columns[1:], names, strict=True)))
        frame = frame.filter(pl.any_horizontal(pl.exclude("_line").is_not_null()))
    elif profile.format == "jsonl":
        frame, bad = _read_jsonl(path, data, profile)
    else:
        try:
            frame = pl.read_csv(
                io.BytesIO(_utf8(path, data, profile.encoding)),
                separator=profile.delimiter,
                skip_rows=profile.skip_rows,
                infer_schema=False,
            )
        except pl.exceptions.PolarsError as exc:
            decode(path, data, profile.encoding)  # bytes that are not valid UTF-8 get their own message
            reason = str(exc).strip().splitlines()[0]
            raise FileRefused(f"{path}: cannot be parsed as CSV ({reason}); check the delimiter and quoting") from None
        frame = frame.with_row_index("_line", offset=profile.skip_rows + 2)
    return _require_columns(path, _as_text(frame), profile), bad


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("_line").cast(pl.Int64), pl.exclude("_line").cast(pl.String))


def read_together(files: dict[Path, int], profile: Profile) -> list[pl.DataFrame] | None:
    """The text cells of each file (given with its number of lines), as `read` gives them, from one parse of
    all of them, which Polars spreads over the cores: JSON lines in UTF-8 only. None where that does not
    apply, or when any file is not plain (a byte-order mark, blank lines, a line that is not a JSON object,
    missing columns): the caller then reads each file alone, and each gets its own result or error."""
    if profile.format != "jsonl" or codecs.lookup(profile.encoding).name not in UTF8 or len(files) < 2:
        return None
    paths = list(files)
    try:
        heads = [_head(path) for path in paths]
        if any(head.startswith(codecs.BOM_UTF8) for head in heads):
            return None
        samples = [_jsonl_keys(head) for head in heads]
        frame = pl.scan_ndjson(
            paths,
            schema=_jsonl_schema(samples, profile),
            include_file_paths="_path",
            row_index_name="_line",
            row_index_offset=1,
        ).collect()
    except (pl.exceptions.PolarsError, OSError, ValueError):
        return None
    runs = frame["_path"].rle().struct.unnest()
    if runs["value"].to_list() != [str(path) for path in paths] or runs["len"].to_list() != list(files.values()):
        return None  # a file with blank lines, whose records are not numbered as its lines
    frame, frames, offset = _as_text(frame.drop("_path")), [], 0
    for path, sample, height in zip(paths, samples, runs["len"], strict=True):
        part = _drop_unsampled(frame.slice(offset, height).with_columns(pl.col("_line") - offset), sample)
        try:
            frames.append(_require_columns(path, part, profile))
        except FileRefused:
            return None
        offset += height
    return frames


def _head(path: Path) -> bytes:
    """The first JSONL_SAMPLE lines of the file."""
    head = b""
    with path.open("rb") as fh:
        while head.count(b"\n") < JSONL_SAMPLE and (block := fh.read(1 << 16)):
            head += block
    return _first_lines(head)
