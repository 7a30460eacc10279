"""Demo exports of Kazakhstan's holiday operations, in the shapes the kz_* profiles read, defects included:
the mass-events calendar, pyrotechnics raids, fire-safety inspections, fire alarm installations and children's
group trips.

Regions (and districts, where the reference set has them) and their populations come from the reference folder.
The winter campaign's scale follows the 2025-26 figures the plan cites (docs/kazakhstan.md): over a thousand
secured events, over 7,000 inspections, about 36,000 sensors a year; daily rates, sizes and mixes below are
modelling assumptions.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from tools.demo import (
    RAW,
    RU_DAY,
    RU_TS,
    TEXT,
    YES_NO,
    Cell,
    Layout,
    Record,
    Rng,
    Sink,
    _areas,
    _emit,
    _label,
    _later,
    _opt,
    _p,
    _py,
    _read,
    _streams,
    _table,
    _week,
    _weekly,
)

DATASETS = ("mass_event", "pyrotechnics_seizure", "fire_inspection", "fire_alarm_installation", "child_trip_escort")
SPACED = _opt(lambda v: f"{v:,}".replace(",", " "))  # 1 250: thousands written with a space
# national records per day: on ordinary days, and in the winter campaign (15 Dec - 15 Jan)
RATES = {
    "mass_event": (3, 50),
    "pyrotechnics_seizure": (1, 30),
    "fire_inspection": (12, 170),
    "fire_alarm_installation": (9, 9),
    "child_trip_escort": (5, 18),
}
SUMMER_TRIPS = 20  # a day in June-August: camps
EVENT_TYPES = _table("""
code          | ru                      | share | campaign | children | venue
new_year_tree | Новогодняя ёлка         | 0.05  | 0.70     | 0.95     | Дворец культуры
concert       | Концерт                 | 0.30  | 0.12     | 0.35     | Концертный зал
sports        | Спортивное мероприятие  | 0.35  | 0.08     | 0.45     | Стадион
religious     | Религиозное мероприятие | 0.10  | 0.03     | 0.10     | Центральная мечеть
festival      | Народное гуляние        | 0.15  | 0.06     | 0.60     | Центральная площадь
other         | Иное                    | 0.05  | 0.01     | 0.20     | Парк культуры и отдыха
""")
FACILITIES = _table("""
code                  | ru                             | share | name
shopping_centre       | Торгово-развлекательный центр  | 0.30  | ТРЦ «Керуен»
education             | Организация образования        | 0.25  | Школа-гимназия № 12
culture_entertainment | Объект культуры и досуга       | 0.15  | Дворец школьников
sports                | Спортивный объект              | 0.10  | Ледовая арена
religious             | Культовое сооружение           | 0.05  | Мечеть «Нур»
hotel                 | Гостиница                      | 0.08  | Гостиница «Казахстан»
healthcare            | Организация здравоохранения    | 0.05  | Городская поликлиника № 3
other                 | Иное                           | 0.02  | Торговый дом
""")
RESULTS = _table("""
code                | ru                          | share
no_violations       | Нарушений не выявлено       | 0.55
violations_found    | Выявлены нарушения          | 0.42
operation_suspended | Деятельность приостановлена | 0.03
""")
HOUSEHOLDS = _table("""
code          | ru                          | share
large_family  | Многодетные                 | 0.45
low_income    | Малообеспеченные            | 0.30
disability    | С лицами с инвалидностью    | 0.15
elderly_alone | Одиноко проживающие пожилые | 0.08
other         | Иные                        | 0.02
""")
# plausible, not real people
NAMES = _table("""
male     | female   | surname
Ерлан    | Айгерим  | Ахметов
Нурсултан| Динара   | Жумабаев
Асхат    | Гульмира | Касымов
Бауыржан | Сауле    | Нурланов
Данияр   | Айнур    | Сейткали
Ерболат  | Жанар    | Омаров
Марат    | Алия     | Искаков
Серик    | Мадина   | Тулегенов
Алексей  | Ольга    | Иванов
Дмитрий  | Елена    | Ким
""")
DESTINATIONS = ("детский лагерь «Балдаурен»", "Бурабай", "областной стадион", "горнолыжная база «Шымбулак»",
                "музей-заповедник «Отырар»", "загородный лагерь «Жулдыз»")  # fmt: skip


def _regions(reference_dir: Path) -> tuple[list[dict[str, str]], np.ndarray, list[dict[str, str]]]:
    """Regions with their population weights, and districts (none when the reference set has none)."""
    regions, districts = _read(reference_dir / "regions.csv"), _read(reference_dir / "districts.csv")
    pop = {r["area_code"]: float(r["population"]) for r in _read(reference_dir / "population.csv")}
    return regions, np.array([pop.get(r["region_code"], 1.0) for r in regions]), districts


def _campaign(day: np.ndarray) -> np.ndarray:
    month = day.astype("datetime64[M]")
    dom = (day - month).astype(int) + 1
    m = month.astype(int) % 12 + 1
    return ((m == 12) & (dom >= 15)) | ((m == 1) & (dom <= 15))


def _days(rng: Rng, start: date, days: int, dataset: str) -> np.ndarray:
    """One day (datetime64[D]) per record: a Poisson count each day at the ordinary or the campaign's rate."""
    day = np.datetime64(start, "D") + np.arange(days)
    base, campaign = RATES[dataset]
    rate = np.where(_campaign(day), campaign, base).astype(float)
    if dataset == "child_trip_escort":
        rate[np.isin(day.astype("datetime64[M]").astype(int) % 12, [5, 6, 7])] = SUMMER_TRIPS
    return np.repeat(day, rng.poisson(rate))


def _at(day: np.ndarray, hours: np.ndarray, minutes: np.ndarray) -> list[datetime]:
    return _py(day.astype("datetime64[m]") + (hours * 60 + minutes).astype("timedelta64[m]"))


def _people(rng: Rng, n: int) -> tuple[list[str], list[str]]:
    """Kazakh and Russian names, and +7 mobile numbers (some written 8 7xx ...)."""
    surname, first = rng.integers(0, len(NAMES["surname"]), n).tolist(), rng.integers(0, len(NAMES["male"]), n)
    female = (rng.random(n) < 0.5).tolist()
    names = [
        f"{NAMES['surname'][s]}а {NAMES['female'][i]}" if f else f"{NAMES['surname'][s]} {NAMES['male'][i]}"
        for s, i, f in zip(surname, first.tolist(), female, strict=True)
    ]
    codes, numbers = rng.choice([701, 702, 705, 707, 747, 771, 775, 777], n).tolist(), rng.integers(0, 10**7, n)
    phones = [
        f"8 {c} {x:07d}" if i % 5 == 0 else f"+7 {c} {x // 10000:03d} {x % 10000 // 100:02d} {x % 100:02d}"
        for i, (c, x) in enumerate(zip(codes, numbers.tolist(), strict=True))
    ]
    return names, phones


class _Place:
    """Where each record goes: region and district indexes by population, weekly file names."""

    def __init__(self, rng: Rng, reference_dir: Path, start: datetime) -> None:
        self.rng, self.start = rng, start
        self.regions, self.weight, self.districts = _regions(reference_dir)

    def pick(self, n: int) -> tuple[list[int], list[int]]:
        region = self.rng.choice(len(self.regions), n, p=_p(self.weight))
        district = np.full(n, -1)
        codes = [d["region_code"] for d in self.districts]
        for r in np.unique(region):
            options = [i for i, c in enumerate(codes) if c == self.regions[r]["region_code"]]
            if options:
                district[region == r] = self.rng.choice(options, int((region == r).sum()))
        return region.tolist(), district.tolist()

    def records(self, key: str, width: int, when: list[datetime], written: list[datetime]) -> list[Record]:
        """What every record has: its number, the weekly file of `when`, its version time, region and district."""
        region, district = self.pick(len(when))
        return [
            {key: f"{i + 1:0{width}d}", "_week": _week(w, self.start), "updated_at": written[i]}
            | {"region": region[i], "district": district[i]}
            for i, w in enumerate(when)
        ]

    def area(self, column: str) -> tuple[Cell, Cell]:
        return _areas(self.regions, self.districts, column)


def _mass_events(rng: Rng, place: _Place, days: int, sink: Sink) -> None:
    start = place.start
    day = _days(rng, start.date(), days, "mass_event")
    n, campaign = day.size, _campaign(day)
    kind = np.where(
        campaign,
        rng.choice(len(EVENT_TYPES["code"]), n, p=_p(EVENT_TYPES["campaign"])),
        rng.choice(len(EVENT_TYPES["code"]), n, p=_p(EVENT_TYPES["share"])),
    )
    starts = _at(day, rng.integers(10, 20, n), rng.choice([0, 30], n))
    length = rng.integers(2, 6, n)
    expected = np.round(rng.lognormal(6.3, 0.9, n), -1).astype(int) + 50
    actual = np.round(expected * rng.uniform(0.7, 1.2, n)).astype(int)
    police = np.maximum(2, np.round(expected / 120 + rng.poisson(2, n))).astype(int)
    police = np.where(rng.random(n) < 0.02, 0, police)  # a few small events nobody secured
    incidents = rng.poisson(0.1 + actual / 4000)
    _, phones = _people(rng, n)
    written = [begin - timedelta(days=int(d)) for begin, d in zip(starts, rng.integers(1, 6, n), strict=True)]
    layout = Layout(
        (
            ("№ мероприятия", "event_id", TEXT),
            *place.area("name_ru"),
            ("Место проведения", "venue", TEXT),
            ("Вид мероприятия", "kind", _label(EVENT_TYPES["ru"])),
            ("Дата и время начала", "starts_at", RAW),
            ("Дата и время окончания", "ends_at", RU_TS),
            ("Ожидается участников", "expected", RAW),
            ("Фактически участников", "actual", RAW),
            ("Участие детей", "children", YES_NO),
            ("Задействовано сотрудников полиции", "police", RAW),
            ("Круглосуточное дежурство", "duty", YES_NO),
            ("Зарегистрировано происшествий", "incidents", RAW),
            ("Телефон ответственного", "phone", TEXT),
            ("Дата изменения", "updated_at", RU_TS),
        ),
        kind="xlsx",
        sheet="Мероприятия",
    )
    recs = []
    for i, rec in enumerate(place.records("event_id", 5, starts, written)):
        k = int(kind[i])
        recs.append(
            rec
            | {
                "venue": EVENT_TYPES["venue"][k],
                "kind": k,
                "starts_at": starts[i],
                "ends_at": starts[i] + timedelta(hours=int(length[i])),
                "expected": int(expected[i]),
                "actual": int(actual[i]),
                "children": bool(rng.random() < float(EVENT_TYPES["children"][k])),
                "police": int(police[i]),
                "duty": bool(campaign[i] and police[i] > 0 and rng.random() < 0.8),
                "incidents": int(incidents[i]),
                "phone": phones[i],
            }
        )

    def correct(rec: Record) -> Record | None:
        """An incident near the venue is registered after the calendar was sent."""
        return _later(rng, rec, start, days, {"incidents": rec["incidents"] + 1})

    spoil = {
        "bad_date": [("starts_at", "31.12.2025 25:00"), ("starts_at", "уточняется")],
        "unknown_code": [("kind", "Флешмоб"), ("region", "Неизвестная область")],
        "negative_count": [("actual", -40)],
        "ends_before_start": [("ends_at", lambda r: RU_TS(r["starts_at"] - timedelta(hours=1)))],
    }
    _emit(sink, rng, recs, _weekly("massovye_meropriyatiya", "xlsx", layout, place.start), spoil, correct)


def _seizures(rng: Rng, place: _Place, days: int, sink: Sink) -> None:
    day = _days(rng, place.start.date(), days, "pyrotechnics_seizure")
    n = day.size
    checked = 1 + rng.poisson(6, n)
    units = np.where(rng.random(n) < 0.25, 0, np.round(rng.lognormal(4.6, 1.1, n))).astype(int)
    boxes = np.ceil(units / rng.integers(20, 60, n)).astype(int)
    names, _ = _people(rng, n)
    layout = Layout(
        (
            ("№ рейда", "raid_id", TEXT),
            ("Дата рейда", "day", RU_DAY),
            *place.area("name_ru"),
            ("Проверено торговых точек", "checked", RAW),
            ("Изъято пиротехники, шт.", "units", SPACED),
            ("Изъято коробок", "boxes", RAW),
            ("ФИО нарушителя", "offender", TEXT),
        ),
        delimiter=";",  # UTF-8: cp1251 has no Kazakh letters (Ұлытау, Жетісу)
        newline="\r\n",
    )
    when = _py(day)
    recs = [
        rec
        | {
            "day": when[i],
            "checked": int(checked[i]),
            "units": int(units[i]),
            "boxes": int(boxes[i]),
            "offender": names[i] if units[i] else None,
        }
        for i, rec in enumerate(place.records("raid_id", 5, when, when))
    ]
    spoil = {
        "bad_number": [("units", "300-400"), ("boxes", "2 (две)")],
        "bad_date": [("day", "32.12.2025")],
        "missing_value": [("boxes", "")],
    }
    _emit(sink, rng, recs, _weekly("pirotehnika", "csv", layout, place.start), spoil)


def _inspections(rng: Rng, place: _Place, days: int, sink: Sink) -> None:
    start = place.start
    day = _days(rng, start.date(), days, "fire_inspection")
    n = day.size
    kind = rng.choice(len(FACILITIES["code"]), n, p=_p(FACILITIES["share"]))
    result = rng.choice(len(RESULTS["code"]), n, p=_p(RESULTS["share"]))
    violations = np.where(result == 0, 0, 1 + rng.poisson(3, n))
    names, _ = _people(rng, n)
    layout = Layout(
        (
            ("№ акта", "inspection_id", TEXT),
            ("Дата проверки", "inspected_on", RU_DAY),
            *place.area("name_ru"),
            ("Наименование объекта", "facility", TEXT),
            ("Тип объекта", "kind", _label(FACILITIES["ru"])),
            ("Результат", "result", _label(RESULTS["ru"])),
            ("Выявлено нарушений", "violations", RAW),
            ("Ответственное лицо", "person", TEXT),
            ("Дата изменения", "updated_at", RU_TS),
        ),
        encoding="utf-8-sig",
    )
    when = _py(day)
    written = [w + timedelta(hours=int(h)) for w, h in zip(when, rng.integers(12, 20, n), strict=True)]
    recs = [
        rec
        | {
            "inspected_on": when[i],
            "facility": FACILITIES["name"][int(kind[i])],
            "kind": int(kind[i]),
            "result": int(result[i]),
            "violations": int(violations[i]),
            "person": names[i],
        }
        for i, rec in enumerate(place.records("inspection_id", 6, when, written))
    ]

    def correct(rec: Record) -> Record | None:
        """A repeat visit finds the violations removed: the act is sent again as compliant."""
        compliant = _later(rng, rec, start, days, {"result": 0, "violations": 0})  # draws even when unused
        return None if rec["result"] == 0 else compliant

    spoil = {
        "unknown_code": [("result", "Проверка перенесена"), ("kind", "Автостоянка")],
        "bad_date": [("inspected_on", "00.01.2026")],
    }
    _emit(sink, rng, recs, _weekly("proverki_pb", "csv", layout, place.start), spoil, correct)


def _alarms(rng: Rng, place: _Place, days: int, sink: Sink) -> None:
    day = _days(rng, place.start.date(), days, "fire_alarm_installation")
    n = day.size
    category = rng.choice(len(HOUSEHOLDS["code"]), n, p=_p(HOUSEHOLDS["share"]))
    homes = 1 + rng.poisson(5, n)
    sensors = homes * rng.choice([1, 2, 2, 3], n)
    layout = Layout(
        (
            ("№ акта", "act_id", TEXT),
            ("Дата установки", "day", RU_DAY),
            *place.area("name_ru"),
            ("Категория семей", "category", _label(HOUSEHOLDS["ru"])),
            ("Количество домов (квартир)", "homes", RAW),
            ("Установлено извещателей", "sensors", RAW),
        ),
        kind="xlsx",
        sheet="Извещатели",
    )
    when = _py(day)
    recs = [
        rec | {"day": when[i], "category": int(category[i]), "homes": int(homes[i]), "sensors": int(sensors[i])}
        for i, rec in enumerate(place.records("act_id", 6, when, when))
    ]
    spoil = {"bad_number": [("sensors", "12 или 13")], "unknown_code": [("category", "Пенсионеры")]}
    _emit(sink, rng, recs, _weekly("izveshateli", "xlsx", layout, place.start), spoil)


def _trips(rng: Rng, place: _Place, days: int, sink: Sink) -> None:
    start = place.start
    day = _days(rng, start.date(), days, "child_trip_escort")
    n = day.size
    departs = _at(day, rng.integers(6, 11, n), rng.choice([0, 15, 30, 45], n))
    children = 10 + rng.poisson(25, n)
    escorted = rng.random(n) < 0.97
    names, phones = _people(rng, n)
    layout = Layout(
        (
            ("№ уведомления", "trip_id", TEXT),
            ("Дата и время выезда", "departs_at", RU_TS),
            *place.area("name_ru"),
            ("Пункт назначения", "destination", TEXT),
            ("Количество детей", "children", RAW),
            ("Сопровождение полиции", "escorted", YES_NO),
            ("Патруль", "patrol", TEXT),
            ("ФИО руководителя группы", "leader", TEXT),
            ("Телефон руководителя", "phone", TEXT),
            ("Дата изменения", "updated_at", RU_TS),
        ),
        delimiter=";",
    )
    written = [d - timedelta(hours=int(h)) for d, h in zip(departs, rng.integers(24, 72, n), strict=True)]
    recs = [
        rec
        | {
            "departs_at": departs[i],
            "destination": DESTINATIONS[int(rng.integers(0, len(DESTINATIONS)))],
            "children": int(children[i]),
            "escorted": bool(escorted[i]),
            "patrol": f"ПП-{int(rng.integers(1, 40)):02d}" if escorted[i] else None,
            "leader": names[i],
            "phone": phones[i],
        }
        for i, rec in enumerate(place.records("trip_id", 5, departs, written))
    ]
    spoil = {
        "bad_flag": [("escorted", "уточняется")],
        "bad_date": [("departs_at", "30.02.2026 07:00")],
        "missing_value": [("children", "")],
    }
    _emit(sink, rng, recs, _weekly("soprovozhdenie_detei", "csv", layout, place.start), spoil)


def generate_kz_ops(landing: Path, start: date, days: int, seed: int, reference_dir: Path) -> dict[str, Any]:
    """Write the five datasets' exports under landing/<dataset>/; per dataset the rows, files and defects written,
    the way tools.demo's manifest records them."""
    t0 = datetime(start.year, start.month, start.day)
    writers = (_mass_events, _seizures, _inspections, _alarms, _trips)
    rngs = _streams(seed, DATASETS, 100)
    manifest: dict[str, Any] = {}
    for name, write in zip(DATASETS, writers, strict=True):
        sink = Sink()
        write(rngs[name], _Place(rngs[name], reference_dir, t0), days, sink)
        manifest[name] = sink.flush(landing / name, t0)
    return manifest
