"""`make bench-production`: the same exports ingested and built on the embedded lake (SQLite catalog, local
disk) and on the production one (PostgreSQL catalog, Parquet and published builds on S3), in one run on this
machine. The servers run here as processes on loopback (tools/services.py: Debian's PostgreSQL, moto's S3
server); the goal is production ≤ 1.5 × embedded for each step.

Prints one JSON object per step and lake, then a summary; writes docs/bench-production.json.
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
from tools import services
from tools.bench_ingest import finish, machine, national_year_args
from tools.demo import generate
from warehouse.build import build

GOAL = 1.5


def lake_settings(home: Path, env: dict[str, str]) -> Settings:
    """The settings a process with this lake's environment reads."""
    for name in [n for n in os.environ if n.startswith("SAFELAKE_") and n != "SAFELAKE_PII_KEY"]:
        del os.environ[name]
    os.environ.update({"SAFELAKE_HOME": str(home), **env})
    os.environ.setdefault("SAFELAKE_PII_KEY", "benchmark-key-0123456789")
    return Settings()


def run(label: str, settings: Settings, exports: Path) -> list[dict]:
    shutil.copytree(exports, settings.landing, copy_function=os.link)
    began = time.perf_counter()
    results = ingest(settings)
    ingest_seconds = time.perf_counter() - began
    if any(r.status == "failed" for r in results):
        raise SystemExit(f"bench-production: {label}: ingestion failed: {[r.message for r in results][:3]}")
    began = time.perf_counter()
    record = build(settings, full_refresh=True)
    build_seconds = time.perf_counter() - began
    if record.status != "published":
        raise SystemExit(f"bench-production: {label}: build failed: {record.failures[:3]}")
    rows = sum(r.rows_in for r in results)
    steps = [
        {"lake": label, "step": "ingest", "seconds": round(ingest_seconds, 1), "files": len(results), "rows": rows},
        {"lake": label, "step": "build", "seconds": round(build_seconds, 1), "dbt_seconds": round(record.seconds, 1)},
    ]
    for step in steps:
        step["load_average_1min"] = round(os.getloadavg()[0], 2)  # other work on the machine
        print(json.dumps(step), flush=True)
    return steps


def main() -> None:
    args = national_year_args(__doc__, "docs/bench-production.json")
    work = Path(tempfile.mkdtemp(prefix="safelake-bench-production-"))
    exports = work / "exports"
    start = dt.date.today() - dt.timedelta(days=args.days)
    generate(exports, start, args.days, args.cameras, args.seed, REFERENCE_DIR / "kg")
    with services.stack(work / "servers", with_redis=False) as stack:
        embedded = run("embedded", lake_settings(work / "embedded", {}), exports)
        production = run("production", lake_settings(work / "production", stack.lake_env("bench")), exports)
    pairs = zip(embedded, production, strict=True)
    ratios = {f"{e['step']}_ratio": round(p["seconds"] / e["seconds"], 2) for e, p in pairs}
    summary = {
        **{f"{s['lake']}_{s['step']}_seconds": s["seconds"] for s in embedded + production},
        **ratios,
        "goal": GOAL,
        "met": all(r <= GOAL for r in ratios.values()),
        "days": args.days,
        "cameras": args.cameras,
        "rows": embedded[0]["rows"],
        "machine": machine(),
        "servers": "PostgreSQL 15 (Debian) and moto S3 server, on loopback",
    }
    finish(summary, {"steps": embedded + production, "summary": summary}, args.json_out, work)


if __name__ == "__main__":
    main()
