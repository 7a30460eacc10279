"""Deterministic demo exports: what a country's regions would drop into landing/, defects included.

Geography, population and the camera plan are read from the reference folder; volumes, seasonality and
value mixes below are modelling assumptions. The same arguments give byte-identical files. Rows and
injected defects per dataset go to landing/.demo_manifest.json (a dot-file: ingestion skips it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import typer
import xlsxwriter
from rich.console import Console
from rich.table import Table

from safelake.reference import geography as reference
from safelake.settings import get_settings

Fmt = Callable[[Any], Any]
Cell = tuple[str, str, Fmt]  # (header cell, record field, formatter)
Rng = np.random.Generator
Record = dict[str, Any]


def _table(text: str) -> dict[str, list[str]]:
    """Columns of a '|'-separated text table whose first line is the header."""
    rows = [[cell.strip() for cell in line.split("|")] for line in text.strip().splitlines()]
    return {name: [row[i] for row in rows[1:]] for i, name in enumerate(rows[0])}


def _vec(values: str | Sequence[str]) -> np.ndarray:
    return np.array(values.split() if isinstance(values, str) else values, dtype=float)


CAMERA_TARGET = "cameras_installed"  # the plan target whose milestones drive the camera rollout
LEGACY_YEARS = 3  # the plan's baseline cameras were installed evenly over this many years before it
ANNUAL = {"crime_report": 40_000, "road_incident": 7_000, "fraud_report": 20_000}
DEFECT_RATE = 0.006  # per defect kind and dataset
HOLIDAYS = _table("""
day   | public holiday (Kyrgyz Republic)
01-01 | New Year
01-02 | New Year
01-07 | Orthodox Christmas
02-23 | Defender of the Fatherland Day
03-08 | International Women's Day
03-21 | Nooruz
03-22 | Nooruz
05-01 | Labour Day
05-05 | Constitution Day
05-09 | Victory Day
08-31 | Independence Day
11-07 | Days of History and Remembrance of Ancestors
11-08 | Days of History and Remembrance of Ancestors
""")
HOLIDAY_FACTOR = {"crime": 1.35, "road": 1.4, "fraud": 1.15}
MONTHS = {  # Jan..Dec; road has a summer-traffic and a winter-ice peak
    "crime": "0.85 0.85 0.95 1.0 1.05 1.1 1.15 1.15 1.05 1.0 0.95 0.95",
    "road": "1.1 0.95 0.85 0.85 0.95 1.1 1.25 1.25 1.0 0.9 0.9 1.15",
    "fraud": "0.95 0.9 1.0 1.0 1.0 0.95 0.95 1.0 1.05 1.05 1.05 1.1",
}
WEEKDAYS = {  # Mon..Sun
    "crime": "0.95 0.92 0.92 0.95 1.05 1.18 1.12",
    "road": "1.0 0.96 0.96 1.0 1.1 1.08 0.92",
    "fraud": "1.15 1.1 1.1 1.1 1.05 0.75 0.6",
}
HOURS = {  # 00..23: crime peaks in the evening, road in the rush hours, fraud reports in office hours
    "crime": "3 2 1.5 1 0.8 0.7 0.8 1.2 1.8 2.2 2.5 2.7 3 3 3.1 3.3 3.6 4 4.5 5 5 4.8 4.3 3.6",
    "road": "1 0.7 0.5 0.4 0.4 0.7 1.6 3 3.4 2.4 2 2.1 2.3 2.3 2.4 2.7 3.1 3.8 4 3.4 2.6 2 1.6 1.3",
    "fraud": "0.2 0.1 0.1 0.1 0.1 0.2 0.4 1 3 4.5 5 5 4.2 4.5 5 5 4.6 3.8 2 1.2 0.9 0.7 0.5 0.3",
}
# share of reports, clearance rate, share domestic violence, share with a minor victim, personal victim
OFFENCES = _table("""
code                  | ru                                   | share | clear | dv  | minor | victim
theft                 | Кража                                | 0.36  | 0.45  | 0   | 0.09  | 1
burglary              | Кража с проникновением в жилище      | 0.07  | 0.40  | 0   | 0.06  | 1
fraud                 | Мошенничество                        | 0.10  | 0.35  | 0   | 0.05  | 1
assault               | Умышленное причинение вреда здоровью | 0.08  | 0.75  | 0.5 | 0.12  | 1
robbery               | Грабёж                               | 0.04  | 0.60  | 0   | 0.12  | 1
drugs                 | Незаконный оборот наркотиков         | 0.06  | 0.95  | 0   | 0.06  | 0
hooliganism           | Хулиганство                          | 0.06  | 0.70  | 0.4 | 0.10  | 1
vehicle_crime         | Угон транспортного средства          | 0.04  | 0.50  | 0   | 0     | 1
public_order          | Нарушение общественного порядка      | 0.04  | 0.80  | 0.2 | 0.06  | 0
criminal_damage       | Умышленное повреждение имущества     | 0.03  | 0.45  | 0.4 | 0.06  | 1
weapons               | Незаконный оборот оружия             | 0.02  | 0.95  | 0   | 0     | 0
sexual_offence        | Изнасилование                        | 0.015 | 0.80  | 0.3 | 0.30  | 1
homicide              | Убийство                             | 0.005 | 0.90  | 0.3 | 0.05  | 1
anti_social_behaviour | Мелкое хулиганство                   | 0.02  | 0.85  | 0.1 | 0.10  | 1
other                 | Прочие преступления                  | 0.05  | 0.55  | 0.3 | 0.10  | 1
""")
PLACE_MIX = _table("""
offence               | street | residence | public_place | transport | online | other
theft                 | 35     | 25        | 25           | 10        | 0      | 5
burglary              | 0      | 95        | 0            | 0         | 0      | 5
fraud                 | 5      | 10        | 5            | 0         | 75     | 5
assault               | 40     | 25        | 25           | 5         | 0      | 5
robbery               | 60     | 5         | 25           | 5         | 0      | 5
drugs                 | 50     | 20        | 20           | 5         | 0      | 5
hooliganism           | 45     | 15        | 30           | 5         | 0      | 5
vehicle_crime         | 85     | 5         | 5            | 0         | 0      | 5
public_order          | 50     | 5         | 40           | 5         | 0      | 0
criminal_damage       | 40     | 30        | 20           | 5         | 0      | 5
weapons               | 40     | 40        | 10           | 5         | 0      | 5
sexual_offence        | 20     | 60        | 10           | 5         | 0      | 5
homicide              | 30     | 55        | 10           | 0         | 0      | 5
anti_social_behaviour | 50     | 10        | 35           | 5         | 0      | 0
other                 | 30     | 30        | 20           | 5         | 10     | 5
""")
PLACES = _table("""
code         | ru                 | public
street       | Улица              | 1
residence    | Жилище             | 0
public_place | Общественное место | 1
transport    | Транспорт          | 1
online       | Интернет           | 0
other        | Иное               | 0
""")
ROAD_TYPES = _table("""
code           | ru                     | share | fatal
collision      | Столкновение           | 0.45  | 0.05
pedestrian_hit | Наезд на пешехода      | 0.30  | 0.08
cyclist_hit    | Наезд на велосипедиста | 0.04  | 0.05
rollover       | Опрокидывание          | 0.08  | 0.12
run_off_road   | Съезд с дороги         | 0.09  | 0.12
other          | Иной вид ДТП           | 0.04  | 0.05
""")
# share: all incidents; pedestrian: when a pedestrian was hit; winter: factor Dec-Feb (ice); fatal: factor
CAUSES = _table("""
code                 | ru                                    | share | pedestrian | winter | fatal
speeding             | Превышение скорости                   | 0.28  | 0.15       | 1      | 1.2
drunk_driving        | Управление в состоянии опьянения      | 0.10  | 0.05       | 1      | 1.8
failure_to_yield     | Непредоставление преимущества         | 0.18  | 0.18       | 1      | 1
pedestrian_violation | Нарушение ПДД пешеходом               | 0.06  | 0.35       | 1      | 1
distraction          | Отвлечение от управления              | 0.09  | 0.10       | 1      | 1
vehicle_defect       | Неисправность ТС                      | 0.04  | 0.01       | 1      | 1
road_conditions      | Неудовлетворительное состояние дороги | 0.08  | 0.04       | 3      | 1
fatigue              | Утомление водителя                    | 0.04  | 0.02       | 1      | 1.3
other                | Прочие                                | 0.08  | 0.06       | 1      | 1
unknown              | Не установлена                        | 0.05  | 0.04       | 1      | 1
""")
# loss: multiple of the 15,000 KGS median loss; ages: the AGES column with the victims' age mix
SCHEMES = _table("""
code               | ru                     | share | loss | ages
phishing           | Фишинг                 | 0.18  | 1.0  | base
investment         | Инвестиции             | 0.10  | 4.0  | base
romance            | Знакомства в интернете | 0.04  | 2.5  | base
online_purchase    | Покупка в интернете    | 0.20  | 0.4  | young
fake_relative      | Родственник в беде     | 0.10  | 2.0  | old
bank_impersonation | Звонок от имени банка  | 0.14  | 1.5  | old
lottery_prize      | Выигрыш в лотерею      | 0.05  | 0.6  | base
extortion          | Вымогательство         | 0.03  | 1.2  | base
identity_theft     | Кража личных данных    | 0.04  | 1.0  | base
job_offer          | Предложение работы     | 0.07  | 0.5  | young
other              | Прочее                 | 0.05  | 1.0  | base
""")
# weights in the order of CHANNELS and of PAYMENTS ("none" is for attempts, set separately)
SCHEME_MIX = _table("""
scheme             | channels                | payments
phishing           | 0 35 25 10 20 10 0 0 0  | 20 70 10 0 0 0 0 0 0
investment         | 5 0 30 40 25 0 0 0 0    | 40 5 20 35 0 0 0 0 0
romance            | 0 0 40 60 0 0 0 0 0     | 50 10 30 5 0 5 0 0 0
online_purchase    | 0 0 20 35 45 0 0 0 0    | 40 30 25 0 0 5 0 0 0
fake_relative      | 70 10 20 0 0 0 0 0 0    | 35 0 15 0 35 15 0 0 0
bank_impersonation | 75 10 15 0 0 0 0 0 0    | 60 30 10 0 0 0 0 0 0
lottery_prize      | 20 40 20 20 0 0 0 0 0   | 30 10 20 0 0 40 0 0 0
extortion          | 20 0 50 30 0 0 0 0 0    | 40 10 30 20 0 0 0 0 0
identity_theft     | 30 20 0 0 30 0 0 0 20   | 40 50 10 0 0 0 0 0 0
job_offer          | 0 0 50 40 10 0 0 0 0    | 40 10 30 10 0 10 0 0 0
other              | 20 10 20 20 10 5 10 5 0 | 30 20 20 5 15 5 5 0 0
""")
CHANNELS = _table("""
code         | ru
phone_call   | Телефонный звонок
sms          | СМС
messenger    | Мессенджер
social_media | Социальные сети
website      | Сайт
email        | Электронная почта
in_person    | Лично
other        | Другое
unknown      | Не установлено
""")
PAYMENTS = _table("""
code           | ru
bank_transfer  | Банковский перевод
card           | Банковская карта
e_wallet       | Электронный кошелёк
crypto         | Криптовалюта
cash           | Наличные
mobile_balance | Баланс телефона
other          | Другое
none           | Нет оплаты
unknown        | Не установлено
""")
AGES = _table("""
code     | ru          | base | old | young
under_18 | до 18       | 3    | 0   | 8
18_24    | 18-24       | 14   | 3   | 30
25_34    | 25-34       | 24   | 7   | 30
35_44    | 35-44       | 20   | 10  | 15
45_54    | 45-54       | 15   | 15  | 8
55_64    | 55-64       | 12   | 27  | 4
65_plus  | 65 и старше | 8    | 35  | 2
unknown  | не указан   | 4    | 3   | 3
""")
# repair time: lognormal with this median (minutes) and sigma; reason: how the VMS export spells the cause
OUTAGES = _table("""
code        | reason              | share | median | sigma
power       | power_loss          | 0.30  | 180    | 1.0
network     | network_down        | 0.40  | 40     | 1.3
hardware    | hw_fault            | 0.10  | 4320   | 0.9
maintenance | planned_maintenance | 0.12  | 120    | 0.5
vandalism   | vandalism           | 0.08  | 2880   | 1.0
""")
OUTAGES_PER_DAY, MASS_OUTAGES_PER_SITE_DAY = 2 / 30.44, 0.3 / 30.44
CAMERA_TYPES = _table("""
code  | en    | share
fixed | Fixed | 0.60
ptz   | PTZ   | 0.15
anpr  | ANPR  | 0.15
speed | Speed | 0.10
""")
CONTRACTORS = _table("""
name                   | share
Ak-Shoola Systems LLC  | 0.30
Tash-Kordo Engineering | 0.25
Nur Vision Integration | 0.20
Kok-Asia Telecom Build | 0.15
Alatoo SecureNet       | 0.10
""")
# plausible, not real people; written in Cyrillic that cp1251 can encode (no ң, ө, ү)
NAMES = _table("""
male    | female   | surname     | street
Айбек   | Айгуль   | Абдыкадыров | Ленина
Нурлан  | Айжан    | Асанов      | Манаса
Бакыт   | Гульнара | Бакиев      | Токтогула
Эрлан   | Жазгуль  | Жумабеков   | Чуй
Азамат  | Нургуль  | Исаков      | Московская
Улан    | Чолпон   | Токтогулов  | Киевская
Таалай  | Асель    | Кадыров     | Фрунзе
Канат   | Бермет   | Мамытов     | Горького
Данияр  | Динара   | Осмонов     | Ахунбаева
Бекзат  | Айпери   | Садыков     | Абдрахманова
Тимур   | Елена    | Иманалиев   | Жибек Жолу
Руслан  | Ольга    | Турдубаев   | Курманжан Датки
Алексей | Наталья  | Иванов      | Логвиненко
Сергей  | Анна     | Петров      | Шопокова
Дмитрий | Светлана | Кузнецов    | Айтматова
""")
HIGHWAYS = 6  # national roads numbered 1 to 6 (ЭМ-01 .. ЭМ-06 in Kyrgyzstan)


@dataclass(frozen=True)
class Dialect:
    """How one country's regions write the same exports: file names, header cells, the language of area names,
    phone numbers, road numbers, currency and the offset of local times. Values and layouts are otherwise
    the same; a column whose field the country's reference data lacks (no districts) is left out."""

    timezone: str
    files: dict[str, str]  # a file name's first word → this country's (kusp_20260105_KG-C.csv → erdr_...)
    headers: dict[str, str]  # a Kyrgyz export's header cell → this country's
    local_name: str  # the reference column of area names in the local language
    currency: str
    money: float  # amounts in the currency for one Kyrgyz som
    phone_codes: np.ndarray
    phone: Callable[[int, int, bool], str]  # (mobile code, subscriber number, written the local way)
    road: Callable[[int], str]  # the name of national road number n
    encodings: dict[str, str] = field(default_factory=dict)  # a Kyrgyz export's encoding → this country's
    drop: frozenset[str] = frozenset()  # record fields the exports do not have
    # the country's own datasets beside the shared ones: (landing, start, days, seed, reference_dir) → manifest
    # entries by dataset
    more: Callable[[Path, date, int, int, Path], dict[str, Any]] = lambda *_: {}

    def file(self, name: str) -> str:
        word, _, rest = name.partition("_")
        return f"{self.files.get(word, word)}_{rest}"

    def layout(self, layout: Layout) -> Layout:
        spec = tuple((self.headers.get(h, h), c, f) for h, c, f in layout.spec if c not in self.drop)
        return replace(layout, spec=spec, encoding=self.encodings.get(layout.encoding, layout.encoding))

    def cells(self, layout: Layout, cells: list[Any]) -> list[Any]:
        return [cell for (_, column, _), cell in zip(layout.spec, cells, strict=True) if column not in self.drop]


KYRGYZSTAN = Dialect(
    timezone="Asia/Bishkek",
    files={},
    headers={},
    local_name="name_ky",
    currency="KGS",
    money=1.0,
    phone_codes=_vec("500 502 505 507 509 550 551 552 554 555 557 559 700 702 703 705 707 709 770 772 775 777"),
    phone=lambda code, number, local: (
        f"0{code} {number:06d}" if local else f"+996 {code} {number // 1000:03d} {number % 1000:03d}"
    ),
    road=lambda n: f"ЭМ-{n:02d}",
)


def dialect(geography: str) -> Dialect:
    """The export shapes of a geography's demo data (Kyrgyzstan's unless it has its own)."""
    if geography == "kz":
        from tools.demo_kz import KAZAKHSTAN

        return KAZAKHSTAN
    return KYRGYZSTAN


def _p(weights: Sequence[float] | Sequence[str] | np.ndarray) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _streams(seed: int, names: Sequence[str], first: int = 0) -> dict[str, Rng]:
    """An independent random stream per dataset, numbered from `first`."""
    return {name: np.random.default_rng([seed, first + k]) for k, name in enumerate(names)}


def _read(path: Path) -> list[dict[str, str]]:
    """The rows of a reference CSV; none when the set does not have the file (districts, a plan)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class Geo:
    regions: list[dict[str, str]]
    districts: list[dict[str, str]]
    region_weight: np.ndarray
    district_weight: np.ndarray  # population, compared only within a region
    district_region: np.ndarray
    camera_share: np.ndarray
    curve_day: np.ndarray  # camera rollout: day numbers (days since 1970) ...
    curve_cum: np.ndarray  # ... and the plan's cumulative cameras installed by then
    dialect: Dialect

    def pick(self, rng: Rng, n: int, weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(region index, district index) of n events, by population unless region weights are given."""
        region = rng.choice(len(self.regions), n, p=_p(self.region_weight if weight is None else weight))
        return region, self.districts_in(rng, region)

    def districts_in(self, rng: Rng, region: np.ndarray) -> np.ndarray:
        """A district in each given region, by population (-1 where a region has none)."""
        district = np.full(region.size, -1)
        for r in range(len(self.regions)):
            mask, options = region == r, np.flatnonzero(self.district_region == r)
            if options.size and mask.any():
                district[mask] = rng.choice(options, int(mask.sum()), p=_p(self.district_weight[options]))
        return district

    def rollout_share(self, day: np.ndarray) -> np.ndarray:
        return np.interp(day, self.curve_day, self.curve_cum) / self.curve_cum[-1]

    def area(self, column: str) -> tuple[Cell, Cell]:
        return _areas(self.regions, self.districts, column)


def _population(reference_dir: Path, year: int) -> dict[str, int]:
    """Population by area code, of the latest year not after `year` (the earliest year when all are after it)."""
    best: dict[str, tuple[tuple[bool, int], int]] = {}
    for row in _read(reference_dir / "population.csv"):
        y = int(row["year"])
        rank = (y <= year, y if y <= year else -y)
        if row["area_code"] not in best or rank > best[row["area_code"]][0]:
            best[row["area_code"]] = (rank, int(row["population"]))
    return {code: value for code, (_, value) in best.items()}


def load_geography(reference_dir: Path, year: int) -> Geo:
    """Regions and districts weighted by the population of the latest year not after `year`; camera plan (without
    one, the cameras were installed evenly over the LEGACY_YEARS before `year`)."""
    regions, districts = _read(reference_dir / "regions.csv"), _read(reference_dir / "districts.csv")
    pop = _population(reference_dir, year)
    codes = [r["region_code"] for r in regions]
    district_region = np.array([codes.index(d["region_code"]) for d in districts], dtype=int)
    district_weight = np.array([pop.get(d["district_code"], 1) for d in districts], dtype=float)
    region_weight = np.array(
        [pop.get(c) or district_weight[district_region == i].sum() or 1 for i, c in enumerate(codes)],
        dtype=float,
    )
    share = {
        r["region_code"]: float(r["target_value"])
        for r in _read(reference_dir / "plan_region_targets.csv")
        if r["target_id"] == CAMERA_TARGET
    }
    plan = next(
        (r for r in _read(reference_dir / "plan_targets.csv") if r["target_id"] == CAMERA_TARGET),
        {"baseline_year": str(year - 1), "baseline_value": "1"},
    )
    miles = sorted(
        (r["month_end"], float(r["cumulative_target"]))
        for r in _read(reference_dir / "plan_milestones.csv")
        if r["target_id"] == CAMERA_TARGET
    )
    base = np.datetime64(f"{plan['baseline_year']}-12-31")
    days = [base - 365 * LEGACY_YEARS, base, *(np.datetime64(m) for m, _ in miles)]
    return Geo(
        regions,
        districts,
        region_weight,
        district_weight,
        district_region,
        np.array([share.get(c, region_weight[i]) for i, c in enumerate(codes)]),
        np.array(days, dtype="datetime64[D]").astype(np.int64),
        np.array([0.0, float(plan["baseline_value"]), *(v for _, v in miles)]),
        dialect(reference_dir.name),
    )


def _event_times(rng: Rng, start: date, days: int, annual: float, dataset: str) -> np.ndarray:
    """Sorted local times (datetime64[m]) of a Poisson process shaped by month, weekday, hour and holidays."""
    month, weekday = _vec(MONTHS[dataset]), _vec(WEEKDAYS[dataset])
    holidays = [int(day.replace("-", "")) for day in HOLIDAYS["day"]]

    def weight(d: np.ndarray) -> np.ndarray:
        m = d.astype("datetime64[M]")
        mmdd = (m.astype(int) % 12 + 1) * 100 + (d - m).astype(int) + 1
        factor = np.where(np.isin(mmdd, holidays), HOLIDAY_FACTOR[dataset], 1.0)
        return month[m.astype(int) % 12] * weekday[(d.astype(int) + 3) % 7] * factor  # 1970-01-01: Thursday

    first = np.datetime64(start, "D")
    day = first + np.arange(days)
    counts = rng.poisson(annual / 365 * weight(day) / weight(first + np.arange(365)).mean())
    n = int(counts.sum())
    minutes = rng.choice(24, n, p=_p(_vec(HOURS[dataset]))) * 60 + rng.integers(0, 60, n)
    return np.sort(np.repeat(day, counts).astype("datetime64[m]") + minutes.astype("timedelta64[m]"))


def _people(rng: Rng, n: int, shape: Dialect) -> tuple[list[str], list[str]]:
    """Plausible Kyrgyz and Russian names, and mobile numbers of the country (some written the local way)."""
    female = (rng.random(n) < 0.5).tolist()
    first, surnames = (
        rng.integers(0, len(NAMES["male"]), n).tolist(),
        rng.integers(0, len(NAMES["surname"]), n),
    )
    names = [
        f"{NAMES['surname'][s]}а {NAMES['female'][i]}" if f else f"{NAMES['surname'][s]} {NAMES['male'][i]}"
        for s, i, f in zip(surnames.tolist(), first, female, strict=True)
    ]
    codes = shape.phone_codes.astype(int)[rng.integers(0, shape.phone_codes.size, n)].tolist()
    numbers, local = rng.integers(0, 10**6, n).tolist(), (rng.random(n) < 0.2).tolist()
    phones = [shape.phone(c, x, loc) for c, x, loc in zip(codes, numbers, local, strict=True)]
    return names, phones


def _streets(rng: Rng, n: int) -> list[str]:
    return [f"ул. {NAMES['street'][i]}" for i in rng.integers(0, len(NAMES["street"]), n).tolist()]


def _opt(fn: Fmt) -> Fmt:
    return lambda v: "" if v is None else fn(v)


TEXT, RAW = _opt(str), _opt(lambda v: v)
# Written for millions of cells: isoformat and f-strings of the fields instead of strftime (a third of the time).
RU_TS = _opt(lambda v: f"{v.day:02d}.{v.month:02d}.{v.year:04d} {v.hour:02d}:{v.minute:02d}")
RU_DAY = _opt(lambda v: f"{v.day:02d}.{v.month:02d}.{v.year:04d}")
ISO_TS = _opt(lambda v: v.isoformat("T", "seconds"))
DAY, STAMP = _opt(lambda v: v.isoformat()[:10]), _opt(lambda v: v.isoformat(" ", "seconds"))
YES_NO, Y_N = _opt(lambda v: "да" if v else "нет"), _opt(lambda v: "Y" if v else "N")
COMMA = _opt(lambda v: f"{v:,.2f}".replace(",", " ").replace(".", ","))  # 15 000,00


def _label(labels: Sequence[str]) -> Fmt:
    return _opt(lambda i: labels[i])


def _area(rows: list[dict[str, str]], column: str) -> Fmt:
    return lambda i: "" if i is None or i < 0 else rows[i][column]


def _areas(regions: list[dict[str, str]], districts: list[dict[str, str]], column: str) -> tuple[Cell, Cell]:
    """The region and district cells of an export headed in Russian, areas named by the reference `column`."""
    return ("Область", "region", _area(regions, column)), ("Район", "district", _area(districts, column))


@dataclass(frozen=True)
class Layout:
    spec: tuple[Cell, ...]
    kind: str = "csv"  # or xlsx
    sheet: str = "ДТП"  # xlsx only
    encoding: str = "utf-8"
    delimiter: str = ","
    newline: str = "\n"

    @property
    def header(self) -> list[str]:
        return [h for h, _, _ in self.spec]

    def index(self, column: str) -> int:
        return next(i for i, (_, c, _) in enumerate(self.spec) if c == column)

    def render(self, rec: Record) -> list[Any]:
        return [fmt(rec.get(col)) for _, col, fmt in self.spec]

    def write(self, path: Path, rows: list[list[Any]], created: datetime) -> None:
        if self.kind == "xlsx":
            book = xlsxwriter.Workbook(str(path), {"in_memory": True})
            book.set_properties({"created": created, "author": "MVD"})  # a fixed date: identical bytes
            sheet, stamp = book.add_worksheet(self.sheet), book.add_format({"num_format": "dd.mm.yyyy hh:mm"})
            sheet.write_row(0, 0, self.header, book.add_format({"bold": True}))
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if isinstance(value, datetime):
                        sheet.write_datetime(r, c, value, stamp)
                    elif value != "":
                        sheet.write(r, c, value)
            book.close()
            return
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=self.delimiter, lineterminator=self.newline)
        writer.writerow(self.header)
        writer.writerows(rows)
        path.write_bytes(buf.getvalue().encode(self.encoding))


def _windows_csv(spec: tuple[Cell, ...]) -> Layout:
    """A CSV as the Russian-language registries' Windows software writes it: cp1251, semicolons, CRLF."""
    return Layout(spec, encoding="cp1251", delimiter=";", newline="\r\n")


@dataclass
class Sink:
    """Rows bound for the files of one dataset, ordered inside a file by version time."""

    dialect: Dialect = KYRGYZSTAN
    layouts: dict[str, Layout] = field(default_factory=dict)
    rows: list[tuple[str, datetime, list[Any]]] = field(default_factory=list)
    defects: Counter[str] = field(default_factory=Counter)
    updates: int = 0  # legitimate later versions, e.g. a report cleared after its first export

    def add(self, file: str, layout: Layout, rec: Record, cells: list[Any] | None = None) -> None:
        self.layouts[file] = layout
        self.rows.append((file, rec["updated_at"], layout.render(rec) if cells is None else cells))

    def update(self, place: Place, recs: list[Record]) -> None:
        """Later versions of records already written, as they are (no defects)."""
        for rec in recs:
            self.add(*place(rec), rec)
        self.updates += len(recs)

    def flush(self, folder: Path, created: datetime) -> dict[str, Any]:
        """Write the files; the dataset's demo-manifest entry."""
        folder.mkdir(parents=True, exist_ok=True)
        by_file: dict[str, list[list[Any]]] = {}
        for file, _, cells in sorted(self.rows, key=lambda r: (r[0], r[1])):
            by_file.setdefault(file, []).append(cells)
        shape = self.dialect
        for file, rows in by_file.items():
            layout = self.layouts[file]
            kept = [shape.cells(layout, row) for row in rows] if shape.drop else rows
            shape.layout(layout).write(folder / shape.file(file), kept, created)
        defects = dict(sorted(self.defects.items()))
        return {"rows": len(self.rows), "files": len(by_file), "defects": defects, "updates": self.updates}


Place = Callable[[Record], tuple[str, Layout]]


def _emit(
    sink: Sink,
    rng: Rng,
    recs: list[Record],
    place: Place,
    spoil: dict[str, list[tuple[str, Any]]],
    correct: Callable[[Record], Record | None] | None = None,
) -> None:
    """Write records; a few per defect kind are duplicated, spoiled in one cell or corrected later (a cell of a
    column the country's exports do not have is not spoiled)."""
    spoil = {kind: [(c, v) for c, v in options if c not in sink.dialect.drop] for kind, options in spoil.items()}
    spoil = {kind: options for kind, options in spoil.items() if options}
    per_kind = max(1, round(len(recs) * DEFECT_RATE)) if len(recs) >= 50 else 0
    kinds, order = ["duplicate", *spoil], rng.permutation(len(recs)).tolist()
    picked = order[: per_kind * len(kinds)] if per_kind else []
    chosen = {i: kinds[j // per_kind] for j, i in enumerate(picked)}
    fixes: dict[int, Record] = {}
    for i in order[len(picked) :] if correct and per_kind else []:
        if (fixed := correct(recs[i])) is not None:
            fixes[i] = fixed
            if len(fixes) == per_kind:
                break
    if correct:
        sink.defects["correction"] = len(fixes)
    for i, rec in enumerate(recs):
        file, layout = place(rec)
        cells, kind = layout.render(rec), chosen.get(i)
        if kind in spoil:
            column, value = spoil[kind][sink.defects[kind] % len(spoil[kind])]
            cells[layout.index(column)] = value(rec) if callable(value) else value
        sink.add(file, layout, rec, cells)
        if kind == "duplicate":
            sink.add(file, layout, rec, list(cells))
        if kind:
            sink.defects[kind] += 1
        if i in fixes:
            sink.add(*place(fixes[i]), fixes[i])


def _week(t: datetime, start: datetime) -> int:
    return (t - start).days // 7


def _weekly(prefix: str, ext: str, layout: Layout, start: datetime) -> Place:
    """Weekly files named by their first day: a record goes to the file of its `_week`."""
    return lambda rec: (f"{prefix}_{start + timedelta(days=7 * rec['_week']):%Y%m%d}.{ext}", layout)


def _later(rng: Rng, rec: Record, start: datetime, days: int, changes: Record, weeks: int = 2) -> Record | None:
    """The record with `changes`, re-sent in one of the next `weeks` weekly files inside the window; None if there
    is none."""
    last = (days - 1) // 7
    if rec["_week"] >= last:
        return None
    week = int(rng.integers(rec["_week"] + 1, min(rec["_week"] + weeks, last) + 1))
    when = start + timedelta(days=7 * week, minutes=int(rng.integers(60, min(7, days - 7 * week) * 1440)))
    return rec | {"_week": week, "updated_at": when} | changes


def _py(values: np.ndarray) -> list[Any]:
    return values.astype("datetime64[s]").tolist()


def _crime(rng: Rng, geo: Geo, start: datetime, days: int, sink: Sink) -> None:
    end = np.datetime64(start + timedelta(days=days), "m")
    occurred = _event_times(rng, start.date(), days, ANNUAL["crime_report"], "crime")
    lag = rng.lognormal(np.log(120), 1.2, occurred.size).clip(5, 30 * 1440).astype("timedelta64[m]")
    keep = occurred + lag < end
    occurred, registered = occurred[keep], np.sort((occurred + lag)[keep])
    n = occurred.size
    offence = rng.choice(len(OFFENCES["code"]), n, p=_p(OFFENCES["share"]))
    dv = rng.random(n) < _vec(OFFENCES["dv"])[offence]
    place = np.zeros(n, dtype=int)
    for o in range(len(OFFENCES["code"])):
        mask, weights = offence == o, [PLACE_MIX[code][o] for code in PLACES["code"]]
        place[mask] = rng.choice(len(PLACES["code"]), int(mask.sum()), p=_p(weights))
    place[dv & (rng.random(n) < 0.85)] = PLACES["code"].index("residence")
    public = _vec(PLACES["public"])[place] > 0
    minor = rng.random(n) < _vec(OFFENCES["minor"])[offence]
    quick = rng.random(n) < 0.35  # caught in the act or within a day or two
    lag = np.where(quick, rng.exponential(1440, n), rng.lognormal(np.log(14 * 1440), 0.8, n))
    cleared_at = registered + lag.astype("timedelta64[m]")
    cleared = (rng.random(n) < np.where(dv, 0.8, _vec(OFFENCES["clear"])[offence])) & (cleared_at < end)
    coverage = geo.rollout_share(registered.astype("datetime64[D]").astype(np.int64))
    # footage helps clear public-place cases, more so as the cameras go up
    evidence = cleared & (rng.random(n) < np.where(public, 0.08 + 0.35 * coverage, 0.02))
    region, district = geo.pick(rng, n)
    names, phones = _people(rng, n, geo.dialect)
    victim = _vec(OFFENCES["victim"])[offence] > 0
    houses, flats = rng.integers(1, 200, n).tolist(), rng.integers(1, 120, n).tolist()
    streets, entry, known = _streets(rng, n), rng.integers(1, 90, n).tolist(), (rng.random(n) > 0.04).tolist()
    reg, occ, clr = _py(registered), _py(occurred), _py(cleared_at)
    russian = set(range(0, len(geo.regions), 2))  # regions alternate between the two registry exports
    # the two registry exports' columns: record field, Russian header and formatter, English header and formatter
    columns = (
        ("report_id", "Номер КУСП", TEXT, "report_no", TEXT),
        ("registered_at", "Дата регистрации", RU_TS, "registered", ISO_TS),
        ("occurred_at", "Дата совершения", RU_TS, "occurred", ISO_TS),
        ("offence", "Вид преступления", _label(OFFENCES["ru"]), "offence", _label(OFFENCES["code"])),
        ("region", "Область", _area(geo.regions, "name_ru"), "region", _area(geo.regions, "region_code")),
        ("district", "Район", _area(geo.districts, "name_ru"), "district", _area(geo.districts, "district_code")),
        ("place", "Место совершения", _label(PLACES["ru"]), "place", _label(PLACES["code"])),
        ("public_place", "Общественное место", YES_NO, "public_place", Y_N),
        ("victim_minor", "Потерпевший несовершеннолетний", YES_NO, "minor_victim", Y_N),
        ("domestic_violence", "Семейное насилие", YES_NO, "domestic", Y_N),
        ("cleared", "Раскрыто", YES_NO, "cleared", Y_N),
        ("cleared_at", "Дата раскрытия", RU_TS, "cleared_on", ISO_TS),
        ("camera_evidence", "Видеофиксация", YES_NO, "cctv", Y_N),
        ("victim_name", "ФИО потерпевшего", TEXT, "victim", TEXT),
        ("victim_phone", "Телефон потерпевшего", TEXT, "phone", TEXT),
        ("address", "Адрес", TEXT, "address", TEXT),
        ("updated_at", "Дата изменения", RU_TS, "last_modified", ISO_TS),
    )
    ru = _windows_csv(tuple((header, field, fmt) for field, header, fmt, _, _ in columns))
    en = Layout(tuple((header, field, fmt) for field, _, _, header, fmt in columns))

    def place_of(rec: Record) -> tuple[str, Layout]:
        week, code = (
            f"{start + timedelta(days=7 * rec['_week']):%Y%m%d}",
            geo.regions[rec["region"]]["region_code"],
        )
        layout, prefix = (ru, "kusp") if rec["region"] in russian else (en, "crime")
        return f"{prefix}_{week}_{code}.csv", layout

    recs, updates, numbers = [], [], Counter[int]()
    for i in range(n):
        week, r, d = _week(reg[i], start), int(region[i]), int(district[i])
        in_first = bool(cleared[i]) and _week(clr[i], start) == week  # cleared before the week's export
        numbers[r] += 1
        rec: Record = {
            "report_id": f"{geo.regions[r]['region_code']}-{numbers[r]:06d}",
            "_week": week,
            "updated_at": (clr[i] if in_first else reg[i]) + timedelta(minutes=entry[i]),
            "registered_at": reg[i],
            "occurred_at": occ[i] if known[i] else None,
            "offence": int(offence[i]),
            "region": r,
            "district": d,
            "place": int(place[i]),
            "public_place": bool(public[i]),
            "victim_minor": bool(minor[i]),
            "domestic_violence": bool(dv[i]),
            "cleared": in_first,
            "cleared_at": clr[i] if in_first else None,
            "camera_evidence": bool(evidence[i]) if in_first else None,
        }
        if victim[i]:
            flat = f", кв. {flats[i]}" if place[i] == 1 else ""
            town = f"{geo.districts[d]['name_ru']}, " if d >= 0 else ""
            address = f"{town}{streets[i]}, {houses[i]}{flat}"
            rec |= {"victim_name": names[i], "victim_phone": phones[i], "address": address}
        recs.append(rec)
        if cleared[i] and not in_first:  # the registry sends the record again once it is cleared
            updated = {"updated_at": clr[i] + timedelta(minutes=entry[i]), "_week": _week(clr[i], start)}
            updates.append(
                rec | updated | {"cleared": True, "cleared_at": clr[i], "camera_evidence": bool(evidence[i])}
            )
    resent = {u["report_id"] for u in updates}

    def correct(rec: Record) -> Record | None:
        """The offence re-classified in a later export (records re-sent when cleared are left alone)."""
        if rec["report_id"] in resent:
            return None
        return _later(rng, rec, start, days, {"offence": (rec["offence"] + 1) % len(OFFENCES["code"])})

    def by_layout(ru_value: str, en_value: str) -> Callable[[Record], str]:
        return lambda rec: ru_value if rec["region"] in russian else en_value

    spoil = {
        "missing_district": [("district", "")],
        "bad_date": [
            ("registered_at", by_layout("31.02.2026 10:00", "2026-02-31T10:00:00")),
            ("registered_at", by_layout("нет данных", "not a date")),
        ],
        "unknown_code": [
            ("offence", by_layout("Статья уточняется", "unclassified")),
            ("region", by_layout("Неизвестная область", "KG-XX")),
        ],
    }
    _emit(sink, rng, recs, place_of, spoil, correct)
    sink.update(place_of, updates)


def _road(rng: Rng, geo: Geo, start: datetime, days: int, sink: Sink) -> None:
    occurred = _event_times(rng, start.date(), days, ANNUAL["road_incident"], "road")
    n = occurred.size
    kind = rng.choice(len(ROAD_TYPES["code"]), n, p=_p(ROAD_TYPES["share"]))
    winter = np.isin(occurred.astype("datetime64[M]").astype(int) % 12, [11, 0, 1])
    pedestrian = kind == ROAD_TYPES["code"].index("pedestrian_hit")
    cause = np.zeros(n, dtype=int)
    for ped in (False, True):
        for cold in (False, True):
            weights = _vec(CAUSES["pedestrian" if ped else "share"]) * (_vec(CAUSES["winter"]) if cold else 1)
            mask = (pedestrian == ped) & (winter == cold)
            cause[mask] = rng.choice(len(CAUSES["code"]), int(mask.sum()), p=_p(weights))
    fatal = _vec(ROAD_TYPES["fatal"])[kind] * _vec(CAUSES["fatal"])[cause]
    killed = np.where(rng.random(n) < fatal, 1 + rng.poisson(0.15, n), 0)
    injured = np.where(killed > 0, rng.poisson(1.0, n), 1 + rng.poisson(0.45, n))
    serious, children = rng.binomial(injured, 0.2), rng.binomial(killed + injured, 0.08)
    vehicles = np.where(kind == 0, 2 + rng.poisson(0.3, n), 1 + (rng.random(n) < 0.1))
    region, district = geo.pick(rng, n)
    drivers, _ = _people(rng, n, geo.dialect)
    highway, km = rng.integers(1, HIGHWAYS + 1, n).tolist(), rng.integers(1, 600, n).tolist()
    on_highway, streets = (rng.random(n) < 0.3).tolist(), _streets(rng, n)
    occ, written = _py(occurred), _py(occurred + rng.integers(30, 8 * 60, n).astype("timedelta64[m]"))
    layout = Layout(
        (
            ("Номер ДТП", "incident_id", TEXT),
            ("Дата и время", "occurred_at", RAW),
            *geo.area("name_ru"),
            ("Место (улица, дорога)", "road_name", TEXT),
            ("Вид ДТП", "kind", _label(ROAD_TYPES["ru"])),
            ("Причина", "cause", _label(CAUSES["ru"])),
            ("Погибло", "killed", RAW),
            ("Ранено", "injured", RAW),
            ("Из них тяжело", "seriously_injured", RAW),
            ("Пострадало детей", "children_hurt", RAW),
            ("Количество ТС", "vehicles", RAW),
            ("Виновник (ФИО)", "driver_name", TEXT),
            ("Дата изменения", "updated_at", RAW),
        ),
        kind="xlsx",
    )
    recs = [
        {
            "incident_id": f"DTP-{i + 1:06d}",
            "_week": _week(occ[i], start),
            "updated_at": written[i],
            "occurred_at": occ[i],
            "region": int(region[i]),
            "district": int(district[i]),
            "road_name": f"{geo.dialect.road(highway[i])}, {km[i]} км" if on_highway[i] else streets[i],
            "kind": int(kind[i]),
            "cause": int(cause[i]),
            "killed": int(killed[i]),
            "injured": int(injured[i]),
            "seriously_injured": int(serious[i]),
            "children_hurt": int(children[i]),
            "vehicles": int(vehicles[i]),
            "driver_name": drivers[i],
        }
        for i in range(n)
    ]

    def correct(rec: Record) -> Record | None:
        """An injured victim died within 30 days: the incident is sent again with one more killed."""
        injured = max(rec["injured"] - 1, 0)
        changes = {
            "killed": rec["killed"] + 1,
            "injured": injured,
            "seriously_injured": min(rec["seriously_injured"], injured),
        }
        return _later(rng, rec, start, days, changes, weeks=4)

    spoil = {
        "missing_district": [("district", "")],
        "bad_date": [("occurred_at", "31.02.2026 08:15"), ("occurred_at", "не указано")],
        "unknown_code": [("cause", "Прочее (уточняется)"), ("region", "Неизвестная область")],
    }
    _emit(sink, rng, recs, _weekly("dtp", "xlsx", layout, start), spoil, correct)


def _fraud(rng: Rng, geo: Geo, start: datetime, days: int, sink: Sink) -> list[Record]:
    reported = _event_times(rng, start.date(), days, ANNUAL["fraud_report"], "fraud")
    n = reported.size
    scheme = rng.choice(len(SCHEMES["code"]), n, p=_p(SCHEMES["share"]))
    channel, payment, age = (np.zeros(n, dtype=int) for _ in range(3))
    for s in range(len(SCHEMES["code"])):
        mask = scheme == s
        k = int(mask.sum())
        channel[mask] = rng.choice(len(CHANNELS["code"]), k, p=_p(_vec(SCHEME_MIX["channels"][s])))
        payment[mask] = rng.choice(len(PAYMENTS["code"]), k, p=_p(_vec(SCHEME_MIX["payments"][s])))
        age[mask] = rng.choice(len(AGES["code"]), k, p=_p(AGES[SCHEMES["ages"][s]]))
    attempt = rng.random(n) < 0.2  # nothing paid
    payment[attempt] = PAYMENTS["code"].index("none")
    median = 15_000 * geo.dialect.money * _vec(SCHEMES["loss"])[scheme]
    loss = np.where(attempt, 0.0, np.round(rng.lognormal(np.log(median), 1.7)))
    recovered = np.where((loss > 0) & (rng.random(n) < 0.06), np.round(loss * rng.uniform(0.1, 1.0, n)), -1.0)
    victims = 1 + (rng.random(n) < 0.05) * rng.integers(1, 4, n)
    urban = np.array([1.4 if r.get("kind") == "city" else 1.0 for r in geo.regions])  # cities report more
    region, district = geo.pick(rng, n, geo.region_weight * urban)
    names, phones = _people(rng, n, geo.dialect)
    times, entry = _py(reported), rng.integers(10, 120, n).tolist()
    layout = Layout(
        (
            ("№ обращения", "report_id", TEXT),
            ("Дата обращения", "reported_at", RU_TS),
            *geo.area(geo.dialect.local_name),
            ("Схема мошенничества", "scheme", _label(SCHEMES["ru"])),
            ("Способ связи", "channel", _label(CHANNELS["ru"])),
            ("Способ оплаты", "payment_method", _label(PAYMENTS["ru"])),
            ("Сумма ущерба", "loss_amount", COMMA),
            ("Возмещено", "recovered_amount", COMMA),
            ("Валюта", "currency", TEXT),
            ("Возраст потерпевшего", "victim_age_group", _label(AGES["ru"])),
            ("Кол-во потерпевших", "victims", TEXT),
            ("ФИО заявителя", "victim_name", TEXT),
            ("Телефон заявителя", "victim_phone", TEXT),
            ("Дата изменения", "updated_at", RU_TS),
        ),
        encoding="utf-8-sig",
    )
    recs = [
        {
            "report_id": f"CYB-{i + 1:06d}",
            "_week": _week(times[i], start),
            "updated_at": times[i] + timedelta(minutes=entry[i]),
            "reported_at": times[i],
            "region": int(region[i]),
            "district": int(district[i]),
            "scheme": int(scheme[i]),
            "channel": int(channel[i]),
            "payment_method": int(payment[i]),
            "loss_amount": float(loss[i]),
            "recovered_amount": float(recovered[i]) if recovered[i] >= 0 else None,
            "currency": geo.dialect.currency,
            "victim_age_group": int(age[i]),
            "victims": int(victims[i]),
            "victim_name": names[i],
            "victim_phone": phones[i],
        }
        for i in range(n)
    ]

    def correct(rec: Record) -> Record | None:
        """The victim counted again: a later version of the report with a larger loss."""
        return _later(rng, rec, start, days, {"loss_amount": round(rec["loss_amount"] * 1.5) + 1000.0})

    spoil = {
        "missing_district": [("district", "")],
        "bad_date": [("reported_at", "31.02.2026 11:00"), ("reported_at", "not a date")],
        "unknown_code": [("scheme", "Новая схема (уточняется)"), ("region", "Неизвестная область")],
        "negative_amount": [("loss_amount", lambda rec: "-" + COMMA(rec["loss_amount"] or 5000.0))],
    }
    _emit(sink, rng, recs, _weekly("fraud", "csv", layout, start), spoil, correct)
    return recs


@dataclass(frozen=True)
class Fleet:
    ids: list[str]
    site: np.ndarray  # site index; the cameras of a site are contiguous
    commissioned: np.ndarray  # day relative to the start (negative: before it)


def _counts(share: np.ndarray, n: int) -> np.ndarray:
    """n split into integers proportional to share (largest remainder)."""
    raw = share / share.sum() * n
    out = np.floor(raw).astype(int)
    out[np.argsort(out - raw, kind="stable")[: n - out.sum()]] += 1
    return out


def _cameras(rng: Rng, geo: Geo, start: datetime, days: int, n: int, sink: Sink) -> Fleet:
    # stratified quantiles of the plan's cumulative curve: installations follow the milestones closely
    position = (np.arange(n) + rng.random(n)) / n * geo.curve_cum[-1]
    installed = np.floor(np.interp(position, geo.curve_cum, geo.curve_day)).astype(np.int64)
    region = rng.permutation(np.repeat(np.arange(len(geo.regions)), _counts(geo.camera_share, n)))
    district = geo.districts_in(rng, region)
    order = np.lexsort((installed, district, region))
    installed, region, district = installed[order], region[order], district[order]
    commissioned = installed + rng.integers(3, 31, n)
    camera_type = rng.choice(len(CAMERA_TYPES["code"]), n, p=_p(CAMERA_TYPES["share"]))
    sizes, site, current, left = rng.integers(4, 13, n), np.zeros(n, dtype=int), -1, 0
    for i in range(n):  # ~8 neighbouring cameras of one district hang on one site (switch, power feed)
        if left == 0 or (region[i], district[i]) != (region[i - 1], district[i - 1]):
            current, left = current + 1, int(sizes[current + 1])
        site[i], left = current, left - 1
    contractor = rng.choice(len(CONTRACTORS["name"]), current + 1, p=_p(CONTRACTORS["share"]))[site]
    older = np.where(rng.random(n) < 0.8, "legacy", "municipal")
    programme = np.where(installed <= geo.curve_day[1], older, "safe_country")
    first = int(np.datetime64(start.date(), "D").astype(np.int64))
    ids = [f"CAM-{i + 1:06d}" for i in range(n)]
    layout = Layout(
        (
            ("camera_id", "camera_id", TEXT),
            ("oblast", "region", _area(geo.regions, "name_en")),
            ("rayon", "district", _area(geo.districts, "name_en")),
            ("site", "site_id", TEXT),
            ("programme", "programme", _opt(lambda v: v.replace("_", " ").title())),
            ("contractor", "contractor", TEXT),
            ("model_type", "camera_type", _label(CAMERA_TYPES["en"])),
            ("status", "state", _opt(str.upper)),
            ("installed", "installed_on", DAY),
            ("commissioned", "commissioned_on", DAY),
            ("modified", "updated_at", STAMP),
        )
    )
    recs, end = [], start + timedelta(days=days)
    for i in range(n):
        base: Record = {
            "camera_id": ids[i],
            "region": int(region[i]),
            "district": int(district[i]),
            "site_id": f"S-{site[i] + 1:05d}",
            "programme": str(programme[i]),
            "contractor": CONTRACTORS["name"][contractor[i]],
            "camera_type": int(camera_type[i]),
        }
        timeline = [
            (state, start + timedelta(days=int(day) - first, hours=18))
            for state, day in (("installed", installed[i]), ("commissioned", commissioned[i]))
        ]
        before = [event for event in timeline if event[1] < start]
        # the first export holds every camera as it stands at the start; each later monthly export the
        # cameras that changed that month, as they stand at its end
        latest = {start.strftime("%Y-%m"): before[-1] if before else ("planned", start - timedelta(hours=6))}
        during = [(when.strftime("%Y-%m"), (state, when)) for state, when in timeline if start <= when < end]
        latest.update(during)
        for month, (state, when) in latest.items():
            dates = {
                "installed_on": timeline[0][1].date() if state != "planned" else None,
                "commissioned_on": timeline[1][1].date() if state == "commissioned" else None,
            }
            recs.append(base | dates | {"_file": month, "state": state, "updated_at": when})

    def place_of(rec: Record) -> tuple[str, Layout]:
        return f"camera_registry_{rec['_file']}.csv", layout

    spoil = {
        "missing_district": [("district", "")],
        "bad_date": [("installed_on", "2026-02-30"), ("installed_on", "неизвестно")],
    }
    _emit(sink, rng, recs, place_of, spoil)
    sink.updates += len(recs) - n
    return Fleet(ids, site, commissioned - first)


def _camera_status(
    rng: Rng, fleet: Fleet, start: datetime, days: int, folder: Path, shape: Dialect
) -> tuple[int, int, int]:
    """State changes (an outage with its cause, then back online) and a 23:59 snapshot per camera per day.

    Returns (rows, files, duplicated rows); vectorised, as a national year is millions of rows.
    """
    span, n = days * 1440, len(fleet.ids)
    active = np.where(fleet.commissioned < days, fleet.commissioned.clip(0) * 1440, span)
    cam = np.repeat(np.arange(n), rng.poisson((span - active) / 1440 * OUTAGES_PER_DAY))
    begin = active[cam] + (rng.random(cam.size) * (span - active[cam])).astype(np.int64)
    cause = rng.choice(len(OUTAGES["code"]), cam.size, p=_p(OUTAGES["share"]))
    minutes = rng.lognormal(np.log(_vec(OUTAGES["median"])[cause]), _vec(OUTAGES["sigma"])[cause])
    # mass outages: every reporting camera of a site goes down together, same cause and repair time
    sites = int(fleet.site.max()) + 1
    site_active = np.full(sites, span)
    np.minimum.at(site_active, fleet.site, active)
    site = np.repeat(np.arange(sites), rng.poisson((span - site_active) / 1440 * MASS_OUTAGES_PER_SITE_DAY))
    site_begin = site_active[site] + (rng.random(site.size) * (span - site_active[site])).astype(np.int64)
    site_cause = np.where(rng.random(site.size) < 0.6, 0, 1)  # power or network
    site_minutes = rng.lognormal(np.log(np.where(site_cause == 0, 240, 90)), 0.8)
    size = np.bincount(fleet.site, minlength=sites)
    event = np.repeat(np.arange(site.size), size[site])
    offset_in_site = np.arange(event.size) - np.repeat(np.cumsum(size[site]) - size[site], size[site])
    member = (np.cumsum(size) - size)[site][event] + offset_in_site
    joined = active[member] <= site_begin[event]
    cam = np.concatenate([cam, member[joined]])
    begin = np.concatenate([begin, site_begin[event][joined]])
    cause = np.concatenate([cause, site_cause[event][joined]])
    minutes = np.concatenate([minutes, site_minutes[event][joined]]).clip(1, 60 * 1440)
    finish = begin + minutes.astype(np.int64)
    order = np.lexsort((begin, cam))
    cam, begin, finish, cause = cam[order], begin[order], finish[order], cause[order]
    # a camera that is down cannot go down again: drop outages that start before an earlier one ended
    # (the running maximum also counts dropped outages, which thins the rare overlaps a little more)
    big = span + 61 * 1440
    reach = np.maximum.accumulate(cam * big + finish)
    keep = np.ones(cam.size, dtype=bool)
    keep[1:] = cam[1:] * big + begin[1:] >= reach[:-1]
    cam, begin, finish, cause = cam[keep], begin[keep], finish[keep], cause[keep]
    down = np.where(cause == OUTAGES["code"].index("maintenance"), 2, 1)
    up = finish < span
    # the snapshot of day d (at d*1440 + 1439) is inside [begin, finish)
    first_day = np.ceil((begin - 1439) / 1440).astype(np.int64).clip(0)
    last_day = (np.ceil((finish - 1439) / 1440).astype(np.int64) - 1).clip(max=days - 1)
    covered = (last_day - first_day + 1).clip(0)
    o = np.repeat(np.arange(cam.size), covered)
    day = first_day[o] + np.arange(o.size) - np.repeat(np.cumsum(covered) - covered, covered)
    status, reason = np.zeros((days, n), dtype=np.int64), np.full((days, n), -1, dtype=np.int64)
    status[day, cam[o]], reason[day, cam[o]] = down[o], cause[o]
    snap_day, snap_cam = np.nonzero(np.arange(days)[:, None] >= fleet.commissioned[None, :])
    changes = cam.size + int(up.sum())
    t = np.concatenate([begin, finish[up], snap_day * 1440 + 1439])
    c = np.concatenate([cam, cam[up], snap_cam])
    kind = np.concatenate([np.zeros(changes, dtype=np.int64), np.ones(snap_day.size, dtype=np.int64)])
    st = np.concatenate([down, np.zeros(int(up.sum()), dtype=np.int64), status[snap_day, snap_cam]])
    rs = np.concatenate([cause, np.full(int(up.sum()), -1), reason[snap_day, snap_cam]])
    repeat = max(1, round(changes * DEFECT_RATE)) if changes >= 50 else 0
    duplicates = rng.choice(changes, repeat, replace=False)
    rows = np.concatenate([np.arange(t.size), duplicates]).astype(np.int64)
    rows = rows[np.lexsort((kind[rows], c[rows], t[rows]))]
    t, c, kind, st, rs = t[rows], c[rows], kind[rows], st[rows], rs[rows]
    stamps = (np.datetime64(start, "m") + t.astype("timedelta64[m]")).astype("datetime64[ms]")
    # each local time with its offset then (Asia/Almaty went from +06:00 to +05:00 on 1 March 2024)
    local = pl.Series(stamps).dt.replace_time_zone(shape.timezone)
    frame = pl.DataFrame(
        {
            "device_id": pl.Series(fleet.ids).gather(c),
            "ts": local.dt.strftime("%Y-%m-%dT%H:%M:%S%:z"),
            "type": pl.Series(["STATE_CHANGE", "DAILY_SNAPSHOT"]).gather(kind),
            "state": pl.Series(["ONLINE", "OFFLINE", "MAINTENANCE"]).gather(st),
            "reason": pl.Series([None, *OUTAGES["reason"]], dtype=pl.String).gather(rs + 1),
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    bounds = np.searchsorted(t // 1440, np.arange(days + 1))
    for d in np.flatnonzero(np.diff(bounds)).tolist():
        name = shape.file(f"vms_status_{start + timedelta(days=d):%Y%m%d}.jsonl")
        frame.slice(int(bounds[d]), int(bounds[d + 1] - bounds[d])).write_ndjson(folder / name)
    return frame.height, int(np.count_nonzero(np.diff(bounds))), repeat


DATASETS = ("crime_report", "road_incident", "camera", "camera_status", "fraud_report")


def generate(
    landing: Path,
    start: date,
    days: int,
    cameras: int,
    seed: int,
    reference_dir: Path,
) -> dict[str, int]:
    """Write demo exports under landing/<dataset>/; rows written per dataset, defect rows included."""
    if days < 1 or cameras < 1:
        raise ValueError(f"days and cameras must be at least 1 (got days={days}, cameras={cameras})")
    # The service exports (the 102 centre's calls: the largest part) are written by a second process meanwhile;
    # every dataset has its own random stream, so the files are the same as written one after another.
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        service = (
            pool.submit(_service, landing, start, days, seed, reference_dir)
            if (reference_dir / "appeal_terms.csv").exists()
            else None
        )
        geo = load_geography(reference_dir, start.year)
        t0 = datetime(start.year, start.month, start.day)
        rng = _streams(seed, DATASETS)
        sinks = {name: Sink(geo.dialect) for name in ("crime_report", "road_incident", "fraud_report", "camera")}
        _crime(rng["crime_report"], geo, t0, days, sinks["crime_report"])
        _road(rng["road_incident"], geo, t0, days, sinks["road_incident"])
        fraud = _fraud(rng["fraud_report"], geo, t0, days, sinks["fraud_report"])
        fleet = _cameras(rng["camera"], geo, t0, days, cameras, sinks["camera"])
        # the Kyrgyz ministry's other areas, where the reference set has what they need (units' staffing)
        from tools import demo_integrity  # it builds on this module's writers

        if (reference_dir / "unit_staffing.csv").exists():
            sinks |= demo_integrity.generate(seed, geo, t0, days, fraud, sinks["crime_report"], reference_dir)
        manifest: dict[str, Any] = {"start": start.isoformat(), "days": days, "cameras": cameras, "seed": seed}
        manifest |= {name: sink.flush(landing / name, t0) for name, sink in sinks.items()}
        rows, files, repeated = _camera_status(
            rng["camera_status"], fleet, t0, days, landing / "camera_status", geo.dialect
        )
        status = {"rows": rows, "files": files, "defects": {"duplicate": repeated}, "updates": 0}
        manifest["camera_status"] = status
        manifest |= geo.dialect.more(landing, start, days, seed, reference_dir)
        if service:
            manifest |= service.result()
    (landing / ".demo_manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return {name: entry["rows"] for name, entry in manifest.items() if isinstance(entry, dict)}


def _service(landing: Path, start: date, days: int, seed: int, reference_dir: Path) -> dict[str, Any]:
    """The service to citizens' exports (appeals, receptions, the 102 centre), where the reference set has appeal
    terms; their demo-manifest entries."""
    from tools import demo_service  # it builds on this module's writers

    geo = load_geography(reference_dir, start.year)
    return demo_service.generate(landing, geo, datetime(start.year, start.month, start.day), days, seed)


def demo_data(
    start: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="First day; default: the DAYS days up to yesterday, local time."),
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="Number of days.")] = 365,
    cameras: Annotated[int, typer.Option(min=1, help="Cameras in the registry at the end.")] = 20000,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same files.")] = 1,
    geography: Annotated[
        str | None, typer.Option(help="Reference set (kg, kz, ...) whose country's exports to write.")
    ] = None,
) -> None:
    """Write realistic demo exports into landing/, the way the regions send them (default: SAFELAKE_GEOGRAPHY)."""
    settings = get_settings()
    place = reference(geography or settings.geography)
    zone = settings.timezone if place.name == settings.geography else place.timezone
    # yesterday where the data is reported (SAFELAKE_TIMEZONE, or the other geography's zone), not on this
    # machine's clock: the dashboards' windows end on the local last whole day, which must have data
    first = start.date() if start else dt.datetime.now(ZoneInfo(zone)).date() - dt.timedelta(days=days)
    console = Console()
    with console.status("generating demo data"):
        written = generate(settings.landing, first, days, cameras, seed, place.folder)
    table = Table("dataset", "rows", title=f"{place.name} demo data in {settings.landing}")
    for name, rows in written.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


if __name__ == "__main__":
    typer.run(demo_data)
