"""Source profiles: YAML files that map one export layout onto a contract (docs/profiles.md)."""

from __future__ import annotations

import fnmatch
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from safelake.contracts import load_contracts
from safelake.errors import SafeLakeError

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


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    dataset: str
    geography: str
    description: str
    match: Match
    format: Literal["csv", "xlsx", "jsonl"]
    encoding: str = "utf-8"
    delimiter: str = ","
    skip_rows: int = 0
    sheet: str | None = None
    timezone: str
    columns: dict[str, Rule]

    @model_validator(mode="after")
    def _fits_contract(self) -> Profile:
        contracts = load_contracts()
        if self.dataset not in contracts:
            raise ValueError(f"unknown dataset {self.dataset!r}; one of {', '.join(contracts)}")
        contract = contracts[self.dataset]
        unknown = set(self.columns) - set(contract.column_names)
        if unknown:
            raise ValueError(f"columns not in the {self.dataset} contract: {sorted(unknown)}")
        missing = [c.name for c in contract.columns if c.required and c.name not in self.columns]
        if missing:
            raise ValueError(f"required contract columns without a rule: {missing}")
        return self

    @property
    def source_columns(self) -> set[str]:
        return {s for rule in self.columns.values() for s in rule.sources}

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
        raise SafeLakeError(f"profile {path}: {where}: {err['msg']}") from None
    except yaml.YAMLError as exc:
        raise SafeLakeError(f"profile {path}: not valid YAML ({exc})") from None
    if profile.name != path.stem:
        raise SafeLakeError(f"profile {path}: name {profile.name!r} must equal the file name {path.stem!r}")
    return profile


@cache
def all_profiles() -> dict[str, Profile]:
    return {p.stem: load_profile(p) for p in sorted(PROFILE_DIR.glob("*.yaml"))}


def get_profile(name: str) -> Profile:
    profiles = all_profiles()
    if name not in profiles:
        raise SafeLakeError(f"no profile named {name!r} in {PROFILE_DIR}; known: {', '.join(profiles)}")
    return profiles[name]
