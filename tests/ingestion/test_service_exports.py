"""The service exports: a due date may lie ahead, times that run backwards are quarantined, and a 102 call that
comes both by the live stream and in the dispatch centre's daily export is one row, the newer version."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ingestion.pipeline import ingest
from stream.consumer import Writer, open_lake
from stream.events import Message
from stream.streams import BY_DATASET, subject
from tests.conftest import local_today
from tests.ingestion.test_pipeline import lake_rows

APPEALS = (
    "Рег. №;Дата поступления;Канал поступления;Подразделение;Область;Район;Вид обращения;Срок исполнения;Продлено;"
    "Дата ответа;Результат;Повторное;ФИО заявителя;Телефон заявителя;Дата изменения"
)
DISPATCH = (
    "Номер вызова;Время ответа;Время создания карточки;Время назначения наряда;Время прибытия;Время закрытия;Статус;"
    "Приоритет;Категория;Область;Район;Наряд;Изменено"
)


def write(path: Path, header: str, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_a_due_date_ahead_is_kept_a_received_date_ahead_is_not(settings) -> None:
    today = local_today()
    ahead, received = (today + dt.timedelta(days=20)).strftime("%d.%m.%Y"), today.strftime("%d.%m.%Y")
    later = (today + dt.timedelta(days=5)).strftime("%d.%m.%Y")
    rows = [
        f"ОБ-1;{received};Интернет-приёмная;ROVD-KG-C-ALM;Чуйская область;;Жалоба;{ahead};нет;;;нет;Иванов Сергей;;"
        f"{received} 10:00",
        f"ОБ-2;{later};Почта;ROVD-KG-C-ALM;Чуйская область;;Жалоба;{ahead};нет;;;нет;;;{received} 10:00",
    ]
    [result] = ingest(settings, [write(settings.landing / "citizen_appeal" / "appeals_x.csv", APPEALS, rows)])
    assert (result.inserted, result.quarantined) == (1, 1)
    assert lake_rows(settings, "SELECT appeal_id, due_on FROM lake.citizen_appeal") == [
        ("ОБ-1", today + dt.timedelta(days=20))
    ]
    assert lake_rows(settings, "SELECT column_name, reason FROM lake._quarantine") == [("received_on", "future_date")]
    [(name,)] = lake_rows(settings, "SELECT applicant_name FROM lake.citizen_appeal")
    assert name != "Иванов Сергей"  # pseudonymised


def call_line(call: str, status: str, arrived: str, closed: str, updated: str, dispatched: str = "10:04:00") -> str:
    day = "2026-03-01"
    times = [f"{day} {t}" if t else "" for t in ("10:00:00", "10:01:10", dispatched, arrived, closed)]
    return ";".join([call, *times, status, "Высокий", "Кража", "KG-C", "KG-C-TOK", "N-001", updated])


def stream_call(call: str, status: str, arrived: str | None, closed: str | None, updated: str) -> Message:
    """The same call as the live stream's dispatch event (times in the local zone, as the centre sends them)."""
    day = "2026-03-01T"
    event = {
        "event_id": f"{call}-{status}",
        "call_id": call,
        "updated_at": day + updated,
        "received_at": day + "10:00:00",
        "created_at": day + "10:01:10",
        "status": status,
        "priority": "high",
        "category": "theft",
        "region_code": "KG-C",
        "district_code": "KG-C-TOK",
        "unit_id": "N-001",
        "dispatched_at": day + "10:04:00",
        "arrived_at": arrived and day + arrived,
        "closed_at": closed and day + closed,
    }
    return Message(BY_DATASET["dispatch_call"].name, 1, subject("dispatch_call", "KG-C"), json.dumps(event).encode())


def test_a_call_that_comes_both_ways_is_one_row_the_newer_version(settings) -> None:
    writer = Writer(open_lake(settings), settings)
    assert writer.commit([stream_call("102-1", "closed", "10:15:00", "11:00:00", "11:00:00")]).written == 1
    writer.con.close()
    export = settings.landing / "dispatch_call"
    lines = [
        call_line("102-1", "Наряд прибыл", "10:15:00", "", "2026-03-01 10:15:00"),  # older than the stream's
        call_line("102-2", "Закрыт", "10:20:00", "10:50:00", "2026-03-01 10:50:00"),
        call_line("102-3", "Закрыт", "10:20:00", "10:50:00", "2026-03-01 10:50:00", dispatched="09:55:00"),
    ]
    [result] = ingest(settings, [write(export / "dispatch_20260301.csv", DISPATCH, lines)])
    assert (result.inserted, result.corrected, result.duplicates, result.quarantined) == (1, 0, 1, 1)
    assert lake_rows(settings, "SELECT reason FROM lake._quarantine") == [("inconsistent",)]
    rows = "SELECT call_id, status, closed_at IS NOT NULL FROM lake.dispatch_call ORDER BY call_id"
    assert lake_rows(settings, rows) == [("102-1", "closed", True), ("102-2", "closed", True)]
    # the other way round: the export brings 102-2 first, the stream its newer version; still one row
    writer = Writer(open_lake(settings), settings)
    newer = stream_call("102-2", "closed", "10:20:00", "10:50:00", "12:00:00")
    assert writer.commit([Message(newer.stream, 2, newer.subject, newer.data)]).written == 1
    writer.con.close()
    assert lake_rows(settings, "SELECT count(*), count(DISTINCT call_id) FROM lake.dispatch_call") == [(2, 2)]
    assert lake_rows(settings, "SELECT event_id FROM lake.dispatch_call WHERE call_id = '102-2'") == [("102-2-closed",)]
