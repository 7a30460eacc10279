"""Reference geographies (regions, districts, population) and plan targets, read from data files.

Each geography is a folder under safelake/reference/; adding a country is adding a folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from safelake.errors import SafeLakeError

REFERENCE_DIR = Path(__file__).with_name("reference")
NAME_COLUMNS = ("name_en", "name_ru", "name_ky")


@dataclass(frozen=True)
class Geography:
    name: str
    regions: pl.DataFrame
    districts: pl.DataFrame
    population: pl.DataFrame

    @property
    def folder(self) -> Path:
        return REFERENCE_DIR / self.name

    def region_lookup(self) -> dict[str, str]:
        """Lower-cased name in any language, or code → region code."""
        return _lookup(self.regions, "region_code")

    def district_lookup(self) -> pl.DataFrame:
        """(region_code, lower-cased name or code) → district_code, for a join narrowed by region."""
        frames = [
            self.districts.select("region_code", pl.col(col).str.to_lowercase().alias("name"), "district_code")
            for col in (*NAME_COLUMNS, "district_code")
        ]
        return pl.concat(frames).drop_nulls().unique(subset=["region_code", "name"], keep="first")


def _lookup(frame: pl.DataFrame, code: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for col in (code, *NAME_COLUMNS):
        for name, value in zip(frame[col], frame[code], strict=True):
            if name is not None:
                out.setdefault(name.strip().lower(), value)
    return out


def available() -> list[str]:
    return sorted(p.name for p in REFERENCE_DIR.iterdir() if (p / "regions.csv").exists())


@cache
def geography(name: str) -> Geography:
    folder = REFERENCE_DIR / name
    if not (folder / "regions.csv").exists():
        raise SafeLakeError(
            f"unknown reference geography {name!r}: no {folder}/regions.csv; available: {', '.join(available())}"
        )

    def read(file: str) -> pl.DataFrame:
        return pl.read_csv(folder / file, infer_schema=False)

    population = read("population.csv").with_columns(pl.col("year").cast(pl.Int32), pl.col("population").cast(pl.Int64))
    return Geography(name, read("regions.csv"), read("districts.csv"), population)
