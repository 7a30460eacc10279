"""Kazakhstan's export shapes for the demo data (`SAFELAKE_GEOGRAPHY=kz python -m tools.demo`).

The same records as Kyrgyzstan's demo, written the way Kazakh systems would send them: the crime registry is
the ЕРДР (Unified Register of Pre-trial Investigations) in Russian and in Kazakh, UTF-8 throughout (Kazakh
letters such as Ұ are not in Windows-1251), regions by their Russian or Kazakh names, +7 phone numbers, tenge,
republican roads А-1 .. А-6, local times in Asia/Almaty (UTC+5 since 1 March 2024). The reference set has no
districts (safelake/reference/kz/SOURCES.md), so the exports have no district column. Profiles:
ingestion/profiles/kz_*.yaml.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tools import demo_kz_aggregate
from tools.demo import Dialect, _vec
from tools.demo_kz_ops import generate_kz_ops

KAZAKH_CRIME_HEADERS = {
    "report_no": "ЕРДР нөмірі",
    "registered": "Тіркелген уақыты",
    "occurred": "Жасалған уақыты",
    "offence": "Қылмыс түрі",
    "region": "Өңір",
    "place": "Оқиға орны",
    "public_place": "Қоғамдық орын",
    "minor_victim": "Кәмелетке толмаған жәбірленуші",
    "domestic": "Тұрмыстық зорлық-зомбылық",
    "cleared": "Ашылды",
    "cleared_on": "Ашылған уақыты",
    "cctv": "Бейнетіркеу",
    "victim": "Жәбірленушінің аты-жөні",
    "phone": "Жәбірленушінің телефоны",
    "address": "Мекенжай",
    "last_modified": "Өзгертілген уақыты",
}
RUSSIAN_HEADERS = {
    "Номер КУСП": "Номер ЕРДР",
    "Область": "Регион",
    "Место (улица, дорога)": "Место (улица, автодорога)",
    "№ обращения": "№ заявления",
    "Дата обращения": "Дата заявления",
    "oblast": "region",
}


def kazakh_datasets(landing: Path, start: date, days: int, seed: int, reference_dir: Path) -> dict[str, Any]:
    """Kazakhstan's exports that Kyrgyzstan's demo has no counterpart of: the monthly crime statistics and the
    holiday operations (mass events, pyrotechnics raids, fire-safety inspections, fire alarms, children's trips)."""
    aggregate = {"crime_aggregate": demo_kz_aggregate.generate(landing, start, days, seed, reference_dir)}
    return aggregate | generate_kz_ops(landing, start, days, seed, reference_dir)


KAZAKHSTAN = Dialect(
    timezone="Asia/Almaty",
    files={
        "kusp": "kz_erdr_ru",
        "crime": "kz_erdr_kk",
        "dtp": "kz_dtp",
        "fraud": "kz_fraud",
        "camera": "kz_camera",
        "vms": "kz_vms",
    },
    headers=KAZAKH_CRIME_HEADERS | RUSSIAN_HEADERS,
    local_name="name_kk",
    currency="KZT",
    money=5.9,  # tenge per som, 2025
    phone_codes=_vec("700 701 702 705 707 708 747 771 775 776 777 778"),
    phone=lambda code, number, local: (
        f"8 {code} {number:07d}"
        if local
        else f"+7 {code} {number // 10000:03d} {number // 100 % 100:02d} {number % 100:02d}"
    ),
    road=lambda n: f"А-{n}",
    encodings={"cp1251": "utf-8"},
    drop=frozenset({"district"}),
    more=kazakh_datasets,
)
