"""Freshness alerts (sources, regions, failed builds) and the on-call e-mail (outbox and real SMTP)."""

from __future__ import annotations

import datetime as dt
import email
import json
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from ops import freshness
from safelake import lake, notify
from safelake.reference import geography
from safelake.settings import get_settings
from warehouse.publish import builds_dir

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
REGIONS = list(geography("kg").regions["region_code"])


def sent(settings, dataset: str, at: dt.datetime, regions: list[str] | None = None) -> None:
    """A file of `dataset` ingested at `at` (the ledger), with one row per region for the regional ones."""
    con = lake.connect(settings)
    lake.ensure_tables(con)
    con.execute(
        "INSERT INTO lake._ingest_ledger VALUES (?, 'f.csv', 'p', ?, 1, 1, 0, 0, 0, ?, 'kg')",
        [f"{dataset}{at}", dataset, at],
    )
    table = {"crime_report": ("report_id", "registered_at"), "fraud_report": ("report_id", "reported_at")}
    if dataset in table:
        key, time = table[dataset]
        for region in regions if regions is not None else REGIONS:
            con.execute(
                f"INSERT INTO lake.{dataset} ({key}, region_code, {time}, _ingested_at, _geography) "
                "VALUES (?, ?, ?, ?, 'kg')",
                [f"{region}-{at}", region, at, at],
            )
    con.close()


@pytest.fixture
def watched(settings):
    """Watch two regional sources only (the others are covered the same way)."""
    settings.freshness_hours = {"crime_report": 192.0, "fraud_report": 192.0}
    return settings


def keys(alerts: list[freshness.Alert]) -> list[str]:
    return [a.key for a in alerts]


def test_everything_fresh_raises_nothing(watched):
    for dataset in ("crime_report", "fraud_report"):
        sent(watched, dataset, NOW - dt.timedelta(hours=5))
    assert freshness.check(watched, NOW) == []


def test_a_silent_source_and_a_never_seen_one(watched):
    sent(watched, "crime_report", NOW - dt.timedelta(days=9))
    alerts = freshness.check(watched, NOW)
    assert keys(alerts)[:2] == ["source:crime_report", "source:fraud_report"]
    assert "has sent nothing for 9.0 days (threshold 8.0 days; last file 2026-11-14 18:00 +06)" in alerts[0].message
    assert "source fraud_report has never sent a file" in alerts[1].message


def test_a_silent_region_is_named_with_its_last_record_per_dataset(watched):
    quiet = "KG-N"
    for dataset in ("crime_report", "fraud_report"):
        sent(watched, dataset, NOW - dt.timedelta(days=10), regions=[quiet])
        sent(watched, dataset, NOW - dt.timedelta(hours=2), regions=[r for r in REGIONS if r != quiet])
    alerts = freshness.check(watched, NOW)
    assert keys(alerts) == [f"region:{quiet}"]
    assert alerts[0].message.startswith("region KG-N (Naryn Region) has sent nothing for 10.0 days (threshold 8.0 days")
    assert "crime_report 2026-11-13 18:00 +06; fraud_report 2026-11-13 18:00 +06" in alerts[0].message


def test_a_failed_build_is_an_alert_until_a_build_succeeds(watched):
    for dataset in ("crime_report", "fraud_report"):
        sent(watched, dataset, NOW - dt.timedelta(hours=1))
    builds_dir(watched).mkdir(parents=True)
    failed = {
        "build_id": "20261123T100000-abcdef",
        "started_at": NOW.isoformat(),
        "finished_at": NOW.isoformat(),
        "status": "failed",
        "failures": ["Airflow task dbt.kpi_plan_progress_model_build did not succeed"],
    }
    (builds_dir(watched) / "20261123T100000-abcdef.json").write_text(json.dumps(failed))
    alerts = freshness.check(watched, NOW)
    assert keys(alerts) == ["build:20261123T100000-abcdef"]
    assert "dbt.kpi_plan_progress_model_build did not succeed" in alerts[0].message
    assert "still serving build none" in alerts[0].message

    ok = failed | {"build_id": "20261123T110000-fedcba", "status": "published", "failures": []}
    (builds_dir(watched) / "20261123T110000-fedcba.json").write_text(json.dumps(ok))
    assert freshness.check(watched, NOW) == []


def test_no_lake_yet_is_one_alert(settings):
    assert keys(freshness.check(settings, NOW)) == ["lake"]


def test_thresholds_from_the_environment_keep_the_other_defaults(settings, monkeypatch):
    monkeypatch.setenv("SAFELAKE_FRESHNESS_HOURS", '{"crime_report": 12}')
    get_settings.cache_clear()
    hours = get_settings().freshness_hours
    assert hours["crime_report"] == 12 and hours["camera_status"] == 26


def test_alerts_are_emailed_once_per_repeat_period(watched):
    silent = "source crime_report has sent nothing for 9.0 days"
    alerts = [freshness.Alert(freshness.AlertKind.SOURCE, "crime_report", silent)]
    where = freshness.notify_oncall(watched, alerts, NOW)
    assert where and where.endswith(".eml")
    message = email.message_from_bytes(Path(where).read_bytes())
    assert message["To"] == "oncall@localhost" and "[SafeLake] 1 data alert(s)" in message["Subject"]
    assert "source crime_report has sent nothing" in message.get_payload()

    assert freshness.notify_oncall(watched, alerts, NOW + dt.timedelta(hours=1)) is None
    assert freshness.notify_oncall(watched, alerts, NOW + dt.timedelta(hours=25)) is not None
    assert len(list(watched.outbox.glob("*.eml"))) == 2


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_alert_goes_through_a_real_smtp_server(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.smtp_host, settings.smtp_port, settings.smtp_security = "127.0.0.1", port, "none"
        where = notify.alert(settings, "ingest_landing.ingest_fraud_report failed", "Where to look: landing/")
    finally:
        controller.stop()
    assert where == f"smtp://127.0.0.1:{port}"
    received = email.message_from_bytes(inbox.messages[0])
    assert received["Subject"] == "[SafeLake] ingest_landing.ingest_fraud_report failed"
    assert received["To"] == "oncall@localhost"
    assert not settings.outbox.exists()  # nothing went to the outbox


def test_smtp_failure_names_the_server(settings):
    settings.smtp_host, settings.smtp_port, settings.smtp_security = "127.0.0.1", 1, "none"
    with pytest.raises(Exception, match=r"through smtp://127.0.0.1:1 \(SAFELAKE_SMTP_SECURITY=none\)"):
        notify.alert(settings, "subject", "body")


def test_an_instance_watches_the_sources_its_geography_delivers(settings):
    """A Kazakh instance is not told that Kyrgyzstan's appeals register is silent, and is told of its own calendar
    of mass events; a Kyrgyz instance the other way round."""
    sent(settings, "crime_report", NOW - dt.timedelta(hours=5))
    kz = settings.model_copy(update={"geography": "kz"})
    assert "source:mass_event" in keys(freshness.check(kz, NOW))
    assert "source:citizen_appeal" not in keys(freshness.check(kz, NOW))
    assert "source:citizen_appeal" in keys(freshness.check(settings, NOW))
    assert "source:mass_event" not in keys(freshness.check(settings, NOW))
