"""`python -m tools.bench_dashboards`: server time of every dashboard page, rendered by AppTest against the published
warehouse of SAFELAKE_HOME. Per page: 20 warm renders (a new session each, shared query cache, as on a running
server) and a cold baseline in the same run (query caches cleared before each render), logged in as a leadership
user; the share of each render spent drawing the page's maps (`ui.area_map`: boundaries, hovers, the Plotly
figure and its serialisation), and the same at district level (the region with the most districts chosen, as after
a click on the map). Writes docs/bench-dashboards.json and the "## Dashboards" section of docs/benchmarks.md;
prints the JSON."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.components.v2 import manifest_scanner
from streamlit.testing.v1 import AppTest

from access.policy import connect
from access.users import Role, User
from dashboards import auth, ui
from safelake.settings import get_settings
from tools import benchdoc

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "app.py")
WARM_RUNS, COLD_RUNS, GOAL_SECONDS = 20, 3, 1.0
MAP_PAGES = ("plan", "cameras", "crime", "road", "fraud")  # the pages whose maps follow the sidebar's region
# Logged in programmatically (as the login form does once the password checked out): national, cleared.
READER = User(name="bench", display_name="Benchmark", role=Role.leadership)
MAP_SECONDS: list[float] = []  # the maps drawn in the current render
# Each new AppTest scans every installed package for Streamlit components (about 2 s here, before the timed run);
# the packages do not change during the benchmark, so they are scanned once.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def render(page: str, region: str | None = None) -> tuple[float, float]:
    """Seconds of one render of the page, and of its maps within it."""
    if not hasattr(ui.area_map, "__wrapped__"):
        ui.area_map = _timed(ui.area_map)  # type: ignore[method-assign]
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"lang": "en"} | ({"region": region} if region else {}))
    at.session_state[auth.USER_KEY] = READER
    at.run()
    if page != "plan":
        at.switch_page(f"views/{page}.py")
    MAP_SECONDS.clear()
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    if at.exception:
        raise RuntimeError(f"page {page} raised: {at.exception[0].value}")
    return seconds, sum(MAP_SECONDS)


def _timed(function: Callable[..., None]) -> Callable[..., None]:
    """`ui.area_map`, timed: the pages call it through the module, so every map of a render is counted."""

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        try:
            function(*args, **kwargs)
        finally:
            MAP_SECONDS.append(time.perf_counter() - started)

    return timed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def scale() -> dict[str, Any]:
    con = connect(get_settings())
    row = con.execute(
        """SELECT (SELECT build_id FROM meta.build),
                  (SELECT max(cameras) FROM marts.kpi_camera_availability WHERE group_level = 'nation'),
                  (SELECT row_count FROM marts.kpi_source_freshness WHERE dataset = 'crime_report'),
                  (SELECT row_count FROM marts.kpi_source_freshness WHERE dataset = 'camera_status')"""
    ).fetchone()
    return {"build_id": row[0], "cameras_commissioned": row[1], "crime_reports": row[2], "camera_status_rows": row[3]}


def measure(page: str, region: str | None = None) -> dict[str, Any]:
    cold = []
    for _ in range(COLD_RUNS):
        st.cache_data.clear()
        cold.append(render(page, region)[0])
    warm, maps = zip(*(render(page, region) for _ in range(WARM_RUNS)), strict=True)
    return {
        "warm_p50_s": round(statistics.median(warm), 4),
        "warm_p95_s": round(percentile(list(warm), 0.95), 4),
        "warm_max_s": round(max(warm), 4),
        "cold_p50_s": round(statistics.median(cold), 4),
        "cold_over_warm": round(statistics.median(cold) / statistics.median(warm), 1),
        "maps_p95_s": round(percentile(list(maps), 0.95), 4),
        "meets_goal": percentile(list(warm), 0.95) < GOAL_SECONDS,
    }


def run() -> dict[str, Any]:
    region = most_districts()
    started, load_before = dt.datetime.now(dt.UTC), os.getloadavg()[0]
    pages = {page: measure(page) for page in ui.PAGES}
    at_district = {page: measure(page, region) for page in MAP_PAGES}
    return {
        "benchmark": "dashboards",
        "started_at": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_1min": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
        "warehouse": scale(),
        "runs": {"warm": WARM_RUNS, "cold": COLD_RUNS},
        "goal_seconds": GOAL_SECONDS,
        "pages": pages,
        "district_level": {"region": region, "pages": at_district},
    }


def most_districts() -> str:
    con = connect(get_settings())
    return str(
        con.execute("SELECT region_code FROM analytics.districts GROUP BY 1 ORDER BY count(*) DESC, 1").fetchone()[0]
    )


def markdown(result: dict[str, Any]) -> str:
    wh = result["warehouse"]
    lines = [
        "## Dashboards",
        "",
        "`make bench-dashboards` (`python -m tools.bench_dashboards`): server time of one page render, measured with "
        "Streamlit's AppTest (script run to the last element, no browser) against warehouse build "
        f"`{wh['build_id']}` ({wh['cameras_commissioned']:,} commissioned cameras, {wh['crime_reports']:,} crime "
        f"reports, {wh['camera_status_rows']:,} camera-status rows). Warm = {result['runs']['warm']} renders, each a "
        "new session sharing the query cache as on a running server; cold = the baseline in the same run, query "
        f"caches cleared before each of {result['runs']['cold']} renders. Goal: p95 < 1 s. Maps = the part of each "
        "warm render spent drawing the page's maps (`ui.area_map`); at district level the region with the most "
        f"districts ({result['district_level']['region']}) is chosen, as after a click on the map. Raw figures: "
        "[bench-dashboards.json](bench-dashboards.json).",
        "",
        f"Run {result['started_at'][:16].replace('T', ' ')} UTC on {result['machine']['cpus']} cores, Python "
        f"{result['machine']['python']}; load average (1 min) {result['load_average_1min']['before']} before, "
        f"{result['load_average_1min']['after']} after (the benchmark's own threads).",
        "",
        "| page | warm p50 s | warm p95 s | cold p50 s | cold ÷ warm | maps p95 s | district: warm p95, maps p95 s |",
        "|---|---|---|---|---|---|---|",
    ]
    districts = result["district_level"]["pages"]
    for page, p in result["pages"].items():
        d = districts.get(page)
        lines.append(
            f"| {page} | {p['warm_p50_s']:.3f} | **{p['warm_p95_s']:.3f}** | {p['cold_p50_s']:.3f} | "
            f"{p['cold_over_warm']}× | {p['maps_p95_s']:.3f} | "
            + (f"**{d['warm_p95_s']:.3f}**, {d['maps_p95_s']:.3f} |" if d else "– |")
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    result = run()
    benchdoc.publish("dashboards", result, markdown(result))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
