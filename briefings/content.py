"""What a briefing says, read from the published warehouse in the recipient's scope.

Every read goes through `access.policy.connect(settings, scope)`: a regional scope sees only its
region's rows, so the same queries give the national and the regional briefing. The result is a plain
`Briefing` object (no language, no recipient): rendering and personalising happen in `render`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

import duckdb

from access import read
from access.policy import Scope, connect
from safelake.lake import fetch_one
from safelake.settings import Settings

# Movers are ranked on the 28-day window: long enough to be more than noise, short enough to be news.
RANK_WINDOW = "28d"
QUARANTINE_WARN_PCT = 1.0  # a source losing more than this share of rows to quarantine is a data-health warning
TREND_DAYS = 56

# marts.kpi_movers at the scope's area level; the minors / DV / children-hurt counts (and their scores) are in columns
# of their own, withheld (NULL) for scopes not cleared for them
MOVERS_SQL = """
select domain, metric, compstat_window, is_sensitive, prior_is_complete,
       coalesce(current_count, crimes_against_minors_current, dv_crimes_current, children_hurt_current),
       coalesce(prior_count, crimes_against_minors_prior, dv_crimes_prior, children_hurt_prior),
       coalesce(pct_change, crimes_against_minors_pct_change, dv_crimes_pct_change, children_hurt_pct_change),
       coalesce(move_score, crimes_against_minors_move_score, dv_crimes_move_score, children_hurt_move_score, 0)
from marts.kpi_movers
where area_level = ?
"""

# the nation's plan, or (the policy keeps a regional scope to its region) the region's share of it
PLAN_SQL = """
select * from marts.{table}
order by case status when 'missed' then 0 when 'behind' then 1 when 'on_pace' then 2 when 'ahead' then 3
         when 'met' then 4 else 5 end, target_id
"""

OFFLINE_SQL = """
select o.camera_id, o.region_code, r.name_en as region_en, r.name_ru as region_ru, o.district_code,
       d.name_en as district_en, d.name_ru as district_ru, o.site_id, o.contractor, o.offline_status, o.cause,
       o.offline_since, round(o.offline_minutes / 60, 1) as offline_hours
from marts.kpi_cameras_offline_now o
left join analytics.districts d using (district_code)
left join analytics.regions r on r.region_code = o.region_code
where o.is_offline_over_24h
order by o.offline_minutes desc, o.camera_id
"""

ROLLOUT_SQL = """
select month_end::date, if(is_measured, cameras_installed, null), planned_installed
from marts.kpi_camera_rollout_monthly
where area_level = ? and is_plan_month
order by month_end
"""

CAMERAS_SQL = """
select cameras_installed, cameras_commissioned, year_end_target
from marts.kpi_camera_rollout_monthly
where is_measured and area_level = ?
order by month_end desc limit 1
"""


class Window(NamedTuple):
    """One CompStat window of a KPI. Counts about minors and domestic violence are None where the access
    policy suppressed them for the scope."""

    current: int | None
    prior: int | None
    pct: float | None  # the mart's % change: None when the prior is 0 or not complete
    prior_complete: bool = True  # the data covers the whole prior-year window (not so in a lake's first year)


NOTHING = Window(0, 0, None)  # a window without a row: nothing happened in it


@dataclass(frozen=True)
class Mover:
    """One KPI's CompStat columns: window name → Window."""

    domain: str
    metric: str
    windows: dict[str, Window]
    sensitive: bool  # crimes against minors / domestic violence
    # marts.kpi_movers' move score of the ranking window: the change in Poisson standard deviations, 0 when it
    # is too small to mean anything or there is nothing a year earlier to compare with (or a suppressed count)
    score: float = 0.0


@dataclass(frozen=True)
class HealthWarning:
    """A data-health finding; `kind` picks the sentence, `args` fill it (rendered in the reader's language)."""

    kind: str  # source_silent | region_silent | quarantine
    args: dict[str, Any]


@dataclass(frozen=True)
class Briefing:
    kind: str
    scope: Scope
    build_id: str
    built_at: dt.datetime
    as_of_date: dt.date
    compstat_through: dt.date | None  # the CompStat windows' last day: the last whole day (None: no crime data)
    region_name: dict[str, str] | None  # {"en": ..., "ru": ...}; None for the nation
    geography: str  # the build's reference geography
    plan: list[dict[str, Any]]  # rows of marts.kpi_plan_progress, or of .._by_region for a regional scope; none
    # when the geography has no plan
    cameras: dict[str, Any] | None
    movers: list[Mover]
    offline: list[dict[str, Any]]
    warnings: list[HealthWarning]
    crime_trend: list[tuple[dt.date, int | None, int | None]]  # day, crimes, the same weekday a year earlier
    rollout: list[tuple[dt.date, int | None, float | None]]  # month end, cameras installed (to date), plan

    @property
    def comparable(self) -> bool:
        """Whether the data covers the ranking window's prior year (not so in a lake's first year: then no
        KPI can be a mover, and the e-mail says why)."""
        return all(m.windows[RANK_WINDOW].prior_complete for m in self.movers if RANK_WINDOW in m.windows)

    def top_movers(self, n: int) -> list[Mover]:
        moving = [m for m in self.movers if m.score != 0]
        return sorted(moving, key=lambda m: (-abs(m.score), m.metric))[:n]


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def movers(con: duckdb.DuckDBPyConnection, level: str) -> list[Mover]:
    by_metric: dict[tuple[str, str, bool], dict[str, Window]] = {}
    scores: dict[tuple[str, str, bool], float] = {}
    for domain, metric, window, sensitive, complete, cur, prior, pct, score in con.execute(
        MOVERS_SQL, [level]
    ).fetchall():
        counts = Window(None if cur is None else int(cur), None if prior is None else int(prior), pct, complete)
        by_metric.setdefault((domain, metric, sensitive), {})[window] = counts
        if window == RANK_WINDOW:
            scores[(domain, metric, sensitive)] = score
    return [Mover(d, m, w, s, scores.get((d, m, s), 0.0)) for (d, m, s), w in sorted(by_metric.items())]


def warnings(con: duckdb.DuckDBPyConnection) -> list[HealthWarning]:
    """Silent sources and regions, heavy quarantine; a region by its names ({"en": ..., "ru": ...})."""
    found = [
        HealthWarning("source_silent", {"dataset": ds, "days": days})
        for ds, days in con.execute(
            "select dataset, days_since_newest_record from marts.kpi_source_freshness where is_silent order by 1"
        ).fetchall()
    ]
    found += [
        HealthWarning("region_silent", {"region": read.region_names(con, region), "dataset": ds, "days": days})
        for region, ds, days in con.execute(
            "select region_code, dataset, days_since_last_record from marts.kpi_region_reporting "
            "where is_silent order by 1, 2"
        ).fetchall()
    ]
    found += [
        HealthWarning("quarantine", {"dataset": ds, "rows": rows, "pct": pct, "reason": reason})
        for ds, rows, pct, reason in con.execute(
            "select dataset, rows_quarantined, quarantined_share_pct, top_quarantine_reason "
            "from marts.kpi_source_freshness where quarantined_share_pct >= ? order by 3 desc",
            [QUARANTINE_WARN_PCT],
        ).fetchall()
    ]
    return found


def crime_trend(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[tuple[dt.date, int | None, int | None]]:
    """Crimes per day and on the same weekday a year earlier (364 days); None where the data does not reach."""
    since, newest = fetch_one(con, "select min(date_day)::date, max(date_day)::date from marts.agg_crime_daily")
    if newest is None:
        return []
    last = min(as_of, newest)  # a day without any report yet (today, before the first export) is not a zero
    first = last - dt.timedelta(days=TREND_DAYS - 1)
    counts = dict(
        con.execute(
            "select date_day::date, sum(crimes_registered)::int from marts.agg_crime_daily "
            "where date_day between ? and ? or date_day between ? and ? group by 1",
            [first, last, first - dt.timedelta(days=364), last - dt.timedelta(days=364)],
        ).fetchall()
    )
    days = [first + dt.timedelta(days=i) for i in range(TREND_DAYS)]

    def on(day: dt.date) -> int | None:
        return counts.get(day, 0) if day >= since else None

    return [(d, on(d), on(d - dt.timedelta(days=364))) for d in days]


def load_briefing(settings: Settings, kind: str, scope: Scope) -> Briefing:
    """Everything one scope's briefing shows, in one connection to the published build."""
    con = connect(settings, scope)
    try:
        stamp = read.stamp(con)
        level = read.scope_level(scope)
        cameras = _dicts(con, CAMERAS_SQL, [level])
        return Briefing(
            kind=kind,
            scope=scope,
            build_id=stamp.build_id,
            built_at=stamp.built_at,
            as_of_date=stamp.as_of,
            compstat_through=read.compstat_through(con, "kpi_crime_compstat"),
            region_name=None if scope.region_code is None else read.region_names(con, scope.region_code),
            geography=stamp.geography,
            plan=_dicts(con, PLAN_SQL.format(table=f"kpi_plan_progress{'' if scope.is_national else '_by_region'}"))
            if stamp.has_plan
            else [],
            cameras=cameras[0] if cameras else None,
            movers=movers(con, level),
            offline=_dicts(con, OFFLINE_SQL),
            warnings=warnings(con),
            crime_trend=crime_trend(con, stamp.as_of),
            rollout=[tuple(row) for row in con.execute(ROLLOUT_SQL, [level]).fetchall()],
        )
    finally:
        con.close()
