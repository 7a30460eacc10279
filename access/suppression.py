"""Small-count suppression, declared next to the models and carried into the warehouse (meta.declared).

A published column is sensitive when its dbt `meta` says so:

- `sensitive: withheld` - NULL on every row (or on the table's `sensitive_rows`) for a scope not cleared:
  the case-level flags and attributes (victim under 18, domestic violence, children hurt, victim age group)
  and the daily counts, which are the building blocks every window adds up from;
- `sensitive: count` - a count between 1 and `suppress_below` - 1 (on `sensitive_rows`, if declared) is NULL
  (primary suppression); when the table declares `suppression`, other cells are hidden too (complementary
  suppression) so that no published total, sum of parts or difference gives a hidden cell back;
- `sensitive: derived`, `of: [columns]` - NULL wherever one of those columns is.

`suppression` describes the table's additive structure: `tables_by` (columns whose values make separate
tables, e.g. the CompStat window), `area` (the level column, then the codes from the top down: a row's parent
has the same codes but the last one), `category` and `category_total` (the category value that holds the sum
of the others; without it the sum is published elsewhere and counts as known). Each relation is a total and
its parts. Rule (applied until nothing changes): a relation with exactly one hidden member gets a second one,
and hidden parts under a known total must add up to at least `suppress_below`; the cell added is the
smallest part with a count above zero (zeros, then the total, only when no such part is left).
The pattern depends only on the national data, so it is the same for every scope that is not cleared; a
regional scope sees a subset of the relations.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import defaultdict
from collections.abc import Iterator

import duckdb

from safelake.errors import SafeLakeError

KINDS = ("withheld", "count", "derived")


@dataclasses.dataclass(frozen=True)
class TableRules:
    """One table's declarations: its sensitive columns (column -> meta), rows and additive structure."""

    name: str  # schema.table
    columns: dict[str, dict]
    sensitive_rows: str | None = None
    suppression: dict | None = None

    def of_kind(self, kind: str) -> list[str]:
        return [c for c, meta in self.columns.items() if meta["sensitive"] == kind]


def load_rules(con: duckdb.DuckDBPyConnection, alias: str) -> dict[str, TableRules]:
    """The declarations stored in the published build; a build without them is refused (fail closed)."""
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'meta' "
        "AND table_name = 'declared'",
        [alias],
    ).fetchone()[0]
    if not found:
        raise SafeLakeError(
            "the published warehouse carries no sensitivity declarations (built before they existed); "
            "run `safelake build` to publish a new one"
        )
    tables: dict[str, dict] = defaultdict(lambda: {"columns": {}})
    for schema, table, column, meta in con.execute(
        f"SELECT schema_name, table_name, column_name, meta FROM {alias}.meta.declared ORDER BY ALL"
    ).fetchall():
        meta = json.loads(meta)
        entry = tables[f"{schema}.{table}"]
        if column is None:
            entry["sensitive_rows"] = meta.get("sensitive_rows")
            entry["suppression"] = meta.get("suppression")
        elif "sensitive" in meta:
            if meta["sensitive"] not in KINDS:
                raise SafeLakeError(f"{schema}.{table}.{column}: meta sensitive must be one of {', '.join(KINDS)}")
            entry["columns"][column] = meta
    return {name: TableRules(name, **entry) for name, entry in tables.items() if entry["columns"]}


Cell = int  # the row's rowid in the published table


def _relations(rows: list[tuple], spec: dict) -> Iterator[tuple[Cell | None, list[Cell]]]:
    """(total, parts) of every additive relation; total None: published elsewhere, known to everyone.
    rows: (rowid, *tables_by, area level, *area codes, category)."""
    n_by = len(spec.get("tables_by", []))
    total_value = spec.get("category_total")
    depth: dict[str, int] = defaultdict(int)  # a level's depth: how many codes its rows carry at most
    for row in rows:
        level, codes = row[1 + n_by], row[2 + n_by : -1]
        depth[level] = max(depth[level], sum(code is not None for code in codes))
    level_at = {d: level for level, d in depth.items()}
    by_key: dict[tuple, Cell] = {}
    areas: dict[tuple, list[Cell]] = defaultdict(list)
    below: dict[tuple, list[Cell]] = defaultdict(list)
    for row in rows:
        cell, group, level, codes, category = row[0], row[1 : 1 + n_by], row[1 + n_by], row[2 + n_by : -1], row[-1]
        by_key[(group, level, codes, category)] = cell
        if category != total_value:
            areas[(group, level, codes)].append(cell)
        d = depth[level]
        if d and d - 1 in level_at:
            parent = codes[: d - 1] + (None,) * (len(codes) - d + 1)
            below[(group, level_at[d - 1], parent, category)].append(cell)
    for (group, level, codes), parts in areas.items():
        yield (by_key.get((group, level, codes, total_value)) if total_value is not None else None), parts
    for key, parts in below.items():
        yield by_key.get(key), parts


def complement(values: dict[Cell, int], relations: list[tuple[Cell | None, list[Cell]]], hidden: set[Cell], below: int):
    """Add cells to `hidden` until every relation is protected (the rule in the module docstring)."""
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            total_hidden = total is not None and total in hidden
            hidden_parts = [c for c in parts if c in hidden]
            if not hidden_parts and not total_hidden:
                continue
            exposed = len(hidden_parts) + total_hidden == 1 or (
                not total_hidden and sum(values[c] for c in hidden_parts) < below
            )
            if not exposed:
                continue
            visible = sorted((c for c in parts if c not in hidden), key=lambda c: (values[c] == 0, values[c], c))
            if visible:
                hidden.add(visible[0])
            elif total is not None and not total_hidden:
                hidden.add(total)
            else:
                continue
            changed = True


def hidden_cells(con: duckdb.DuckDBPyConnection, source: str, rules: TableRules, below: int) -> dict[str, set[Cell]]:
    """For each `count` and `derived` column, the rowids of `source` (the published table) it is NULL on."""
    counts = rules.of_kind("count")
    spec = rules.suppression
    keys = [*spec.get("tables_by", []), *spec["area"], spec["category"]] if spec else []
    flag = rules.sensitive_rows or "true"
    select = ", ".join(["rowid", f"coalesce({flag}, false)", *counts, *keys])
    rows = con.execute(f"SELECT {select} FROM {source}").fetchall()
    hidden: dict[str, set[Cell]] = {}
    for i, column in enumerate(counts):
        values = {row[0]: row[2 + i] or 0 for row in rows}
        cells = {row[0] for row in rows if row[1] and 1 <= values[row[0]] < below}
        if spec:
            complement(values, list(_relations([(r[0], *r[2 + len(counts) :]) for r in rows], spec)), cells, below)
        hidden[column] = cells
    for column in rules.of_kind("derived"):
        hidden[column] = set().union(*(hidden[c] for c in rules.columns[column]["of"]))
    return hidden


_cache: dict[tuple[str, int], dict[str, dict[str, set[Cell]]]] = {}
_cache_lock = threading.Lock()


def patterns(
    con: duckdb.DuckDBPyConnection, alias: str, build: str, rules: dict[str, TableRules], below: int
) -> dict[str, dict[str, set[Cell]]]:
    """Hidden cells per table and column, computed once per published build and threshold in this process."""
    key = (build, below)
    with _cache_lock:
        if key not in _cache:
            _cache.clear()  # only the newest build is read
            _cache[key] = {
                name: hidden_cells(con, f"{alias}.{name}", table, below)
                for name, table in rules.items()
                if table.of_kind("count")
            }
        return _cache[key]
