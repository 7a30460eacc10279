"""Casting and validation against a contract, and pseudonymisation: the rules every path into the lake shares
(files through ingestion/, events through stream/). Pure Polars expressions, no I/O."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable

import polars as pl

from safelake.contracts import Column, Contract
from safelake.reference import Geography

TRUE = ["true", "1", "yes", "y", "t", "да", "ооба"]
FALSE = ["false", "0", "no", "n", "f", "нет", "жок"]
ISO_AWARE = ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%z"]
ISO_NAIVE = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]


def pseudonymise(values: pl.Series, key: bytes) -> pl.Series:
    """Keyed hash (HMAC-SHA256, 128 bits shown) of each value; equal inputs stay joinable."""
    return pl.Series(
        values.name,
        [None if v is None else hmac.new(key, v.encode(), hashlib.sha256).hexdigest()[:32] for v in values],
        dtype=pl.String,
    )


def _number_text(text: pl.Expr, decimal_comma: bool) -> pl.Expr:
    cleaned = text.str.replace_all(r"[^0-9,.\-]", "")
    if decimal_comma:
        return cleaned.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return cleaned.str.replace_all(",", "", literal=True)


def _timestamp(text: pl.Expr, formats: list[str], tz: str, values: pl.Series | None = None) -> pl.Expr:
    """The text parsed by the first format that fits: the profile's, then ISO 8601. Given the column's
    `values`, formats that parse none of the values the ones before left unparsed are dropped: the
    result is the same, and each format costs a parse of every row. ISO 8601's `Z` is UTC (Polars' %z does not
    read it)."""
    text = text.str.replace(r"Z$", "+00:00")
    if values is not None:
        values = values.str.replace(r"Z$", "+00:00")
    aware = [f for f in [*formats, *ISO_AWARE] if "%z" in f]
    naive = [f for f in [*formats, *ISO_NAIVE] if "%z" not in f]

    def aware_parser(f: str) -> Callable[[pl.Expr], pl.Expr]:
        return lambda t: t.str.strptime(pl.Datetime("us", "UTC"), f, strict=False)

    def naive_parser(f: str) -> Callable[[pl.Expr], pl.Expr]:
        return lambda t: (
            t.str.strptime(pl.Datetime("us"), f, strict=False)
            .dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
        )

    parsers = [aware_parser(f) for f in aware] + [naive_parser(f) for f in naive]
    if values is not None:
        needed, left = [], values.drop_nulls().to_frame("v")
        for parse in parsers:
            if left.height == 0:
                break
            parsed = left.select(parse(pl.col("v"))).to_series()
            if parsed.null_count() < left.height:
                needed.append(parse)
                left = left.filter(parsed.is_null())
        parsers = needed or parsers[:1]
    return pl.coalesce([parse(text) for parse in parsers])


def cast(
    col: Column,
    text: pl.Expr,
    tz: str,
    formats: list[str] | tuple[str, ...] = (),
    decimal_comma: bool = False,
    values: pl.Series | None = None,
) -> pl.Expr:
    """The typed value of `text`: `formats` are tried before ISO 8601, naive times are in `tz`; `values` (the
    column's text, when known) lets timestamps skip formats."""
    if col.type == "string":
        return text
    if col.type == "bool":
        low = text.str.to_lowercase()
        return pl.when(low.is_in(TRUE)).then(True).when(low.is_in(FALSE)).then(False).otherwise(None)
    if col.type in ("int", "double", "decimal"):
        number = _number_text(text, decimal_comma)
        if col.type == "decimal":
            return number.cast(pl.Decimal(18, 2), strict=False)
        as_float = number.cast(pl.Float64, strict=False)
        if col.type == "double":
            return as_float
        return pl.when(as_float == as_float.floor()).then(as_float.cast(pl.Int64, strict=False))
    stamp = _timestamp(text, list(formats), tz, values)
    if col.type == "date":
        dates = [text.str.strptime(pl.Date, f, strict=False) for f in [*formats, "%Y-%m-%d"] if "%H" not in f]
        return pl.coalesce([*dates, stamp.dt.convert_time_zone(tz).dt.date()])
    return stamp


def failure(cond: pl.Expr, column: str, reason: str, detail: pl.Expr | str) -> pl.Expr:
    detail = pl.lit(detail) if isinstance(detail, str) else detail
    return pl.when(cond).then(pl.concat_str([pl.lit(f"{column}\x1f{reason}\x1f"), detail]))


def checks(contract: Contract, geo: Geography, now: dt.datetime) -> list[pl.Expr]:
    """One expression per rule; each yields 'column␟reason␟detail' where the row breaks it."""
    found = []
    regions = geo.regions["region_code"].to_list()
    for col in contract.columns:
        value, text = pl.col(col.name), pl.col(f"_text_{col.name}")
        shown = pl.lit("(personal data)") if col.pii else pl.format("'{}'", text)
        if col.required:
            found.append(failure(text.is_null(), col.name, "missing", "required value is empty"))
        if col.ref == "region":
            unknown = value.is_null() | ~value.is_in(regions)
            found.append(failure(text.is_not_null() & unknown, col.name, "unknown_region", shown))
        elif col.ref == "district":
            found.append(failure(text.is_not_null() & value.is_null(), col.name, "unknown_district", shown))
        elif col.codes:
            found.append(failure(text.is_not_null() & ~value.is_in(col.codes), col.name, "unknown_code", shown))
        elif col.type != "string":
            found.append(failure(text.is_not_null() & value.is_null(), col.name, f"bad_{col.type}", shown))
        if col.min is not None:
            found.append(failure(value < col.min, col.name, "out_of_range", pl.format("{} < {}", value, col.min)))
        if col.max is not None:
            found.append(failure(value > col.max, col.name, "out_of_range", pl.format("{} > {}", value, col.max)))
    if contract.time and contract.column(contract.time).type == "timestamp":
        future = pl.col(contract.time) > now + dt.timedelta(days=1)
        found.append(failure(future, contract.time, "future_date", pl.format("{}", pl.col(contract.time))))
    return found
