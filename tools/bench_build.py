"""`make bench-build`: a full warehouse build at one year of national scale, then an incremental build
after one new day of exports, then the same incremental build again with no new data (the floor: what
an incremental build costs whatever the data), all through `safelake build` (dbt build: models and
tests, then publish).

Prints one JSON object per build and a summary whose ratio is incremental seconds ÷ full seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from ingestion.pipeline import ingest
from safelake.reference import REFERENCE_DIR
from safelake.settings import Settings
from tools.bench_ingest import finish, machine, national_year_args, scratch_settings
from tools.demo import generate
from warehouse.build import build


def timed_build(settings: Settings, full_refresh: bool, label: str) -> dict:
    began = time.perf_counter()
    record = build(settings, full_refresh=full_refresh)
    seconds = time.perf_counter() - began
    if record.status != "published":
        raise SystemExit(f"bench-build: build {record.build_id} failed: {record.failures[:3]}")
    return {
        "build": label,
        "seconds": round(seconds, 1),
        "dbt_seconds": round(record.seconds, 1),
        "results": record.results,
        "camera_days_rows": record.row_counts.get("analytics.camera_days"),
        # other work on the machine: the figures are only comparable at a similar load
        "load_average_1min": round(os.getloadavg()[0], 2),
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
    results = [timed_build(settings, full_refresh=True, label="full")]
    print(json.dumps(results[-1]), flush=True)

    shutil.copytree(later, settings.landing, dirs_exist_ok=True)
    ingest(settings)
    results.append(timed_build(settings, full_refresh=False, label="incremental"))
    print(json.dumps(results[-1]), flush=True)

    # Nothing new in the lake: dbt's fixed cost per build (every node and test), not the new day's work.
    results.append(timed_build(settings, full_refresh=False, label="incremental, no new data"))
    print(json.dumps(results[-1]), flush=True)

    summary = {
        "full_seconds": results[0]["seconds"],
        "incremental_seconds": results[1]["seconds"],
        "no_new_data_seconds": results[2]["seconds"],
        "ratio": round(results[1]["seconds"] / results[0]["seconds"], 3),
        "no_new_data_ratio": round(results[2]["seconds"] / results[0]["seconds"], 3),
        "days": args.days,
        "cameras": args.cameras,
        "new_day": last.isoformat(),
        "machine": machine(),
    }
    finish(summary, {"builds": results, "summary": summary}, args.json_out, work)


if __name__ == "__main__":
    main()
