"""`make docs`: the dbt docs site of the published warehouse, as one static page.

dbt reads the catalog (tables, columns, types) from a database it opens for writing, so it works on a
copy of the published build; readers of the published file are never locked out.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from safelake.settings import Settings, get_settings
from warehouse.build import dbt_vars, run_dbt
from warehouse.publish import published_file


def generate_docs(settings: Settings) -> Path:
    published = published_file(settings)
    out = settings.warehouse_dir / "docs"
    with tempfile.TemporaryDirectory(dir=settings.warehouse_dir) as scratch:
        copy = Path(scratch) / "docs.duckdb"
        shutil.copyfile(published, copy)
        result = run_dbt(["docs", "generate", "--static"], dbt_vars(settings, copy), settings, target_path=out)
    if not result.success:
        raise SystemExit(f"dbt docs generate failed: {result.exception}; see {settings.warehouse_dir / 'dbt_logs'}")
    return out / "static_index.html"


def main() -> None:
    print(f"dbt docs: {generate_docs(get_settings())} (open it in a browser; one file, no server needed)")


if __name__ == "__main__":
    main()
