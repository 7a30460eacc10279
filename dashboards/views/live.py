"""Live operations: open 102 calls, today's response times against the standard, recent incidents, the stream's
lag; and the Cameras page's live strip (online/offline now by region). Both read the lake's live tables through
access.live under the user's scope, and refresh every few seconds without reloading the page (st.fragment)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from access import i18n, live
from access.i18n import t
from dashboards import auth, queries, ui
from safelake.settings import get_settings
from stream.health import health

REFRESH_SECONDS = 3
INCIDENT_HOURS = 6


def _reader():
    return get_settings(), queries.live_reader(auth.session_user().scope), dt.datetime.now(dt.UTC)


def _updated(ctx: ui.Context, now: dt.datetime) -> None:
    settings = get_settings()
    time = i18n.datetime(now, ctx.lang, settings.timezone)
    st.caption(
        t("live_updated", ctx.lang, time=time, seconds=REFRESH_SECONDS, timeout=f"{settings.heartbeat_timeout:g}")
    )


@st.fragment(run_every=REFRESH_SECONDS)
def camera_strip(ctx: ui.Context) -> None:
    """Online/offline now by region, from heartbeats (the Cameras page's live strip)."""
    settings, con, now = _reader()
    try:
        cameras = live.cameras_now(con, settings.heartbeat_timeout, now)
    finally:
        con.close()
    st.subheader(t("live_cameras", ctx.lang))
    if cameras.empty:
        st.caption(t("live_none", ctx.lang))
        return
    cards = st.columns(4)
    for card, column in zip(cards, ("online", "offline", "silent", "outages"), strict=True):
        card.metric(t(f"live_{column}", ctx.lang), i18n.num(int(cameras[column].sum()), ctx.lang))
    labels = {c: (t(f"live_{c}", ctx.lang), "int") for c in ("online", "offline", "silent", "outages")}
    ui.table(
        cameras.assign(region_code=[ctx.name(c) for c in cameras["region_code"]]),
        {"region_code": (t("region", ctx.lang), "text"), "cameras": (t("cameras_n", ctx.lang), "int")} | labels,
        ctx.lang,
    )
    _updated(ctx, now)


@st.fragment(run_every=REFRESH_SECONDS)
def operations(ctx: ui.Context) -> None:
    lang = ctx.lang
    settings, con, now = _reader()
    try:
        calls = live.open_calls(con, now)
        times = live.response_times(con, settings, now)
        incidents = live.recent_incidents(con, INCIDENT_HOURS, now)
    finally:
        con.close()
    found = health(settings, timeout=1.0)
    cards = st.columns(3)
    cards[0].metric(t("open_calls", lang), i18n.num(len(calls), lang))
    cards[1].metric(t("recent_incidents", lang, hours=INCIDENT_HOURS), i18n.num(len(incidents), lang))
    cards[2].metric(t("stream_lag", lang), i18n.num(found.lag, lang))
    if found.broker_error:
        st.warning(t("stream_down", lang))
    _updated(ctx, now)

    st.subheader(t("open_calls", lang))
    ui.table(
        _named(ctx, calls, "status", "priority", "category"),
        {
            "call_id": (t("call", lang), "text"),
            "received_at": (t("received", lang), "datetime"),
            "status": (t("status", lang), "text"),
            "priority": (t("priority", lang), "text"),
            "category": (t("category", lang), "text"),
            "region_code": (t("region", lang), "text"),
            "unit_id": (t("unit", lang), "text"),
            "minutes_open": (t("minutes_open", lang), "num1"),
        },
        lang,
    )

    st.subheader(t("response_times", lang))
    over = times[times["arrival_p90"] > times["arrival_standard"]]
    if len(over):
        st.warning(t("over_standard", lang, regions=", ".join(ctx.name(c) for c in over["region_code"])))
    standard = t("standard", lang)
    ui.table(
        _named(ctx, times),
        {
            "region_code": (t("region", lang), "text"),
            "calls": (t("calls_n", lang), "int"),
            "dispatch_p50": (t("to_dispatch", lang, p="p50"), "num1"),
            "dispatch_p90": (t("to_dispatch", lang, p="p90"), "num1"),
            "dispatch_standard": (t("to_dispatch", lang, p=standard), "num1"),
            "arrival_p50": (t("to_arrival", lang, p="p50"), "num1"),
            "arrival_p90": (t("to_arrival", lang, p="p90"), "num1"),
            "arrival_standard": (t("to_arrival", lang, p=standard), "num1"),
        },
        lang,
    )

    st.subheader(t("recent_incidents", lang, hours=INCIDENT_HOURS))
    # live tables follow the scope, not the sidebar's area: the nation by region, a regional scope by district
    level: ui.Level = "region" if ctx.src is None or ctx.src.scope.is_national else "district"
    counts = incidents.groupby(f"{level}_code").size().rename("incidents").reset_index()
    label = t("recent_incidents", lang, hours=INCIDENT_HOURS)
    ui.area_map(
        ctx, counts, f"{level}_code", "incidents", {"incidents": (label, "int")}, "live_map", level, drill=False
    )
    ui.table(
        _named(ctx, incidents, "kind", "what"),
        {
            "occurred_at": (t("occurred", lang), "datetime"),
            "kind": (t("category", lang), "text"),
            "what": (t("what", lang), "text"),
            "region_code": (t("region", lang), "text"),
            "district_code": (t("district", lang), "text"),
            "killed": (i18n.code("killed", lang), "int"),
            "injured": (i18n.code("injured", lang), "int"),
        },
        lang,
    )


def _named(ctx: ui.Context, frame: pd.DataFrame, *codes: str) -> pd.DataFrame:
    """Areas by name and codes in words, in the reader's language."""
    named = {c: [ctx.name(v) for v in frame[c]] for c in ("region_code", "district_code") if c in frame}
    return frame.assign(**named, **{c: [i18n.code(v, ctx.lang) for v in frame[c]] for c in codes})


if __name__ == "__main__":
    operations(ui.page("live"))
