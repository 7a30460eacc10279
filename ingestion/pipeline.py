"""Exactly-once ingestion: one file is one lake transaction, recorded in a ledger by checksum and profile."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
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

SKIPPED = "already ingested (same checksum and profile)"


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


@dataclass
class Held:
    """What the lake holds of each dataset, read once per run and kept current after each commit (the ingest
    lock keeps other writers out meanwhile): the keys, or for immutable records keyed by their time (event
    streams: too many keys to hold) the newest time. A file whose rows are all certainly new is inserted
    without scanning the table, and the split of a MERGE into new and corrected rows needs no extra query."""

    con: duckdb.DuckDBPyConnection
    keys: dict[str, pl.DataFrame] = field(default_factory=dict)
    newest: dict[str, pl.Series] = field(default_factory=dict)

    def fresh(self, contract: Contract, incoming: pl.DataFrame) -> pl.DataFrame:
        """The incoming rows whose key the lake certainly lacks: exactly those, unless by_time."""
        name, table = contract.name, f"lake.{contract.name}"
        if by_time(contract):
            if name not in self.newest:
                self.newest[name] = self.con.execute(f"SELECT max({contract.time}) AS t FROM {table}").pl()["t"]
            newest = self.newest[name].cast(incoming.schema[contract.time])[0]
            return incoming if newest is None else incoming.filter(pl.col(contract.time) > newest)
        if name not in self.keys:
            held = self.con.execute(f"SELECT DISTINCT {', '.join(contract.key)} FROM {table}").pl()
            self.keys[name] = held.cast(incoming.select(contract.key).schema)
        return incoming.join(self.keys[name], on=list(contract.key), how="anti")

    def add(self, contract: Contract, incoming: pl.DataFrame, fresh: pl.DataFrame) -> None:
        """The file is committed: its keys are in the lake now."""
        name = contract.name
        if by_time(contract):
            both = pl.concat([self.newest[name].cast(incoming.schema[contract.time]), incoming[contract.time]])
            self.newest[name] = both.to_frame().max().to_series()
        else:
            self.keys[name] = pl.concat([self.keys[name], fresh.select(contract.key)])


def by_time(contract: Contract) -> bool:
    """Immutable records keyed by their time: a row newer than the lake's newest cannot be in it."""
    return contract.version is None and contract.time in contract.key


def _comparison(contract: Contract) -> str:
    cols = [c for c in contract.column_names if c not in contract.key]
    return f"row({', '.join(f't.{c}' for c in cols)}) IS DISTINCT FROM row({', '.join(f'i.{c}' for c in cols)})"


def _write(
    con: duckdb.DuckDBPyConnection, contract: Contract, incoming: pl.DataFrame, fresh: pl.DataFrame
) -> tuple[int, int]:
    """Merge the file's rows into the lake table; returns (rows inserted, rows corrected)."""
    table = f"lake.{contract.name}"
    con.register("incoming", incoming.to_arrow())
    columns = list(incoming.columns)
    if fresh.height == incoming.height:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM incoming"
        return con.execute(sql).fetchone()[0], 0
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
        merged = con.execute(sql).fetchone()[0]
        return fresh.height, merged - fresh.height  # `fresh` is exact here: the keys are held
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


@dataclass
class Prepared:
    """A file read, validated and pseudonymised, its rows deduplicated: nothing of it is in the lake yet."""

    path: Path
    digest: str
    profile: Profile
    contract: Contract
    now: dt.datetime
    rows_in: int
    valid: int
    incoming: pl.DataFrame
    quarantine: pl.DataFrame


def prepare(path: Path, profile: Profile, digest: str, settings: Settings) -> Prepared:
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
    return Prepared(path, digest, profile, contract, now, raw.height + len(bad), valid.height, incoming, quarantine)


def commit(con: duckdb.DuckDBPyConnection, held: Held, file: Prepared) -> FileResult:
    """Write one prepared file: its rows, its quarantined rows and its ledger entry in one transaction."""
    contract, incoming, quarantine = file.contract, file.incoming, file.quarantine
    fresh = held.fresh(contract, incoming)
    con.execute("BEGIN TRANSACTION")
    try:
        inserted, corrected = _write(con, contract, incoming, fresh) if incoming.height else (0, 0)
        if quarantine.height:
            con.register("quarantine_rows", quarantine.to_arrow())
            con.execute("INSERT INTO lake._quarantine BY NAME SELECT * FROM quarantine_rows")
        duplicates = file.valid - inserted - corrected
        con.execute(
            "INSERT INTO lake._ingest_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                file.digest,
                file.path.name,
                file.profile.name,
                contract.name,
                file.rows_in,
                inserted,
                corrected,
                duplicates,
                quarantine.height,
                file.now,
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("incoming")
    held.add(contract, incoming, fresh)
    return FileResult(
        path=file.path,
        status="ingested",
        digest=file.digest,
        profile=file.profile.name,
        dataset=contract.name,
        rows_in=file.rows_in,
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
    with ingest_lock(settings), ThreadPoolExecutor(max_workers=1) as reader:
        con = lake.connect(settings)
        lake.ensure_tables(con)
        ledger = set(con.execute("SELECT file_sha256, profile FROM lake._ingest_ledger").fetchall())
        held = Held(con)
        pending = reader.submit(_read_one, files[0], forced, ledger, settings) if files else None
        for following in [*files[1:], None] if files else []:
            read = pending.result()
            # The next file is read and transformed while this one is written to the lake.
            pending = reader.submit(_read_one, following, forced, ledger, settings) if following else None
            result = _commit_one(con, held, read, ledger, settings)
            if result.status == "ingested":
                ledger.add((result.digest, result.profile))
            results.append(result)
            on_file(result)
        con.close()
    return results


def _failure(path: Path, exc: Exception) -> FileResult:
    if isinstance(exc, SafeLakeError):
        return FileResult(path, "refused", str(exc))
    return FileResult(path, "failed", f"{path}: {type(exc).__name__}: {exc}".splitlines()[0])


def _read_one(
    path: Path, forced: Profile | None, ledger: set[tuple[str, str]], settings: Settings
) -> Prepared | FileResult:
    """Everything before the lake: checksum, profile, read, transform; or why the file goes no further."""
    if not path.is_file():
        return FileResult(path, "refused", f"{path}: no such file")
    try:
        digest = sha256(path)
        profile = forced or choose_profile(path, settings)
        if (digest, profile.name) in ledger:
            return FileResult(path, "skipped", SKIPPED, digest, profile.name, profile.dataset)
        return prepare(path, profile, digest, settings)
    except (SafeLakeError, duckdb.Error, pl.exceptions.PolarsError, OSError) as exc:
        return _failure(path, exc)


def _commit_one(
    con: duckdb.DuckDBPyConnection,
    held: Held,
    read: Prepared | FileResult,
    ledger: set[tuple[str, str]],
    settings: Settings,
) -> FileResult:
    if isinstance(read, Prepared) and (read.digest, read.profile.name) in ledger:  # a copy earlier in this run
        read = FileResult(read.path, "skipped", SKIPPED, read.digest, read.profile.name, read.contract.name)
    if isinstance(read, FileResult):
        if read.status == "skipped":
            _archive(read.path, read.dataset, read.digest, settings)
        return read
    try:
        result = commit(con, held, read)
    except (SafeLakeError, duckdb.Error, pl.exceptions.PolarsError, OSError) as exc:
        return _failure(read.path, exc)
    _archive(read.path, result.dataset, read.digest, settings)
    return result
