"""Data contracts, loaded from contracts.yaml: the one definition behind the code and the docs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CONTRACTS_FILE = Path(__file__).with_name("contracts.yaml")
TYPES = {
    "string": "VARCHAR",
    "int": "BIGINT",
    "decimal": "DECIMAL(18,2)",
    "double": "DOUBLE",
    "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMPTZ",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    required: bool = False
    codes: tuple[str, ...] | None = None
    code_list: str | None = None
    min: float | None = None
    max: float | None = None
    pii: bool = False
    ref: str | None = None
    earliest: dt.date | None = None
    future: bool = False  # a date that may lie ahead (a due date), checked only against `earliest`

    @property
    def sql_type(self) -> str:
        return TYPES[self.type]


@dataclass(frozen=True)
class Check:
    """A rule between two columns of a row, `left op right`; a row with either side null passes."""

    left: str
    op: str
    right: str

    def __str__(self) -> str:
        return f"{self.left} {self.op} {self.right}"


CHECK = re.compile(r"^(\w+) (<=|>=|<|>) (\w+)$")


@dataclass(frozen=True)
class Contract:
    name: str
    description: str
    key: tuple[str, ...]
    time: str | None
    version: str | None
    columns: tuple[Column, ...]
    checks: tuple[Check, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def pii_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.pii]


def _check(dataset: str, text: str) -> Check:
    match = CHECK.match(text)
    if match is None:
        raise ValueError(f"contracts.yaml: {dataset} check {text!r} is not `column <=|>=|<|> column`")
    return Check(*match.groups())


def _column(name: str, spec: dict[str, Any], code_lists: dict[str, list[str]], default_earliest: dt.date) -> Column:
    unknown = set(spec) - {"type", "description", "required", "codes", "min", "max", "pii", "ref", "earliest", "future"}
    if unknown:
        raise ValueError(f"contracts.yaml: column {name} has unknown keys {sorted(unknown)} (quote text with commas)")
    if spec["type"] not in TYPES:
        raise ValueError(f"contracts.yaml: column {name} has unknown type {spec['type']!r}")
    code_list = spec.get("codes")
    earliest = spec.get("earliest", default_earliest if spec["type"] in ("date", "timestamp") else None)
    return Column(
        name=name,
        type=spec["type"],
        description=spec["description"],
        required=spec.get("required", False),
        codes=tuple(str(c) for c in code_lists[code_list]) if code_list else None,
        code_list=code_list,
        min=spec.get("min"),
        max=spec.get("max"),
        pii=spec.get("pii", False),
        ref=spec.get("ref"),
        earliest=earliest,
        future=spec.get("future", False),
    )


@cache
def load_contracts() -> dict[str, Contract]:
    raw = yaml.safe_load(CONTRACTS_FILE.read_text(encoding="utf-8"))
    contracts = {}
    for name, spec in raw["datasets"].items():
        columns = tuple(_column(c, s, raw["code_lists"], raw["earliest"]) for c, s in spec["columns"].items())
        contract = Contract(
            name=name,
            description=spec["description"],
            key=tuple(spec["key"]),
            time=spec.get("time"),
            version=spec.get("version"),
            columns=columns,
            checks=tuple(_check(name, text) for text in spec.get("checks", [])),
        )
        sides = {side for check in contract.checks for side in (check.left, check.right)}
        unknown = set(contract.key) | sides | {c for c in (contract.time, contract.version) if c}
        unknown -= set(contract.column_names)
        if unknown:
            raise ValueError(f"contracts.yaml: {name} names columns it does not define: {sorted(unknown)}")
        contracts[name] = contract
    return contracts


def render_markdown() -> str:
    """docs/data-contracts.md, generated; a test keeps the committed file equal to this."""
    lines = [
        "# Data contracts",
        "",
        "Generated from `safelake/contracts.yaml` by `safelake contracts-doc`; do not edit by hand.",
        "Types are DuckDB types in the lake. Timestamps are stored in UTC. Personal data (PII) is",
        "replaced by a keyed hash (HMAC-SHA256) at ingestion and never stored raw. A row that breaks a rule",
        "below is quarantined at ingestion, so it never reaches the build's tests or the readers.",
        "",
    ]
    for c in load_contracts().values():
        lines += [f"## `{c.name}`", "", c.description, ""]
        lines.append(f"- natural key: `{', '.join(c.key)}`")
        record_time = f"`{c.time}`" if c.time else "none (detail rows linked to a record that has one)"
        lines.append(f"- record time: {record_time}")
        if c.version:
            lines.append(f"- corrections: the row with the newest `{c.version}` wins (MERGE by key)")
        else:
            lines.append(f"- immutable {'events' if c.time else 'rows'}: a row already in the lake is never changed")
        if c.checks:
            lines.append("- every row: " + "; ".join(f"`{check}`" for check in c.checks))
        lines += ["", "| column | type | required | rule | PII | description |", "|---|---|---|---|---|---|"]
        for col in c.columns:
            rule = []
            if col.codes:
                rule.append(f"one of `{col.code_list}`: " + ", ".join(col.codes))
            if col.min is not None:
                rule.append(f"≥ {col.min:g}")
            if col.max is not None:
                rule.append(f"≤ {col.max:g}")
            if col.ref:
                rule.append(f"a {col.ref} of the reference geography")
            if col.earliest:
                rule.append(f"from {col.earliest}" if col.future else f"from {col.earliest} to tomorrow")
            lines.append(
                f"| `{col.name}` | {col.sql_type} | {'yes' if col.required else ''} | {'; '.join(rule)} "
                f"| {'yes' if col.pii else ''} | {col.description} |"
            )
        lines.append("")
    return "\n".join(lines)
