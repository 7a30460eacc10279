"""The read API both readers share: the build stamp carries the as-of day the marts computed, CompStat windows end
on the last whole day, a scope reads its own area level, and the one catalogue names every code in both languages."""

from __future__ import annotations

import datetime as dt
import re
import string

import pytest

from access import i18n, read
from access.policy import NATIONAL, QueryRefused, Refusal, Scope, connect
from safelake.contracts import load_contracts
from safelake.settings import Settings
from safelake.validate import QuarantineReason
from tests.conftest import local_today
from warehouse.publish import published_build

# the contracts' code lists the dashboards and e-mails show as words
SHOWN_CODE_LISTS = {"offence", "road_cause", "outage_cause", "fraud_scheme", "fraud_channel", "payment_method"}


@pytest.fixture
def settings(published) -> Settings:
    return published.settings()


def test_the_stamp_is_the_published_build_with_the_as_of_day_the_marts_computed(settings):
    con = connect(settings)
    try:
        stamp = read.stamp(con)
        [(marts_as_of,)] = con.execute("SELECT DISTINCT as_of_date FROM marts.kpi_source_freshness").fetchall()
    finally:
        con.close()
    assert stamp.build_id == published_build(settings)
    assert stamp.as_of == marts_as_of == local_today()  # the demo data ends yesterday: the build runs to today
    assert stamp.built_at.tzinfo is not None and stamp.lake_snapshot > 0
    assert read.published_stamp(settings) == stamp


@pytest.mark.parametrize("mart", ["kpi_crime_compstat", "kpi_road_compstat", "kpi_fraud_compstat"])
def test_compstat_windows_end_on_the_last_whole_day(settings, mart):
    con = connect(settings)
    try:
        through = read.compstat_through(con, mart)
        windows = {w for (w,) in con.execute(f"SELECT DISTINCT compstat_window FROM marts.{mart}").fetchall()}
        as_of = read.stamp(con).as_of
    finally:
        con.close()
    assert through == as_of - dt.timedelta(days=1)  # today's exports are still arriving
    assert windows == set(read.WINDOWS)


def test_a_scope_reads_its_own_area_level_and_region_name(settings):
    chief = Scope("chief", "KG-GB")
    assert read.scope_level(NATIONAL) == "nation" and read.scope_level(chief) == "region"
    con = connect(settings, chief)
    try:
        assert read.region_names(con, "KG-GB") == {"en": "Bishkek", "ru": "Бишкек"}
        assert read.region_names(con, "KG-ZZ") == {"en": "KG-ZZ", "ru": "KG-ZZ"}
    finally:
        con.close()


def test_every_code_the_readers_show_has_a_label_in_both_languages():
    missing = {
        (contract.name, column.name, value)
        for contract in load_contracts().values()
        for column in contract.columns
        if column.code_list in SHOWN_CODE_LISTS
        for value in column.codes
        if value not in i18n.CODES
    }
    assert not missing
    assert all(en and ru for en, ru in i18n.CODES.values())


def test_every_quarantine_reason_has_a_label_in_both_languages():
    """The one list of reasons (files and live events) against the catalogue; a Russian label is Russian."""
    assert {reason.value for reason in QuarantineReason} - set(i18n.CODES) == set()
    for reason in QuarantineReason:
        assert i18n.code(reason, "en") != i18n.code(reason, "ru") and not i18n.latin_words(i18n.code(reason, "ru"))


def test_every_sql_refusal_reads_in_both_languages():
    """The policy's refusals by kind: English for the CLI and the audit log, Russian on Russian pages (values,
    which are names and DuckDB's words, as code)."""
    for kind in Refusal:
        en, ru = i18n.STRINGS[f"sql_refusal_{kind}"]
        names = {name for _, name, _, _ in string.Formatter().parse(en) if name}
        assert not i18n.latin_words(ru.format(**dict.fromkeys(names, "Zz"))) - {"Zz"}, ru
    refused = QueryRefused(Refusal.TABLE_FUNCTION, name="read_csv")
    assert str(refused) == "table function read_csv() is not allowed; read the views in marts and analytics"
    assert refused.text("ru") == "табличная функция `read_csv()` запрещена; читайте представления marts и analytics"


def test_every_phrase_has_the_same_placeholders_in_both_languages():
    fields = re.compile(r"{(\w*)}")
    differ = {
        key: (en, ru)
        for key, (en, ru) in i18n.STRINGS.items()
        if set(fields.findall(en)) != set(fields.findall(ru))
        # a movers' category may be written from its label as is or in lower case
        and not (key.startswith("metric_") and set(fields.findall(en + ru)) <= {"name", "lower"})
    }
    assert not differ


def test_a_movers_metric_reads_as_its_category():
    assert i18n.metric("offence:vehicle_crime", "en") == "Crimes: vehicle crime"
    assert i18n.metric("offence:vehicle_crime", "ru") == i18n.code("vehicle_crime", "ru")
    assert i18n.metric("scheme:phishing", "ru") == "Мошенничество: фишинг"
    assert i18n.metric("road_ksi", "en") == i18n.code("road_ksi", "en")
    assert i18n.metric("offence:new_code", "en") == "Crimes: new code"


# --- the plan's status rule: each direction × state -----------------------------------------------------------

RULE_CASES = [
    # direction, state, status (en), colour, pace sentence (en)
    ("up", "ahead", "Ahead of plan", read.GREEN, "Needs 1,200 a month to reach 20,000 (now 1,500 a month)."),
    ("up", "on_pace", "On track", read.GREEN, "Needs 1,200 a month to reach 20,000 (now 1,500 a month)."),
    ("up", "behind", "Behind plan", read.AMBER, "Needs 1,200 a month to reach 20,000 (now 1,500 a month)."),
    ("up", "met", "Met", read.DARK_GREEN, "Reached: 18,000 against 20,000."),
    ("up", "missed", "Missed", read.RED, "Short of the target by 2,000."),
    ("down", "ahead", "Ahead of plan", read.GREEN, "2,000 left under the limit: at most 1,200 a month until "),
    ("down", "on_pace", "On track", read.GREEN, "2,000 left under the limit: at most 1,200 a month until "),
    ("down", "behind", "Behind plan", read.AMBER, "2,000 left under the limit: at most 1,200 a month until "),
    ("down", "met", "Kept within the limit", read.DARK_GREEN, "2,000 under the limit."),
    ("down", "missed", "Limit exceeded", read.RED, "Limit exceeded by 2,000."),
]


@pytest.mark.parametrize(("direction", "state", "status", "colour", "pace"), RULE_CASES)
def test_the_plan_rule_table_gives_status_colour_bar_and_pace(direction, state, status, colour, pace) -> None:
    remaining = 2000 if direction == "up" or state != "missed" else -2000
    row = {
        "kpi": "fraud_reports",
        "unit": "count",
        "direction": direction,
        "status": state,
        "target_value": 20000,
        "actual_to_date": 18000,
        "remaining_to_target": remaining,
        "pace_per_month_needed": None if state in ("met", "missed") else 1200,
        "current_pace_per_month": 1500,
        "plan_score_pct": 180.0,
        "due_date": dt.date(2026, 12, 31),
    }
    view = read.target_view(row, "en")
    assert (view.status, view.colour, view.pace[: len(pace)]) == (status, colour, pace)
    assert view.goal == f"{'≥' if direction == 'up' else '≤'} 20,000"
    assert view.bar == read.BAR_MAX  # the mart's score, cut at the axis: the same meaning for both directions
    assert view.badge == {read.GREEN: "green", read.DARK_GREEN: "green", read.AMBER: "orange", read.RED: "red"}[colour]
    assert not i18n.latin_words(read.target_view(row, "ru").pace + read.target_view(row, "ru").status)


def test_every_direction_and_state_has_a_rule_and_on_track_is_green() -> None:
    assert set(read.TARGET_RULES) == {(d, s) for d in ("up", "down") for s in read.STATES}
    assert read.target_rule("down", "on_pace").colour == read.GREEN
    assert read.target_rule("up", None) == read.NO_DATA


def test_a_rates_change_reads_in_percentage_points() -> None:
    shown = (i18n.points(0.4, "en"), i18n.points(-0.1, "ru"), i18n.points(None, "en"))
    assert shown == ("+0.4\u00a0pp", "-0,1\u00a0п.п.", "–")


def test_a_change_that_rounds_to_nothing_has_no_sign() -> None:
    shown = (i18n.points(-0.04, "ru"), i18n.points(0.04, "en"), i18n.pct(0.04, "en", signed=True), i18n.num(-0.4, "en"))
    assert shown == ("0,0\u00a0п.п.", "0.0\u00a0pp", "0.0%", "0")
