"""Reading values exactly and checking them against a contract: one set of rules for files and live events."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable
from enum import StrEnum

import polars as pl

from safelake.contracts import Column, Contract
from safelake.reference import Geography

TRUE = ["true", "1", "yes", "y", "t", "да", "ооба"]
FALSE = ["false", "0", "no", "n", "f", "нет", "жок"]
# `%#z` reads `Z`, `+06`, `+0600` and `+06:00`.
ISO_AWARE = ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%#z", "%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%#z"]
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


# A number as exports write it: a currency sign or word before or after, one sign (ASCII or Unicode minus),
# digits grouped in threes or not, a fraction, an exponent. Anything else is not read as a number.
_CURRENCY = r"(?:\p{Sc}|\p{L}{2,5}\.?)?"
_SIGN = r"[+\-\u2212]"


def _number_pattern(decimal_comma: bool) -> str:
    point, group = (",", r"[.\s]") if decimal_comma else (r"\.", r"[,\s]")
    return (
        rf"^\s*(?:(?<sign1>{_SIGN})\s*{_CURRENCY}|{_CURRENCY}\s*(?<sign2>{_SIGN})?)\s*"
        rf"(?<int>\d{{1,3}}(?:{group}\d{{3}})+|\d+)(?<frac>{point}\d+)?(?<exp>[eE][+\-]?\d+)?\s*{_CURRENCY}\s*$"
    )


def _number_parts(text: pl.Expr, decimal_comma: bool) -> pl.Expr:
    """The number's parts (sign1, sign2, int, frac, exp) as a struct; all null where `text` is not a number."""
    return text.str.extract_groups(_number_pattern(decimal_comma))


def _number_text(parts: pl.Expr) -> pl.Expr:
    """The canonical text of a number (`-1234.5e3`), null where it is not one."""
    field = parts.struct.field
    sign = pl.coalesce(field("sign1"), field("sign2"), pl.lit("")).replace({"\u2212": "-", "+": ""})
    digits = field("int").str.replace_all(r"\D", "")
    fraction = pl.lit(".") + field("frac").str.slice(1)
    return pl.concat_str([sign, digits, fraction.fill_null(""), field("exp").fill_null("")])


def _digits(parts: pl.Expr) -> pl.Expr:
    """The number's digits, without its sign, group separators, point and exponent."""
    return parts.struct.field("int").str.replace_all(r"\D", "") + parts.struct.field("frac").str.slice(1).fill_null("")


def _places(parts: pl.Expr) -> pl.Expr:
    """How many decimal places the number's exact value needs (0 or fewer: a whole number); null when its
    exponent is too large to read."""
    field = parts.struct.field
    fraction = field("frac").str.slice(1).fill_null("")
    digits = _digits(parts)
    exponent = pl.when(field("exp").is_null()).then(0).otherwise(field("exp").str.slice(1).cast(pl.Int64, strict=False))
    zeros = digits.str.len_chars().cast(pl.Int64) - digits.str.strip_chars_end("0").str.len_chars().cast(pl.Int64)
    places = fraction.str.len_chars().cast(pl.Int64) - exponent - zeros
    return pl.when(digits.str.strip_chars("0") == "").then(0).otherwise(places)


# The smallest and largest magnitudes a double holds with all its digits (IEEE 754 normal numbers).
DOUBLE_MIN, DOUBLE_MAX = 2.2250738585072014e-308, 1.7976931348623157e308


def has_offset(fmt: str) -> bool:
    return re.search(r"%[#:]?z", fmt) is not None


def _timestamp(text: pl.Expr, formats: list[str], tz: str, values: pl.Series | None = None) -> pl.Expr:
    """The text parsed by the first format that fits: the profile's, then ISO 8601. Given the column's
    `values`, formats that parse none of the values the ones before left unparsed are dropped: the
    result is the same, and each format costs a parse of every row."""
    aware = [f for f in [*formats, *ISO_AWARE] if has_offset(f)]
    naive = [f for f in [*formats, *ISO_NAIVE] if not has_offset(f)]

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
    column's text, when known) lets timestamps skip formats. A value that cannot be read exactly is null."""
    if col.type == "string":
        return text
    if col.type == "bool":
        low = text.str.to_lowercase()
        return pl.when(low.is_in(TRUE)).then(True).when(low.is_in(FALSE)).then(False).otherwise(None)
    if col.type in ("int", "double", "decimal"):
        parts = _number_parts(text, decimal_comma)
        number = _number_text(parts)
        if col.type == "double":  # the nearest double, unless the text is past its range (inf, 0, lost digits)
            value = number.cast(pl.Float64, strict=False)
            zero = _digits(parts).str.strip_chars("0") == ""
            return pl.when(value.abs().is_between(DOUBLE_MIN, DOUBLE_MAX) | zero).then(value)
        places = _places(parts)
        if col.type == "decimal":  # only a value that DECIMAL(18,2) holds exactly
            return pl.when(places <= 2).then(number.cast(pl.Decimal(18, 2), strict=False))
        whole = parts.struct.field("frac").is_null() & parts.struct.field("exp").is_null()
        return (
            pl.when(whole)
            .then(number.cast(pl.Int64, strict=False))
            .when(places <= 0)
            .then(number.cast(pl.Decimal(38, 0), strict=False).cast(pl.Int64, strict=False))
        )
    stamp = _timestamp(text, list(formats), tz, values)
    if col.type == "date":
        dates = [text.str.strptime(pl.Date, f, strict=False) for f in [*formats, "%Y-%m-%d"] if "%H" not in f]
        return pl.coalesce([*dates, stamp.dt.convert_time_zone(tz).dt.date()])
    return stamp


class QuarantineReason(StrEnum):
    """Why a row of a file or a live event is quarantined: the one list, which the lake's `_quarantine.reason`
    holds and access/i18n.py names in both languages."""

    # a contract's rules (files and events)
    MISSING = "missing"
    BAD_INT = "bad_int"
    BAD_DOUBLE = "bad_double"
    BAD_DECIMAL = "bad_decimal"
    BAD_BOOL = "bad_bool"
    BAD_DATE = "bad_date"
    BAD_TIMESTAMP = "bad_timestamp"
    NONEXISTENT_LOCAL_TIME = "nonexistent_local_time"
    UNKNOWN_CODE = "unknown_code"
    UNKNOWN_REGION = "unknown_region"
    UNKNOWN_DISTRICT = "unknown_district"
    OUT_OF_RANGE = "out_of_range"
    IMPLAUSIBLE_DATE = "implausible_date"
    FUTURE_DATE = "future_date"
    INCONSISTENT = "inconsistent"
    # a file's record the reader could not parse
    UNREADABLE = "unreadable"
    # an aggregate table's total: disagrees with the sum of its parts, or cannot be checked against them
    TOTAL_MISMATCH = "total_mismatch"
    TOTAL_UNCHECKED = "total_unchecked"
    # a live event that is not a record of its stream
    TOO_LARGE = "too_large"
    NOT_JSON = "not_json"
    BAD_SCHEMA = "bad_schema"
    SUBJECT_MISMATCH = "subject_mismatch"


def failure(cond: pl.Expr, column: str, reason: QuarantineReason, detail: pl.Expr | str) -> pl.Expr:
    detail = pl.lit(detail) if isinstance(detail, str) else detail
    return pl.when(cond).then(pl.concat_str([pl.lit(f"{column}\x1f{reason}\x1f"), detail]))


OPERATORS = {"<=": pl.Expr.le, ">=": pl.Expr.ge, "<": pl.Expr.lt, ">": pl.Expr.gt}


def checks(contract: Contract, geo: Geography | None, now: dt.datetime) -> list[pl.Expr]:
    """One expression per rule; each yields 'column␟reason␟detail' where the row breaks it."""
    found: list[pl.Expr] = []
    for col in contract.columns:
        value, text = pl.col(col.name), pl.col(f"_text_{col.name}")
        shown = pl.lit("(personal data)") if col.pii else pl.format("'{}'", text)
        if col.required:
            found.append(failure(text.is_null(), col.name, QuarantineReason.MISSING, "required value is empty"))
        if col.ref and geo is None:
            pass  # a profile without a geography maps no region or district (profiles.py)
        elif col.ref == "region" and geo is not None:
            unknown = value.is_null() | ~value.is_in(geo.regions["region_code"].to_list())
            found.append(failure(text.is_not_null() & unknown, col.name, QuarantineReason.UNKNOWN_REGION, shown))
        elif col.ref == "district":
            found.append(
                failure(text.is_not_null() & value.is_null(), col.name, QuarantineReason.UNKNOWN_DISTRICT, shown)
            )
        elif col.codes:
            found.append(
                failure(text.is_not_null() & ~value.is_in(col.codes), col.name, QuarantineReason.UNKNOWN_CODE, shown)
            )
        elif col.type != "string":
            found.append(
                failure(text.is_not_null() & value.is_null(), col.name, QuarantineReason(f"bad_{col.type}"), shown)
            )
        if col.min is not None:
            found.append(
                failure(value < col.min, col.name, QuarantineReason.OUT_OF_RANGE, pl.format("{} < {}", value, col.min))
            )
        if col.max is not None:
            found.append(
                failure(value > col.max, col.name, QuarantineReason.OUT_OF_RANGE, pl.format("{} > {}", value, col.max))
            )
        if col.earliest is not None:
            tomorrow = now + dt.timedelta(days=1)
            earliest, latest = (
                (col.earliest, tomorrow.date())
                if col.type == "date"
                else (dt.datetime.combine(col.earliest, dt.time(), dt.UTC), tomorrow)
            )
            detail = pl.format("{} before {}", value, pl.lit(str(col.earliest)))
            found.append(failure(value < earliest, col.name, QuarantineReason.IMPLAUSIBLE_DATE, detail))
            if not col.future:
                found.append(failure(value > latest, col.name, QuarantineReason.FUTURE_DATE, pl.format("{}", value)))
    for check in contract.checks:
        left, right = pl.col(check.left), pl.col(check.right)
        broken = ~OPERATORS[check.op](left, right)
        detail = pl.format(f"{check.left} {{}} is not {check.op} {check.right} {{}}", left, right)
        found.append(failure(broken, check.left, QuarantineReason.INCONSISTENT, detail))
    return found
