"""Stream messages → rows typed and checked against their contract (the rules files go through), pseudonymised;
or quarantine rows with the message's subject, stream sequence and reason. Pure: no broker, no lake."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from safelake.contracts import Contract
from safelake.reference import Geography
from safelake.validate import QuarantineReason, cast, checks, pseudonymise

QUARANTINE_SCHEMA = {
    "file_sha256": pl.String,
    "file_name": pl.String,
    "dataset": pl.String,
    "line": pl.Int64,
    "column_name": pl.String,
    "reason": pl.String,
    "detail": pl.String,
    "raw": pl.String,
}


@dataclass(frozen=True)
class Message:
    stream: str
    seq: int
    subject: str
    data: bytes


def source(stream: str) -> str:
    """What stands for a file in lineage and quarantine: `stream:<name>`, the line being the stream sequence."""
    return f"stream:{stream}"


@dataclass
class Checked:
    valid: pl.DataFrame  # the contract's columns, typed, PII pseudonymised, with _seq and _subject
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def _hidden(record: dict, contract: Contract, key: bytes) -> str:
    """The record as JSON with its personal data pseudonymised, for the quarantine's raw column."""
    pii = set(contract.pii_columns)
    shown = {
        k: pseudonymise(pl.Series([_text(v)]), key)[0] if k in pii and v is not None else v for k, v in record.items()
    }
    return json.dumps(shown, ensure_ascii=False, default=str)


def check(
    messages: list[Message],
    contract: Contract,
    geo: Geography,
    key: bytes,
    tz: str,
    now: dt.datetime,
    max_bytes: int,
) -> Checked:
    """Each message of one dataset either becomes a row or is quarantined with one QuarantineReason (the first
    it breaks): too_large, not_json, bad_schema (not an object, unknown or nested fields), subject_mismatch (the
    region in the subject is not the event's), or the contract's reasons (missing, bad_<type>, unknown_code, ...)."""
    names = contract.column_names
    texts: dict[str, list] = {name: [] for name in names}
    seqs, subjects, records, bad = [], [], [], []

    def refuse(
        message: Message, reason: QuarantineReason, detail: str, raw: str | None = None, column: str | None = None
    ):
        bad.append((source(message.stream), message.subject, contract.name, message.seq, column, reason, detail, raw))

    for message in messages:
        if len(message.data) > max_bytes:
            refuse(message, QuarantineReason.TOO_LARGE, f"{len(message.data)} bytes > {max_bytes}")
            continue
        try:
            record = json.loads(message.data)
        except (ValueError, UnicodeDecodeError) as exc:
            refuse(message, QuarantineReason.NOT_JSON, str(exc).splitlines()[0])
            continue
        if not isinstance(record, dict):
            refuse(message, QuarantineReason.BAD_SCHEMA, f"a JSON {type(record).__name__}, not an object")
            continue
        unknown = sorted(set(record) - set(names))
        nested = sorted(k for k, v in record.items() if isinstance(v, dict | list))
        if unknown or nested:
            detail = f"unknown fields {unknown}" if unknown else f"fields {nested} are not single values"
            refuse(message, QuarantineReason.BAD_SCHEMA, detail, _hidden(record, contract, key))
            continue
        region = message.subject.rsplit(".", 1)[-1]
        if record.get("region_code") not in (None, region):
            detail = f"region_code '{record['region_code']}' on subject {message.subject}"
            refuse(message, QuarantineReason.SUBJECT_MISMATCH, detail, _hidden(record, contract, key), "region_code")
            continue
        for name in names:
            texts[name].append(_text(record.get(name)))
        seqs.append(message.seq)
        subjects.append(message.subject)
        records.append((message, record))

    frame = pl.DataFrame(
        {f"_text_{n}": pl.Series(texts[n], dtype=pl.String) for n in names}
        | {"_seq": pl.Series(seqs, dtype=pl.Int64), "_subject": pl.Series(subjects, dtype=pl.String)}
    )
    typed = [
        cast(col, pl.col(f"_text_{col.name}"), tz, values=frame[f"_text_{col.name}"]).alias(col.name)
        for col in contract.columns
        if col.ref != "district"
    ]
    frame = frame.with_columns(typed)
    district = next((c for c in contract.columns if c.ref == "district"), None)
    if district is not None:
        codes = geo.districts.select("region_code", pl.col("district_code").alias("_code"), _known=pl.lit(True))
        frame = frame.join(
            codes,
            left_on=["region_code", f"_text_{district.name}"],
            right_on=["region_code", "_code"],
            how="left",
            maintain_order="left",
        ).with_columns(pl.when(pl.col("_known")).then(pl.col(f"_text_{district.name}")).alias(district.name))
        frame = frame.drop("_known")
    frame = frame.with_columns(pl.coalesce(checks(contract, geo, now)).alias("_error"))
    frame = frame.with_columns(pseudonymise(frame[name], key) for name in contract.pii_columns)
    broken = frame.filter(pl.col("_error").is_not_null())
    if broken.height:
        raw_of = {m.seq: _hidden(r, contract, key) for m, r in records}
        stream = records[0][0].stream
        for seq, subject, error in broken.select("_seq", "_subject", "_error").iter_rows():
            column, reason, detail = error.split("\x1f", 2)
            bad.append((source(stream), subject, contract.name, seq, column, reason, detail, raw_of[seq]))
    valid = frame.filter(pl.col("_error").is_null()).select(*names, "_seq", "_subject")
    quarantine = pl.DataFrame(bad, schema=QUARANTINE_SCHEMA, orient="row")
    return Checked(valid, quarantine)
