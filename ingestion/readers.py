"""Readers: turn one export file into a frame of text cells, or refuse it with one clear line.

Every cell is read as text (types are the contract's job); `_line` is the physical line of the file on
which the record starts (a quoted CSV field may span lines; XLSX: the sheet's row).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

import fastexcel
import openpyxl
import polars as pl
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from ingestion.aggregate import check_totals
from ingestion.profiles import Aggregate, Profile
from ingestion.transform import Rejected
from safelake.errors import SafeLakeError
from safelake.settings import get_settings

UTF8 = {"utf-8", "utf-8-sig"}
JSONL_SAMPLE = 100
JSON_BATCH = 10_000  # records of a JSON array turned into a frame at a time
JSON_SHAPES = (
    "`format: jsonl` reads one JSON object per line; `format: json` reads a JSON array of objects, at the top "
    "level or at the path `records:` names (e.g. `records: data.items`)"
)


# A JSON number Polars would write differently from the file (it reads fractions and exponents as doubles,
# and `-0` as 0). Every number inside an object or array follows `[`, `:` or `,` and is followed by `,`, `]`
# or `}`, so no such number escapes this pattern; a string that merely looks like one costs only the slower
# exact reader.
INEXACT_NUMBER = r"[\[:,]\s*(?:-?\d+(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+)|-0)\s*[,\]}]"
# What Polars makes of a JSON number, array or object read as text: a cell of another shape was a JSON string,
# kept as written. A file whose cells have none of these shapes holds no number, so it is not searched.
NUMBER_OR_NESTED = r"^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$|^[\[{]"


class JsonNumber(str):
    """A JSON number as its text in the file: the contract's cast reads it, with the rules of CSV cells."""


# Numbers (and the non-standard NaN and Infinity) kept as their text, so that nothing is read inexactly here.
JSON_DECODER = json.JSONDecoder(parse_float=JsonNumber, parse_int=JsonNumber, parse_constant=JsonNumber)


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
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | dict):
        return _json_text(value)
    return str(value)


def _json_text(value: object) -> str:
    """A decoded JSON value as JSON text (spaced as Polars writes it), its numbers as the file wrote them."""
    if isinstance(value, JsonNumber):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(map(_json_text, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_json_text(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _flat(record: dict, prefix: str = "") -> dict[str, str | None]:
    """A record's values as text cells; nested objects by their path (`location.lat`)."""
    cells: dict[str, str | None] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            cells.update(_flat(value, f"{prefix}{key}."))
        else:
            cells[f"{prefix}{key}"] = _cell(value)
    return cells


def column_names(path: Path, cells: Sequence[str | None]) -> tuple[list[str], list[str]]:
    """Header cells as column names (an empty one is `column_<n>`), and a warning per name that repeats:
    its second occurrence is `name#2`, its third `name#3`, so a profile can address each."""
    limit = get_settings().ingest_max_columns
    if len(cells) > limit:
        raise FileRefused(
            f"{path}: {len(cells):,} columns, more than SAFELAKE_INGEST_MAX_COLUMNS ({limit:,}); check the export"
        )
    names: list[str] = []
    seen: dict[str, int] = {}
    warnings: list[str] = []
    for i, cell in enumerate(cells):
        name = (cell or "").strip() or f"column_{i + 1}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    for name, count in seen.items():
        if count > 1:
            copies = ", ".join(repr(f"{name}#{n}") for n in range(2, count + 1))
            warnings.append(f"{path}: header has {name!r} {count} times; the repeats are read as {copies}")
    return names, warnings


def _check_unzipped(path: Path) -> None:
    """Refuse a workbook whose parts unzip to more than SAFELAKE_INGEST_MAX_UNZIPPED_MB (a zip bomb, e.g. a
    huge shared-strings table) before a parser allocates it."""
    limit = get_settings().ingest_max_unzipped_mb
    try:
        with zipfile.ZipFile(path) as book:
            size = sum(part.file_size for part in book.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: the XLSX parser says so
    if size > limit << 20:
        raise FileRefused(
            f"{path}: the workbook unzips to {size >> 20:,} MB, more than SAFELAKE_INGEST_MAX_UNZIPPED_MB "
            f"({limit:,}); export it as CSV or split it"
        )


def _xlsx_frame(path: Path, profile: Profile) -> pl.DataFrame:
    """The sheet's cells as text, the profile's leading rows skipped; `_line` is the row in the sheet."""
    _check_unzipped(path)
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


# An aggregate table's record is a cell; its `_line` packs the sheet's number, the row and the column, so that
# it is unique: sheet 2, row 14, column 5 (E) is 2_000014_0005.
SHEET_LINE, ROW_LINE = 10**10, 10**4
XLSX_ERRORS = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    SyntaxError,
    expat.ExpatError,
)


def _aggregate_book(path: Path) -> Workbook:
    _check_unzipped(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (*XLSX_ERRORS, OSError) as exc:
        raise _book_refused(path, exc) from None


def _book_refused(path: Path, exc: Exception) -> FileRefused:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return FileRefused(f"{path}: not a readable XLSX workbook ({reason}); check the file")


def _aggregate_sheets(path: Path, book: Workbook, spec: Aggregate) -> list[str]:
    missing = [name for name in spec.sheets or [] if name not in book.sheetnames]
    if missing:
        raise FileRefused(
            f"{path}: no sheet named {missing[0]!r} (it has {', '.join(map(repr, book.sheetnames))}); "
            "fix the profile's `aggregate.sheets`"
        )
    return spec.sheets or book.sheetnames


@dataclass
class _XmlCell:
    """The cell a sheet's XML stream is in: its address, formula, stored value, and which of them is being read."""

    ref: str = ""
    formula: str | None = None
    value: str = ""
    inside: str = ""


def _merges_and_formulas(
    sheet: ReadOnlyWorksheet,
) -> tuple[list[tuple[int, int, int, int]], dict[tuple[int, int], str]]:
    """(first column, first row, last column, last row) of each merged range, and (row, column) → formula of
    each cell that has a formula but no stored result (a workbook written by a program that does not compute
    formulas), which openpyxl reads as empty. A read-only sheet parses neither, so its XML is streamed once
    more, by expat with handlers only."""
    merged: list[str] = []
    formulas: dict[tuple[int, int], str] = {}
    cell = _XmlCell()

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = name.rpartition("}")[2]
        if tag == "mergeCell":
            merged.append(attrs.get("ref", ""))
        elif tag == "c":
            cell.ref, cell.formula, cell.value = attrs.get("r", ""), None, ""
        elif tag == "f":
            cell.inside, cell.formula = tag, ""
        elif tag == "v":
            cell.inside = tag

    def text(data: str) -> None:
        if cell.inside == "f":
            cell.formula = f"{cell.formula}{data}"
        elif cell.inside == "v":
            cell.value += data

    def end(name: str) -> None:
        tag = name.rpartition("}")[2]
        if tag in ("f", "v"):
            cell.inside = ""
        elif tag == "c" and cell.formula is not None and not cell.value.strip() and cell.ref:
            formulas[coordinate_to_tuple(cell.ref)] = f"={cell.formula}"

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    with sheet._get_source() as source:  # the sheet's XML part; openpyxl keeps the accessor private
        parser.ParseFile(source)
    return [range_boundaries(ref) for ref in merged], formulas


def _sheet_cells(path: Path, sheet: ReadOnlyWorksheet, number: int, spec: Aggregate, skip: int) -> list[dict]:
    """The sheet's table as one record per non-empty cell right of the label column: its row label and its
    header cells, a merged header cell's value spread over its span. Merged cells below the headers are not
    spread: a label or a count is never copied to a row that did not state it. A formula without a stored
    result is its text (`=SUM(B5:B7)`), which no count rule reads: quarantined, never taken for empty."""
    first, label_at = skip + spec.header_rows, column_index_from_string(spec.label_column)
    wanted = {name: coordinate_to_tuple(address) for name, address in spec.cells.items()}
    extra: dict[str, str | None] = dict.fromkeys(spec.cells)
    grid: list[list[str | None]] = []
    labels: dict[int, str | None] = {}
    cells: list[tuple[int, int, str]] = []
    sheet.reset_dimensions()  # the stored dimension may be wrong: each row is read as long as it is
    for row, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if len(values) > get_settings().ingest_max_columns:
            column_names(path, [None] * len(values))  # refuses
        if row >= SHEET_LINE // ROW_LINE or len(values) >= ROW_LINE:
            raise FileRefused(
                f"{path}: sheet {sheet.title!r} is larger than an aggregate table can be "
                f"({SHEET_LINE // ROW_LINE - 1:,} rows, {ROW_LINE - 1:,} columns); split it"
            )
        texts = [_cell(value) for value in values]
        extra.update((name, texts[c - 1]) for name, (r, c) in wanted.items() if r == row and c <= len(texts))
        if skip < row <= first:
            grid.append(texts)
        elif row > first:
            labels[row] = texts[label_at - 1] if label_at <= len(texts) else None
            cells += [(row, c, t) for c, t in enumerate(texts[label_at:], start=label_at + 1) if t and t.strip()]
    merged, formulas = _merges_and_formulas(sheet)
    cells += [(r, c, formula) for (r, c), formula in formulas.items() if r > first and c > label_at]
    width = max((c for _, c, _ in cells), default=0)
    grid = [line + [None] * (width - len(line)) for line in grid]
    for col1, row1, col2, row2 in merged:
        if skip < row1 <= first and col1 <= width:
            value = grid[row1 - skip - 1][col1 - 1]
            for r in range(row1, min(row2, first) + 1):
                grid[r - skip - 1][col1 - 1 : min(col2, width)] = [value] * (min(col2, width) - col1 + 1)
    return [
        {
            "_line": number * SHEET_LINE + row * ROW_LINE + column,
            "_row": row,
            "_col": column,
            "sheet": sheet.title,
            "cell": f"{get_column_letter(column)}{row}",
            "label": labels.get(row),
            **{h: grid[level][column - 1] if level < len(grid) else None for level, h in enumerate(spec.headers)},
            "value": text,
            **extra,
        }
        for row, column, text in cells
    ]


def _read_aggregate(path: Path, profile: Profile) -> tuple[pl.DataFrame, list[Rejected]]:
    """The tables of the profile's sheets unpivoted to one row per cell, their totals checked and taken out."""
    spec = profile.aggregate
    assert spec is not None
    book = _aggregate_book(path)
    try:
        records = [
            record
            for name in _aggregate_sheets(path, book, spec)
            for record in _sheet_cells(path, book[name], book.sheetnames.index(name) + 1, spec, profile.skip_rows)
        ]
    except XLSX_ERRORS as exc:
        raise _book_refused(path, exc) from None
    finally:
        book.close()
    schema = {"_line": pl.Int64, "_row": pl.Int64, "_col": pl.Int64} | dict.fromkeys(spec.columns, pl.String)
    return check_totals(pl.DataFrame(records, schema=schema, orient="row"), profile, spec)


def _aggregate_header(path: Path, profile: Profile) -> list[str]:
    """The header rows' cells of the first sheet the profile reads (used to pick a profile)."""
    spec = profile.aggregate
    assert spec is not None
    book = _aggregate_book(path)
    try:
        sheet = book[_aggregate_sheets(path, book, spec)[0]]
        first, last = profile.skip_rows + 1, profile.skip_rows + spec.header_rows
        rows = sheet.iter_rows(min_row=first, max_row=last, values_only=True)
        return [text for values in rows for text in map(_cell, values) if text]
    except XLSX_ERRORS as exc:
        raise _book_refused(path, exc) from None
    finally:
        book.close()


def header(path: Path, profile: Profile) -> list[str]:
    """The header cells as the profile would read them (used to pick a profile)."""
    if profile.aggregate is not None:
        return _aggregate_header(path, profile)
    if profile.format == "xlsx":
        cells = _xlsx_frame(path, profile)
        return column_names(path, list(cells.row(0)[1:]))[0] if cells.height else []
    if profile.format == "json":
        first = next(_json_records(path, profile), None)
        return list(first[1]) if first and isinstance(first[1], dict) else []
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
        except (ValueError, RecursionError):
            return []
        return list(_flat(first)) if isinstance(first, dict) else []
    return column_names(path, next(csv.reader([lines[0]], delimiter=profile.delimiter), []))[0]


def _require_columns(path: Path, frame: pl.DataFrame, profile: Profile) -> pl.DataFrame:
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
            if not isinstance(record, dict) or any(isinstance(v, dict) for v in record.values()):
                raise ValueError("not a flat JSON object")  # nested objects are read by path, in Python
            keys.update(dict.fromkeys(record))
    if len(keys) > get_settings().ingest_max_columns:
        raise ValueError("too many keys")  # the line-by-line reader refuses those records one by one
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
    does not map that first appears later is not read (it would only be shown in a quarantined row). A file
    with a number Polars would rewrite is read line by line, each number as its text."""
    utf8 = _utf8(path, data, profile.encoding)
    try:
        sample = _jsonl_keys(_first_lines(utf8))
        frame = pl.read_ndjson(io.BytesIO(utf8), schema=_jsonl_schema([sample], profile))
        if not _inexact_numbers(frame, [utf8]):
            if frame.height == utf8.count(b"\n") + (not utf8.endswith(b"\n")):
                frame = frame.with_row_index("_line", offset=1)
            else:  # blank lines, which the parser skips
                frame = frame.insert_column(0, pl.Series("_line", _record_lines(utf8)))
            return _drop_unsampled(frame, sample), []
    except (pl.exceptions.PolarsError, OSError, ValueError):
        pass
    text = decode(path, data, profile.encoding)  # refuses bytes that are not in the declared encoding
    if text.lstrip().startswith("["):
        raise FileRefused(f"{path}: a JSON array, not JSON lines; {JSON_SHAPES}")
    records, bad = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        reason, cells = _record(line)
        if reason:
            bad.append((number, reason))
        else:
            records.append({**cells, "_line": number})
    if not records:
        raise FileRefused(f"{path}: no readable JSON object on any line; {JSON_SHAPES}")
    return pl.from_dicts(records, infer_schema_length=None), bad


def _record(line: str) -> tuple[str, dict]:
    """(why the line is not a record, or "" and its cells)."""
    try:
        obj = JSON_DECODER.decode(line)
    except json.JSONDecodeError as exc:
        return f"not valid JSON ({exc.msg})", {}
    except RecursionError:
        return "JSON nested too deeply to read", {}
    return _object_cells(obj)


def _object_cells(obj: object) -> tuple[str, dict]:
    settings = get_settings()
    if not isinstance(obj, dict):
        return "not a JSON object", {}
    if _depth(obj) > settings.ingest_max_json_depth:
        return f"JSON objects nested deeper than SAFELAKE_INGEST_MAX_JSON_DEPTH ({settings.ingest_max_json_depth})", {}
    cells = _flat(obj)
    if len(cells) > settings.ingest_max_columns:
        return f"{len(cells):,} keys, more than SAFELAKE_INGEST_MAX_COLUMNS ({settings.ingest_max_columns:,})", {}
    return "", cells


def _depth(value: object) -> int:
    """How deep objects and arrays nest in `value` (json.loads bounds it by the interpreter's recursion limit)."""
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


class _JsonStream:
    """A JSON document read a block at a time: values are decoded one by one, so an array of records
    never has to be in memory whole. Tracks the line of the current position."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path, self.fh = path, path.open(encoding=encoding, newline="")
        self.buf, self.pos, self.line, self.eof = "", 0, 1, False

    def _more(self) -> bool:
        if self.eof:
            return False
        self.line += self.buf.count("\n", 0, self.pos)
        self.buf, self.pos = self.buf[self.pos :], 0
        block = self.fh.read(max(1 << 16, len(self.buf)))
        self.eof = not block
        self.buf += block
        return not self.eof

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end)."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos].isspace():
                self.pos += 1
            if self.pos < len(self.buf) or not self._more():
                return self.buf[self.pos : self.pos + 1]

    def take(self, expected: str) -> None:
        found = self.peek()
        if found != expected:
            raise FileRefused(
                f"{self.path}: line {self.here()}: expected {expected!r}, found {found or 'the end'!r}; {JSON_SHAPES}"
            )
        self.pos += 1

    def here(self) -> int:
        return self.line + self.buf.count("\n", 0, self.pos)

    def value(self) -> object:
        self.peek()
        while True:
            try:
                value, end = JSON_DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._more():
                    continue
                raise FileRefused(
                    f"{self.path}: line {exc.lineno - 1 + self.line}: not valid JSON ({exc.msg})"
                ) from None
            except RecursionError:
                raise FileRefused(f"{self.path}: line {self.here()}: JSON nested too deeply to read") from None
            if end == len(self.buf) and self._more():
                continue  # a number or literal may go on in the next block
            self.pos = end
            return value

    def close(self) -> None:
        self.fh.close()


def _json_records(path: Path, profile: Profile) -> Iterator[tuple[int, object]]:
    """(line, value) of each element of the document's array of records, the array found by `records`."""
    utf8 = codecs.lookup(profile.encoding).name == "utf-8"
    stream = _JsonStream(path, "utf-8-sig" if utf8 else profile.encoding)
    try:
        for key in profile.records.split(".") if profile.records else []:
            stream.take("{")
            while True:
                name = stream.value()
                stream.take(":")
                if name == key:
                    break
                stream.value()  # a sibling of the path: decoded and dropped
                if stream.peek() != ",":
                    raise FileRefused(f"{path}: no key {key!r} on the path {profile.records!r}; {JSON_SHAPES}")
                stream.take(",")
        stream.take("[")
        if stream.peek() == "]":
            return
        while True:
            stream.peek()
            line = stream.here()
            yield line, stream.value()
            if stream.peek() == "]":
                return
            stream.take(",")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"{path}: not valid {profile.encoding} ({exc.reason}); check the export's encoding") from None
    finally:
        stream.close()


def _read_json(path: Path, profile: Profile) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """A JSON array of records, decoded one record at a time and turned into frames in batches."""
    frames, records, bad = [], [], []
    for line, obj in _json_records(path, profile):
        reason, cells = _object_cells(obj)
        if reason:
            bad.append((line, reason))
            continue
        records.append({**cells, "_line": line})
        if len(records) == JSON_BATCH:
            frames.append(pl.from_dicts(records, infer_schema_length=None))
            records = []
    if records:
        frames.append(pl.from_dicts(records, infer_schema_length=None))
    if not frames:
        raise FileRefused(f"{path}: no JSON object in the array of records; {JSON_SHAPES}")
    return pl.concat(frames, how="diagonal_relaxed"), bad


def read(path: Path, profile: Profile) -> tuple[pl.DataFrame, Sequence[tuple[int, str] | Rejected], list[str]]:
    """(text cells with `_line`, unreadable records as (line, reason) or rejected ones, warnings about the
    header)."""
    if profile.format == "json" or profile.aggregate is not None:
        with path.open("rb") as fh:
            _check_bytes(path, fh.read(65536), binary_ok=profile.aggregate is not None)
        frame, refused = _read_json(path, profile) if profile.aggregate is None else _read_aggregate(path, profile)
        return _require_columns(path, _as_text(frame), profile), refused, []
    data = path.read_bytes()
    _check_bytes(path, data, binary_ok=profile.format == "xlsx")
    bad: list[tuple[int, str]] = []
    warnings: list[str] = []
    if profile.format == "xlsx":
        cells = _xlsx_frame(path, profile)
        if cells.height == 0:
            raise FileRefused(f"{path}: empty sheet; nothing to ingest")
        names, warnings = column_names(path, list(cells.row(0)[1:]))
        frame = cells.slice(1).rename(dict(zip(cells.columns[1:], names, strict=True)))
        frame = frame.filter(pl.any_horizontal(pl.exclude("_line").is_not_null()))
    elif profile.format == "jsonl":
        frame, bad = _read_jsonl(path, data, profile)
    else:
        frame, warnings = _read_csv(path, data, profile)
    return _require_columns(path, _as_text(frame), profile), bad, warnings


def _read_csv(path: Path, data: bytes, profile: Profile) -> tuple[pl.DataFrame, list[str]]:
    utf8 = _utf8(path, data, profile.encoding)
    start = 0
    for _ in range(profile.skip_rows):
        start = utf8.find(b"\n", start) + 1
    end = utf8.find(b"\n", start)
    header_line = utf8[start : len(utf8) if end < 0 else end]
    if header_line.count(profile.delimiter.encode()) >= get_settings().ingest_max_columns:
        column_names(path, [None] * (header_line.count(profile.delimiter.encode()) + 1))  # refuses
    try:
        cells = pl.read_csv(
            io.BytesIO(utf8),
            separator=profile.delimiter,
            skip_rows=profile.skip_rows,
            has_header=False,
            infer_schema=False,
        )
    except pl.exceptions.PolarsError as exc:
        decode(path, data, profile.encoding)  # bytes that are not valid UTF-8 get their own message
        reason = str(exc).strip().splitlines()[0]
        raise FileRefused(f"{path}: cannot be parsed as CSV ({reason}); check the delimiter and quoting") from None
    if cells.height == 0:
        raise FileRefused(f"{path}: empty file; nothing to ingest — ask the sender for the export again")
    names, warnings = column_names(path, list(cells.row(0)))
    frame = cells.slice(1).rename(dict(zip(cells.columns, names, strict=True)))
    lines = utf8.count(b"\n") + (not utf8.endswith(b"\n"))
    if lines == profile.skip_rows + cells.height:  # one line per record
        return frame.with_row_index("_line", offset=profile.skip_rows + 2), warnings
    first = _csv_record_lines(utf8.decode(), profile)
    if len(first) != frame.height:
        raise FileRefused(f"{path}: records cannot be matched to lines (quoting differs); check the quoting")
    return frame.insert_column(0, pl.Series("_line", first)), warnings


def _csv_record_lines(text: str, profile: Profile) -> list[int]:
    """The line on which each data record starts, for files whose quoted fields hold line breaks (a blank
    line is a record, as for the parser)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=profile.delimiter)
    starts, previous = [], 0
    for number, _ in enumerate(reader):
        if number > profile.skip_rows:
            starts.append(previous + 1)
        previous = reader.line_num
    return starts


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
        if _inexact_numbers(frame.drop("_path", "_line"), [path.read_bytes() for path in paths]):
            return None
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


def _inexact_numbers(frame: pl.DataFrame, files: list[bytes]) -> bool:
    """Whether any of the JSON texts, read by Polars as `frame`, may hold a number Polars would not keep as
    written (INEXACT_NUMBER). The texts are searched only if a cell of `frame` may come from a number
    (NUMBER_OR_NESTED), which costs a third as much; by Polars' regex engine, many times faster than Python's."""
    if not frame.select(pl.any_horizontal(pl.col(pl.String).str.contains(NUMBER_OR_NESTED).any())).item():
        return False
    try:
        texts = pl.Series(files, dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.ComputeError:  # not UTF-8 (which the readers refuse): what can be read is searched
        texts = pl.Series([data.decode(errors="replace") for data in files], dtype=pl.String)
    return bool(texts.str.contains(INEXACT_NUMBER).any())


def _head(path: Path) -> bytes:
    """The first JSONL_SAMPLE lines of the file."""
    head = b""
    with path.open("rb") as fh:
        while head.count(b"\n") < JSONL_SAMPLE and (block := fh.read(1 << 16)):
            head += block
    return _first_lines(head)
