"""Reference geographies (regions, districts, population) and plan targets, read from data files.

Each geography is a folder under safelake/reference/, or under SAFELAKE_REFERENCE_DIR for an operator's
own sets (looked up first); adding a country is adding a folder (format: docs/profiles.md).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safelake.errors import SafeLakeError
from safelake.settings import get_settings

if TYPE_CHECKING:  # polars is imported where a table is read: settings (every process) only need `zone`
    import polars as pl

REFERENCE_DIR = Path(__file__).with_name("reference")
NAME_COLUMNS = ("name_en", "name_ru", "name_ky", "name_kk")
Schema = dict[str, str]  # column → polars type name
REGIONS: Schema = {"region_code": "String"}
DISTRICTS: Schema = {"district_code": "String", "region_code": "String"}
POPULATION: Schema = {"area_code": "String", "year": "Int32", "population": "Int64"}
ABOUT: Schema = {"name_en": "String", "name_ru": "String", "timezone": "String", "currency": "String"}
# The local time of a reference set without geography.csv (an operator's own, written before it existed).
DEFAULT_TIMEZONE = "Asia/Bishkek"


@dataclass(frozen=True)
class Geography:
    name: str
    regions: pl.DataFrame
    districts: pl.DataFrame
    population: pl.DataFrame
    folder: Path
    about: dict[str, str]  # geography.csv: its names, time zone and currency; {} when the set has none

    @property
    def timezone(self) -> str:
        return self.about.get("timezone") or DEFAULT_TIMEZONE

    @property
    def files(self) -> list[str]:
        """The reference tables the set has (its CSV files without the extension): the warehouse builds the
        others empty, and the plan marts only where there is a plan."""
        return sorted(p.stem for p in self.folder.glob("*.csv"))

    def region_lookup(self) -> dict[str, str]:
        """Lower-cased name in any language, or code → region code."""
        return _lookup(self.regions, "region_code")

    def district_lookup(self) -> pl.DataFrame:
        """(region_code, lower-cased name or code) → district_code, for a join narrowed by region."""
        import polars as pl

        frames = [
            self.districts.select("region_code", pl.col(col).str.to_lowercase().alias("name"), "district_code")
            for col in (*NAME_COLUMNS, "district_code")
            if col in self.districts.columns
        ]
        return pl.concat(frames).drop_nulls().unique(subset=["region_code", "name"], keep="first")


def _lookup(frame: pl.DataFrame, code: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in (c for c in (code, *NAME_COLUMNS) if c in frame.columns):
        for name, value in zip(frame[col], frame[code], strict=True):
            if name is not None:
                out.setdefault(name.strip().lower(), value)
    return out


def reference_dirs() -> tuple[Path, ...]:
    """Where reference sets are looked up: the operator's folder (SAFELAKE_REFERENCE_DIR) first."""
    return search_roots(get_settings().reference_dir)


def search_roots(extra: Path | None) -> tuple[Path, ...]:
    return (REFERENCE_DIR,) if extra is None else (extra, REFERENCE_DIR)


def available(roots: tuple[Path, ...] | None = None) -> list[str]:
    return sorted(
        {p.name for root in roots or reference_dirs() for p in root.iterdir() if (p / "regions.csv").exists()}
    )


def geography(name: str, roots: tuple[Path, ...] | None = None) -> Geography:
    return _geography(name, roots or reference_dirs())


def reference_folder(name: str) -> Path:
    """The folder of the reference set `name`, looked up as everything that reads reference data does
    (ingestion, the warehouse build): SAFELAKE_REFERENCE_DIR first, then the package's."""
    return _folder(name, reference_dirs())


def _folder(name: str, roots: tuple[Path, ...]) -> Path:
    folder = next((root / name for root in roots if (root / name / "regions.csv").exists()), None)
    if folder is None:
        raise SafeLakeError(
            f"unknown reference geography {name!r}: no {name}/regions.csv in {', '.join(map(str, roots))}; "
            f"available: {', '.join(available(roots))}"
        )
    return folder


def zone(name: str, roots: tuple[Path, ...]) -> str:
    """The reference set's time zone (its geography.csv), read without polars: settings are made in every
    process, each DAG file's parse included. An unknown set raises SafeLakeError."""
    path = _folder(name, roots) / "geography.csv"
    if not path.exists():
        return DEFAULT_TIMEZONE
    with path.open(encoding="utf-8", newline="") as file:
        row = next(csv.DictReader(file), None) or {}
    return row.get("timezone") or DEFAULT_TIMEZONE


@cache
def _geography(name: str, roots: tuple[Path, ...]) -> Geography:
    import polars as pl

    folder = _folder(name, roots)

    def read(file: str, schema: Schema) -> pl.DataFrame:
        """The file's columns as text, its numbers typed; an optional file that is absent is empty."""
        types = {column: getattr(pl, kind) for column, kind in schema.items()}
        if not (folder / file).exists() and file != "regions.csv":
            return pl.DataFrame(schema=types)
        frame = pl.read_csv(folder / file, infer_schema=False)
        missing = sorted(set(schema) - set(frame.columns))
        if missing:
            raise SafeLakeError(f"reference set {folder}: {file} lacks columns {missing}; see docs/profiles.md")
        return frame.with_columns(pl.col(c).cast(t) for c, t in types.items())

    about = read("geography.csv", ABOUT)
    return Geography(
        name,
        read("regions.csv", REGIONS),
        read("districts.csv", DISTRICTS),
        read("population.csv", POPULATION),
        folder,
        about.row(0, named=True) if about.height else {},
    )


def boundaries(name: str, level: str) -> dict[str, Any] | None:
    """The geography's `<level>s.geojson` (a FeatureCollection, each feature's area code in properties.code; see
    the folder's BOUNDARIES.md), or None where it has no boundaries for that level. Shared: do not modify it."""
    return _boundaries(name, level, reference_dirs())


@cache
def _boundaries(name: str, level: str, roots: tuple[Path, ...]) -> dict[str, Any] | None:
    path = next(
        (root / name / f"{level}s.geojson" for root in roots if (root / name / f"{level}s.geojson").exists()), None
    )
    if path is None:
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        codes = [feature["properties"]["code"] for feature in data["features"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise SafeLakeError(
            f"boundary file {path}: not a GeoJSON FeatureCollection with properties.code on every feature ({exc!r}); "
            "fix or remove the file (format: safelake/reference/kg/BOUNDARIES.md)"
        ) from exc
    if len(set(codes)) != len(codes):
        raise SafeLakeError(f"boundary file {path}: a code appears on more than one feature; each must be unique")
    return data


def covered(feature: dict[str, Any]) -> list[str]:
    """The area codes one boundary feature stands for: its code, or the codes listed in properties.covers (one
    shape for several areas, e.g. Bishkek's four city districts)."""
    props = feature["properties"]
    return str(props.get("covers") or props["code"]).split()
