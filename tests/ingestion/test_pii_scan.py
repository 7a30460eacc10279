"""No raw personal data anywhere under SAFELAKE_HOME except the archived originals.

The raw values come from the archived exports themselves (the columns their profiles map onto
`pii: true` contract columns). Everything else in the home (lake Parquet, catalog, quarantine,
warehouse builds, logs, records) is decoded and searched for them: structured files cell by cell,
text files by substring. The same search over the archive must find them, or the scan proves nothing.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import duckdb
import pytest

from ingestion import readers
from ingestion.profiles import all_profiles
from safelake.contracts import load_contracts

pytestmark = pytest.mark.slow

WORD = re.compile(r"\w+")
MIN_LENGTH = 6  # shorter values ("Ivan") also occur as ordinary words; names and phones are longer


def raw_personal_values(archive: Path) -> set[str]:
    contracts = load_contracts()
    values: set[str] = set()
    for path in archive.rglob("*"):
        if not path.is_file():
            continue
        dataset = path.relative_to(archive).parts[0]
        if not contracts[dataset].pii_columns:
            continue
        for profile in (p for p in all_profiles().values() if p.dataset == dataset):
            try:
                if not profile.matches_header(readers.header(path, profile)):
                    continue
                frame, _, _ = readers.read(path, profile)
            except readers.FileRefused:
                continue
            pii = contracts[dataset].pii_columns
            sources = {s for name in pii if name in profile.columns for s in profile.columns[name].sources}
            for source in sources & set(frame.columns):
                values |= {
                    v.strip()
                    for v in frame[source].drop_nulls().cast(str)
                    if len(v.strip()) >= MIN_LENGTH and WORD.search(v)
                }
            break
    return values


def cells(path: Path) -> set[str]:
    """Every text cell of a Parquet, DuckDB or SQLite file."""
    if path.suffix == ".parquet":
        with duckdb.connect() as con:
            frame = con.execute(f"SELECT * FROM read_parquet('{path}')").pl()
        return {str(v) for column in frame.columns for v in frame[column].drop_nulls().cast(str)}
    if path.suffix == ".duckdb":
        found: set[str] = set()
        with duckdb.connect(str(path), read_only=True) as con:
            tables = con.execute(
                "SELECT schema_name, table_name, list(column_name) FROM duckdb_columns() "
                "WHERE data_type = 'VARCHAR' AND NOT internal GROUP BY ALL"
            ).fetchall()
            for schema, table, columns in tables:
                for column in columns:
                    query = f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
                    try:
                        found |= {row[0] for row in con.execute(query).fetchall()}
                    except duckdb.Error:  # a view over the lake, which is scanned as Parquet
                        break
        return found
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        found = set()
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for row in con.execute(f'SELECT * FROM "{table}"'):
                found |= {str(v) for v in row if v is not None}
        return found


def text_of(path: Path) -> str:
    if path.suffix in (".parquet", ".duckdb", ".sqlite"):
        return "\n".join(cells(path))
    return path.read_bytes().decode("utf-8", errors="ignore")


def leaks(root: Path, values: set[str], skip: Path | None = None) -> dict[str, list[str]]:
    """Files under root (but not under skip) holding any of the values. A value is looked for where its longest
    word stands as a whole word of the file's text: one pass over the text's words, whatever the number of
    values (a street or a first name alone is in many files)."""
    by_word: dict[str, list[tuple[str, int]]] = {}
    for value in values:
        longest = max(WORD.finditer(value), key=lambda m: len(m.group()))
        by_word.setdefault(longest.group(), []).append((value, longest.start()))
    found: dict[str, list[str]] = {}
    for path in root.rglob("*"):
        if not path.is_file() or (skip and path.is_relative_to(skip)):
            continue
        text = text_of(path)
        hits = {
            value
            for word in WORD.finditer(text)
            for value, offset in by_word.get(word.group(), ())
            if text.startswith(value, word.start() - offset)
        }
        if hits:
            found[str(path.relative_to(root))] = sorted(hits)[:3]
    return found


def test_no_raw_personal_data_outside_the_archive(published) -> None:
    settings = published.settings()
    values = raw_personal_values(settings.archive)
    assert len(values) > 100, "the demo exports carry names, phones and addresses"
    # the scan must find raw values where they are, the originals (a spread of 2,000 of them is enough to show it;
    # every one of them, in exports that repeat streets and names thousands of times, takes minutes)
    sample = set(sorted(values)[:: max(1, len(values) // 2000)])
    assert leaks(settings.archive, sample), "the scan must find the raw values where they are (the originals)"
    assert leaks(settings.home, values, skip=settings.archive) == {}
