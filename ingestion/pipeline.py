"""Exactly-once ingestion: one file is one lake transaction, recorded in a ledger by checksum and profile."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from ingestion import readers
from ingestion.profiles import Profile, all_profiles, get_profile, profile_problems
from ingestion.readers import FileRefused
from ingestion.transform import Rejected, apply_profile, in_scope, unreadable
from safelake import lake
from safelake.contracts import Contract, load_contracts
from safelake.errors import SafeLakeError
from safelake.locks import lake_lock
from safelake.reference import geography
from safelake.settings import Settings

SKIPPED = "already ingested (same checksum and profile)"
NOT_READY = (".part", ".tmp")  # still being uploaded: senders rename the file when it is complete
# Files a reader parses in one call at most, Polars spreading them over the cores; and their size at most,
# since a group's row limit is checked only after each such read.
READ_TOGETHER, READ_TOGETHER_BYTES = 8, 64 << 20


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
    out_of_scope: int = 0
    reasons: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    @property
    def merged(self) -> int:
        """Rows that changed the lake: new records plus corrections of existing ones."""
        return self.inserted + self.corrected


def fingerprint(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and its number of lines, in one read."""
    digest, lines, last = hashlib.sha256(), 0, b"\n"
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            lines, last = lines + block.count(b"\n"), block[-1:]
    return digest.hexdigest(), lines + (last != b"\n")


def landing_files(settings: Settings) -> list[Path]:
    """Everything waiting in landing/, oldest name first (symbolic links too: they are refused)."""
    return ready_files(settings.landing, settings.landing_settle_seconds) if settings.landing.exists() else []


def ready_files(folder: Path, settle_seconds: float = 0) -> list[Path]:
    """The files under `folder`, by name; not dot-files, partial uploads (`.part`, `.tmp`) or files modified
    less than `settle_seconds` ago, which may still be being written. Symbolic links are listed, not followed."""
    now, found = dt.datetime.now().timestamp(), []
    for root, dirs, files in os.walk(folder):
        top = Path(root)
        found += [top / d for d in dirs if (top / d).is_symlink()]
        for name in files:
            path = top / name
            if name.startswith(".") or path.suffix in NOT_READY:
                continue
            with suppress(OSError):
                if path.is_symlink() or now - path.stat().st_mtime >= settle_seconds:
                    found.append(path)
    return sorted(found)


def _in_landing(path: Path, settings: Settings) -> bool:
    return path.absolute().parent.resolve().is_relative_to(settings.landing.resolve())


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
    errors: list[FileRefused | None] = []
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
    problems = len(profile_problems())
    broken = f" ({problems} profile(s) could not be loaded and were not tried)" if problems else ""
    raise FileRefused(
        f"{path}: no profile matches this file (by name and header){broken}; "
        "add one in ingestion/profiles/ or SAFELAKE_PROFILES_DIR, or pass --profile NAME"
    )


@dataclass
class Held:
    """What the lake holds of each dataset, read once per run and kept current after each commit (the ingest
    lock keeps other writers out meanwhile): the keys, or for immutable records keyed by their time (event
    streams: too many keys to hold) the newest time. Rows it proves new are inserted without reading the
    table."""

    con: duckdb.DuckDBPyConnection
    keys: dict[str, pl.DataFrame] = field(default_factory=dict)
    newest: dict[str, pl.Series] = field(default_factory=dict)

    def new(self, contract: Contract, rows: pl.DataFrame) -> pl.Series:
        """True where the lake certainly lacks the row's key: exactly those rows, unless by_time."""
        name, table = contract.name, f"lake.{contract.name}"
        if by_time(contract):
            if name not in self.newest:
                self.newest[name] = self.con.execute(f"SELECT max({contract.time}) AS t FROM {table}").pl()["t"]
            newest = self.newest[name].cast(rows.schema[contract.time])[0]  # type: ignore[index]  # by_time: it has one
            return pl.repeat(True, rows.height, eager=True) if newest is None else rows[contract.time] > newest  # type: ignore[index]
        if name not in self.keys:
            held = self.con.execute(f"SELECT DISTINCT {', '.join(contract.key)} FROM {table}").pl()
            self.keys[name] = held.cast(rows.select(contract.key).schema)
        marked = self.keys[name].with_columns(_held=pl.lit(True))
        return (
            rows.select(contract.key)
            .join(marked, on=list(contract.key), how="left", maintain_order="left")["_held"]
            .is_null()
        )

    def add(self, contract: Contract, inserted: pl.DataFrame) -> None:
        """The keys of rows just committed with new keys: the lake holds them now."""
        name = contract.name
        if by_time(contract):
            both = pl.concat([self.newest[name].cast(inserted.schema[contract.time]), inserted[contract.time]])  # type: ignore[index]
            self.newest[name] = both.to_frame().max().to_series()
        else:
            self.keys[name] = pl.concat([self.keys[name], inserted])


def by_time(contract: Contract) -> bool:
    """Immutable records keyed by their time: a row newer than the lake's newest cannot be in it."""
    return contract.version is None and contract.time in contract.key


def _judge(con: duckdb.DuckDBPyConnection, contract: Contract, rows: pl.DataFrame) -> pl.DataFrame:
    """The rows with each one's fate as if they were merged one after another in `_seq` order: `_status`
    is `inserted` (no earlier row and not in the lake), `corrected` (a version at least as new as the
    one it replaces, that differs from it) or `duplicate`; `_in_lake` says the lake holds the key."""
    key = list(contract.key)
    if rows["_new"].all() and not _repeats(rows, key):
        return rows.with_columns(_status=pl.lit("inserted"), _in_lake=pl.lit(False))
    keys, columns = ", ".join(key), ", ".join(contract.column_names)
    content = f"row({', '.join(c for c in contract.column_names if c not in key)})"
    window, bounds = "", []
    if contract.time in key:  # the key's time bounds where the rows can be: DuckLake skips other files
        window = f"WHERE t.{contract.time} BETWEEN ? AND ?"
        held = rows.filter(~pl.col("_new"))[contract.time]
        bounds = [held.min(), held.max()]
    top = f"max({contract.version}) OVER prev" if contract.version else "NULL"
    wins = f"_before = 0 OR coalesce({contract.version} >= _top, false)" if contract.version else "_before = 0"
    prev = f"PARTITION BY {keys} ORDER BY _seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
    con.register("incoming", rows)
    try:
        fates = con.execute(
            f"""
            WITH known AS (
                SELECT {columns}, 0 AS _seq FROM lake.{contract.name} t
                SEMI JOIN (SELECT DISTINCT {keys} FROM incoming WHERE NOT _new) n USING ({keys}) {window}
            ), sequence AS (
                SELECT {columns}, _seq FROM known UNION ALL SELECT {columns}, _seq FROM incoming
            ), ranked AS (
                SELECT *, count(*) OVER prev AS _before, {top} AS _top,
                    bool_or(_seq = 0) OVER (PARTITION BY {keys}) AS _in_lake
                FROM sequence WINDOW prev AS ({prev})
            ), judged AS (
                SELECT *, {wins} AS _wins FROM ranked
            ), compared AS (  -- apart from the filter below: WHERE runs first and would hide the lake's row
                SELECT *, {content} AS _content,
                    last_value(CASE WHEN _wins THEN {content} END IGNORE NULLS) OVER prev AS _replaced
                FROM judged WINDOW prev AS ({prev})
            )
            SELECT _seq, CASE
                WHEN _before = 0 THEN 'inserted'
                WHEN _wins AND _content IS DISTINCT FROM _replaced THEN 'corrected'
                ELSE 'duplicate' END AS _status, _in_lake
            FROM compared WHERE _seq > 0
            """,
            bounds,
        ).pl()
    finally:
        con.unregister("incoming")
    return rows.join(fates, on="_seq", how="left", maintain_order="left")


def _write(con: duckdb.DuckDBPyConnection, contract: Contract, rows: pl.DataFrame, files: list[Prepared]) -> None:
    """Put each key's last inserted or corrected row into the lake table, with its file's lineage."""
    final = rows
    if not (rows["_status"] == "inserted").all():  # else every key occurs once
        final = (
            rows.filter(pl.col("_status") != "duplicate")
            .sort("_seq")
            .unique(subset=list(contract.key), keep="last", maintain_order=True)
        )
    if final.height == 0:
        return
    columns = [*contract.column_names, *lake.LINEAGE]
    table, names = f"lake.{contract.name}", ", ".join(columns)
    lineage = (
        "$sha256[_file + 1] AS _file_sha256, _line, $profile[_file + 1] AS _profile, $at[_file + 1] AS _ingested_at, "
        "$geography[_file + 1] AS _geography"
    )
    source = f"SELECT {', '.join(contract.column_names)}, {lineage} FROM final_rows"
    params = _per_file(files, "sha256", "profile", "at", "geography")
    con.register("final_rows", final.select("_file", "_line", *contract.column_names))
    try:
        if not final["_in_lake"].any():
            con.execute(f"INSERT INTO {table} ({names}) {source}", params)
            return
        on = " AND ".join(f"t.{k} = i.{k}" for k in contract.key)
        con.execute(
            f"MERGE INTO {table} AS t USING ({source}) AS i ON {on} "
            f"WHEN MATCHED THEN UPDATE SET {', '.join(f'{c} = i.{c}' for c in columns)} "
            f"WHEN NOT MATCHED THEN INSERT ({names}) VALUES ({', '.join(f'i.{c}' for c in columns)})",
            params,
        )
    finally:
        con.unregister("final_rows")


def _archive(path: Path, dataset: str, digest: str, settings: Settings) -> str:
    """Move (from landing/) or copy the file to the archive; a warning if it stays where it is. A file whose
    bytes changed since they were checksummed (still being written) is left in landing/ for the next run."""
    try:
        with path.open("rb") as fh:
            changed = hashlib.file_digest(fh, "sha256").hexdigest() != digest
        if changed:
            return f"{path}: changed while it was ingested; left in place, its new content is read next run"
        name = f"{digest[:12]}-{path.name}"
        if len(name.encode()) > 255:  # the archive's file system limit: keep the start and the extension
            keep = 255 - len(path.suffix.encode()) - 13
            name = f"{digest[:12]}-{path.stem.encode()[:keep].decode(errors='ignore')}{path.suffix}"
        target = settings.archive / dataset / dt.date.today().isoformat() / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if _in_landing(path, settings):
            shutil.move(path, target)
        elif not target.exists():
            shutil.copy2(path, target)
    except OSError as exc:
        return f"{path}: ingested but not archived ({exc.strerror or exc}); move it out of landing/ by hand"
    return ""


@dataclass
class Prepared:
    """A file read, validated and pseudonymised, its rows deduplicated: nothing of it is in the lake yet.
    `incoming` and `quarantine` are slices of the frames its batch was transformed in."""

    path: Path
    digest: str
    profile: Profile
    contract: Contract
    now: dt.datetime
    rows_in: int
    valid: int
    incoming: pl.DataFrame
    quarantine: pl.DataFrame
    out_of_scope: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Read:
    """A file read as text cells by its profile; nothing is validated yet."""

    path: Path
    digest: str
    profile: Profile
    raw: pl.DataFrame
    bad: Sequence[tuple[int, str] | Rejected]
    warnings: list[str]


def prepare(reads: list[Read], settings: Settings) -> list[Prepared | FileResult]:
    """Validate, pseudonymise and deduplicate the files. Files of one profile and layout go through the
    transform as one frame: its cost is mostly per call, not per row. If that frame fails, each file is
    tried alone, so one file's fault stays its own."""
    now = dt.datetime.now(dt.UTC)
    batches: dict[tuple, list[Read]] = {}
    for read in reads:
        batches.setdefault((read.profile.name, tuple(read.raw.columns)), []).append(read)
    prepared: dict[Path, Prepared | FileResult] = {}
    for batch in batches.values():
        try:
            prepared.update((p.path, p) for p in _prepare_batch(batch, now, settings))
        except (SafeLakeError, pl.exceptions.PolarsError) as exc:
            if len(batch) == 1:
                prepared[batch[0].path] = _failure(batch[0].path, exc, batch[0].digest)
            else:
                prepared.update((r.path, prepare([r], settings)[0]) for r in batch)
    return [prepared[read.path] for read in reads]


def _repeats(frame: pl.DataFrame, columns: list[str]) -> bool:
    """Whether two rows share the values of `columns`; distinct `_key_hash`es settle it in the common case."""
    return frame["_key_hash"].n_unique() < frame.height and frame.select(columns).is_duplicated().any()


def _heights(frame: pl.DataFrame, files: int) -> list[int]:
    """The number of rows of each file in `frame`."""
    counts = dict(frame.group_by("_file").len().iter_rows())
    return [counts.get(i, 0) for i in range(files)]


def _slices(frame: pl.DataFrame, files: int) -> list[pl.DataFrame]:
    """Each file's rows of a frame ordered by `_file`, without copying them."""
    rows, slices, offset = frame.drop("_file"), [], 0
    for height in _heights(frame, files):
        slices.append(rows.slice(offset, height))
        offset += height
    return slices


def _latest_per_file(rows: pl.DataFrame, contract: Contract) -> pl.DataFrame:
    """Of rows of one key in one file, the latest version, else the last line; the rest keep their order.
    Only rows whose `_key_hash` repeats are sorted: a few per cent at most."""
    shared = rows["_key_hash"].is_duplicated()
    if not shared.any():
        return rows
    order = ["_file", contract.version, "_line"] if contract.version else ["_file", "_line"]
    rivals = rows.with_row_index("_row").filter(shared)
    winners = rivals.sort(order).unique(subset=["_file", *contract.key], keep="last")["_row"]
    return rows.filter(~shared | pl.int_range(pl.len(), dtype=pl.get_index_type()).is_in(winners))


def _prepare_batch(batch: list[Read], now: dt.datetime, settings: Settings) -> list[Prepared]:
    profile = batch[0].profile
    contract = load_contracts()[profile.dataset]
    raw = _stack([r.raw for r in batch], range(len(batch)))
    scoped = in_scope(raw, profile)
    out_of_scope = _heights(raw.filter(~scoped), len(batch))
    geo = geography(profile.geography) if profile.geography else None
    valid, quarantine = apply_profile(raw.filter(scoped), profile, contract, geo, settings.require_pii_key(), now)
    valid_rows = _heights(valid, len(batch))
    valid = _latest_per_file(valid.with_columns(_key_hash=pl.struct(contract.key).hash()), contract)
    prepared = []
    for read, valid_in, rows, rejected, outside in zip(
        batch, valid_rows, _slices(valid, len(batch)), _slices(quarantine, len(batch)), out_of_scope, strict=True
    ):
        if read.bad:
            rejected = pl.concat([rejected, unreadable(read.bad)])
        rows_in = read.raw.height + len(read.bad)
        prepared.append(
            Prepared(
                read.path,
                read.digest,
                profile,
                contract,
                now,
                rows_in,
                valid_in,
                rows,
                rejected,
                outside,
                read.warnings,
            )
        )
    return prepared


def _stack(frames: list[pl.DataFrame], ids: Iterable[int]) -> pl.DataFrame:
    """The frames one after another, each row with its frame's id in `_file`."""
    counts = pl.DataFrame({"_file": pl.Series(list(ids), dtype=pl.Int32), "n": [f.height for f in frames]})
    file_ids = counts.filter(pl.col("n") > 0).select(pl.col("_file").repeat_by("n").explode()).to_series()
    return pl.concat(frames, how="vertical_relaxed").with_columns(file_ids)


LINEAGE_OF_FILE: dict[str, Callable[[Prepared], object]] = {
    "sha256": lambda f: f.digest,
    "profile": lambda f: f.profile.name,
    "at": lambda f: f.now,
    "name": lambda f: f.path.name,
    "dataset": lambda f: f.contract.name,
    "geography": lambda f: f.profile.geography,
}


def _per_file(files: list[Prepared], *names: str) -> dict[str, list]:
    """Lineage values of each file, as lists that SQL indexes by a row's file id: `$sha256[_file + 1]`
    (cheaper than a join)."""
    return {name: [LINEAGE_OF_FILE[name](f) for f in files] for name in names}


def commit(con: duckdb.DuckDBPyConnection, held: Held, files: list[Prepared]) -> list[FileResult]:
    """Write prepared files in one lake transaction (group commit): each file's rows, quarantined rows and
    ledger entry land together with the others' or not at all, so a file is never partly in the lake.
    The outcome, and each file's counts, are those of merging the files one after another."""
    judged: list[tuple[Contract, pl.DataFrame]] = []
    con.execute("BEGIN TRANSACTION")
    try:
        for name in dict.fromkeys(f.contract.name for f in files):
            members = [(i, f) for i, f in enumerate(files) if f.contract.name == name]
            contract = members[0][1].contract
            rows = _stack([f.incoming for _, f in members], [i for i, _ in members]).with_row_index("_seq", offset=1)
            rows = rows.with_columns(_new=held.new(contract, rows))
            rows = _judge(con, contract, rows)
            _write(con, contract, rows, files)
            judged.append((contract, rows))
        rejected = [(i, f) for i, f in enumerate(files) if f.quarantine.height]
        if rejected:
            quarantine = _stack([f.quarantine for _, f in rejected], [i for i, _ in rejected])
            con.register("quarantine_rows", quarantine)
            con.execute(
                "INSERT INTO lake._quarantine BY NAME SELECT _line AS line, column_name, reason, detail, raw, "
                "$sha256[_file + 1] AS file_sha256, $name[_file + 1] AS file_name, $dataset[_file + 1] AS dataset, "
                "$at[_file + 1] AS quarantined_at, $geography[_file + 1] AS geography FROM quarantine_rows",
                _per_file(files, "sha256", "name", "dataset", "at", "geography"),
            )
            con.unregister("quarantine_rows")
        counts = Counter[tuple[int, str]]()
        for _, rows in judged:
            for index, status, n in rows.group_by("_file", "_status").len().iter_rows():
                counts[index, status] += n
        results = [_result(f, counts[i, "inserted"], counts[i, "corrected"]) for i, f in enumerate(files)]
        ledger = pl.DataFrame([_ledger_row(f, r) for f, r in zip(files, results, strict=True)])
        con.register("ledger_rows", ledger)
        con.execute("INSERT INTO lake._ingest_ledger BY NAME SELECT * FROM ledger_rows")
        con.unregister("ledger_rows")
        _record_files(con, results, files[0].now)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    for contract, rows in judged:
        held.add(contract, rows.lazy().filter(pl.col("_status") == "inserted").select(contract.key).collect())
    return results


def _result(file: Prepared, inserted: int, corrected: int) -> FileResult:
    return FileResult(
        path=file.path,
        status="ingested",
        digest=file.digest,
        profile=file.profile.name,
        dataset=file.contract.name,
        rows_in=file.rows_in,
        inserted=inserted,
        corrected=corrected,
        duplicates=file.valid - inserted - corrected,
        quarantined=file.quarantine.height,
        out_of_scope=file.out_of_scope,
        reasons=Counter(file.quarantine["reason"].to_list()),
        warnings=list(file.warnings),
    )


def _ledger_row(file: Prepared, result: FileResult) -> dict:
    return {
        "file_sha256": file.digest,
        "file_name": file.path.name,
        "profile": file.profile.name,
        "dataset": file.contract.name,
        "rows_in": result.rows_in,
        "inserted": result.inserted,
        "corrected": result.corrected,
        "duplicates": result.duplicates,
        "quarantined": result.quarantined,
        "ingested_at": file.now,
        "geography": file.profile.geography,
    }


def ingest(
    settings: Settings,
    paths: list[Path] | None = None,
    profile_name: str | None = None,
    on_file: Callable[[FileResult], None] = lambda result: None,
) -> list[FileResult]:
    """Ingest the given files (or everything new in landing/); a bad file never stops the others.
    Results come in the order of the files."""
    settings.require_pii_key()
    forced = get_profile(profile_name) if profile_name else None
    results: dict[Path, FileResult] = {}

    def done(result: FileResult) -> None:
        if result.status == "ingested":
            ledger.add((result.digest, result.profile))
        if result.status in ("ingested", "skipped"):
            warning = _archive(result.path, result.dataset, result.digest, settings)
            result.warnings += [warning] if warning else []
        results[result.path] = result
        on_file(result)

    def land(batch: list[Prepared | FileResult]) -> None:
        group: list[Prepared] = []
        claimed = set(ledger)
        for item in batch:
            if isinstance(item, FileResult):
                done(item)
            elif (item.digest, item.profile.name) in claimed:  # a copy of a file earlier in this run
                done(FileResult(item.path, "skipped", SKIPPED, item.digest, item.profile.name, item.contract.name))
            else:
                claimed.add((item.digest, item.profile.name))
                group.append(item)
        for result in _commit_group(con, held, group) if group else []:
            done(result)

    with lake_lock(settings), ThreadPoolExecutor(1) as reader, ThreadPoolExecutor(1) as preparer:
        # Listed only now, under the lock: a run that waited for another sees what that one left.
        files = _expand(paths) if paths else landing_files(settings)
        con = lake.connect(settings)
        try:
            # Half the cores for DuckDB: reading and transforming (Polars) keep the others busy, and more DuckDB
            # threads only contend with them (docs/benchmarks.md).
            con.execute(f"SET threads = {max(1, len(os.sched_getaffinity(0)) // 2)}")
            lake.ensure_tables(con)
            ledger = set(con.execute("SELECT file_sha256, profile FROM lake._ingest_ledger").fetchall())
            held = Held(con)
            queue = iter(files)
            # A pipeline of groups: one is read while the one before is prepared and the one before that is
            # written to the lake.
            reading: Future[list[Read | FileResult] | None] | None
            reading, preparing = reader.submit(_read_group, queue, forced, ledger, settings), None
            while reading or preparing:
                taken = reading.result() if reading else None
                reading = reader.submit(_read_group, queue, forced, ledger, settings) if taken else None
                following = preparer.submit(_prepare_group, taken, settings) if taken else None
                if preparing:
                    land(preparing.result())
                preparing = following
            refused = [r for r in results.values() if r.status in ("refused", "failed")]
            _record_files(con, refused, dt.datetime.now(dt.UTC))
        finally:
            con.close()
    return [results[path] for path in dict.fromkeys(files) if path in results]


def _expand(paths: list[Path]) -> list[Path]:
    """The paths given, a folder standing for the files in it (as landing/ is listed)."""
    return [file for path in paths for file in (ready_files(path) if path.is_dir() else [path])]


def _record_files(con: duckdb.DuckDBPyConnection, results: list[FileResult], at: dt.datetime) -> None:
    """What happened to each file, by path: ingested files (with the rows out of scope), refusals and
    failures, which `safelake status` shows. A file left in landing/ and refused again, unchanged and for the
    same reason, adds no row: its row counts one more attempt."""
    if not results:
        return
    rows = pl.DataFrame(
        [
            {
                "file_path": str(r.path),
                "file_sha256": r.digest,
                "profile": r.profile,
                "dataset": r.dataset,
                "status": r.status,
                "message": r.message,
                "out_of_scope": r.out_of_scope,
                "recorded_at": at,
                "attempts": 1,
            }
            for r in results
        ]
    )
    con.register("file_rows", rows)
    con.execute(
        "MERGE INTO lake._ingest_files AS t USING file_rows AS r ON t.status <> 'ingested' AND t.status = r.status "
        "AND t.file_path = r.file_path AND t.file_sha256 = r.file_sha256 AND t.message = r.message "
        "WHEN MATCHED THEN UPDATE SET attempts = coalesce(t.attempts, 1) + 1, recorded_at = r.recorded_at "
        "WHEN NOT MATCHED THEN INSERT BY NAME"
    )
    con.unregister("file_rows")


def _failure(path: Path, exc: Exception, digest: str = "") -> FileResult:
    """A refusal (or failure) with the file's checksum where it is known: a changed file is a new refusal."""
    if isinstance(exc, SafeLakeError):
        return FileResult(path, "refused", str(exc), digest)
    return FileResult(path, "failed", f"{path}: {type(exc).__name__}: {exc}".splitlines()[0], digest)


@dataclass
class Found:
    """A file checksummed and matched to its profile, not read yet."""

    path: Path
    digest: str
    profile: Profile
    lines: int


def _find(path: Path, forced: Profile | None, ledger: set[tuple[str, str]], settings: Settings) -> Found | FileResult:
    """Checksum and profile; or why the file goes no further."""
    if path.is_symlink() and _in_landing(path, settings):
        return FileResult(
            path, "refused", f"{path}: a symbolic link in landing/, not followed; copy the file in instead"
        )
    if not path.is_file():
        return FileResult(path, "refused", f"{path}: no such file")
    digest = ""
    try:
        digest, lines = fingerprint(path)
        profile = forced or choose_profile(path, settings)
    except (SafeLakeError, pl.exceptions.PolarsError, OSError) as exc:
        return _failure(path, exc, digest)
    if (digest, profile.name) in ledger:
        return FileResult(path, "skipped", SKIPPED, digest, profile.name, profile.dataset)
    return Found(path, digest, profile, lines)


def _read_one(found: Found) -> Read | FileResult:
    try:
        return Read(found.path, found.digest, found.profile, *readers.read(found.path, found.profile))
    except (SafeLakeError, pl.exceptions.PolarsError, OSError, RecursionError) as exc:
        return _failure(found.path, exc, found.digest)


def _read_files(
    paths: list[Path], forced: Profile | None, ledger: set[tuple[str, str]], settings: Settings
) -> list[Read | FileResult]:
    """Each file's text cells, or why it goes no further. The files of one profile are read together where the
    reader can (`readers.read_together`), else one by one."""
    found = [_find(path, forced, ledger, settings) for path in paths]
    by_profile: dict[str, dict[Path, Found]] = {}
    for item in found:
        if isinstance(item, Found):
            by_profile.setdefault(item.profile.name, {})[item.path] = item
    cells: dict[Path, Read] = {}
    for members in by_profile.values():
        profile = next(iter(members.values())).profile
        together = readers.read_together({path: f.lines for path, f in members.items()}, profile)
        if together is not None:
            cells.update(
                (f.path, Read(f.path, f.digest, profile, raw, [], []))
                for f, raw in zip(members.values(), together, strict=True)
            )
    return [item if isinstance(item, FileResult) else cells.get(item.path) or _read_one(item) for item in found]


def _read_group(
    queue: Iterator[Path], forced: Profile | None, ledger: set[tuple[str, str]], settings: Settings
) -> list[Read | FileResult] | None:
    """The next files from `queue`, read, up to the group limits; None when the queue is empty. Files are read
    a few at a time (`_next_files`), so a group can pass the row limit by the files read with the one that
    reached it."""
    taken, files, rows = [], 0, 0
    while files < settings.ingest_group_files and rows < settings.ingest_group_rows:
        chunk = _next_files(queue, min(READ_TOGETHER, settings.ingest_group_files - files))
        if not chunk:
            break
        for item in _read_files(chunk, forced, ledger, settings):
            taken.append(item)
            if isinstance(item, Read):
                files, rows = files + 1, rows + item.raw.height
    return taken or None


def _next_files(queue: Iterator[Path], most: int) -> list[Path]:
    """Up to `most` files from `queue`, and fewer once they reach READ_TOGETHER_BYTES."""
    chunk, size = [], 0
    for path in queue:
        chunk.append(path)
        with suppress(OSError):  # a file that is gone is refused when it is read
            size += path.stat().st_size
        if len(chunk) >= most or size >= READ_TOGETHER_BYTES:
            break
    return chunk


def _prepare_group(taken: list[Read | FileResult], settings: Settings) -> list[Prepared | FileResult]:
    prepared = iter(prepare([item for item in taken if isinstance(item, Read)], settings))
    return [next(prepared) if isinstance(item, Read) else item for item in taken]


def _commit_group(con: duckdb.DuckDBPyConnection, held: Held, group: list[Prepared]) -> list[FileResult]:
    """Commit the group. If it fails, each file is tried alone, so one file's fault does not hold back the
    others."""
    try:
        return commit(con, held, group)
    except (SafeLakeError, duckdb.Error, pl.exceptions.PolarsError, OSError) as exc:
        if len(group) == 1:
            return [_failure(group[0].path, exc, group[0].digest)]
        return [result for file in group for result in _commit_group(con, held, [file])]
