"""`make bench-build`: does the daily build's cost grow with history? Two lakes of national-scale demo
data, one year (365 days) and two years (730 days; same seed and cameras), built side by side through
`safelake build` (dbt build: models and tests, then publish): for each, a full build, then one new
day of exports ingested and an incremental build, then the same incremental build again with no new
data (the floor: what an incremental build costs whatever the data). The builds alternate between the
two lakes, so both see much the same load on a shared machine.

Prints one JSON object per build and a summary: incremental(2 years) ÷ incremental(1 year) (goal
≤ 1.15: the same cost on two years of history as on one) and full(2 years) ÷ full(1 year) (goal ≤ ~2:
at most linear). `--days N` compares N days with 2N.
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

# each build, and its key in the summary
STEPS = {"full": "full", "incremental": "incremental", "incremental, no new data": "incremental_no_new_data"}


def timed_build(settings: Settings, full_refresh: bool, label: str, days: int) -> dict:
    nodes: dict[str, float] = {}
    began = time.perf_counter()
    record = build(
        settings, full_refresh=full_refresh, on_node=lambda node, _status, took, _message: nodes.update({node: took})
    )
    seconds = time.perf_counter() - began
    if record.status != "published":
        raise SystemExit(f"bench-build: build {record.build_id} failed: {record.failures[:3]}")
    return {
        "days": days,
        "build": label,
        "seconds": round(seconds, 1),
        "dbt_seconds": round(record.seconds, 1),
        "results": record.results,
        "camera_days_rows": record.row_counts.get("analytics.camera_days"),
        # the summed time of dbt's nodes (models, seeds, tests), which is what history could make grow
        "node_seconds": round(sum(nodes.values()), 2),
        "nodes": {node: round(seconds, 3) for node, seconds in sorted(nodes.items())},
        # other work on the machine: the figures are only comparable at a similar load
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def prepare_lake(work: Path, days: int, cameras: int, seed: int, last: dt.date) -> tuple[Settings, Path]:
    """A SAFELAKE_HOME under `work` with `days` days up to the day before `last` ingested; `last`'s
    exports are held back in the returned folder, to arrive after the full build."""
    settings = scratch_settings(work)
    exports, later = work / "exports", work / "later"
    generate(exports, last - dt.timedelta(days=days), days + 1, cameras, seed, REFERENCE_DIR / settings.geography)
    for path in sorted(p for p in exports.rglob("*") if p.is_file() and not p.name.startswith(".")):
        relative = path.relative_to(exports)
        target = (later if f"{last:%Y%m%d}" in path.name else settings.landing) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(path, target)
    ingest(settings)
    return settings, later


def growth(builds: dict[tuple[int, str], dict], short: int, long: int, step: str, top: int = 8) -> list[dict]:
    """The nodes whose time grew most from the short history to the long one, in one kind of build."""
    one, two = builds[short, step]["nodes"], builds[long, step]["nodes"]
    grown = sorted(set(one) & set(two), key=lambda node: two[node] - one[node], reverse=True)[:top]
    return [{"node": node, "seconds_short": one[node], "seconds_long": two[node]} for node in grown]


def main() -> None:
    args = national_year_args(__doc__, "docs/bench-build.json")
    work = Path(tempfile.mkdtemp(prefix="safelake-bench-build-"))
    last = dt.date.today() - dt.timedelta(days=1)
    histories = (args.days, 2 * args.days)
    lakes = {days: prepare_lake(work / f"{days}d", days, args.cameras, args.seed, last) for days in histories}
    builds: dict[tuple[int, str], dict] = {}
    for step in STEPS:
        for days, (settings, later) in lakes.items():
            if step == "incremental":
                shutil.copytree(later, settings.landing, dirs_exist_ok=True)
                ingest(settings)
            builds[days, step] = timed_build(settings, full_refresh=step == "full", label=step, days=days)
            print(json.dumps({key: value for key, value in builds[days, step].items() if key != "nodes"}), flush=True)

    short, long = histories

    def ratio(step: str, key: str = "seconds") -> float:
        return round(builds[long, step][key] / builds[short, step][key], 3)

    summary = {
        "days": list(histories),
        "cameras": args.cameras,
        "new_day": last.isoformat(),
        **{f"{key}_seconds": [builds[days, step]["seconds"] for days in histories] for step, key in STEPS.items()},
        "incremental_ratio": ratio("incremental"),
        "incremental_node_ratio": ratio("incremental", "node_seconds"),
        "no_new_data_ratio": ratio("incremental, no new data"),
        "full_ratio": ratio("full"),
        "goals": {"incremental_ratio": 1.15, "full_ratio": 2.0},
        "machine": machine(),
    }
    payload = {
        "builds": list(builds.values()),
        "incremental_nodes_grown_most": growth(builds, short, long, "incremental"),
        "summary": summary,
    }
    finish(summary, payload, args.json_out, work)


if __name__ == "__main__":
    main()
