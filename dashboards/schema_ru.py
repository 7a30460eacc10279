"""The schema browser's descriptions in Russian (dashboards/schema_ru.yaml); the English ones are dbt's, stored in
the build. A table is described under `schema.table`; a column under its name, or under `schema.table.column`
where that table means something else by it."""

from __future__ import annotations

from pathlib import Path

import yaml

DESCRIPTIONS: dict[str, str] = yaml.safe_load(Path(__file__).with_name("schema_ru.yaml").read_text("utf-8"))


def table(name: str) -> str | None:
    """`name` is `schema.table`."""
    return DESCRIPTIONS.get(name)


def column(table_name: str, name: str) -> str | None:
    return DESCRIPTIONS.get(f"{table_name}.{name}", DESCRIPTIONS.get(name))
