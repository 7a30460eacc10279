"""Apply a profile to text cells: map, cast and validate against the contract, pseudonymise PII.

Pure functions of DataFrames (no I/O), so each rule is unit-tested on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import NamedTuple

import polars as pl

from ingestion.profiles import Profile, Rule
from safelake.contracts import Column, Contract
from safelake.reference import Geography
from safelake.validate import ISO_NAIVE, QuarantineReason, cast, checks, has_offset, pseudonymise

QUARANTINE_SCHEMA = {
    "_line": pl.Int64,
    "column_name": pl.String,
    "reason": pl.String,
    "detail": pl.String,
    "raw": pl.String,
}


def _as_text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def record_ids(frame: pl.DataFrame) -> list[str]:
    """What identifies a record: its line, and its file when several files are transformed as one frame."""
    return [c for c in ("_file", "_line") if c in frame.columns]


def row_hash_keys(raw: pl.DataFrame) -> pl.Series:
    """Ids for rows without one: hash of the whole row + occurrence in its file, so identical lines stay
    distinct."""
    ids = record_ids(raw)
    joined = raw.select(pl.concat_str(pl.exclude(ids).fill_null(""), separator="\x1f")).to_series()
    digests = pl.Series("d", [hashlib.sha1(v.encode()).hexdigest()[:20] for v in joined])
    groups = pl.DataFrame([digests, *(raw[c] for c in ids[:-1])])
    occurrence = groups.select(pl.col("d").cum_count().over(groups.columns))
    return digests + "-" + occurrence.to_series().cast(pl.String)


def text_expr(rule: Rule) -> pl.Expr:
    """The rule's value as text, before casting. The steps run in the order docs/profiles.md gives:
    source (each trimmed and padded, then joined), trim, null_values, regex, split, map/default,
    empty → null, prefix/suffix."""
    if rule.const is not None:
        expr = pl.lit(_as_text(rule.const), dtype=pl.String)
    elif rule.row_hash:
        expr = pl.col("_row_hash")
    else:
        sources = [pl.col(s).str.strip_chars() if rule.trim else pl.col(s) for s in rule.sources]
        if rule.pad:
            sources = [source.str.zfill(rule.pad) for source in sources]
        expr = sources[0] if len(sources) == 1 else pl.concat_str(sources, separator=" ", ignore_nulls=True)
    if rule.null_values:
        expr = pl.when(expr.is_in(rule.null_values)).then(None).otherwise(expr)
    if rule.regex:
        expr = expr.str.extract(rule.regex, 1)
    if rule.split:
        expr = expr.str.split(rule.split).list.first().str.strip_chars()
    if rule.map:
        mapping = {str(k).strip().lower(): _as_text(v) for k, v in rule.map.items()}
        fallback = expr if rule.default is None else pl.lit(_as_text(rule.default))
        if "" in mapping:  # `""` names an empty or missing cell
            expr = expr.fill_null("")
        mapped = expr.str.to_lowercase().replace_strict(mapping, default=fallback, return_dtype=pl.String)
        expr = pl.when(expr.is_null()).then(None).otherwise(mapped)
    expr = pl.when(expr == "").then(None).otherwise(expr)
    if rule.prefix or rule.suffix:
        expr = pl.concat_str([pl.lit(rule.prefix or ""), expr, pl.lit(rule.suffix or "")])
    return expr


def rule_text(raw: pl.DataFrame, rule: Rule) -> pl.Expr:
    """The rule's text. A rule of one column with few distinct values (codes, names) is applied to
    each distinct value once rather than to every row: the same result, several times faster."""
    expr = text_expr(rule)
    if rule.const is not None or rule.row_hash or len(rule.sources) != 1:
        return expr
    distinct = raw[rule.sources[0]].drop_nulls().unique()
    if len(distinct) * 20 > raw.height:
        return expr
    texts = distinct.to_frame().select(expr).to_series()
    empty = pl.Series(distinct.name, [None], dtype=pl.String).to_frame().select(expr).item()  # e.g. `map: {"": x}`
    return pl.col(rule.sources[0]).replace_strict(distinct, texts, default=empty, return_dtype=pl.String)


def typed_expr(col: Column, rule: Rule, text: pl.Expr, tz: str, values: pl.Series | None = None) -> pl.Expr:
    """The typed value of `text` under the rule's formats and decimal mark."""
    return cast(col, text, tz, rule.format, rule.decimal_comma, values)


def _nonexistent_local_times(bad: pl.DataFrame, profile: Profile, contract: Contract) -> pl.DataFrame:
    """Rows quarantined as `bad_timestamp` whose text is a valid local time that the zone skips (the hour
    lost when clocks go forward) get the reason `nonexistent_local_time`: the time cannot be read exactly,
    so it is not shifted. Only quarantined rows are parsed again."""
    for col in (c for c in contract.columns if c.type == "timestamp"):
        flagged = pl.col("_error").str.starts_with(f"{col.name}\x1f{QuarantineReason.BAD_TIMESTAMP}\x1f")
        if not bad.select(flagged.any()).item():
            continue
        text = pl.col(f"_text_{col.name}")
        formats = [*profile.columns[col.name].format, *ISO_NAIVE]
        naive = pl.coalesce(
            [text.str.strptime(pl.Datetime("us"), f, strict=False) for f in formats if not has_offset(f)]
        )
        skipped = flagged & naive.is_not_null()
        reason = QuarantineReason.NONEXISTENT_LOCAL_TIME
        detail = pl.format(f"{col.name}\x1f{reason}\x1f'{{}}' does not exist in {profile.timezone}", text)
        bad = bad.with_columns(pl.when(skipped).then(detail).otherwise(pl.col("_error")).alias("_error"))
    return bad


def apply_profile(
    raw: pl.DataFrame, profile: Profile, contract: Contract, geo: Geography | None, pii_key: bytes, now: dt.datetime
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(valid rows typed to the contract with their record ids, quarantined rows with reasons)."""
    if any(rule.row_hash for rule in profile.columns.values()):
        raw = raw.with_columns(_row_hash=row_hash_keys(raw))
    ids = record_ids(raw)
    frame = raw.select(*ids, *[rule_text(raw, rule).alias(f"_text_{name}") for name, rule in profile.columns.items()])
    for name in contract.column_names:
        if name not in profile.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(f"_text_{name}"))
    typed = []
    for col in contract.columns:
        rule = profile.columns.get(col.name, Rule(const=""))
        text = pl.col(f"_text_{col.name}")
        if col.ref == "region" and rule.lookup:
            assert geo is not None, "profiles.py requires a geography where a region is mapped"
            lookup = geo.region_lookup()
            typed.append(text.str.to_lowercase().replace_strict(lookup, default=None, return_dtype=pl.String))
        elif col.ref != "district":
            typed.append(typed_expr(col, rule, text, profile.timezone or "UTC", frame[f"_text_{col.name}"]))
        else:
            continue
        typed[-1] = typed[-1].alias(col.name)
    frame = frame.with_columns(typed)
    district = next((c for c in contract.columns if c.ref == "district"), None)
    if district is not None:
        frame = _resolve_district(frame, district.name, profile.columns.get(district.name), geo)
    broken = checks(contract, geo, now)
    frame = frame.with_columns(pl.coalesce(broken).alias("_error") if broken else pl.lit(None).alias("_error"))
    for name in contract.pii_columns:
        frame = frame.with_columns(pseudonymise(frame[name], pii_key))
    valid = frame.filter(pl.col("_error").is_null()).select(*ids, *contract.column_names)
    bad = _nonexistent_local_times(frame.filter(pl.col("_error").is_not_null()), profile, contract)
    return valid, _quarantine(raw, bad.select(*ids, "_error"), profile, contract, pii_key)


def _resolve_district(frame: pl.DataFrame, column: str, rule: Rule | None, geo: Geography | None) -> pl.DataFrame:
    """District code from a name (with `lookup`) or a code, narrowed by the row's region."""
    if rule is None:
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
    assert geo is not None, "profiles.py requires a geography where a district is mapped"
    names = geo.district_lookup()
    if not rule.lookup:
        names = names.filter(pl.col("name") == pl.col("district_code").str.to_lowercase())
    return (
        frame.with_columns(pl.col(f"_text_{column}").str.to_lowercase().alias("name"))
        .join(names.rename({"district_code": column}), on=["region_code", "name"], how="left", maintain_order="left")
        .drop("name")
    )


def _quarantine(raw: pl.DataFrame, bad: pl.DataFrame, profile: Profile, contract: Contract, key: bytes) -> pl.DataFrame:
    """The quarantine rows of `bad` (record ids and `_error`), each with its source row as JSON."""
    ids = record_ids(raw)
    if bad.height == 0:
        return pl.DataFrame(schema={"_file": pl.Int32, **QUARANTINE_SCHEMA}).select(*ids[:-1], *QUARANTINE_SCHEMA)
    pii_sources = {s for name in contract.pii_columns if name in profile.columns for s in profile.columns[name].sources}
    rows = raw.join(bad, on=ids, how="semi", maintain_order="left")
    rows = rows.with_columns(pseudonymise(rows[s], key) for s in pii_sources if s in rows.columns)
    source_cols = [c for c in rows.columns if c not in (*ids, "_row_hash")]
    rows = rows.select(*ids, pl.struct(source_cols).struct.json_encode().alias("raw"))
    parts = bad.select(*ids, pl.col("_error").str.split_exact("\x1f", 2).alias("e")).unnest("e")
    parts = parts.rename({"field_0": "column_name", "field_1": "reason", "field_2": "detail"})
    return parts.join(rows, on=ids, how="left", maintain_order="left").select(*ids[:-1], *QUARANTINE_SCHEMA)


def in_scope(raw: pl.DataFrame, profile: Profile) -> pl.Series:
    """True for the rows the profile's `scope` keeps (all rows without one); compared like `map` keys."""
    if profile.scope is None:
        return pl.repeat(True, raw.height, eager=True)
    scope = profile.scope
    listed = [v.strip().lower() for v in (scope.include if scope.include is not None else scope.exclude or [])]
    value = pl.col(scope.source).str.strip_chars().str.to_lowercase().fill_null("")
    listed_here = raw.select(value.is_in(listed)).to_series()
    return listed_here if scope.include is not None else ~listed_here


class Rejected(NamedTuple):
    """A record the reader itself rejects for a reason of its own (a total that disagrees with its parts)."""

    line: int
    column_name: str
    reason: QuarantineReason
    detail: str
    raw: str


def unreadable(bad: Sequence[tuple[int, str] | Rejected]) -> pl.DataFrame:
    """Records the reader could not parse, or rejected, as quarantine rows."""
    rows = [tuple(b) if isinstance(b, Rejected) else (b[0], None, QuarantineReason.UNREADABLE, b[1], None) for b in bad]
    return pl.DataFrame(rows, schema=QUARANTINE_SCHEMA, orient="row")
