"""Demo exports of the service to citizens: appeals, personal receptions and the 102 dispatch centre's daily export.

Called by tools.demo.generate with its geography, window and seed. Volumes, timings and mixes are modelling
assumptions; appeals arrive in office hours and calls follow the crime rhythm (tools.demo's shapes).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from tools import demo

DATASETS = ("citizen_appeal", "reception_session", "dispatch_call")
ANNUAL = {"citizen_appeal": 36_000, "dispatch_call": 250_000}
TERM_DAYS, MAX_EXTENSION_DAYS = 14, 30  # safelake/reference/kg/appeal_terms.csv
CHANNELS = demo._table("""
code          | ru                 | share
office        | Личный приём       | 0.30
post          | Почта              | 0.15
online_portal | Интернет-приёмная  | 0.35
102           | Служба 102         | 0.08
hotline       | Телефон доверия    | 0.12
""")
# answer: median days to answer; outcomes in the order of OUTCOMES
CATEGORIES = demo._table("""
code                | ru                 | share | answer | outcomes
complaint           | Жалоба             | 0.40  | 8      | 20 15 25 30 8 2
statement           | Заявление          | 0.45  | 7      | 35 10 15 30 8 2
proposal            | Предложение        | 0.05  | 9      | 10 10 10 65 4 1
information_request | Запрос информации  | 0.10  | 5      | 5 0 5 85 5 0
""")
OUTCOMES = demo._table("""
code             | ru
upheld           | Удовлетворено
partially_upheld | Удовлетворено частично
rejected         | Отказано
explained        | Разъяснено
forwarded        | Направлено по подведомственности
withdrawn        | Отозвано заявителем
""")
POSITIONS = demo._table("""
code            | ru
minister        | Министр
deputy_minister | Заместитель министра
department_head | Начальник департамента
regional_chief  | Начальник ГУВД/УВД
district_chief  | Начальник РОВД
""")
PRIORITIES = demo._table("""
code   | ru           | share | dispatch
urgent | Экстренный   | 0.15  | 0.7
high   | Высокий      | 0.30  | 1.2
normal | Обычный      | 0.45  | 2.0
low    | Низкий       | 0.10  | 4.0
""")
CALLS = demo._table("""
code              | ru                                | share
crime_in_progress | Преступление в процессе           | 0.08
violence          | Насилие                           | 0.10
domestic_violence | Семейное насилие                  | 0.08
road_incident     | ДТП                               | 0.14
theft             | Кража                             | 0.14
fraud             | Мошенничество                     | 0.06
public_order      | Нарушение общественного порядка   | 0.14
missing_person    | Розыск пропавшего                 | 0.02
noise             | Шум                               | 0.10
other             | Прочее                            | 0.14
""")
STATUSES = {
    "received": "Принят",
    "dispatched": "Наряд направлен",
    "arrived": "Наряд прибыл",
    "closed": "Закрыт",
    "cancelled": "Отменён",
}
TRAVEL_MINUTES = {"city": 5.0, "rural": 14.0}  # median minutes from dispatch to the first unit on scene


def generate(landing: Path, geo: demo.Geo, start: datetime, days: int, seed: int) -> dict[str, dict[str, Any]]:
    """Write the three datasets under landing/<dataset>/; their demo-manifest entries."""
    rng = demo._streams(seed, DATASETS, 100)
    sinks = {name: demo.Sink() for name in DATASETS}
    _appeals(rng["citizen_appeal"], geo, start, days, sinks["citizen_appeal"])
    _receptions(rng["reception_session"], geo, start, days, sinks["reception_session"])
    _dispatch(rng["dispatch_call"], geo, start, days, sinks["dispatch_call"])
    return {name: sink.flush(landing / name, start) for name, sink in sinks.items()}


def _unit(geo: demo.Geo, region: int, district: int) -> str:
    return (
        f"ROVD-{geo.districts[district]['district_code']}"
        if district >= 0
        else f"UVD-{geo.regions[region]['region_code']}"
    )


def _appeals(rng: demo.Rng, geo: demo.Geo, start: datetime, days: int, sink: demo.Sink) -> None:
    """Weekly export of the appeals register: an appeal in the week it came, again when extended and when answered."""
    end = start + timedelta(days=days)
    received = demo._py(demo._event_times(rng, start.date(), days, ANNUAL["citizen_appeal"], "fraud"))
    n = len(received)
    region, district = geo.pick(rng, n)
    channel = rng.choice(len(CHANNELS["code"]), n, p=demo._p(CHANNELS["share"]))
    category = rng.choice(len(CATEGORIES["code"]), n, p=demo._p(CATEGORIES["share"]))
    outcome_mix = [demo._p(w.split()) for w in CATEGORIES["outcomes"]]
    outcome = [int(rng.choice(len(OUTCOMES["code"]), p=outcome_mix[c])) for c in category.tolist()]
    median = np.array(CATEGORIES["answer"], dtype=float)[category]
    extended = rng.random(n) < 0.07
    delay = np.where(
        extended, rng.integers(TERM_DAYS + 3, TERM_DAYS + MAX_EXTENSION_DAYS, n), rng.lognormal(np.log(median), 0.45)
    ).astype(int)
    repeat = rng.random(n) < 0.08
    names, phones = demo._people(rng, n, geo.dialect)
    layout = demo.Layout(
        (
            ("Рег. №", "appeal_id", demo.TEXT),
            ("Дата поступления", "received_on", demo.RU_DAY),
            ("Канал поступления", "channel", demo._label(CHANNELS["ru"])),
            ("Подразделение", "unit_id", demo.TEXT),
            *geo.area("name_ru"),
            ("Вид обращения", "category", demo._label(CATEGORIES["ru"])),
            ("Срок исполнения", "due_on", demo.RU_DAY),
            ("Продлено", "extended", demo.YES_NO),
            ("Дата ответа", "answered_on", demo.RU_DAY),
            ("Результат", "outcome", demo._label(OUTCOMES["ru"])),
            ("Повторное", "repeat_appeal", demo.YES_NO),
            ("ФИО заявителя", "applicant_name", demo.TEXT),
            ("Телефон заявителя", "applicant_phone", demo.TEXT),
            ("Дата изменения", "updated_at", demo.RU_TS),
        ),
        delimiter=";",
    )
    recs, later = [], []
    for i in range(n):
        day, r, d = received[i].date(), int(region[i]), int(district[i])
        answered = day + timedelta(days=int(delay[i]))
        first: demo.Record = {
            "appeal_id": f"ОБ-{i + 1:06d}",
            "_week": demo._week(received[i], start),
            "updated_at": received[i] + timedelta(minutes=30),
            "received_on": day,
            "channel": int(channel[i]),
            "unit_id": _unit(geo, r, d),
            "region": r,
            "district": d,
            "category": int(category[i]),
            "due_on": day + timedelta(days=TERM_DAYS),
            "extended": False,
            "repeat_appeal": bool(repeat[i]),
            "applicant_name": names[i],
            "applicant_phone": phones[i],
        }
        versions = [first]
        if extended[i]:
            when = datetime.combine(day + timedelta(days=TERM_DAYS - 2), datetime.min.time()) + timedelta(hours=11)
            due = day + timedelta(days=TERM_DAYS + MAX_EXTENSION_DAYS)
            versions.append(versions[-1] | {"updated_at": when, "due_on": due, "extended": True})
        when = datetime.combine(answered, datetime.min.time()) + timedelta(hours=17)
        versions.append(versions[-1] | {"updated_at": when, "answered_on": answered, "outcome": outcome[i]})
        shown = [v | {"_week": demo._week(v["updated_at"], start)} for v in versions if v["updated_at"] < end]
        if not shown:  # registered after the last export
            continue
        # a version written in the same week as the one before replaces it in that week's export
        kept = [
            v for v, nxt in zip(shown, [*shown[1:], None], strict=True) if nxt is None or nxt["_week"] != v["_week"]
        ]
        recs.append(kept[0])
        later += kept[1:]
    answers = [i for i, v in enumerate(later) if v.get("answered_on")]
    blank = rng.choice(answers, min(len(answers), max(1, round(len(recs) * demo.DEFECT_RATE))), replace=False)
    for i in blank.tolist():  # the answer recorded, its date left out
        later[i] = later[i] | {"answered_on": None}
    sink.defects["missing_answer_date"] = len(blank)
    place_of = demo._weekly("appeals", "csv", layout, start)
    spoil = {
        "missing_district": [("district", "")],
        "bad_date": [("received_on", "31.02.2026"), ("received_on", "нет даты")],
        "unknown_code": [("channel", "Факс"), ("category", "Иное обращение")],
    }
    demo._emit(sink, rng, recs, place_of, spoil)
    sink.update(place_of, later)


def _receptions(rng: demo.Rng, geo: demo.Geo, start: datetime, days: int, sink: demo.Sink) -> None:
    """Monthly report of the reception schedule: each session scheduled in the window, held or not.

    District chiefs receive every week, regional chiefs every other week, the ministry's leaders monthly."""
    schedule: list[tuple[int, int, int, date]] = []  # (position, region, district, day)
    first, last = start.date(), start.date() + timedelta(days=days - 1)
    capital = next(i for i, r in enumerate(geo.regions) if r["region_code"] == "KG-GB")
    for day in (first + timedelta(days=k) for k in range(days)):
        weekday, week = day.weekday(), day.isocalendar().week
        if weekday == 1:  # Tuesday
            schedule += [(4, int(geo.district_region[d]), d, day) for d in range(len(geo.districts))]
        if weekday == 3 and week % 2 == 0:  # Thursday, every other week
            schedule += [(3, r, -1, day) for r in range(len(geo.regions))]
        if day.day in (5, 15, 25) and weekday < 5:
            schedule += [(0 if day.day == 5 else 1, capital, -1, day), (2, capital, -1, day)]
    n = len(schedule)
    held = rng.random(n) < 0.92
    postponed = held & (rng.random(n) < 0.05)
    citizens = rng.poisson(6, n)
    layout = demo.Layout(
        (
            ("Номер", "session_id", demo.TEXT),
            ("Должность руководителя", "position", demo._label(POSITIONS["ru"])),
            ("Подразделение", "unit_id", demo.TEXT),
            *geo.area("name_ru"),
            ("Дата по графику", "scheduled_on", demo.RU_DAY),
            ("Проведён", "held", demo.YES_NO),
            ("Дата проведения", "held_on", demo.RU_DAY),
            ("Принято граждан", "citizens_received", demo.TEXT),
            ("Дата изменения", "updated_at", demo.RU_TS),
        ),
        delimiter=";",
    )
    recs = []
    for i, (position, r, d, day) in enumerate(schedule):
        held_on = day + timedelta(days=2) if postponed[i] else day
        if held_on > last:
            continue  # reported once it has taken place
        recs.append(
            {
                "session_id": f"ПР-{i + 1:06d}",
                "_month": day.strftime("%Y%m"),
                "updated_at": datetime.combine(held_on, datetime.min.time()) + timedelta(hours=18),
                "position": position,
                "unit_id": "MVD" if position < 3 else _unit(geo, r, d),
                "region": r,
                "district": d,
                "scheduled_on": day,
                "held": bool(held[i]),
                "held_on": held_on if held[i] else None,
                "citizens_received": int(citizens[i]) if held[i] else 0,
            }
        )

    def place_of(rec: demo.Record) -> tuple[str, demo.Layout]:
        return f"receptions_{rec['_month']}.csv", layout

    spoil = {
        "bad_date": [("scheduled_on", "30.02.2026"), ("scheduled_on", "по графику")],
        "unknown_code": [("position", "Помощник начальника")],
    }
    demo._emit(sink, rng, recs, place_of, spoil)


def _dispatch(rng: demo.Rng, geo: demo.Geo, start: datetime, days: int, sink: demo.Sink) -> None:
    """The dispatch centre's daily export at 00:30: the day's calls as they stand then, and calls of earlier days
    that changed since the last export (closed after midnight)."""
    received = demo._event_times(rng, start.date(), days, ANNUAL["dispatch_call"], "crime")
    n = received.size
    seconds = rng.integers(0, 60, n).astype("timedelta64[s]")
    answered = received.astype("datetime64[s]") + seconds
    region, district = geo.pick(rng, n)
    area = np.array([geo.districts[d]["area_type"] if d >= 0 else "rural" for d in district.tolist()])
    priority = rng.choice(len(PRIORITIES["code"]), n, p=demo._p(PRIORITIES["share"]))
    category = rng.choice(len(CALLS["code"]), n, p=demo._p(CALLS["share"]))
    intake = rng.lognormal(np.log(75), 0.5, n)  # seconds from answering to the card entered
    to_dispatch = rng.lognormal(np.log(np.array(PRIORITIES["dispatch"], dtype=float)[priority] * 60), 0.6)
    travel = rng.lognormal(np.log([TRAVEL_MINUTES[a] * 60 for a in area]), 0.5)
    on_scene = rng.lognormal(np.log(40 * 60), 0.6, n)
    cancelled, advice = rng.random(n) < 0.04, rng.random(n) < 0.08  # caller hung up; settled on the phone
    created = answered + intake.astype("timedelta64[s]")
    dispatched = created + to_dispatch.astype("timedelta64[s]")
    arrived = dispatched + travel.astype("timedelta64[s]")
    closed = np.where(cancelled | advice, created + 120, arrived + on_scene.astype("timedelta64[s]"))
    layout = demo.Layout(
        (
            ("Номер вызова", "call_id", demo.TEXT),
            ("Время ответа", "received_at", demo.STAMP),
            ("Время создания карточки", "created_at", demo.STAMP),
            ("Время назначения наряда", "dispatched_at", demo.STAMP),
            ("Время прибытия", "arrived_at", demo.STAMP),
            ("Время закрытия", "closed_at", demo.STAMP),
            ("Статус", "status", demo._opt(STATUSES.get)),
            ("Приоритет", "priority", demo._label(PRIORITIES["ru"])),
            ("Категория", "category", demo._label(CALLS["ru"])),
            ("Область", "region", demo._area(geo.regions, "region_code")),
            ("Район", "district", demo._area(geo.districts, "district_code")),
            ("Наряд", "unit_id", demo.TEXT),
            ("Изменено", "updated_at", demo.STAMP),
        ),
        delimiter=";",
    )
    end = start + timedelta(days=days)
    steps = ("received_at", "created_at", "dispatched_at", "arrived_at", "closed_at")
    stamps = [demo._py(column) for column in (answered, created, dispatched, arrived, closed)]
    recs, later = [], []
    for i in range(n):
        times: dict[str, datetime | None] = {step: column[i] for step, column in zip(steps, stamps, strict=True)}
        if cancelled[i] or advice[i]:
            times["dispatched_at"] = times["arrived_at"] = None
        day = stamps[0][i].date()
        export = datetime.combine(day + timedelta(days=1), datetime.min.time()) + timedelta(minutes=30)
        base: demo.Record = {
            "call_id": f"102-{i + 1:07d}",
            "priority": int(priority[i]),
            "category": int(category[i]),
            "region": int(region[i]),
            "district": int(district[i]),
            "unit_id": f"N-{int(rng.integers(1, 400)):03d}" if times["dispatched_at"] else None,
        }
        first = _as_of(base, times, export, cancelled[i])
        recs.append(first | {"_file": day})
        if first["status"] not in ("closed", "cancelled") and stamps[4][i] < end:
            final = _as_of(base, times, stamps[4][i], cancelled[i])
            later.append(final | {"_file": day + timedelta(days=1)})

    def place_of(rec: demo.Record) -> tuple[str, demo.Layout]:
        return f"dispatch_{rec['_file']:%Y%m%d}.csv", layout

    def before_answer(rec: demo.Record) -> str:
        return demo.STAMP(rec["received_at"] - timedelta(minutes=5))

    spoil = {
        "missing_district": [("district", "")],
        "bad_date": [("received_at", "2026-02-30 10:00:00"), ("received_at", "н/д")],
        "unknown_code": [("category", "Неизвестная категория"), ("priority", "Срочный+")],
        "inconsistent": [("dispatched_at", before_answer)],
    }
    demo._emit(sink, rng, recs, place_of, spoil)
    sink.update(place_of, later)


def _as_of(base: demo.Record, times: dict[str, datetime | None], when: datetime, cancelled: bool) -> demo.Record:
    """The call as the dispatch system holds it at `when`: the steps done by then, and its status."""
    done = {k: v for k, v in times.items() if v is not None and v <= when}
    status = "received"
    for step, name in (("dispatched_at", "dispatched"), ("arrived_at", "arrived"), ("closed_at", "closed")):
        if step in done:
            status = "cancelled" if name == "closed" and cancelled else name
    return base | {k: done.get(k) for k in times} | {"status": status, "updated_at": max(done.values())}
