"""`make bench-ingest`: one year of national-scale demo data through `safelake ingest`, side by side
with DuckDB's own raw copy of the same files (`COPY (SELECT * FROM read_csv(...)) TO '...parquet'`).

The year is ingested twice, each time into an empty lake: in one run, as `make up` and a backfill do,
and dataset by dataset, a run each, for each dataset's rows/s. Prints one JSON object per dataset,
then the year in one run; the ratio is SafeLake seconds ÷ raw-copy seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import duckdb

from ingestion.pipeline import choose_profile, ingest, landing_files
from ingestion.profiles import Profile
from safelake import lake
from safelake.reference import REFERENCE_DIR
from safelake.settings import Settings
from tools.demo import generate


def _reader_sql(profile: Profile, files: list[Path]) -> str:
    names = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    if profile.format == "jsonl":
        return f"SELECT * FROM read_json({names}, format = 'newline_delimited')"
    if profile.format == "xlsx":
        return " UNION ALL BY NAME ".join(f"SELECT * FROM read_xlsx('{f}', all_varchar = true)" for f in files)
    encoding = {"utf-8-sig": "utf-8"}.get(profile.encoding, profile.encoding)
    return f"SELECT * FROM read_csv({names}, delim = '{profile.delimiter}', header = true, encoding = '{encoding}')"


def raw_copy_seconds(
    settings: Settings, groups: dict[str, list[Path]], profiles: dict[str, Profile], out: Path
) -> float:
    """DuckDB's own read of the same files straight into Parquet: the floor to compare with. The extensions of
    both sides are installed first, as a SAFELAKE_HOME holds them after its first run."""
    lake.install_extensions(settings.extension_dir, (*lake.EXTENSIONS, "encodings", "excel"))
    con = duckdb.connect(config={"home_directory": str(settings.home)})
    lake.configure(con, settings)
    started = time.perf_counter()
    for name, files in groups.items():
        con.execute(f"COPY ({_reader_sql(profiles[name], files)}) TO '{out / name}.parquet' (FORMAT parquet)")
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def national_year_args(description: str | None, json_out: str) -> argparse.Namespace:
    """The benchmark unit (ARCHITECTURE "Scale"): one year, 20,000 cameras; smaller for a quick look."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--cameras", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json-out", type=Path, default=Path(json_out))
    return parser.parse_args()


def scratch_settings(work: Path) -> Settings:
    """Settings for a throw-away SAFELAKE_HOME under `work`, as the CLI would read them."""
    os.environ["SAFELAKE_HOME"] = str(work / "home")
    os.environ.setdefault("SAFELAKE_PII_KEY", "benchmark-key-0123456789")
    return Settings()


def machine() -> str:
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, duckdb {duckdb.__version__}"
    )


def finish(summary: dict, payload: dict, json_out: Path, work: Path) -> None:
    """Print the summary line, write the JSON file, remove the scratch home."""
    print(json.dumps(summary), flush=True)
    json_out.write_text(json.dumps(payload, indent=2) + "\n")
    shutil.rmtree(work)


def landed(exports: Path, settings: Settings) -> tuple[dict[str, dict[str, list[Path]]], dict[str, Profile]]:
    """The exports put in landing/ (linked, not copied), by dataset and profile."""
    shutil.copytree(exports, settings.landing, copy_function=os.link)
    by_dataset: dict[str, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    profiles: dict[str, Profile] = {}
    for path in landing_files(settings):
        profile = choose_profile(path, settings)
        profiles[profile.name] = profile
        by_dataset[profile.dataset][profile.name].append(path)
    return by_dataset, profiles


def timed_ingest(settings: Settings, groups: dict[str, list[Path]], profiles: dict[str, Profile], copies: Path) -> dict:
    """The raw copy of the files, then `safelake ingest` of them, measured in the same run."""
    files = [f for group in groups.values() for f in group]
    megabytes = round(sum(f.stat().st_size for f in files) / 1e6, 1)  # before the ingest archives them
    baseline = raw_copy_seconds(settings, groups, profiles, copies)
    began = time.perf_counter()
    outcome = ingest(settings, files)
    seconds = time.perf_counter() - began
    rows = sum(r.rows_in for r in outcome)
    return {
        "files": len(files),
        "megabytes": megabytes,
        "rows": rows,
        "safelake_seconds": round(seconds, 2),
        "safelake_rows_per_s": round(rows / seconds),
        "duckdb_copy_seconds": round(baseline, 2),
        "duckdb_copy_rows_per_s": round(rows / baseline),
        "ratio": round(seconds / baseline, 2),
        "failed_files": sum(r.status != "ingested" for r in outcome),
    }


# The datasets the ingestion goal was set on (1.84x the raw copy, issue 17): the year of these alone, in one run, is
# compared with that figure; the other datasets came later and change the mix (the 102 export's CSV is slow for DuckDB).
GOAL_DATASETS = ("camera", "camera_status", "crime_report", "fraud_report", "road_incident")


def main() -> None:
    args = national_year_args(__doc__, "docs/bench-ingest.json")
    work = Path(tempfile.mkdtemp(prefix="safelake-bench-"))
    exports = work / "exports"
    start = dt.date.today() - dt.timedelta(days=args.days)
    settings = scratch_settings(work / "one-run")
    began = time.perf_counter()
    generate(exports, start, args.days, args.cameras, args.seed, REFERENCE_DIR / settings.geography)
    generated = time.perf_counter() - began
    copies = work / "copies"
    copies.mkdir()

    # The year in one run first, in a process that has not ingested yet, as `safelake ingest` runs it.
    by_dataset, profiles = landed(exports, settings)
    every = {name: files for groups in by_dataset.values() for name, files in groups.items()}
    year = timed_ingest(settings, every, profiles, copies)
    print(json.dumps({"dataset": "year, one run", **year}), flush=True)

    settings = scratch_settings(work / "goal-datasets")
    by_dataset, profiles = landed(exports, settings)
    chosen = {name: files for d in GOAL_DATASETS for name, files in by_dataset[d].items()}
    goal = {"dataset": "year of the goal's five datasets, one run", **timed_ingest(settings, chosen, profiles, copies)}
    print(json.dumps(goal), flush=True)

    settings = scratch_settings(work / "by-dataset")
    by_dataset, profiles = landed(exports, settings)
    results = []
    for dataset, groups in sorted(by_dataset.items()):
        results.append({"dataset": dataset, **timed_ingest(settings, groups, profiles, copies)})
        print(json.dumps(results[-1]), flush=True)

    summary = {
        "dataset": "year, one run",
        **year,
        "datasets_safelake_seconds": round(sum(r["safelake_seconds"] for r in results), 2),
        "datasets_duckdb_copy_seconds": round(sum(r["duckdb_copy_seconds"] for r in results), 2),
        "generate_seconds": round(generated, 1),
        "days": args.days,
        "cameras": args.cameras,
        "machine": machine(),
    }
    summary["datasets_ratio"] = round(summary["datasets_safelake_seconds"] / summary["datasets_duckdb_copy_seconds"], 2)
    finish(summary, {"datasets": results, "year": summary, "goal_datasets": goal}, args.json_out, work)


if __name__ == "__main__":
    main()
