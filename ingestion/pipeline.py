"""Exactly-once ingestion: one file is one lake transaction, recorded in a ledger by checksum and profile."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ingestion import readers
from ingestion.profiles import Profile, all_profiles, get_profile
from ingestion.readers import FileRefused
from ingestion.transform import apply_profile, unreadable
from safelake import lake
from safelake.contracts import Contract, load_contracts
from safelake.errors import SafeLakeError
from safelake.reference import geography
from safelake.settings import Settings


@dataclass
class FileResult:
    path: Path
    status: str  # ingested | skipped | refused | failed
    message: str = ""
    digest: str = ""
    profile: str = ""
    dataset: str = ""
    rows_in: int = 0
    inserted: int = 0
    corrected: int = 0
    duplicates: int = 0
    quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)

    @property
    def merged(self) -> int:
        """Rows that changed the lake: new records plus corrections of existing ones."""
        return self.inserted + self.corrected


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def landing_files(settings: Settings) -> list[Path]:
    """Everything waiting in landing/, oldest name first; dot-files and partial uploads are not ready."""
    if not settings.landing.exists():
        return []
    return sorted(
        p
        for p in settings.landing.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.suffix not in (".part", ".tmp")
    )


def _dataset_hint(path: Path, settings: Settings) -> str | None:
    """landing/<dataset>/... names the dataset, which narrows the profiles to try."""
    try:
        first = path.resolve().relative_to(settings.landing.resolve()).parts[0]
    except (ValueError, IndexError):
        return None
    return first if first in load_contracts() else None


def choose_profile(path: Path, settings: Settings) -> Profile:
    hint = _dataset_hint(path, settings)
    candidates = [p for p in all_profiles().values() if hint in (None, p.dataset)]
    by_name = [p for p in candidates if p.match.filename and p.matches_name(path)]
    pool = by_name or [p for p in candidates if p.match.header]
    errors = []
    for profile in pool:
        try:
            cells = readers.header(path, profile)
        except FileRefused as exc:
            errors.append(exc)
            continue
        if profile.matches_header(cells):
            return profile
        errors.append(None)
    if by_name and len(by_name) == 1 and errors and errors[0] is None:
        missing = [h for h in by_name[0].match.header if h not in readers.header(path, by_name[0])]
        raise FileRefused(
            f"{path}: header lacks {missing} that profile {by_name[0].name} expects for this file name; "
            "the layout changed — update the profile"
        )
    refusal = next((e for e in errors if e is not None), None)
    if refusal is not None and len(errors) == 1:
        raise refusal
    raise FileRefused(
        f"{path}: no profile matches this file (by name and header); "
        "add one in ingestion/profiles/ or pass --profile NAME"
    )


@contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """One ingesting process at a time, so two runs never merge the same file twice."""
    settings.lake_dir.mkdir(parents=True, exist_ok=True)
    with (settings.lake_dir / "ingest.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def _comparison(contract: Contract) -> str:
    cols = [c for c in contract.column_names if c not in contract.key]
    return f"row({', '.join(f't.{c}' for c in cols)}) IS DISTINCT FROM row({', '.join(f'i.{c}' for c in cols)})"


def _write(con: duckdb.DuckDBPyConnection, contract: Contract, incoming: pl.DataFrame) -> tuple[int, int]:
    """Merge the file's rows into the lake table; returns (rows inserted, rows corrected)."""
    table = f"lake.{contract.name}"
    con.register("incoming", incoming.to_arrow())
    columns = list(incoming.columns)
    on = " AND ".join(f"t.{k} = i.{k}" for k in contract.key)
    if contract.version:
        sets = ", ".join(f"{c} = i.{c}" for c in columns)
        values = ", ".join(f"i.{c}" for c in columns)
        sql = (
            f"MERGE INTO {table} AS t USING incoming AS i ON {on} "
            f"WHEN MATCHED AND i.{contract.version} >= t.{contract.version} AND {_comparison(contract)} "
            f"THEN UPDATE SET {sets} "
            f"WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}) VALUES ({values})"
        )
        existing = con.execute(f"SELECT count(*) FROM incoming i JOIN {table} t ON {on}").fetchone()[0]
        merged = con.execute(sql).fetchone()[0]
        return incoming.height - existing, merged - (incoming.height - existing)
    # Immutable rows: insert the keys not yet in the lake; time bounds, if the contract has a
    # record time, let DuckLake skip older files.
    window, bounds = "", []
    if contract.time:
        window = f"t.{contract.time} BETWEEN ? AND ? AND "
        bounds = [incoming[contract.time].min(), incoming[contract.time].max()]
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(f'i.{c}' for c in columns)} FROM incoming i "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {window}{on})"
    )
    return con.execute(sql, bounds).fetchone()[0], 0


def _archive(path: Path, dataset: str, digest: str, settings: Settings) -> None:
    target = settings.archive / dataset / dt.date.today().isoformat() / f"{digest[:12]}-{path.name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    inside_landing = path.resolve().is_relative_to(settings.landing.resolve())
    if inside_landing:
        shutil.move(path, target)
    elif not target.exists():
        shutil.copy2(path, target)


def ingest_file(
    con: duckdb.DuckDBPyConnection, path: Path, profile: Profile, digest: str, settings: Settings
) -> FileResult:
    contract = load_contracts()[profile.dataset]
    now = dt.datetime.now(dt.UTC)
    raw, bad = readers.read(path, profile)
    valid, quarantine = apply_profile(
        raw, profile, contract, geography(profile.geography), settings.require_pii_key(), now
    )
    quarantine = pl.concat([quarantine, unreadable(bad)])
    order = [contract.version, "_line"] if contract.version else ["_line"]
    latest = valid.sort(order).unique(subset=list(contract.key), keep="last", maintain_order=True)
    incoming = latest.with_columns(
        pl.lit(digest).alias("_file_sha256"),
        pl.lit(profile.name).alias("_profile"),
        pl.lit(now).alias("_ingested_at"),
    )
    quarantine = quarantine.rename({"_line": "line"}).with_columns(
        pl.lit(digest).alias("file_sha256"),
        pl.lit(path.name).alias("file_name"),
        pl.lit(profile.dataset).alias("dataset"),
        pl.lit(now).alias("quarantined_at"),
    )
    rows_in = raw.height + len(bad)
    con.execute("BEGIN TRANSACTION")
    try:
        inserted, corrected = _write(con, contract, incoming) if incoming.height else (0, 0)
        con.register("quarantine_rows", quarantine.to_arrow())
        con.execute("INSERT INTO lake._quarantine BY NAME SELECT * FROM quarantine_rows")
        duplicates = valid.height - inserted - corrected
        con.execute(
            "INSERT INTO lake._ingest_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                digest,
                path.name,
                profile.name,
                profile.dataset,
                rows_in,
                inserted,
                corrected,
                duplicates,
                quarantine.height,
                now,
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("incoming")
    return FileResult(
        path=path,
        status="ingested",
        digest=digest,
        profile=profile.name,
        dataset=profile.dataset,
        rows_in=rows_in,
        inserted=inserted,
        corrected=corrected,
        duplicates=duplicates,
        quarantined=quarantine.height,
        reasons=Counter(quarantine["reason"].to_list()),
    )


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    profile_name: str | None = None,
    on_file: Callable[[FileResult], None] = lambda result: None,
) -> list[FileResult]:
    """Ingest the given files (or everything new in landing/); a bad file never stops the others."""
    settings.require_pii_key()
    files = paths if paths else landing_files(settings)
    forced = get_profile(profile_name) if profile_name else None
    results = []
    with ingest_lock(settings):
        con = lake.connect(settings)
        lake.ensure_tables(con)
        ledger = set(con.execute("SELECT file_sha256, profile FROM lake._ingest_ledger").fetchall())
        for path in files:
            result = _ingest_one(con, path, forced, ledger, settings)
            if result.status == "ingested":
                ledger.add((result.digest, result.profile))
            results.append(result)
            on_file(result)
        con.close()
    return results


def _ingest_one(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    forced: Profile | None,
    ledger: set[tuple[str, str]],
    settings: Settings,
) -> FileResult:
    if not path.is_file():
        return FileResult(path, "refused", f"{path}: no such file")
    digest = sha256(path)
    try:
        profile = forced or choose_profile(path, settings)
        if (digest, profile.name) in ledger:
            _archive(path, profile.dataset, digest, settings)
            return FileResult(
                path, "skipped", "already ingested (same checksum and profile)", digest, profile.name, profile.dataset
            )
        result = ingest_file(con, path, profile, digest, settings)
    except SafeLakeError as exc:
        return FileResult(path, "refused", str(exc))
    except (duckdb.Error, pl.exceptions.PolarsError, OSError) as exc:
        return FileResult(path, "failed", f"{path}: {type(exc).__name__}: {exc}".splitlines()[0])
    _archive(path, result.dataset, digest, settings)
    return result
