"""Profile rules, casting and validation: table-driven cases plus property tests on the parsers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.profiles import Profile, Rule
from ingestion.readers import read
from ingestion.transform import apply_profile, pseudonymise, row_hash_keys, rule_text, text_expr, typed_expr
from safelake.contracts import load_contracts
from safelake.reference import geography

NOW = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
KEY = b"k" * 16
CRIME = load_contracts()["crime_report"]
FRAUD = load_contracts()["fraud_report"]


def text(rule: dict, values: list[str | None], by_value: bool = False) -> list[str | None]:
    frame = pl.DataFrame({"src": values}, schema={"src": pl.String})
    parsed = Rule.model_validate({"from": "src"} | rule)
    return frame.select(rule_text(frame, parsed) if by_value else text_expr(parsed)).to_series().to_list()


def typed(column: str, values: list[str | None], contract=CRIME, tz="Asia/Bishkek", **rule) -> list:
    col = contract.column(column)
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return (
        frame.select(typed_expr(col, Rule.model_validate({"from": "v"} | rule), pl.col("v"), tz)).to_series().to_list()
    )


@pytest.mark.parametrize(
    ("rule", "values", "expected"),
    [
        ({}, ["  a ", "", None], ["a", None, None]),
        ({"null_values": ["-", "N/A"]}, ["-", "N/A", "x"], [None, None, "x"]),
        ({"map": {"Кража": "theft"}}, ["кража", "КРАЖА ", "other"], ["theft", "theft", "other"]),
        ({"map": {"Кража": "theft"}, "default": "other"}, ["кража", "Разбой", None], ["theft", "other", None]),
        ({"map": {"да": True, "нет": False}}, ["Да", "нет"], ["true", "false"]),
        ({"regex": r"^(.*) \S+$"}, ["Leeds 012B", "Barnsley 003A", "x"], ["Leeds", "Barnsley", None]),
        ({"split": ","}, ["10,7", "3"], ["10", "3"]),
        ({"prefix": "signal-"}, ["130"], ["signal-130"]),
        ({"suffix": "-01"}, ["2018-07"], ["2018-07-01"]),
        ({"map": {"": "unknown", "x": "y"}}, [None, "", " x "], ["unknown", "unknown", "y"]),
        ({"map": {"a": "b"}, "default": "other"}, [None, "a", "c"], [None, "b", "other"]),
        ({"pad": 4}, ["935", " 1410", None], ["0935", "1410", None]),
    ],
)
def test_text_rules(rule, values, expected):
    assert text(rule, values) == expected
    # repeated values: rule_text works each distinct value out once, with the same result
    assert text(rule, values * 25, by_value=True) == expected * 25


def test_rule_needs_exactly_one_origin():
    with pytest.raises(ValueError, match="exactly one"):
        Rule.model_validate({"from": "a", "const": "b"})
    with pytest.raises(ValueError, match="exactly one"):
        Rule.model_validate({"map": {"a": "b"}})


@pytest.mark.parametrize(
    ("column", "values", "rule", "expected"),
    [
        ("cleared", ["да", "No", "1", "maybe"], {}, [True, False, True, None]),
        (
            "loss_amount",
            ["$1,000.00", "KGS 15 000", "-3", "abc"],
            {},
            [Decimal("1000.00"), Decimal("15000.00"), Decimal("-3.00"), None],
        ),
        ("loss_amount", ["15 000,50", "1.234,5"], {"decimal_comma": True}, [Decimal("15000.50"), Decimal("1234.50")]),
        ("victims", ["3", "3.0", "2.5", "x"], {}, [3, 3, None, None]),
    ],
)
def test_casts(column, values, rule, expected):
    contract = FRAUD if column in FRAUD.column_names and column not in CRIME.column_names else CRIME
    assert typed(column, values, contract, **rule) == expected


def test_timestamps_local_aware_and_formats():
    values = [
        "2026-01-01 12:00",
        "2026-01-01T12:00:00+00:00",
        "05/01/2020 08:35:00 AM +0000",
        "31.12.2025 23:30",
        "31.02.2026 10:00",
        "not a date",
    ]
    got = typed("registered_at", values, format=["%d.%m.%Y %H:%M", "%m/%d/%Y %I:%M:%S %p %z"])
    utc = dt.UTC
    assert got == [
        dt.datetime(2026, 1, 1, 6, 0, tzinfo=utc),  # Bishkek is UTC+6
        dt.datetime(2026, 1, 1, 12, 0, tzinfo=utc),
        dt.datetime(2020, 5, 1, 8, 35, tzinfo=utc),
        dt.datetime(2025, 12, 31, 17, 30, tzinfo=utc),
        None,
        None,
    ]


def crime_profile(**columns) -> Profile:
    base = {
        "report_id": {"from": "id"},
        "updated_at": {"from": "when"},
        "registered_at": {"from": "when"},
        "offence_code": {"from": "offence"},
        "region_code": {"from": "region", "lookup": "region"},
        "district_code": {"from": "district", "lookup": "district"},
        "cleared": {"from": "cleared"},
        "victim_name": {"from": "victim"},
    }
    return Profile.model_validate(
        {
            "name": "t",
            "dataset": "crime_report",
            "geography": "kg",
            "description": "t",
            "match": {},
            "format": "csv",
            "timezone": "Asia/Bishkek",
            "columns": base | columns,
        }
    )


def apply(rows: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    raw = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String)).with_row_index("_line", offset=2)
    raw = raw.with_columns(pl.col("_line").cast(pl.Int64))
    return apply_profile(raw, crime_profile(), CRIME, geography("kg"), KEY, NOW)


def row(**values) -> dict:
    base = {
        "id": "1",
        "when": "2026-03-01 10:00",
        "offence": "theft",
        "region": "Чуйская область",
        "district": None,
        "cleared": "нет",
        "victim": "Айгуль Токтосунова",
    }
    return base | values


@pytest.mark.parametrize(
    ("values", "column", "reason"),
    [
        ({"id": None}, "report_id", "missing"),
        ({"when": "31.02.2026"}, "updated_at", "bad_timestamp"),
        ({"offence": "bananas"}, "offence_code", "unknown_code"),
        ({"region": "Atlantis"}, "region_code", "unknown_region"),
        ({"district": "Nowhere"}, "district_code", "unknown_district"),
        ({"cleared": "perhaps"}, "cleared", "bad_bool"),
        ({"when": "2027-06-01 10:00"}, "updated_at", "future_date"),
    ],
)
def test_invalid_rows_are_quarantined_with_column_and_reason(values, column, reason):
    valid, quarantine = apply([row(id="ok"), row(**values)])
    assert valid["report_id"].to_list() == ["ok"]
    assert quarantine.select("_line", "column_name", "reason").rows() == [(3, column, reason)]


def test_region_and_district_lookup_in_any_language():
    districts = geography("kg").districts
    alamudun = districts.filter(pl.col("district_code") == "KG-C-ALM").row(0, named=True)
    valid, quarantine = apply(
        [
            row(id="ru", district=alamudun["name_ru"]),
            row(id="en", region="Chuy Region", district=alamudun["name_en"].upper()),
            row(id="code", region="KG-C", district=alamudun["district_code"]),
        ]
    )
    assert quarantine.height == 0
    assert set(valid["region_code"]) == {"KG-C"}
    assert set(valid["district_code"]) == {alamudun["district_code"]}


def test_district_must_belong_to_the_rows_region():
    osh_district = geography("kg").districts.filter(pl.col("region_code") == "KG-O")["name_ru"][0]
    _, quarantine = apply([row(district=osh_district)])
    assert quarantine["reason"].to_list() == ["unknown_district"]


def test_personal_data_is_pseudonymised_in_lake_rows_and_quarantine():
    valid, quarantine = apply([row(id="a"), row(id="b", offence="bananas")])
    assert "Айгуль" not in valid.write_csv() + quarantine.write_csv()
    assert valid["victim_name"][0] == pseudonymise(pl.Series(["Айгуль Токтосунова"]), KEY)[0]
    assert "bananas" in quarantine["raw"][0]


def test_row_hash_keys_keep_identical_lines_distinct_and_are_stable():
    raw = pl.DataFrame({"_line": [2, 3, 4], "a": ["x", "x", "y"]})
    keys = row_hash_keys(raw).to_list()
    assert len(set(keys)) == 3
    assert keys == row_hash_keys(raw).to_list()
    assert keys[0].rsplit("-", 1)[0] == keys[1].rsplit("-", 1)[0]


# --- property tests ------------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2)


@given(amounts, st.sampled_from(["$", "", " KGS", "сом "]))
def test_number_parser_round_trips_thousands_and_currency(amount, currency):
    english = f"{currency}{amount:,.2f}"
    russian = f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    assert typed("loss_amount", [english], FRAUD) == [amount]
    assert typed("loss_amount", [russian], FRAUD, decimal_comma=True) == [amount]


@given(
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2030, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    ),
    st.sampled_from(["%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M", "%m/%d/%Y %I:%M %p"]),
    st.sampled_from(["Asia/Bishkek", "Europe/London", "America/New_York"]),
)
def test_timestamp_parser_round_trips_local_times(moment, fmt, tz):
    zone = ZoneInfo(tz)
    local = moment.replace(tzinfo=zone)
    if (
        local.utcoffset() != moment.replace(tzinfo=zone, fold=1).utcoffset()
        or local.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != moment
    ):
        return  # ambiguous or skipped local time around a DST change: parsed as the earliest or null
    assert typed("registered_at", [moment.strftime(fmt)], tz=tz, format=[fmt]) == [local.astimezone(dt.UTC)]


@given(st.sampled_from(["да", "нет", "true", "FALSE", "Yes", "n", "1", "0"]))
def test_bool_parser_is_case_insensitive(value):
    assert typed("cleared", [value]) == [value.lower() in ("да", "true", "yes", "1")]


cell = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=20), st.sampled_from([",", ";"]))
def test_csv_reader_reads_back_what_csv_writes(tmp_path_factory, rows, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerows([("id", "offence"), *rows])
    path = tmp_path_factory.mktemp("csv") / "a.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    profile = Profile.model_validate(
        {
            "name": "t",
            "dataset": "camera_status",
            "geography": "kg",
            "description": "t",
            "match": {},
            "format": "csv",
            "delimiter": delimiter,
            "timezone": "UTC",
            "columns": {
                "camera_id": {"from": "id"},
                "status_at": {"from": "offence"},
                "kind": {"const": "snapshot"},
                "status": {"const": "online"},
            },
        }
    )
    frame, _, _ = read(path, profile)
    # a quoted empty cell may read as "" or null; both mean missing to the rules that follow
    got = [(a or None, b or None) for a, b in zip(frame["id"], frame["offence"], strict=True)]
    assert got == [(a or None, b or None) for a, b in rows]
