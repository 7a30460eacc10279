"""Small-count suppression, declared next to the models and carried into the warehouse (meta.declared).

A published column is sensitive when its dbt `meta` says so:

- `sensitive: withheld` - NULL on every row (or on the table's `sensitive_rows`) for a scope not cleared:
  the case-level flags and attributes (victim under 18, domestic violence, children hurt, victim age group)
  and the daily counts, which are the building blocks every window adds up from;
- `sensitive: count` - a count between 1 and `suppress_below` - 1 (on `sensitive_rows`, if declared) is NULL
  (primary suppression); when the table declares `suppression`, other cells are hidden too (complementary
  suppression) so that no published total, sum of parts or difference gives a hidden cell back;
- `sensitive: derived`, `of: [columns]` - NULL wherever one of those columns is.

Each declaration applies to scopes without its `clearance`: `sensitive` (the default: minors, domestic violence)
or `personnel` (discipline and integrity). A table declared `personnel: true` has no rows at all for a scope
not cleared for personnel data (access/policy.py).

`suppression` describes the table's additive structure: `tables_by` (columns whose values make separate
tables, e.g. the CompStat window), `area` (the level column, then the codes from the top down: a row's parent
has the same codes but the last one), `category` and `category_total` (the category value that holds the sum
of the others; without it the sum is published elsewhere and counts as known). Each relation is a total and
its parts. Rule (applied until nothing changes): a relation with exactly one hidden member gets a second one,
and hidden parts under a known total must add up to at least `suppress_below`; the cell added is the
smallest part with a count above zero (zeros, then the total, only when no such part is left). Then the
relations are solved as linear equations (`recoverable`): while some hidden cell is still determined by them
(in two dimensions pairs of relations can pin a cell the first rule left alone), a part next to it is hidden
too.
The pattern depends only on the national data, so it is the same for every scope that is not cleared; a
regional scope sees a subset of the relations.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np

from safelake.errors import SafeLakeError
from safelake.lake import fetch_one

KINDS = ("withheld", "count", "derived")
# who may see a sensitive column: scopes cleared for small counts about minors and domestic violence
# (`sensitive`, the default) or for personnel data (`personnel`: discipline and integrity)
CLEARANCES = ("sensitive", "personnel")


def clearance(meta: dict) -> str:
    return meta.get("clearance", "sensitive")


@dataclasses.dataclass(frozen=True)
class TableRules:
    """One table's declarations: its sensitive columns (column -> meta), rows and additive structure."""

    name: str  # schema.table
    columns: dict[str, dict]
    sensitive_rows: str | None = None
    suppression: dict | None = None
    personnel: bool = False  # every row is personnel data

    def of_kind(self, kind: str) -> list[str]:
        return [c for c, meta in self.columns.items() if meta["sensitive"] == kind]


def load_rules(con: duckdb.DuckDBPyConnection, alias: str) -> dict[str, TableRules]:
    """The declarations stored in the published build; a build without them is refused (fail closed)."""
    found = fetch_one(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'meta' "
        "AND table_name = 'declared'",
        [alias],
    )[0]
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
            entry["personnel"] = meta.get("personnel") is True
        elif "sensitive" in meta:
            if meta["sensitive"] not in KINDS:
                raise SafeLakeError(f"{schema}.{table}.{column}: meta sensitive must be one of {', '.join(KINDS)}")
            if clearance(meta) not in CLEARANCES:
                raise SafeLakeError(f"{schema}.{table}.{column}: meta clearance must be one of {', '.join(CLEARANCES)}")
            entry["columns"][column] = meta
    return {
        name: TableRules(name, **entry) for name, entry in tables.items() if entry["columns"] or entry.get("personnel")
    }


Cell = int  # the row's rowid in the published table
Relation = tuple[Cell | None, list[Cell]]  # a total (None: published elsewhere) and its parts


def _relations(rows: list[tuple], spec: dict) -> Iterator[Relation]:
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


def _greedy(values: dict[Cell, int], relations: list[Relation], hidden: set[Cell], below: int) -> None:
    """Until nothing changes: a relation with exactly one hidden member gets a second, and hidden parts under a
    visible total add up to at least `below`; the cell added is the smallest part above zero."""
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
            if exposed and _hide_one_more(values, total, parts, hidden):
                changed = True


def _hide_one_more(values: dict[Cell, int], total: Cell | None, parts: list[Cell], hidden: set[Cell]) -> bool:
    visible = sorted((c for c in parts if c not in hidden), key=lambda c: (values[c] == 0, values[c], c))
    if visible:
        hidden.add(visible[0])
    elif total is not None and total not in hidden:
        hidden.add(total)
    else:
        return False
    return True


def recoverable(relations: list[Relation], hidden: set[Cell]) -> set[Cell]:
    """The hidden cells that additions and subtractions of published cells give back: each relation is a linear
    equation over its hidden members (total - parts = what the visible members add up to), and a cell is
    recoverable when its unit vector lies in the span of those equations. Solved per connected group of
    hidden cells (cells that share no equation cannot help to find each other)."""
    parent = {c: c for c in hidden}

    def root(c: Cell) -> Cell:
        while parent[c] != c:
            parent[c] = c = parent[parent[c]]
        return c

    equations: list[dict[Cell, int]] = []
    for total, parts in relations:
        equation = {c: -1 for c in parts if c in hidden}
        if total is not None and total in hidden:
            equation[total] = 1
        if equation:
            equations.append(equation)
            first, *rest = equation
            for c in rest:
                parent[root(c)] = root(first)
    groups: dict[Cell, list[dict[Cell, int]]] = defaultdict(list)
    for equation in equations:
        groups[root(next(iter(equation)))].append(equation)
    found = set()
    for group in groups.values():
        cells = sorted(set().union(*group))
        column = {c: i for i, c in enumerate(cells)}
        matrix = np.zeros((len(group), len(cells)))
        for i, equation in enumerate(group):
            for c, sign in equation.items():
                matrix[i, column[c]] = sign
        weights, vectors = np.linalg.eigh(matrix.T @ matrix)
        basis = vectors[:, weights > 1e-9 * weights.max()]
        found |= {cells[i] for i in np.flatnonzero((basis**2).sum(axis=1) > 1 - 1e-6)}
    return found


def complement(values: dict[Cell, int], relations: list[Relation], hidden: set[Cell], below: int) -> None:
    """Add cells to `hidden` until no relation exposes a cell and no hidden cell is recoverable (module docstring)."""
    _greedy(values, relations, hidden, below)
    while exposed := recoverable(relations, hidden):
        cell = min(exposed)
        if not any(_hide_one_more(values, t, p, hidden) for t, p in relations if cell == t or cell in p):
            raise SafeLakeError(f"small-count suppression cannot protect cell {cell}; the table's structure is wrong")
        _greedy(values, relations, hidden, below)


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
    con: duckdb.DuckDBPyConnection, alias: str, build: str, rules: dict[str, TableRules], below: int, folder: Path
) -> dict[str, dict[str, set[Cell]]]:
    """Hidden cells per table and column of one published build and threshold: computed once, kept in this
    process and in `folder` (a file per build, written whole then renamed) for the other processes."""
    key = (build, below)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        path = folder / f"{build}-{below}.json"
        if path.exists():
            stored = json.loads(path.read_text())
            found = {t: {c: set(cells) for c, cells in columns.items()} for t, columns in stored.items()}
        else:
            found = {
                name: hidden_cells(con, f"{alias}.{name}", table, below)
                for name, table in rules.items()
                if table.of_kind("count")
            }
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("*.json"):  # only the newest build is read
                old.unlink(missing_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            tmp.write_text(json.dumps({t: {c: sorted(v) for c, v in cols.items()} for t, cols in found.items()}))
            os.replace(tmp, path)
        _cache.clear()
        _cache[key] = found
        return found
