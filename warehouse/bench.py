"""`make bench-build`: a full warehouse build at one year of national scale, then an incremental build
after one new day of exports, both through `safelake build` (dbt build: models and tests, then publish).

Prints one JSON object per build and a summary whose ratio is incremental seconds ÷ full seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import time
from pathlib import Path

from ingestion.bench import machine, national_year_args, scratch_settings
from ingestion.demo import generate
from ingestion.pipeline import ingest
from safelake.reference import REFERENCE_DIR
from safelake.settings import Settings
from warehouse.build import build


def timed_build(settings: Settings, full_refresh: bool) -> dict:
    began = time.perf_counter()
    record = build(settings, full_refresh=full_refresh)
    seconds = time.perf_counter() - began
    if record.status != "published":
        raise SystemExit(f"bench-build: build {record.build_id} failed: {record.failures[:3]}")
    return {
        "build": "full" if full_refresh else "incremental",
        "seconds": round(seconds, 1),
        "dbt_seconds": round(record.seconds, 1),
        "results": record.results,
        "camera_days_rows": record.row_counts.get("analytics.camera_days"),
    }


def main() -> None:
    args = national_year_args(__doc__, "docs/bench-build.json")
    work = Path(tempfile.mkdtemp(prefix="safelake-bench-build-"))
    settings = scratch_settings(work)
    # One more day than the year; that day's exports are held back and arrive after the full build.
    last = dt.date.today() - dt.timedelta(days=1)
    generate(
        work / "exports",
        last - dt.timedelta(days=args.days),
        args.days + 1,
        args.cameras,
        args.seed,
        REFERENCE_DIR / settings.geography,
    )
    exports, later = work / "exports", work / "later"
    for path in sorted(p for p in exports.rglob("*") if p.is_file() and not p.name.startswith(".")):
        relative = path.relative_to(exports)
        target = (later if f"{last:%Y%m%d}" in path.name else settings.landing) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
    ingest(settings)
    results = [timed_build(settings, full_refresh=True)]
    print(json.dumps(results[-1]), flush=True)

    shutil.copytree(later, settings.landing, dirs_exist_ok=True)
    ingest(settings)
    results.append(timed_build(settings, full_refresh=False))
    print(json.dumps(results[-1]), flush=True)

    summary = {
        "full_seconds": results[0]["seconds"],
        "incremental_seconds": results[1]["seconds"],
        "ratio": round(results[1]["seconds"] / results[0]["seconds"], 3),
        "days": args.days,
        "cameras": args.cameras,
        "new_day": last.isoformat(),
        "machine": machine(),
    }
    print(json.dumps(summary), flush=True)
    args.json_out.write_text(json.dumps({"builds": results, "summary": summary}, indent=2) + "\n")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
