"""`safelake`: the one command line for the platform."""

from __future__ import annotations

import json
import secrets
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from safelake.errors import SafeLakeError
from safelake.settings import Settings, get_settings

if TYPE_CHECKING:
    from ingestion.pipeline import FileResult

app = typer.Typer(
    help="SafeLake: public-safety plan data — ingest, build, status, e-mail briefings.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


def _settings() -> Settings:
    return get_settings()


def profile_geography(settings: Settings) -> Callable[[str | None], str]:
    """The geography of the rows a profile wrote, for a lake written before rows carried it: the profile's,
    else (a profile since removed, a live stream's subject) the configured geography."""
    from ingestion.profiles import all_profiles

    known = {name: p.geography for name, p in all_profiles().items() if p.geography}
    return lambda profile: known.get(profile or "", settings.geography)


@app.command()
def init() -> None:
    """Create SAFELAKE_HOME's folders, install the DuckDB extensions and create the lake tables."""
    from safelake import lake

    env = Path(".env")
    settings = _settings()
    if settings.pii_key is None:
        with env.open("a", encoding="utf-8") as fh:
            fh.write(f"SAFELAKE_PII_KEY={secrets.token_urlsafe(32)}\n")
        env.chmod(0o600)
        get_settings.cache_clear()
        settings = _settings()
        console.print(f"wrote a random SAFELAKE_PII_KEY to {env.absolute()} (keep it: it keys the pseudonyms)")
    for folder in (settings.landing, settings.archive, settings.lake_dir, settings.warehouse_dir):
        folder.mkdir(parents=True, exist_ok=True)
    con = lake.connect(settings)
    lake.ensure_tables(con, profile_geography(settings))
    con.close()
    console.print(f"SafeLake home ready: {settings.home}")


@app.command()
def relocate() -> None:
    """Record the lake's new data folder after SAFELAKE_HOME was moved or restored elsewhere."""
    from safelake import lake

    before, after = lake.relocate(_settings())
    console.print(f"the lake's data path is now {after} (was {before})", markup=False)


PER_FILE_UP_TO = 20  # a daily run is listed file by file; a backfill of hundreds of files by dataset


def ingest_summary(results: list[FileResult]) -> Table:
    """One row per file, by its path (per dataset when the run had more than PER_FILE_UP_TO files), then the
    total. Refused and failed files are named on stderr either way."""
    per_file = len(results) <= PER_FILE_UP_TO
    rows: list[tuple[str, list[FileResult]]] = [(str(r.path), [r]) for r in results]
    if not per_file:
        groups: dict[str, list[FileResult]] = {}
        for r in results:
            groups.setdefault(r.dataset or "(no profile)", []).append(r)
        rows = list(groups.items())
    table = Table("file" if per_file else "dataset", "dataset" if per_file else "files", "status", "rows in")
    table.columns[0].overflow = "fold"  # a path is shown whole, over several lines if it must
    for column in ("merged", "duplicates", "quarantined", "out of scope", "reasons"):
        table.add_column(column)
    for name, members in [*rows, ("total", results)]:
        reasons, totals = Counter[str](), Counter[str]()
        for r in members:
            reasons.update(r.reasons)
            totals.update(
                rows_in=r.rows_in,
                merged=r.merged,
                duplicates=r.duplicates,
                quarantined=r.quarantined,
                out_of_scope=r.out_of_scope,
            )
        one_file = per_file and name != "total"
        statuses = Counter(r.status for r in members).most_common()
        table.add_row(
            Text(name),  # a file name is text, not markup: "[x]" stays as it is
            members[0].dataset if one_file else f"{len(members)} file{'' if len(members) == 1 else 's'}",
            members[0].status if one_file else ", ".join(f"{status} {n}" for status, n in statuses),
            *(f"{totals[k]:,}" for k in ("rows_in", "merged", "duplicates", "quarantined", "out_of_scope")),
            "" if name == "total" else ", ".join(f"{k} {v}" for k, v in reasons.most_common()),
        )
    return table


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders (their files) to ingest; default: everything new in landing/."),
    ] = None,
    profile: Annotated[str | None, typer.Option(help="Use this profile instead of detecting one.")] = None,
) -> None:
    """Load export files into the lake: valid rows merge by key, bad rows go to quarantine."""
    from ingestion.pipeline import ingest as run
    from ingestion.profiles import profile_problems

    settings = _settings()
    settings.require_pii_key()
    problems = profile_problems()
    for problem in problems:
        err.print(f"profile skipped: {problem}", soft_wrap=True, markup=False)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("ingesting", total=None)
        results = run(settings, paths, profile, on_file=lambda r: progress.advance(task))
    console.print(ingest_summary(results))
    for warning in (w for r in results for w in r.warnings):
        err.print(f"warning: {warning}", soft_wrap=True, markup=False)
    bad = [r for r in results if r.status in ("refused", "failed")]
    for r in bad:
        err.print(Text.assemble((r.status, "red"), f": {r.message}"), soft_wrap=True)
    if bad or problems:
        raise typer.Exit(1)


@app.command()
def build(
    full_refresh: Annotated[bool, typer.Option("--full-refresh", help="Rebuild every model from scratch.")] = False,
    parse_only: Annotated[
        bool, typer.Option("--parse-only", help="Only parse the dbt project, so that the next build parses less.")
    ] = False,
) -> None:
    """Build the warehouse with dbt into a new file; publish it only if every model and test passed."""
    from warehouse.build import build as run
    from warehouse.build import parse, require_success

    settings = _settings()
    if parse_only:
        parse(settings)
        console.print("dbt project parsed")
        return
    with console.status("dbt build"):
        record = run(settings, full_refresh=full_refresh)
    results = ", ".join(f"{k} {v}" for k, v in sorted(record.results.items()))
    console.print(
        f"build {record.build_id}: {record.status} in {record.seconds:.1f} s "
        f"(lake snapshot {record.lake_snapshot}; {results})"
    )
    require_success(record, settings)


@app.command()
def status(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Rows, newest record, last ingest, rows in / merged / duplicates / quarantined per dataset (per file
    with --json), and the files refused."""
    from ops.status import build_state, lake_status, stream_status
    from warehouse.publish import last_build, published_build

    settings = _settings()
    report = lake_status(settings)
    last = last_build(settings)
    state = build_state(settings, last) if last else None
    report["last_build"] = asdict(last) if last else None
    report["last_build_state"] = state
    report["published_build"] = published_build(settings)
    report["stream"] = stream_status(settings) if report["initialised"] else None
    if as_json:
        print(json.dumps(report, indent=2, default=str))
        return
    if not report["initialised"]:
        console.print(f"no lake yet in {report['home']}: run `safelake init` then `safelake ingest`")
        return
    table = Table("dataset", "rows", "newest record", "files", "last ingest", title=escape(report["home"]))
    for column in ("rows in", "merged", "duplicates", "quarantined", "out of scope", "quarantine by reason"):
        table.add_column(column)
    for name, d in report["datasets"].items():
        reasons = ", ".join(f"{k} {v}" for k, v in d["quarantined_by_reason"].items())
        table.add_row(
            name,
            f"{d['rows']:,}",
            d["newest_record"] or "-",
            str(d["files"]),
            d["last_ingest"] or "-",
            *(f"{d[k]:,}" for k in ("rows_in", "merged", "duplicates", "quarantined", "out_of_scope")),
            reasons,
        )
    console.print(table)
    if last is None:
        console.print("warehouse: no build yet — run `safelake build`")
    elif state == "abandoned":
        console.print(
            f"last build {last.build_id}: abandoned (started at {last.started_at}, no builder is running it: "
            f"killed?); serving {report['published_build'] or 'nothing'}; run `safelake build`"
        )
    else:
        console.print(
            f"last build {last.build_id}: {state} at {last.finished_at} (lake snapshot "
            f"{last.lake_snapshot}); serving {report['published_build'] or 'nothing'}"
        )
        for failure in last.failures[:5]:
            console.print(f"  failed: {failure}", markup=False)
    for refusal in report["refused"]:
        tries = f", {refusal['attempts']} runs" if refusal["attempts"] > 1 else ""
        console.print(
            f"{refusal['status']} ({refusal['at']}{tries}): {refusal['message']}", markup=False, soft_wrap=True
        )
    _print_stream(report["stream"])


def _print_stream(live: dict) -> None:
    if live["broker_error"]:
        console.print(f"stream: {live['broker_error']}", markup=False)
    table = Table("stream", "messages", "lag", "consumer", "last commit", "quarantined", title="live streams")
    for s in live["streams"]:
        alive = "pulling" if s["consumer_alive"] else "[red]not running[/red]"
        counts = (f"{s['messages']:,}", f"{s['lag']:,}")
        table.add_row(s["stream"], *counts, alive, s["last_commit"] or "-", f"{s['quarantined']:,}")
    console.print(table)
    if live["cameras_now"]:
        title = f"cameras now (silent for {live['heartbeat_timeout_seconds']:g} s = offline)"
        cameras = Table("region", "cameras", "online", "offline", "of which silent", "outages", title=title)
        for r in live["cameras_now"]:
            cameras.add_row(
                r["region_code"], *(f"{r[k]:,}" for k in ("cameras", "online", "offline", "silent", "outages"))
            )
        console.print(cameras)


@app.command()
def stream(
    quiet: Annotated[bool, typer.Option("--quiet", help="No line per commit.")] = False,
) -> None:
    """Consume the live streams (NATS JetStream at SAFELAKE_NATS_URL) into the lake until stopped (SIGTERM)."""
    import asyncio

    from stream.consumer import Outcome, run

    def report(outcome: Outcome, seconds: float) -> None:
        if not quiet:
            console.print(
                f"committed {outcome.written} events, quarantined {outcome.quarantined}, "
                f"redelivered {outcome.redelivered} in {seconds:.2f} s"
            )

    asyncio.run(run(_settings(), on_commit=report))


@app.command("contracts-doc")
def contracts_doc(out: Path = Path("docs/data-contracts.md")) -> None:
    """Regenerate docs/data-contracts.md from safelake/contracts.yaml."""
    from safelake.contracts import render_markdown

    out.write_text(render_markdown(), encoding="utf-8")
    console.print(f"wrote {out}")


SqlFormat = typer.Option("--format", help="table, csv, json, or parquet (needs --out).")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="One SELECT over the marts and analytics views.")],
    user: Annotated[str, typer.Option("--user", envvar="SAFELAKE_USER", help="Whose scope applies.")],
    output: Annotated[str, SqlFormat] = "table",
    out: Annotated[Path | None, typer.Option(help="File for csv/json/parquet instead of stdout.")] = None,
) -> None:
    """Query the published warehouse within USER's scope: read-only, time-, row- and size-limited, audited."""
    import pyarrow.parquet as pq

    from access import csvsafe
    from access.policy import bound_process_memory, run_sql
    from access.users import get_user

    if output not in ("table", "csv", "json", "parquet"):
        raise SafeLakeError(f"--format {output!r}: use table, csv, json or parquet")
    if output == "parquet" and out is None:
        raise SafeLakeError("--format parquet writes a file: give --out FILE.parquet")
    settings = _settings()
    account = get_user(settings, user)
    bound_process_memory(settings)  # this process runs one query: its memory is the query's
    result = run_sql(settings, account.name, account.scope, query)
    limits = {"rows": f"{settings.sql_row_limit} rows", "bytes": f"{settings.sql_result_mb} MB"}
    note = f"{result.table.num_rows} row(s) in {result.seconds:.2f} s" + (
        f"; cut at the limit of {limits[result.cut_by]}" if result.truncated else ""
    )
    if output == "parquet":
        pq.write_table(result.arrow(), out)
    elif output == "table":
        # values and names are data, not markup: Text() shows "[/red]" as it is
        table = Table()
        for column in result.columns:
            table.add_column(Text(column))
        for row in result.rows:
            table.add_row(*(Text("" if v is None else str(v)) for v in row))
        console.print(table)
    else:
        stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        if output == "csv":
            csvsafe.write(stream, result.columns, result.rows)
        else:
            records = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
            stream.write(json.dumps(records, default=str, ensure_ascii=False) + "\n")
        if out:
            stream.close()
    err.print(note + (f"; wrote {out}" if out else ""), markup=False)


@app.command()
def export(
    user: Annotated[str, typer.Option("--user", envvar="SAFELAKE_USER", help="Whose scope applies.")],
    out: Annotated[Path, typer.Option(help="The DuckDB file to write.")] = Path("safelake-export.duckdb"),
) -> None:
    """Copy USER's scoped, pseudonymised views into a DuckDB file for Jupyter, DBeaver and other tools."""
    from access.policy import export as run
    from access.users import get_user

    settings = _settings()
    account = get_user(settings, user)
    with console.status(f"exporting {account.scope.region_code or 'national'} views"):
        counts = run(settings, account.scope, out)
    console.print(f"wrote {out}: {len(counts)} tables, {sum(counts.values()):,} rows", markup=False)


users_app = typer.Typer(help="Who may log in to the dashboards and query the warehouse.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="leadership, regional_chief, analyst or admin.")],
    region: Annotated[str | None, typer.Option(help="ISO 3166-2 region code (regional_chief only).")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    display_name: Annotated[str, typer.Option(help="Name shown in the dashboards.")] = "",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, envvar="SAFELAKE_NEW_PASSWORD")
    ] = "",
) -> None:
    """Add or replace a user; only a salted hash of the password is stored."""
    from pydantic import ValidationError

    from access.users import User, hash_password, save_user

    if len(password) < 10:
        raise SafeLakeError("the password needs at least 10 characters")
    try:
        user = User(
            name=name,
            role=role,
            region_code=region,
            email=email,
            display_name=display_name or name,
            password_hash=hash_password(password),
        )
    except ValidationError as exc:
        raise SafeLakeError(f"user {name}: {exc.errors()[0]['msg']}") from None
    console.print(f"saved {user.name} ({user.role}) in {save_user(_settings(), user)}")


@users_app.command("demo")
def users_demo() -> None:
    """With no users file yet, create one user per role with a random password, shown once."""
    from access.users import create_demo_users

    settings = _settings()
    created = create_demo_users(settings)
    if not created:
        console.print(f"users: {settings.users_path} exists; `safelake users list` shows who")
    for name, role, password in created:
        console.print(f"dashboard login (shown once): {name} / {password}  ({role})", markup=False)


@users_app.command("list")
def users_list() -> None:
    """The users and their scopes."""
    from access.users import load_users

    table = Table("user", "role", "region", "e-mail", "password")
    for user in load_users(_settings()).values():
        table.add_row(
            user.name,
            user.role,
            user.region_code or "national",
            user.email or "",
            "set" if user.password_hash else "OIDC only",
        )
    console.print(table)


email_app = typer.Typer(help="KPI briefings by e-mail: preview one, or send to the recipients.", no_args_is_help=True)
app.add_typer(email_app, name="email")
BriefingOption = Annotated[str, typer.Option("--briefing", help="Briefing name from the recipients file.")]
ToOption = Annotated[list[str] | None, typer.Option("--to", help="Only these recipients (repeatable).")]


@email_app.command("preview")
def email_preview(
    briefing: BriefingOption = "daily",
    to: ToOption = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for the .html and .eml files [default: SAFELAKE_HOME/preview].")
    ] = None,
) -> None:
    """Render the briefing for each recipient (or --to) into OUT as .html and .eml, without sending."""
    from briefings.preview import preview

    settings = _settings()
    for html, eml in preview(settings, briefing, out or settings.home / "preview", to):
        console.print(f"wrote {html} and {eml}")


@email_app.command("send")
def email_send(briefing: BriefingOption = "daily", to: ToOption = None) -> None:
    """Send the briefing of the current period (SMTP, or .eml files in the outbox); never twice to anyone."""
    from briefings.deliver import deliver

    settings = _settings()
    with console.status(f"sending the {briefing} briefing"):
        report = deliver(settings, briefing, to=to)
    for address, where in report.sent:
        console.print(f"sent to {address}: {where}")
    for address, why in report.skipped:
        console.print(f"skipped {address}: {why}")
    for address, error in report.failed:
        err.print(f"failed {address}: {error}", soft_wrap=True, markup=False)
    console.print(report.summary())
    if report.failed:
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except SafeLakeError as exc:
        err.print(f"error: {exc}", soft_wrap=True, markup=False)
        raise SystemExit(2) from None
