"""Totals of aggregate tables (docs/profiles.md#aggregate-workbooks), checked against the sum of their parts.

A cell is a total along its rows when its row label is one of the profile's `totals`, and along its columns
when one of its header cells is. A totals row's parts are the other rows' cells in its column; a totals
column's parts are the cells of its row whose headers are no total and equal its own on every level where
its own is no total (`Всего / registered` sums every group's `registered`). The counts are read by the
profile's own rule for `value`, so a total is compared with exactly what its parts are stored as.

Pure functions of DataFrames (no I/O).
"""

from __future__ import annotations

import polars as pl

from ingestion.profiles import Aggregate, Profile
from ingestion.transform import Rejected, text_expr, typed_expr
from safelake.contracts import load_contracts
from safelake.validate import QuarantineReason


def _is_total(column: str, labels: list[str]) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.to_lowercase().is_in(labels).fill_null(False)


def _sums(parts: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    return parts.group_by(by).agg(_sum=pl.col("_n").sum(), _parts=pl.len(), _unread=pl.col("_n").is_null().sum())


def _along_columns(cells: pl.DataFrame, headers: list[str]) -> list[pl.DataFrame]:
    """Each totals column's cells with the sum of their parts in the same row."""
    flags = [f"_total_{h}" for h in headers]
    parts = cells.filter(~pl.any_horizontal(flags))
    checked = []
    for mask in cells.filter(pl.any_horizontal(flags)).select(flags).unique().iter_rows():
        same = [h for h, total in zip(headers, mask, strict=True) if not total]
        totals = cells.filter(*(pl.col(f) == m for f, m in zip(flags, mask, strict=True)))
        sums = _sums(parts, ["sheet", "_row", *same])
        checked.append(totals.join(sums, on=["sheet", "_row", *same], how="left", nulls_equal=True))
    return [frame.with_columns(_along=pl.lit("row")) for frame in checked]


def check_totals(cells: pl.DataFrame, profile: Profile, aggregate: Aggregate) -> tuple[pl.DataFrame, list[Rejected]]:
    """(the cells that are no total, the totals that disagree with their parts or cannot be checked). A total
    that agrees is dropped: the parts hold it."""
    labels = [label.strip().lower() for label in aggregate.totals]
    headers = aggregate.headers
    name = profile.count_column
    rule = profile.columns[name]
    count = typed_expr(load_contracts()[profile.dataset].column(name), rule, text_expr(rule), "UTC")
    cells = cells.with_columns(
        _n=count, _total_label=_is_total("label", labels), **{f"_total_{h}": _is_total(h, labels) for h in headers}
    )
    total = pl.any_horizontal("_total_label", *(f"_total_{h}" for h in headers))
    parts = cells.filter(~pl.col("_total_label"))
    by_column = cells.filter("_total_label").join(_sums(parts, ["sheet", "_col"]), on=["sheet", "_col"], how="left")
    checked = [by_column.with_columns(_along=pl.lit("column")), *_along_columns(cells, headers)]
    verdicts = pl.concat(checked, how="diagonal_relaxed").with_columns(
        _reason=pl.when(pl.col("_n").is_null() | pl.col("_parts").is_null() | (pl.col("_unread") > 0))
        .then(pl.lit(QuarantineReason.TOTAL_UNCHECKED.value))
        .when(pl.col("_sum") != pl.col("_n"))
        .then(pl.lit(QuarantineReason.TOTAL_MISMATCH.value))
    )
    source = [c for c in cells.columns if not c.startswith("_")]
    failed = (
        verdicts.filter(pl.col("_reason").is_not_null())
        .sort("_line", pl.col("_reason") != QuarantineReason.TOTAL_MISMATCH)
        .unique("_line", keep="first", maintain_order=True)
        .with_columns(_raw=pl.struct(source).struct.json_encode())
    )
    rejected = [
        Rejected(row["_line"], name, QuarantineReason(row["_reason"]), _detail(row, headers), row["_raw"])
        for row in failed.iter_rows(named=True)
    ]
    return cells.filter(~total).select("_line", *source), rejected


def _detail(row: dict, headers: list[str]) -> str:
    where = f"{row['sheet']}!{row['cell']} ({' / '.join(str(row[h]) for h in ['label', *headers])})"
    if row["_n"] is None:
        return f"total {row['value']!r} at {where} is not a number"
    if row["_parts"] is None:
        return f"total {row['_n']} at {where} has no parts in its {row['_along']} to check it against"
    if row["_unread"]:
        return f"total {row['_n']} at {where}: {row['_unread']} of its parts in its {row['_along']} are not numbers"
    parts = f"its {row['_parts']} parts in its {row['_along']}"
    return f"total {row['_n']} at {where} is not {row['_sum']}, the sum of {parts}"
