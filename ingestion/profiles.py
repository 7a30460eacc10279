"""Source profiles: YAML files that map one export layout onto a contract (docs/profiles.md)."""

from __future__ import annotations

import fnmatch
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from safelake.contracts import Contract, load_contracts
from safelake.errors import SafeLakeError
from safelake.settings import get_settings

PROFILE_DIR = Path(__file__).with_name("profiles")
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when installed: ~10x faster


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    source: str | list[str] | None = None
    const: str | int | float | bool | None = None
    row_hash: bool = False
    prefix: str | None = None
    suffix: str | None = None
    trim: bool = True
    null_values: list[str] = []
    map: dict[str, str | int | float | bool] | None = None
    default: str | int | float | bool | None = None
    regex: str | None = None
    split: str | None = None
    format: list[str] = []
    decimal_comma: bool = False
    pad: int | None = Field(None, ge=1, le=64)
    lookup: Literal["region", "district"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _rename_from(cls, data: object) -> object:
        if isinstance(data, dict) and "from" in data:
            data = {**data, "source": data["from"]}
            del data["from"]
        return data

    @model_validator(mode="after")
    def _one_origin(self) -> Rule:
        origins = (self.source is not None) + (self.const is not None) + self.row_hash
        if origins != 1:
            raise ValueError("give exactly one of `from`, `const` or `row_hash`")
        return self

    @property
    def sources(self) -> list[str]:
        if self.source is None:
            return []
        return [self.source] if isinstance(self.source, str) else list(self.source)


class Match(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str | None = None
    header: list[str] = []


class Scope(BaseModel):
    """Which rows belong to the contract at all; the others are counted as `out_of_scope`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    source: str = Field(alias="from")
    include: list[str] | None = None
    exclude: list[str] | None = None

    @model_validator(mode="after")
    def _one_list(self) -> Scope:
        if (self.include is None) == (self.exclude is None):
            raise ValueError("scope: give exactly one of `include` or `exclude`")
        return self


AGGREGATE_COLUMNS = ("sheet", "cell", "label", "value")  # and header_1 ... header_<header_rows>


class Aggregate(BaseModel):
    """A workbook of aggregate tables (docs/profiles.md#aggregate-workbooks): one table per sheet, rows
    labelled in one column, columns labelled by one or more header rows, unpivoted to one record per cell."""

    model_config = ConfigDict(extra="forbid")
    sheets: list[str] | None = None
    header_rows: int = Field(1, ge=1, le=10)
    label_column: str = Field("A", pattern=r"^[A-Z]{1,3}$")
    cells: dict[str, Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,3}[1-9][0-9]*$")]] = {}
    totals: list[str] = []

    @model_validator(mode="after")
    def _cell_names(self) -> Aggregate:
        taken = sorted(n for n in self.cells if n in self.own_columns or n.startswith("_"))
        if taken:
            raise ValueError(f"cells: {taken} are names of the table's own columns or start with `_`; choose others")
        return self

    @property
    def headers(self) -> list[str]:
        return [f"header_{level}" for level in range(1, self.header_rows + 1)]

    @property
    def own_columns(self) -> list[str]:
        return [*AGGREGATE_COLUMNS, *self.headers]

    @property
    def columns(self) -> list[str]:
        """The columns of the unpivoted table, which rules take `from`."""
        return [*self.own_columns, *self.cells]


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    dataset: str
    geography: str | None = None
    description: str
    match: Match
    format: Literal["csv", "xlsx", "jsonl", "json"]
    records: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    skip_rows: int = 0
    sheet: str | None = None
    timezone: str | None = None
    scope: Scope | None = None
    aggregate: Aggregate | None = None
    columns: dict[str, Rule]

    @model_validator(mode="after")
    def _fits_contract(self) -> Profile:
        contracts = load_contracts()
        if self.dataset not in contracts:
            raise ValueError(f"dataset: unknown dataset {self.dataset!r}; one of {', '.join(contracts)}")
        contract = contracts[self.dataset]
        unknown = set(self.columns) - set(contract.column_names)
        if unknown:
            raise ValueError(f"columns: not in the {self.dataset} contract: {sorted(unknown)}")
        missing = [c.name for c in contract.columns if c.required and c.name not in self.columns]
        if missing:
            raise ValueError(f"columns: required contract columns without a rule: {missing}")
        if self.geography is None and any(c.ref and c.name in self.columns for c in contract.columns):
            raise ValueError("geography: required, since the profile maps region or district codes")
        timed = [n for n in self.columns if contract.column(n).type in ("date", "timestamp")]
        if self.timezone is None and any(self.columns[n].sources for n in timed):
            raise ValueError(f"timezone: required, since the profile reads dates or times ({', '.join(timed)})")
        if self.records is not None and self.format != "json":
            raise ValueError("records: only for `format: json`")
        if self.aggregate is not None:
            self._fits_aggregate(self.aggregate, contract)
        return self

    def _fits_aggregate(self, aggregate: Aggregate, contract: Contract) -> None:
        if self.format != "xlsx" or self.sheet is not None:
            raise ValueError("aggregate: only for `format: xlsx`, with `aggregate.sheets` instead of `sheet`")
        unknown = sorted(self.source_columns - set(aggregate.columns))
        if unknown:
            known = ", ".join(aggregate.columns)
            raise ValueError(f"columns: {unknown} are not columns of the aggregate table ({known})")
        counts = [name for name, rule in self.columns.items() if rule.sources == ["value"]]
        if len(counts) != 1 or contract.column(counts[0]).type not in ("int", "decimal"):
            raise ValueError("aggregate: exactly one int or decimal contract column must be taken `from: value`")
        if any(name in self.columns for name in contract.pii_columns):
            raise ValueError("aggregate: tables of counts hold no personal data; map no pii column")

    @property
    def count_column(self) -> str:
        """The contract column an aggregate table's cells fill (`from: value`)."""
        return next(name for name, rule in self.columns.items() if rule.sources == ["value"])

    @property
    def source_columns(self) -> set[str]:
        scope = {self.scope.source} if self.scope else set()
        return scope | {s for rule in self.columns.values() for s in rule.sources}

    def matches_name(self, path: Path) -> bool:
        return self.match.filename is None or fnmatch.fnmatch(path.name, self.match.filename)

    def matches_header(self, header: list[str]) -> bool:
        cells = {h.strip() for h in header}
        return all(h in cells for h in self.match.header)


def load_profile(path: Path) -> Profile:
    try:
        profile = Profile.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        raise SafeLakeError(f"profile {path}: {where + ': ' if where else ''}{message}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        reason = str(exc).replace("\n", " ")
        raise SafeLakeError(f"profile {path}: not valid YAML ({reason}); fix the file") from None
    if profile.name != path.stem:
        raise SafeLakeError(f"profile {path}: name: {profile.name!r} must equal the file name {path.stem!r}")
    return profile


def profile_dirs() -> tuple[Path, ...]:
    """The package's profiles, then the operator's (SAFELAKE_PROFILES_DIR)."""
    extra = get_settings().profiles_dir
    return (PROFILE_DIR,) if extra is None else (PROFILE_DIR, extra)


@cache
def _load_all(dirs: tuple[Path, ...]) -> tuple[dict[str, Profile], dict[str, str]]:
    """(valid profiles by name, problems by profile name): one bad profile does not hide the others."""
    profiles: dict[str, Profile] = {}
    problems: dict[str, str] = {}
    for folder in dirs:
        for path in sorted(folder.glob("*.yaml")):
            if path.stem in profiles or path.stem in problems:
                problems[path.stem] = f"profile {path}: name: {path.stem!r} is already a profile; rename the file"
                profiles.pop(path.stem, None)
                continue
            try:
                profiles[path.stem] = load_profile(path)
            except SafeLakeError as exc:
                problems[path.stem] = str(exc)
    return profiles, problems


def all_profiles() -> dict[str, Profile]:
    return _load_all(profile_dirs())[0]


def profile_problems() -> list[str]:
    """One line per profile that cannot be used (file and field): reported, and the others run."""
    return list(_load_all(profile_dirs())[1].values())


def get_profile(name: str) -> Profile:
    profiles, problems = _load_all(profile_dirs())
    if name in problems:
        raise SafeLakeError(problems[name])
    if name not in profiles:
        raise SafeLakeError(
            f"no profile named {name!r} in {', '.join(map(str, profile_dirs()))}; known: {', '.join(profiles)}"
        )
    return profiles[name]
