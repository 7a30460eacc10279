"""The read API the dashboards and the e-mails share, on a connection from `access.policy.connect`.

The build stamp (`meta.build`, written by the build: build id, time, lake snapshot and the as-of day), the
CompStat windows and where they end, the area level of a scope, the names of areas. The words for codes and
phrases are in `access.i18n`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

import duckdb

from access import i18n
from access.policy import Scope, connect
from safelake.errors import SafeLakeError
from safelake.lake import fetch_one
from safelake.reference import DEFAULT_TIMEZONE, geography
from safelake.settings import Settings

Level = Literal["nation", "region", "district"]
# CompStat windows as the marts name them: week to date, 28 days, year to date; each ends on the last whole day
# (yesterday, or the pinned as-of day), set against the same days a year earlier.
WINDOWS: tuple[str, ...] = ("wtd", "28d", "ytd")


@dataclass(frozen=True)
class Stamp:
    """Which build a reader reads, and the day its numbers run through."""

    build_id: str
    built_at: dt.datetime
    lake_snapshot: int
    as_of: dt.date
    geography: str  # the reference geography whose rows the build holds
    timezone: str  # the zone its days are counted in
    has_plan: bool  # whether the geography has a plan (else the build has no plan marts)


def stamp(con: duckdb.DuckDBPyConnection) -> Stamp:
    """The build's stamp; a build stamped before builds recorded their geography was Kyrgyzstan's."""
    cursor = con.execute("SELECT * FROM meta.build")
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    if row is None:
        raise LookupError("meta.build has no row")
    build = dict(zip(names, row, strict=True))
    plan = fetch_one(
        con,
        "SELECT count(*) FROM information_schema.tables WHERE table_catalog = current_database() "
        "AND table_schema = 'marts' AND table_name = 'kpi_plan_progress'",
    )[0]
    return Stamp(
        build["build_id"],
        build["built_at"],
        int(build["lake_snapshot"]),
        build["as_of"],
        build.get("geography") or "kg",
        build.get("timezone") or DEFAULT_TIMEZONE,
        bool(plan),
    )


def geography_name(code: str, lang: i18n.Lang) -> str:
    """The country (or area) a build is of, in the reader's language; its code when the reference set does not
    name it."""
    try:
        about = geography(code).about
    except SafeLakeError:
        return code
    return about.get(f"name_{lang}") or about.get("name_en") or code


def published_stamp(settings: Settings) -> Stamp:
    """The stamp of the published build (raises NoWarehouse when nothing is published)."""
    con = connect(settings)
    try:
        return stamp(con)
    finally:
        con.close()


def scope_level(scope: Scope) -> Level:
    """The area level of a scope's own rows in the marts: the nation's, or its region's."""
    return "nation" if scope.is_national else "region"


def compstat_through(con: duckdb.DuckDBPyConnection, mart: str) -> dt.date | None:
    """The last day of a CompStat mart's windows (None while the mart has no rows)."""
    return fetch_one(con, f"SELECT max(window_end) FROM marts.{mart}")[0]


def compstat_window(con: duckdb.DuckDBPyConnection, window: str) -> tuple[dt.date, dt.date] | None:
    """The days of a CompStat window (wtd, 28d, ytd), ending on the last whole day; None while nothing is built.
    Every page's period filter covers these days."""
    row = fetch_one(
        con,
        "SELECT min(window_start)::DATE, max(window_end)::DATE FROM marts.kpi_crime_compstat WHERE compstat_window = ?",
        [window],
    )
    return None if row[0] is None else (row[0], row[1])


def region_names(con: duckdb.DuckDBPyConnection, region_code: str) -> dict[str, str]:
    """A region's name by language; its code in both when the reference data does not have it."""
    row = con.execute("SELECT name_en, name_ru FROM analytics.regions WHERE region_code = ?", [region_code]).fetchone()
    return {"en": row[0], "ru": row[1]} if row else {"en": region_code, "ru": region_code}


# --- plan targets: one rule for what a target's status looks like, in the dashboards and the e-mails ----------
# The mart (marts.kpi_plan_progress, .._by_region) decides the state: ahead, on_pace, behind (the plan score
# against the plan to date), met or missed (decided). Here each direction × state gets its label, colour and
# pace sentence. The bar is the mart's plan_score_pct for both directions: 100 = on the plan to date, longer =
# better (a ceiling's actual is mirrored), so a long bar never means "over the ceiling".

Direction = Literal["up", "down"]
STATES: tuple[str, ...] = ("ahead", "on_pace", "behind", "met", "missed")
GREEN, DARK_GREEN, AMBER, RED, GREY = "#2e7d32", "#1b5e20", "#ef6c00", "#c62828", "#9e9e9e"
BADGES = {GREEN: "green", DARK_GREEN: "green", AMBER: "orange", RED: "red", GREY: "gray"}
SIGNS = {"up": "≥", "down": "≤"}
BAR_MAX = 150  # the bar's axis: 0 to 150 % of the plan to date (the mart's score runs to 200)


@dataclass(frozen=True)
class TargetRule:
    status: str  # the code of the status label in access.i18n.CODES
    colour: str
    pace: str  # the key of the pace sentence in access.i18n.STRINGS


TARGET_RULES: dict[tuple[str, str], TargetRule] = {
    ("up", "ahead"): TargetRule("ahead", GREEN, "pace_up"),
    ("up", "on_pace"): TargetRule("on_pace", GREEN, "pace_up"),
    ("up", "behind"): TargetRule("behind", AMBER, "pace_up"),
    ("up", "met"): TargetRule("met", DARK_GREEN, "pace_up_met"),
    ("up", "missed"): TargetRule("missed", RED, "pace_up_missed"),
    ("down", "ahead"): TargetRule("ahead", GREEN, "pace_down"),
    ("down", "on_pace"): TargetRule("on_pace", GREEN, "pace_down"),
    ("down", "behind"): TargetRule("behind", AMBER, "pace_down"),
    ("down", "met"): TargetRule("within_ceiling", DARK_GREEN, "pace_down_met"),
    ("down", "missed"): TargetRule("ceiling_exceeded", RED, "pace_down_missed"),
}
NO_DATA = TargetRule("no_data", GREY, "pace_no_data")


@dataclass(frozen=True)
class TargetView:
    """One plan target as both readers show it, in one language."""

    name: str
    goal: str  # "≤ 38 000": the direction and the target
    status: str
    colour: str
    badge: str  # Streamlit's badge colour of `colour`
    bar: float | None  # the plan score (% of the plan to date, longer = better), cut at BAR_MAX
    pace: str


def target_rule(direction: str, status: str | None) -> TargetRule:
    return TARGET_RULES.get((direction, status or ""), NO_DATA)


def target_view(target: dict[str, Any], lang: i18n.Lang) -> TargetView:
    """A row of marts.kpi_plan_progress (or .._by_region) as the status rule shows it."""
    rule = target_rule(target["direction"], target["status"])
    unit = target["unit"]

    def value(column: str, signed: bool = False) -> str:
        number = target[column]
        return i18n.plan_value(abs(number) if signed and not i18n.missing(number) else number, unit, lang)

    ratio = i18n.missing(target.get("pace_per_month_needed")) and rule.pace in ("pace_up", "pace_down")
    pace = i18n.t(
        f"{rule.pace}_ratio" if ratio else rule.pace,
        lang,
        pace=value("pace_per_month_needed"),
        now=value("current_pace_per_month"),
        target=value("target_value"),
        actual=value("actual_to_date"),
        gap=value("remaining_to_target", signed=True),
        due=i18n.date(target["due_date"], lang),
    )
    score = target.get("plan_score_pct")
    return TargetView(
        name=i18n.code(target["kpi"], lang),
        goal=f"{SIGNS[target['direction']]} {value('target_value')}",
        status=i18n.code(rule.status, lang),
        colour=rule.colour,
        badge=BADGES[rule.colour],
        bar=None if score is None or i18n.missing(score) else min(float(score), BAR_MAX),
        pace=pace,
    )
