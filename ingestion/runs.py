"""Scheduled ingestion, one dataset at a time: what waits in landing/<dataset>/, ingest it, summarise it.

The Airflow DAG `ingest_landing` runs one task per dataset with these functions; the lake work is
ingestion.pipeline.ingest (exactly-once, a bad file never stops the others).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.pipeline import FileResult, ingest, landing_files
from safelake import lake
from safelake.contracts import load_contracts
from safelake.settings import Settings


def waiting_files(settings: Settings) -> dict[str, list[Path]]:
    """Files ready in landing/<dataset>/ (any depth), per dataset; files elsewhere are not scheduled."""
    datasets = set(load_contracts())
    waiting: dict[str, list[Path]] = {}
    landing = settings.landing.resolve()
    for path in landing_files(settings):
        parts = path.resolve().relative_to(landing).parts
        if len(parts) > 1 and parts[0] in datasets:
            waiting.setdefault(parts[0], []).append(path)
    return waiting


@dataclass
class DatasetRun:
    """What one dataset's ingestion did: per-file results and the totals the task log shows."""

    dataset: str
    results: list[FileResult] = field(default_factory=list)

    def with_status(self, *statuses: str) -> list[FileResult]:
        return [r for r in self.results if r.status in statuses]

    @property
    def merged(self) -> int:
        return sum(r.merged for r in self.results)

    @property
    def quarantined(self) -> int:
        return sum(r.quarantined for r in self.results)

    @property
    def reasons(self) -> Counter:
        total: Counter = Counter()
        for r in self.results:
            total.update(r.reasons)
        return total

    def summary(self) -> str:
        """The quarantine summary for the task log: files by outcome, rows, and bad rows by reason."""
        rows_in = sum(r.rows_in for r in self.results)
        lines = [
            f"{self.dataset}: {len(self.results)} file(s): {len(self.with_status('ingested'))} ingested, "
            f"{len(self.with_status('skipped'))} already ingested, {len(self.with_status('refused'))} refused, "
            f"{len(self.with_status('failed'))} failed",
            f"rows in {rows_in:,}: merged {self.merged:,} (new {sum(r.inserted for r in self.results):,}, "
            f"corrected {sum(r.corrected for r in self.results):,}), "
            f"duplicates {sum(r.duplicates for r in self.results):,}, quarantined {self.quarantined:,}, "
            f"out of scope {sum(r.out_of_scope for r in self.results):,}",
        ]
        if self.quarantined:
            lines.append("quarantine by reason (see lake._quarantine for file, line, column and raw row):")
            width = max(len(reason) for reason in self.reasons)
            lines += [f"  {reason:<{width}}  {count:>8,}" for reason, count in self.reasons.most_common()]
        else:
            lines.append("quarantine: no bad rows")
        lines += [f"{r.status}: {r.message}" for r in self.with_status("refused", "failed")]
        lines += [f"warning: {w}" for r in self.results for w in r.warnings]
        return "\n".join(lines)


def ingest_dataset(
    settings: Settings, dataset: str, log: Callable[[str], None] = print, files: list[Path] | None = None
) -> DatasetRun:
    """Ingest what waits in landing/<dataset>/ (or the given files), logging one line per file."""
    paths = files if files is not None else waiting_files(settings).get(dataset, [])
    run = DatasetRun(dataset)
    if not paths:
        return run

    def one(result: FileResult) -> None:
        reasons = ", ".join(f"{k} {v}" for k, v in result.reasons.most_common())
        log(
            f"{result.status:<8} {result.path}: rows {result.rows_in:,}, merged {result.merged:,}, "
            f"quarantined {result.quarantined:,}{' (' + reasons + ')' if reasons else ''}"
            + (f" - {result.message}" if result.message and result.status != "ingested" else "")
        )

    run.results = ingest(settings, paths, on_file=one)
    return run


def updated_since(settings: Settings, since: dt.datetime) -> dict[str, int]:
    """Datasets whose lake table changed since `since` (new or corrected rows), with the rows merged:
    the source of truth for which lake Assets a run updated, even across a task's retries."""
    con = lake.connect(settings, read_only=True)
    try:
        rows = con.execute(
            "SELECT dataset, sum(inserted + corrected) FROM lake._ingest_ledger WHERE ingested_at >= ? "
            "GROUP BY dataset HAVING sum(inserted + corrected) > 0 ORDER BY dataset",
            [since],
        ).fetchall()
    finally:
        con.close()
    return {dataset: int(merged) for dataset, merged in rows}
