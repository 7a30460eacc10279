"""KPI briefings: config, content per scope, rendering, and delivery through a real SMTP server (aiosmtpd).

The shared `published` warehouse is read-only: each test gets its own SAFELAKE_HOME whose warehouse/
folder is a link to it, so the ledger and the outbox are the test's own.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import html
import io
import re
import socket
import struct
from email.message import Message
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from access import i18n
from access.policy import NATIONAL, Scope, connect
from briefings import config as briefing_config
from briefings.charts import trend_chart
from briefings.config import ConfigError, Recipient, Schedule, load
from briefings.content import Mover, Window, load_briefing
from briefings.deliver import Ledger, deliver, due, ledger_path
from briefings.render import mover_rows, render
from safelake import notify
from safelake.settings import Settings

TZ = ZoneInfo("Asia/Bishkek")
NATIONAL_TO, BISHKEK_TO, OSH_TO = "chief@example.org", "bishkek@example.org", "osh@example.org"
RECIPIENTS = f"""
schedules:
  daily: {{at: "08:00"}}
  weekly: {{at: "08:00", weekday: monday}}
recipients:
  - {{name: Chief, address: {NATIONAL_TO}, role: leadership, region: national, language: en, briefings: [daily]}}
  - {{name: Бишкек ГУВД, address: {BISHKEK_TO}, role: regional_chief, region: KG-GB, language: ru,
     briefings: [daily, weekly]}}
  - {{name: Osh UVD, address: {OSH_TO}, role: regional_chief, region: KG-O, language: en, briefings: [daily]}}
"""


# --- fixtures ---------------------------------------------------------------------------------------


class Inbox:
    """An aiosmtpd handler that keeps every message and answers 550 for the addresses in `reject`."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.reject: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook)
        if address in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for rcpts, m in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def home(published, tmp_path: Path) -> Settings:
    """A private SAFELAKE_HOME reading the shared published warehouse, with the test's recipients file."""
    root = tmp_path / "home"
    root.mkdir()
    (root / "warehouse").symlink_to(published.home / "warehouse", target_is_directory=True)
    recipients = tmp_path / "recipients.yaml"
    recipients.write_text(RECIPIENTS, encoding="utf-8")
    return Settings(home=root, recipients_file=recipients, pii_key="test-key-0123456789abcdef")


@pytest.fixture
def smtp(home: Settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    home.smtp_host, home.smtp_port, home.smtp_security = "127.0.0.1", port, "none"
    yield inbox
    controller.stop()


@pytest.fixture
def now(home: Settings) -> dt.datetime:
    """An hour after the published build: fresh."""
    con = connect(home)
    built_at = con.execute("select built_at from meta.build").fetchone()[0]
    con.close()
    return built_at + dt.timedelta(hours=1)


def parts(msg: Message) -> dict[str, list[Message]]:
    found: dict[str, list[Message]] = {}
    for part in msg.walk():
        found.setdefault(part.get_content_type(), []).append(part)
    return found


def attachment(msg: Message, suffix: str) -> list[dict[str, str]]:
    [part] = [p for p in msg.walk() if (p.get_filename() or "").endswith(suffix)]
    return list(csv.DictReader(io.StringIO(part.get_payload(decode=True).decode("utf-8-sig"))))


def offline_over_24h(settings: Settings, scope: Scope) -> set[str]:
    con = connect(settings, scope)
    sql = "select camera_id from marts.kpi_cameras_offline_now where is_offline_over_24h"
    ids = {r[0] for r in con.execute(sql).fetchall()}
    con.close()
    return ids


def crimes_28d(settings: Settings, scope: Scope) -> int:
    level = "nation" if scope.is_national else "region"
    con = connect(settings, scope)
    value = con.execute(
        "select crimes_registered_current from marts.kpi_crime_compstat "
        "where compstat_window = '28d' and offence_code = 'all' and area_level = ?",
        [level],
    ).fetchone()[0]
    con.close()
    return int(value)


# --- delivery through a real SMTP server --------------------------------------------------------------


def test_each_recipient_gets_one_email_with_their_own_regions_numbers(home, smtp, now):
    report = deliver(home, "daily", now)
    assert sorted(a for a, _ in report.sent) == sorted([NATIONAL_TO, BISHKEK_TO, OSH_TO]) and not report.failed
    assert {where for _, where in report.sent} == {f"smtp://127.0.0.1:{home.smtp_port}"}
    assert not home.outbox.exists()

    build_id = connect(home).execute("select build_id from meta.build").fetchone()[0]
    for address, scope in (
        (NATIONAL_TO, NATIONAL),
        (BISHKEK_TO, Scope("KG-GB", "KG-GB")),
        (OSH_TO, Scope("KG-O", "KG-O")),
    ):
        [msg] = smtp.to(address)
        assert msg["To"] == address
        offline = attachment(msg, "cameras-offline-24h.csv")
        assert {row["camera_id"] for row in offline} == offline_over_24h(home, scope)
        if not scope.is_national:
            assert {row["region_code"] for row in offline} <= {scope.region_code}
        if scope.is_national:
            plan = attachment(msg, "plan.csv")
            assert len(plan) >= 5 and all(float(r["target_value"]) > 0 and r["status"] for r in plan)
        kpis = attachment(msg, "kpis.csv")
        [crimes] = [r for r in kpis if r["metric"] == "crimes_registered" and r["compstat_window"] == "28d"]
        assert int(crimes["current"]) == crimes_28d(home, scope)
        html = parts(msg)["text/html"][0].get_content()
        text = parts(msg)["text/plain"][0].get_content()
        for body in (html, text):  # the as-of stamp on every e-mail
            assert build_id in body
        assert "<script" not in html.lower()

    national_offline = offline_over_24h(home, NATIONAL)
    bishkek_offline = offline_over_24h(home, Scope("KG-GB", "KG-GB"))
    assert bishkek_offline < national_offline  # the regional e-mail really is narrower
    [bishkek] = smtp.to(BISHKEK_TO)
    assert "Бишкек" in bishkek["Subject"] and "Ежедневная сводка" in bishkek["Subject"]
    assert "Osh Region" in smtp.to(OSH_TO)[0]["Subject"]


def test_inline_charts_are_pngs_referenced_by_content_id_and_csv_parses(home, smtp, now):
    deliver(home, "weekly", now)
    [msg] = smtp.to(BISHKEK_TO)
    found = parts(msg)
    html = found["text/html"][0].get_content()
    images = found["image/png"]
    assert len(images) == 5  # the weekly regional briefing: the region's plan, camera roll-out, trend, offline, movers
    for image in images:
        data = image.get_payload(decode=True)
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        assert width > 300 and height > 50
        assert f"cid:{image['Content-ID'].strip('<>')}" in html
        assert image.get_content_disposition() == "inline"
    kpis = attachment(msg, "kpis.csv")
    assert {"metric", "compstat_window", "current", "prior_year", "pct_change"} <= set(kpis[0])
    assert {"28d", "ytd"} <= {r["compstat_window"] for r in kpis} <= {"wtd", "28d", "ytd"}
    # the region's own plan (kpi_plan_progress_by_region), not the nation's
    con = connect(home, Scope("KG-GB", "KG-GB"))
    sql = "select target_id, target_value from marts.kpi_plan_progress_by_region"
    regional = {tid: None if v is None else float(v) for tid, v in con.execute(sql).fetchall()}
    con.close()
    rows = attachment(msg, "plan.csv")
    plan = {r["target_id"]: float(r["target_value"]) if r["target_value"] else None for r in rows}
    assert plan == regional and any(v is not None for v in regional.values())


def test_a_retry_sends_nothing_twice(home, smtp, now):
    first = deliver(home, "daily", now)
    slot = briefing_config.load_schedules(home)["daily"].last_slot(now, ZoneInfo(home.timezone))
    later = now + (slot + dt.timedelta(days=1) - now) / 2  # halfway to the next daily slot: the same period
    retry = deliver(home, "daily", later)
    assert len(first.sent) == 3 and retry.sent == [] and len(retry.skipped) == 3
    assert len(smtp.messages) == 3
    next_day = deliver(home, "daily", now + dt.timedelta(days=1))
    assert len(next_day.sent) == 3  # a new period is a new briefing


def test_one_rejected_recipient_does_not_stop_the_others_and_is_retried(home, smtp, now):
    smtp.reject = {BISHKEK_TO}
    report = deliver(home, "daily", now)
    assert sorted(a for a, _ in report.sent) == sorted([NATIONAL_TO, OSH_TO])
    [(address, error)] = report.failed
    assert address == BISHKEK_TO and "550" in error and "smtp://127.0.0.1" in error
    assert smtp.to(BISHKEK_TO) == []

    smtp.reject = set()
    retry = deliver(home, "daily", now)
    assert [a for a, _ in retry.sent] == [BISHKEK_TO]
    assert len(smtp.to(BISHKEK_TO)) == 1 and len(smtp.to(NATIONAL_TO)) == 1


def test_an_interrupted_send_is_not_repeated(home, smtp, now):
    period = briefing_config.DEFAULT_SCHEDULES["daily"].last_slot(now, TZ).isoformat()
    ledger = Ledger(ledger_path(home))
    assert ledger.claim(f"daily|{OSH_TO}|{period}", "daily", OSH_TO, period, None)  # killed mid-send
    assert not ledger.claim(f"daily|{OSH_TO}|{period}", "daily", OSH_TO, period, None)
    ledger.close()
    report = deliver(home, "daily", now)
    assert smtp.to(OSH_TO) == []
    assert (OSH_TO, "a previous try was interrupted mid-send; not resent") in report.skipped


def test_a_stale_warehouse_sends_a_short_delayed_note_then_the_briefing_once_fresh(home, smtp, now):
    late = now + dt.timedelta(hours=home.warehouse_stale_hours + 1)
    report = deliver(home, "daily", late)
    assert report.delayed and len(report.sent) == 3
    [note] = smtp.to(OSH_TO)
    assert "Data delayed" in note["Subject"] and not note.is_multipart()
    assert "older than 26 hours" in note.get_content()
    assert deliver(home, "daily", late).sent == []  # one note per period
    fresh = deliver(home, "daily", late, delayed=False)  # the DAG's path once a fresh build is published
    assert len(fresh.sent) == 3 and len(smtp.to(OSH_TO)) == 2


def test_without_smtp_the_emails_go_to_the_outbox(home, now):
    report = deliver(home, "daily", now, to=[OSH_TO])
    [(address, where)] = report.sent
    assert where.endswith(".eml") and Path(where).parent == home.outbox
    msg = email.message_from_bytes(Path(where).read_bytes(), policy=email.policy.default)
    assert msg["To"] == OSH_TO and len(parts(msg)["image/png"]) == 4  # the region's plan, roll-out, trend, offline


# --- schedules, config, content ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_now", "daily", "weekly"),
    [
        ("2026-11-23 08:00", "2026-11-23 08:00", "2026-11-23 08:00"),  # Monday at the slot
        ("2026-11-23 07:59", "2026-11-22 08:00", "2026-11-16 08:00"),  # Monday before it
        ("2026-11-25 23:00", "2026-11-25 08:00", "2026-11-23 08:00"),  # Wednesday night
        ("2026-11-29 08:30", "2026-11-29 08:00", "2026-11-23 08:00"),  # Sunday
    ],
)
def test_last_slot_in_local_time(local_now, daily, weekly):
    moment = dt.datetime.fromisoformat(local_now).replace(tzinfo=TZ).astimezone(dt.UTC)
    schedules = briefing_config.DEFAULT_SCHEDULES
    assert schedules["daily"].last_slot(moment, TZ).strftime("%Y-%m-%d %H:%M") == daily
    assert schedules["weekly"].last_slot(moment, TZ).strftime("%Y-%m-%d %H:%M") == weekly
    assert Schedule(weekday="monday").cron == "0 8 * * 1" and schedules["daily"].cron == "0 8 * * *"


def test_due_briefings(home):
    loaded = load(home)

    def at(local: str) -> list[str]:
        return due(loaded, dt.datetime.fromisoformat(local).replace(tzinfo=TZ), TZ)

    assert at("2026-11-23 08:00") == ["daily", "weekly"]
    assert at("2026-11-24 08:00") == ["daily"]
    assert at("2026-11-24 15:00") == ["daily"]  # a late run (fresh data arrived) still sends today's
    assert at("2026-11-24 21:00") == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "{name: X, address: x@example.org, role: analyst, region: KG-ZZ, briefings: [daily]}",
            "unknown region 'KG-ZZ'",
        ),
        ("{name: X, address: x@example.org, role: analyst, briefings: [hourly]}", "unknown briefing(s) hourly"),
        ("{name: X, address: not-an-address, role: analyst, briefings: [daily]}", "recipient #1 (X), field address"),
        ("{name: X, address: x@example.org, role: analyst, language: de, briefings: [daily]}", "field language"),
        ("{name: X, address: x@example.org, role: boss, briefings: [daily]}", "field role: Input should be"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_recipient(home, tmp_path, entry, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"recipients:\n  - {entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load(home, bad)
    assert str(exc.value).startswith(f"{bad}: ") and message in str(exc.value) and "\n" not in str(exc.value)


def test_the_example_config_is_valid_and_the_default(home):
    loaded = load(home.model_copy(update={"recipients_file": None}))
    assert loaded.path == briefing_config.EXAMPLE
    assert {r.region for r in loaded.config.recipients} >= {"national", "KG-GB"}


def test_small_minors_and_dv_counts_reach_only_cleared_roles(home):
    """The access policy blanks them for an uncleared scope; nothing else changes. A high threshold makes every
    non-zero minors / DV count "small", so the test does not depend on how many crimes the demo data has."""
    home = home.model_copy(update={"suppress_below": 10**6})
    suppressed = 0
    for region in ("KG-GB", "KG-O"):
        cleared = {m.metric: m for m in load_briefing(home, "daily", Scope(region, region, True)).movers}
        hidden = load_briefing(home, "daily", Scope(region, region, False))
        for m in hidden.movers:
            for window, shown in m.windows.items():
                full = cleared[m.metric].windows[window]
                small = any(v is not None and 0 < v < home.suppress_below for v in full[:2])
                if m.sensitive and small:
                    assert shown.current is None and shown.pct is None
                    suppressed += 1
                else:
                    assert shown == full, (m.metric, window)
    assert suppressed > 0  # the data has small counts: the test really looked at some


def test_a_suppressed_count_reads_hidden_not_a_number(home):
    """A suppressed cell may be one hidden to protect a small one (any size): it never reads as "<N"."""
    b = load_briefing(home, "daily", NATIONAL)
    windows = {"wtd": Window(None, 2, None), "28d": Window(30, 60, -50.0), "ytd": Window(300, 400, -25.0)}
    mover = Mover("crime", "dv_crimes", windows, sensitive=True, score=(30 - 60) / 90**0.5)  # as kpi_movers has it
    b = b.__class__(**{**b.__dict__, "movers": [mover]})
    [row] = mover_rows(b, "en")
    assert [c["cur"] for c in row["cells"]] == ["hidden", "30", "300"]
    assert [c["pct"] for c in row["cells"]] == ["–", "-50.0", "-25.0"]


def test_no_comparison_where_the_prior_year_is_not_covered(home):
    """In a lake's first year the prior-year windows hold only part of their days: the e-mail shows no
    prior count and no change for them, and such a window never makes a KPI a "mover"."""
    b = load_briefing(home, "daily", NATIONAL)
    partial = {
        "wtd": Window(12, 0, None, False),
        "28d": Window(400, 30, None, False),
        "ytd": Window(900, 30, None, False),
    }
    covered = {**partial, "28d": Window(400, 300, 33.3)}
    b = b.__class__(**{**b.__dict__, "movers": [Mover("crime", "crimes_registered", partial, sensitive=False)]})
    assert b.movers[0].score == 0 and b.top_movers(5) == [] and not b.comparable
    boss = Recipient(name="Boss", address="boss@example.org", role="leadership", language="en", briefings=["daily"])
    rendered = render(b, boss, TZ)
    assert "No comparison with last year yet" in rendered.text and "No KPI moved" not in rendered.html
    # one date format per language: "5 Dec 2026", as the dashboards write it
    assert f"Windows up to {i18n.date(b.compstat_through, 'en')}, the last whole day." in rendered.text
    mover = Mover("crime", "crimes_registered", covered, sensitive=False, score=(400 - 300) / 700**0.5)
    b = b.__class__(**{**b.__dict__, "movers": [mover]})
    [row] = mover_rows(b, "en")
    assert [c["prior"] for c in row["cells"]] == ["–", "300", "–"]
    assert [c["pct"] for c in row["cells"]] == ["–", "+33.3", "–"]
    assert [c["colour"] for c in row["cells"]][0] == row["cells"][2]["colour"] == ""


def test_smtp_settings_from_an_airflow_connection(home):
    home.smtp_conn_id = "smtp_default"
    s = notify.with_smtp_connection(home, "mail.example.org", 465, "bot", "secret", "ssl")
    assert (s.smtp_host, s.smtp_port, s.smtp_user, s.smtp_security) == ("mail.example.org", 465, "bot", "ssl")
    assert s.smtp_password.get_secret_value() == "secret"
    with pytest.raises(Exception, match="'smtp_default' has no host"):
        notify.with_smtp_connection(home, None, None, None, None)


# --- command line and a real browser -----------------------------------------------------------------


def test_cli_preview_and_send(home, monkeypatch, tmp_path):
    from ops.cli import app
    from safelake.settings import get_settings

    monkeypatch.setenv("SAFELAKE_HOME", str(home.home))
    monkeypatch.setenv("SAFELAKE_RECIPIENTS_FILE", str(home.recipients_file))
    monkeypatch.setenv("SAFELAKE_WAREHOUSE_STALE_HOURS", "100000")  # the CLI uses the wall clock
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        out = tmp_path / "preview"
        result = runner.invoke(app, ["email", "preview", "--briefing", "daily", "--to", OSH_TO, "--out", str(out)])
        assert result.exit_code == 0, result.output
        html = (out / "daily-osh-example-org.html").read_text(encoding="utf-8")
        assert "data:image/png;base64," in html and "Osh Region" in html
        result = runner.invoke(app, ["email", "send", "--briefing", "daily", "--to", OSH_TO])
        assert result.exit_code == 0, result.output
        assert "1 sent" in result.output and len(list(home.outbox.glob("*.eml"))) == 1
        again = runner.invoke(app, ["email", "send", "--briefing", "daily", "--to", OSH_TO])
        assert "0 sent, 1 already done" in again.output
    finally:
        get_settings.cache_clear()


@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian chromium is not installed")
def test_the_html_renders_in_chromium_with_every_chart(home, tmp_path):
    """docs/screenshots/email-daily-*.png are made the same way from the published warehouse (`make screenshots`)."""
    from briefings.preview import screenshot

    loaded = load(home)
    [recipient] = loaded.config.recipients_of("weekly", [BISHKEK_TO])
    rendered = render(load_briefing(home, "weekly", recipient.scope), recipient, TZ)
    shot = tmp_path / "email.png"
    assert screenshot(rendered, shot) == len(rendered.images) == 5  # plan, roll-out, trend, offline cameras, movers
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


# --- Russian only -----------------------------------------------------------------------------------------------


def spec_words(spec: object) -> list[str]:
    """What a chart writes: its titles and the labels in its data (not colours, dates or field names)."""
    if isinstance(spec, dict):
        words = [spec["text"] if isinstance(spec.get("text"), str) else ""]
        words += [spec["title"]] if isinstance(spec.get("title"), str) else []
        rows = spec.get("values", []) if isinstance(spec.get("values"), list) else []
        words += [
            v for row in rows for k, v in row.items() if isinstance(v, str) and k not in ("colour", "day", "month")
        ]
        return words + [w for k, v in spec.items() if k != "values" for w in spec_words(v)]
    return [w for v in spec for w in spec_words(v)] if isinstance(spec, list) else []


@pytest.mark.parametrize("kind", ["daily", "weekly"])
@pytest.mark.parametrize("region", ["national", "KG-GB"])
def test_every_email_in_russian_has_no_english_word(home, kind, region):
    """Subject, text, HTML (without its markup) and every chart of a Russian e-mail, national and regional: Russian
    words only (access.i18n.LATIN_ALLOWED: names of systems; the contractors' company names in the offline list).
    The CSV attachments are data for spreadsheets: their headers and codes are the warehouse's columns."""
    from briefings import charts
    from briefings.render import MOVERS

    role = "leadership" if region == "national" else "regional_chief"
    reader = Recipient(
        name="Аппарат министра", address="m@example.org", role=role, region=region, language="ru", briefings=[kind]
    )
    b = load_briefing(home, kind, reader.scope)
    rendered = render(b, reader, TZ)
    body = re.sub(r"<style.*?</style>|<[^>]+>", " ", rendered.html, flags=re.S)
    words = [rendered.subject, rendered.text, html.unescape(body)]
    specs = charts.charts(b, "ru", MOVERS[kind])
    assert len(specs) == len(rendered.images) >= 3
    words += [w for spec in specs.values() for w in spec_words(spec)]
    companies = {w for o in b.offline for w in (o["contractor"] or "").split()}
    foreign = i18n.latin_words("\n".join(words)) - companies
    assert not foreign, sorted(foreign)


def test_the_trend_chart_title_names_only_the_lines_drawn():
    """In the lake's first year there is no year-earlier line: the title does not promise one."""
    days = [dt.date(2026, 3, 1) + dt.timedelta(days=i) for i in range(3)]
    for lang in ("en", "ru"):
        first_year = trend_chart(SimpleNamespace(crime_trend=[(d, 5, None) for d in days]), lang)
        assert first_year["title"]["text"] == i18n.t("chart_trend_this_year", lang)
        assert {r["series"] for r in first_year["data"]["values"]} == {i18n.t("crimes", lang)}
        assert first_year["encoding"]["color"]["scale"]["domain"] == [i18n.t("crimes", lang)]
        later = trend_chart(SimpleNamespace(crime_trend=[(d, 5, 4) for d in days]), lang)
        assert later["title"]["text"] == i18n.t("chart_trend", lang)
        assert {r["series"] for r in later["data"]["values"]} == {i18n.t("crimes", lang), i18n.t("year_ago", lang)}


# --- the map --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", [None, "KG-GB", "KG-J"])
def test_the_offline_cameras_are_a_png_map_of_the_recipients_own_area(home, region):
    """The nation gets the regions, a regional recipient only its region's districts (Bishkek: its one shape), each
    shaded and labelled with its cameras offline > 24 h; the PNG is the e-mail's offline image."""
    from briefings import charts
    from safelake.reference import boundaries, covered

    scope = NATIONAL if region is None else Scope(region, region)
    b = load_briefing(home, "daily", scope)
    assert b.offline, "the demo data has no camera offline > 24 h to map"
    spec = charts.offline_chart(b, "en")
    shapes, halo, labels = spec["layer"]
    assert shapes["mark"]["type"] == "geoshape" and halo["data"] == labels["data"]
    drawn = shapes["data"]["values"]["features"]
    level = "region" if region is None else "district"
    wanted = [f for f in boundaries("kg", level)["features"] if region in (None, f["properties"].get("region_code"))]
    assert len(drawn) == len(wanted) > 0
    column = f"{level}_code"

    def outer(geometry):
        return geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"][0][0]

    for shape, feature in zip(drawn, wanted, strict=True):
        assert shape["properties"]["n"] == sum(o[column] in covered(feature) for o in b.offline)
        assert outer(shape["geometry"]) == outer(feature["geometry"])[::-1]  # reversed for Vega's spherical polygons
    assert sum(s["properties"]["n"] for s in drawn) == len(b.offline)  # every offline camera on the map, once
    assert sorted(row["n"] for row in labels["data"]["values"]) == sorted(
        s["properties"]["n"] for s in drawn if s["properties"]["n"]
    )
    role = "leadership" if region is None else "regional_chief"
    reader = Recipient(
        name="M", address="m@example.org", role=role, region=region or "national", language="en", briefings=["daily"]
    )
    rendered = render(b, reader, TZ)
    png = rendered.images[f"offline.{b.build_id}@safelake"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == charts.png(spec, "en")
    assert f'src="cid:offline.{b.build_id}@safelake"' in rendered.html
