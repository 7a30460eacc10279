"""Demo exports of the integrity and cybersecurity areas: disciplinary cases, corruption cases, the security
operations centre's incidents and the fraud resources blocked. Called by tools.demo.generate.

Volumes and mixes are modelling assumptions (docs/integrity.md): about 6 disciplinary cases per 100 staff a
year, 600 corruption cases, 300 incidents against the ministry's systems, a third of the fraud reports lead
to a blocked number, site or card.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from tools import demo

DATASETS = ("disciplinary_case", "cyber_incident", "fraud_resource_block")
CASES_PER_100_STAFF = 6.0  # a year
CORRUPTION_ANNUAL, INCIDENTS_ANNUAL = 600, 300

BREACHES = demo._table("""
code                   | share | ru
absence_without_leave  | 14    | Отсутствие на службе без уважительной причины
misconduct_with_public | 18    | Некорректное обращение с гражданами
abuse_of_authority     | 7     | Превышение полномочий
negligence_of_duty     | 30    | Ненадлежащее исполнение обязанностей
alcohol_on_duty        | 5     | Нахождение на службе в состоянии опьянения
traffic_violation      | 8     | Нарушение ПДД
loss_of_weapon_or_id   | 3     | Утрата оружия или служебного удостоверения
ethics_violation       | 8     | Нарушение этики
corruption_risk        | 3     | Коррупционный риск
other                  | 4     | Прочее
""")
SANCTIONS = demo._table("""
code                       | share | ru
remark                     | 30    | Замечание
reprimand                  | 28    | Выговор
severe_reprimand           | 16    | Строгий выговор
incomplete_fitness_warning | 8     | Предупреждение о неполном служебном соответствии
demotion                   | 3     | Понижение в должности
dismissal                  | 5     | Увольнение
no_sanction                | 10    | Не применялось
""")
ARTICLES = demo._table("""
article | share
319     | 6
320     | 20
321     | 14
322     | 3
323     | 5
326     | 28
327     | 14
328     | 5
329     | 5
""")
INCIDENTS = demo._table("""
code                  | share | label               | hours
malware               | 24    | Malware             | 6
phishing              | 30    | Phishing            | 3
ddos                  | 10    | DDoS                | 2
unauthorised_access   | 10    | Unauthorized access | 12
data_leak             | 4     | Data leak           | 30
account_compromise    | 12    | Account compromise  | 4
vulnerability_exploit | 6     | Exploit             | 20
other                 | 4     | Other               | 8
""")
SYSTEMS = (
    "ЕРП (единый реестр правонарушений)",
    "ИС «Безопасная страна»",
    "Электронная почта МВД",
    "Портал 102",
    "ИС паспортного учёта",
    "Сайт МВД",
    "АРМ дежурной части",
)
IMPACTS = ("P4", "P3", "P2", "P1")  # low .. critical, in the centre's words
RESOURCES = ("phone_number", "website", "card", "other")
RESOURCES_RU = ("Номер телефона", "Сайт", "Банковская карта", "Другое")
# a fraud report's channel and payment decide what can be blocked: phone and messenger numbers, sites, cards
BLOCK_SHARE = 0.35


def _days_after(rng: demo.Rng, when: datetime, median_days: float, sigma: float = 0.9) -> datetime:
    return when + timedelta(minutes=int(rng.lognormal(np.log(median_days * 1440), sigma)))


def _times(rng: demo.Rng, start: datetime, days: int, n: int, hours: tuple[int, int] = (8, 19)) -> list[datetime]:
    """n times spread over the window, in office hours (a registry records them then)."""
    day = np.sort(rng.integers(0, days, n))
    minute = rng.integers(hours[0] * 60, hours[1] * 60, n)
    return [start + timedelta(days=int(d), minutes=int(m)) for d, m in zip(day, minute, strict=True)]


def _discipline(
    rng: demo.Rng, geo: demo.Geo, start: datetime, days: int, units: list[dict[str, str]], sink: demo.Sink
) -> None:
    end = start + timedelta(days=days)
    staff = np.array([int(u["staff"]) for u in units])
    n = int(rng.poisson(staff.sum() * CASES_PER_100_STAFF / 100 * days / 365))
    unit = rng.choice(len(units), n, p=demo._p(staff))
    breach = rng.choice(len(BREACHES["code"]), n, p=demo._p(BREACHES["share"]))
    sanction = rng.choice(len(SANCTIONS["code"]), n, p=demo._p(SANCTIONS["share"]))
    # a service number per post of the unit: some employees have more than one case
    service = [f"{int(unit[i]) + 10:02d}{int(rng.integers(0, staff[unit[i]])):05d}" for i in range(n)]
    region_of = {r["region_code"]: i for i, r in enumerate(geo.regions)}
    district_of = {d["district_code"]: i for i, d in enumerate(geo.districts)}
    opened = _times(rng, start, days, n)
    layout = demo._windows_csv(
        (
            ("№ дела", "case_id", demo.TEXT),
            ("Табельный номер", "officer", demo.TEXT),
            ("Код подразделения", "unit_id", demo.TEXT),
            *geo.area("name_ru"),
            ("Вид нарушения", "breach_type", demo._label(BREACHES["ru"])),
            ("Дата возбуждения", "opened_on", demo.RU_DAY),
            ("Дата решения", "decided_on", demo.RU_DAY),
            ("Взыскание", "sanction", demo._label(SANCTIONS["ru"])),
            ("Дата изменения", "updated_at", demo.RU_TS),
        )
    )
    recs = []
    for i in range(n):
        u = units[int(unit[i])]
        decided = _days_after(rng, opened[i], 25)
        done = decided < end
        rec = {
            "case_id": f"СП-{i + 1:05d}",
            "officer": service[i],
            "unit_id": u["unit_id"],
            "region": region_of[u["region_code"]],
            "district": district_of.get(u["district_code"], -1) if not u["unit_id"].endswith("-HQ") else -1,
            "breach_type": int(breach[i]),
            "opened_on": opened[i],
            "decided_on": decided if done else None,
            "sanction": int(sanction[i]) if done else None,
            "updated_at": decided if done else opened[i] + timedelta(hours=2),
        }
        recs.append(rec)

    def place_of(rec: demo.Record) -> tuple[str, demo.Layout]:
        return f"discipline_{rec['updated_at']:%Y%m}.csv", layout

    spoil = {
        "bad_date": [("opened_on", "31.02.2026"), ("opened_on", "—")],
        "unknown_code": [("breach_type", "Иное нарушение (уточняется)")],
        "decided_before_opened": [("decided_on", lambda rec: demo.RU_DAY(rec["opened_on"] - timedelta(days=3)))],
    }
    demo._emit(sink, rng, recs, place_of, spoil)


def _corruption(rng: demo.Rng, geo: demo.Geo, start: datetime, days: int, sink: demo.Sink) -> None:
    end = start + timedelta(days=days)
    n = int(rng.poisson(CORRUPTION_ANNUAL * days / 365))
    registered = _times(rng, start, days, n, (0, 24))
    article = rng.choice(len(ARTICLES["article"]), n, p=demo._p(ARTICLES["share"]))
    region, district = geo.pick(rng, n)
    charged = np.where(rng.random(n) < 0.18, 1 + (rng.random(n) < 0.2), 0)
    layout = demo._windows_csv(
        (
            ("Номер КУСП", "report_id", demo.TEXT),
            ("Дата регистрации", "registered_at", demo.RU_TS),
            ("Статья УК", "article", demo._opt(lambda a: f"ст. {a} ч. 1")),
            *geo.area("name_ru"),
            ("Раскрыто", "cleared", demo.YES_NO),
            ("Дата раскрытия", "cleared_at", demo.RU_TS),
            ("Дата направления в суд", "sent_to_court_at", demo.RU_TS),
            ("Привлечено сотрудников МВД", "officers_charged", demo.TEXT),
            ("Дата изменения", "updated_at", demo.RU_TS),
        )
    )
    recs = []
    for i in range(n):
        cleared_at = _days_after(rng, registered[i], 30)
        cleared = bool(rng.random() < 0.75) and cleared_at < end
        court = _days_after(rng, cleared_at, 45) if cleared else None
        sent = court is not None and court < end and bool(rng.random() < 0.8)
        updated = max(t for t in (registered[i], cleared_at if cleared else None, court if sent else None) if t)
        updated += timedelta(minutes=30)
        recs.append(
            {
                "report_id": f"АК-{i + 1:05d}",
                "_week": demo._week(updated, start),
                "registered_at": registered[i],
                "article": ARTICLES["article"][int(article[i])],
                "region": int(region[i]),
                "district": int(district[i]),
                "cleared": cleared,
                "cleared_at": cleared_at if cleared else None,
                "sent_to_court_at": court if sent else None,
                "officers_charged": int(charged[i]) if sent else 0,
                "updated_at": updated,
            }
        )

    spoil = {
        "missing_district": [("district", "")],
        "bad_date": [("registered_at", "32.01.2026 10:00")],
    }
    demo._emit(sink, rng, recs, demo._weekly("corruption", "csv", layout, start), spoil)


class JsonLines(demo.Layout):
    """The security operations centre's JSON lines: nested keys written `asset.system`."""

    def write(self, path: Path, rows: list[list[Any]], created: datetime) -> None:
        lines = []
        for row in rows:
            record: dict[str, Any] = {}
            for key, value in zip(self.header, row, strict=True):
                *parents, leaf = key.split(".")
                node = record
                for parent in parents:
                    node = node.setdefault(parent, {})
                node[leaf] = value if value != "" else None
            lines.append(json.dumps(record, ensure_ascii=False))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


ISO_OFFSET = demo._opt(lambda v: v.strftime("%Y-%m-%dT%H:%M:%S+06:00"))


def _cyber(rng: demo.Rng, geo: demo.Geo, start: datetime, days: int, sink: demo.Sink) -> None:
    end = start + timedelta(days=days)
    n = int(rng.poisson(INCIDENTS_ANNUAL * days / 365))
    detected = _times(rng, start, days, n, (0, 24))
    kind = rng.choice(len(INCIDENTS["code"]), n, p=demo._p(INCIDENTS["share"]))
    impact = rng.choice(len(IMPACTS), n, p=demo._p([45, 35, 15, 5]))
    system = rng.integers(0, len(SYSTEMS), n)
    region = rng.choice(len(geo.regions), n, p=demo._p(geo.region_weight))
    hours = demo._vec(INCIDENTS["hours"])
    layout = JsonLines(
        (
            ("id", "incident_id", demo.TEXT),
            ("asset.system", "system", demo._label(SYSTEMS)),
            ("asset.region", "region", demo._area(geo.regions, "region_code")),
            ("category", "incident_type", demo._label(INCIDENTS["label"])),
            ("severity", "impact", demo._label(IMPACTS)),
            ("detected", "detected_at", ISO_OFFSET),
            ("contained", "contained_at", ISO_OFFSET),
            ("modified", "updated_at", ISO_OFFSET),
        )
    )
    recs = []
    for i in range(n):
        median = hours[kind[i]] * (1 + impact[i])  # worse incidents take longer
        contained = detected[i] + timedelta(minutes=int(rng.lognormal(np.log(median * 60), 0.8)))
        done = contained < end
        recs.append(
            {
                "incident_id": f"SOC-{i + 1:05d}",
                "system": int(system[i]),
                "region": int(region[i]),
                "incident_type": int(kind[i]),
                "impact": int(impact[i]),
                "detected_at": detected[i],
                "contained_at": contained if done else None,
                "updated_at": (contained if done else detected[i]) + timedelta(minutes=10),
            }
        )

    def place_of(rec: demo.Record) -> tuple[str, demo.Layout]:
        return f"soc_incidents_{rec['updated_at']:%Y%m%d}.jsonl", layout

    spoil = {
        "unknown_code": [("incident_type", "Cryptojacking"), ("impact", "P0")],
        "contained_before_detected": [
            ("contained_at", lambda rec: ISO_OFFSET(rec["detected_at"] - timedelta(hours=1)))
        ],
    }
    demo._emit(sink, rng, recs, place_of, spoil)


def _blocks(
    rng: demo.Rng, geo: demo.Geo, start: datetime, days: int, fraud: list[demo.Record], sink: demo.Sink
) -> None:
    end = start + timedelta(days=days)
    layout = demo.Layout(
        (
            ("№ запроса", "block_id", demo.TEXT),
            ("Тип ресурса", "resource_type", demo._label(RESOURCES_RU)),
            ("Ресурс", "resource", demo.TEXT),
            ("№ обращения", "fraud_report_id", demo.TEXT),
            ("Область", "region", demo._area(geo.regions, "name_ky")),
            ("Дата обращения", "reported_at", demo.RU_TS),
            ("Дата блокировки", "blocked_at", demo.RU_TS),
            ("Дата изменения", "updated_at", demo.RU_TS),
        ),
        encoding="utf-8-sig",
    )
    picked = [rec for rec in fraud if rng.random() < BLOCK_SHARE]
    kind = rng.choice(len(RESOURCES), len(picked), p=demo._p([55, 25, 17, 3]))
    recs = []
    for i, report in enumerate(picked):
        blocked = _days_after(rng, report["reported_at"], 1.5, 1.1)
        done = blocked < end and bool(rng.random() < 0.95)
        resource = {
            0: lambda: f"+996 {int(rng.integers(500, 780))} {int(rng.integers(0, 10**6)):06d}",
            1: lambda: f"https://{'bonus' if rng.random() < 0.5 else 'kg-pay'}{int(rng.integers(1, 9999))}.site",
            2: lambda: f"4{int(rng.integers(10**14, 10**15)):015d}",
            3: lambda: f"@wallet{int(rng.integers(1, 10**6))}",
        }[int(kind[i])]()
        updated = (blocked if done else report["reported_at"]) + timedelta(minutes=20)
        recs.append(
            {
                "block_id": f"БЛ-{i + 1:06d}",
                "_week": demo._week(updated, start),
                "resource_type": int(kind[i]),
                "resource": resource,
                "fraud_report_id": report["report_id"],
                "region": report["region"],
                "reported_at": report["reported_at"],
                "blocked_at": blocked if done else None,
                "updated_at": updated,
            }
        )

    spoil = {
        "unknown_code": [("resource_type", "Криптокошелёк")],
        "blocked_before_reported": [("blocked_at", lambda rec: demo.RU_TS(rec["reported_at"] - timedelta(days=1)))],
    }
    demo._emit(sink, rng, recs, demo._weekly("blocked_resources", "csv", layout, start), spoil)


def generate(
    seed: int,
    geo: demo.Geo,
    start: datetime,
    days: int,
    fraud: list[demo.Record],
    crime: demo.Sink,
    reference_dir: Path,
) -> dict[str, demo.Sink]:
    """The sinks of the three new datasets; the corruption cases go into `crime` (the crime registry's folder).
    `fraud`: the fraud reports the blocks come from."""
    rngs = demo._streams(seed, (*DATASETS, "corruption"), 100)
    sinks = {name: demo.Sink() for name in DATASETS}
    units = demo._read(reference_dir / "unit_staffing.csv")
    _discipline(rngs["disciplinary_case"], geo, start, days, units, sinks["disciplinary_case"])
    _corruption(rngs["corruption"], geo, start, days, crime)
    _cyber(rngs["cyber_incident"], geo, start, days, sinks["cyber_incident"])
    _blocks(rngs["fraud_resource_block"], geo, start, days, fraud, sinks["fraud_resource_block"])
    return sinks
