"""One recipient's briefing: subject, HTML (inline styles, tables, no scripts), plain text, PNG charts, CSV.

`render` is pure (a Briefing, a recipient, the time zone → a Rendered); `to_message` makes the MIME message:
multipart/mixed [ alternative [ text, related [ html, PNGs by Content-ID ] ], CSV attachments ].
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cache
from typing import Any, cast
from zoneinfo import ZoneInfo

import jinja2

from access import csvsafe, i18n, read
from access.i18n import Lang, code, metric, num, t
from access.read import WINDOWS
from briefings import charts
from briefings.config import Recipient
from briefings.content import NOTHING, Briefing
from safelake import notify
from safelake.settings import Settings

MOVERS = {"daily": 6, "weekly": 10}
OFFLINE_ROWS = 15
WORSE, BETTER = "#c62828", "#2e7d32"


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str
    images: dict[str, bytes]  # Content-ID (without <>) → PNG
    attachments: dict[str, bytes]  # file name → CSV (UTF-8 with BOM, so spreadsheet programs read Cyrillic)


@cache
def _templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("briefings", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return env


def scope_name(b: Briefing, lang: Lang) -> str:
    return b.region_name[lang] if b.region_name else t("all_country", lang)


def local_time(moment: dt.datetime, tz: ZoneInfo, lang: Lang) -> str:
    """A moment in the plan's time zone, in the language's one date format (as the dashboards write it)."""
    return i18n.datetime(moment, lang, str(tz))


def _count(value: int | None, lang: Lang) -> tuple[str, bool]:
    """A count as shown, and whether the access policy suppressed it (NULL: a small count, or one hidden with it so
    that none can be worked out)."""
    return (t("suppressed_cell", lang), True) if value is None else (num(value, lang), False)


def mover_rows(b: Briefing, lang: Lang) -> list[dict[str, Any]]:
    rows = []
    for m in b.top_movers(MOVERS[b.kind]):
        cells = []
        for window in WINDOWS:
            cur, prior, pct, complete = m.windows.get(window, NOTHING)
            cur_s, hidden_cur = _count(cur, lang)
            prior_s, hidden_prior = _count(prior, lang) if complete else ("–", False)
            hidden = hidden_cur or hidden_prior
            pct_s = "–" if pct is None or hidden else f"{'+' if pct > 0 else ''}{num(pct, lang, 1)}"
            colour = "" if pct is None or hidden or pct == 0 else (WORSE if pct > 0 else BETTER)
            cells.append({"cur": cur_s, "prior": prior_s, "pct": pct_s, "colour": colour})
        rows.append({"kpi": metric(m.metric, lang), "cells": cells, "metric": m.metric})
    return rows


def plan_rows(b: Briefing, lang: Lang) -> list[dict[str, Any]]:
    """The plan table: each target as the one status rule (access.read.TARGET_RULES) shows it."""
    rows = []
    for p in b.plan:
        view = read.target_view(p, lang)
        national_only = p["regional_split"] == "national_only" and not b.scope.is_national
        rows.append(
            {
                "target": view.name,
                "goal": t("national_only_target", lang) if national_only else view.goal,
                "actual": i18n.plan_value(p["actual_to_date"], p["unit"], lang),
                "planned": i18n.plan_value(p["milestone_due_value"], p["unit"], lang),
                "score": i18n.pct(p["plan_score_pct"], lang, 0),
                "status": view.status.lower(),
                "colour": view.colour,
                "pace": "" if national_only else view.pace,
            }
        )
    return rows


def plan_headline(b: Briefing, lang: Lang) -> str:
    counts = Counter(read.target_view(p, lang).status.lower() for p in b.plan if p["status"])
    return t("plan_headline", lang, n=len(b.plan), counts=", ".join(f"{s} {n}" for s, n in counts.most_common()))


def warning_lines(b: Briefing, lang: Lang) -> list[str]:
    def shown(key: str, value: Any) -> Any:
        if key == "dataset":
            return code(value, lang)
        if key == "reason":  # inside a sentence
            label = code(value, lang)
            return label[:1].lower() + label[1:]
        if isinstance(value, dict):  # a region's names
            return value[lang]
        return num(value, lang, 1 if isinstance(value, float) else 0) if isinstance(value, int | float) else value

    return [t(w.kind, lang, **{k: shown(k, v) for k, v in w.args.items()}) for w in b.warnings]


def camera_line(b: Briefing, lang: Lang) -> str | None:
    """Cameras installed and commissioned against the plan to date: the milestone the plan page shows."""
    c = b.cameras
    plan = next((p for p in b.plan if p["kpi"] == "cameras_installed"), None)
    if not c:
        return None
    planned = num(plan["milestone_due_value"], lang) if plan else i18n.DASH
    installed, commissioned, target = (
        num(c[k], lang) for k in ("cameras_installed", "cameras_commissioned", "year_end_target")
    )
    line = t("cameras_line", lang, installed=installed, commissioned=commissioned, planned=planned, target=target)
    return f"{scope_name(b, lang)}: {line}"


def offline_rows(b: Briefing, lang: Lang, tz: ZoneInfo) -> list[dict[str, Any]]:
    return [
        {
            "camera": o["camera_id"],
            "district": o[f"district_{lang}"] or o["district_code"] or "–",
            "since": local_time(o["offline_since"], tz, lang) if o["offline_since"] else "–",
            "hours": num(o["offline_hours"], lang, 1),
            "cause": code(o["cause"], lang),
        }
        for o in b.offline[:OFFLINE_ROWS]
    ]


def csv_files(b: Briefing) -> dict[str, bytes]:
    """The tables as CSV attachments, escaped against formulas (access.csvsafe)."""
    stem = f"safelake-{b.kind}-{b.scope.region_code or 'national'}-{b.as_of_date.isoformat()}"
    plan = [
        [p["target_id"], p["unit"], p["actual_to_date"], p["target_value"], p["pct_of_target"], p["forecast_year_end"]]
        + [p["status"]]
        for p in b.plan
    ]
    kpis: list[list[Any]] = []
    for m in b.movers:
        for window in WINDOWS:
            if window in m.windows:
                cur, prior, pct, complete = m.windows[window]
                cur_s, hidden_cur = _count(cur, "en")
                prior_s, hidden_prior = _count(prior, "en")
                hidden = hidden_cur or hidden_prior
                kpis.append(
                    [m.domain, m.metric, window, cur_s if hidden else cur]
                    + [(prior_s if hidden else prior) if complete else ""]
                    + ["" if pct is None or hidden else pct, round(m.score, 2)]
                )
    offline = [
        [o["camera_id"], o["region_code"], o["district_code"], o["site_id"], o["contractor"], o["offline_status"]]
        + [o["cause"], o["offline_since"], o["offline_hours"]]
        for o in b.offline
    ]
    files = {
        f"{stem}-plan.csv": csvsafe.to_bytes(
            ["target_id", "unit", "actual_to_date", "target_value", "pct_of_target", "forecast_year_end", "status"],
            plan,
        ),
        f"{stem}-kpis.csv": csvsafe.to_bytes(
            ["domain", "metric", "compstat_window", "current", "prior_year", "pct_change", "move_score"], kpis
        ),
        f"{stem}-cameras-offline-24h.csv": csvsafe.to_bytes(
            ["camera_id", "region_code", "district_code", "site_id", "contractor", "offline_status", "cause"]
            + ["offline_since", "offline_hours"],
            offline,
        ),
    }
    return {name: data for name, data in files.items() if b.plan or not name.endswith("-plan.csv")}


def subject(b: Briefing, lang: Lang) -> str:
    return f"[SafeLake] {t(b.kind, lang)} · {scope_name(b, lang)} · {i18n.date(b.as_of_date, lang)}"


def render(b: Briefing, recipient: Recipient, tz: ZoneInfo) -> Rendered:
    lang = recipient.language
    specs = charts.charts(b, lang, MOVERS[b.kind])
    cids = {name: f"{name}.{b.build_id}@safelake" for name in specs}
    view = {
        "t": lambda key, **kw: t(key, lang, **kw),
        "lang": lang,
        "kind": b.kind,
        "title": t(b.kind, lang),
        "scope": scope_name(b, lang),
        "regional": not b.scope.is_national,
        "name": recipient.name,
        "as_of": i18n.date(b.as_of_date, lang),
        "build_id": b.build_id,
        "built_at": local_time(b.built_at, tz, lang),
        "headline": plan_headline(b, lang)
        if b.plan
        else t("no_plan", lang, geography=read.geography_name(b.geography, lang)),
        "plan": plan_rows(b, lang),
        "cameras": camera_line(b, lang),
        "movers": mover_rows(b, lang),
        "no_movers": t("no_movers" if b.comparable else "no_comparison", lang),
        "movers_through": t("compstat_through", lang, date=i18n.date(b.compstat_through, lang))
        if b.compstat_through
        else "",
        "windows": WINDOWS,
        "offline": offline_rows(b, lang, tz),
        "offline_total": len(b.offline),
        "offline_more": max(len(b.offline) - OFFLINE_ROWS, 0),
        "warnings": warning_lines(b, lang),
        "cids": cids,
        "titles": {name: spec["title"]["text"] for name, spec in specs.items()},  # say what each chart draws
        "fmt": lambda v: num(v, lang),
    }
    env = _templates()
    return Rendered(
        subject=subject(b, lang),
        html=env.get_template("briefing.html").render(view),
        text=env.get_template("briefing.txt").render(view),
        images={cids[name]: charts.png(spec, lang) for name, spec in specs.items()},
        attachments=csv_files(b),
    )


def to_message(settings: Settings, rendered: Rendered, to: str) -> EmailMessage:
    msg = notify.new_message(settings, to, rendered.subject)
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    html_part = cast("list[EmailMessage]", msg.get_payload())[1]
    for cid, png in rendered.images.items():
        name = cid.split(".")[0] + ".png"
        html_part.add_related(png, "image", "png", cid=f"<{cid}>", disposition="inline", filename=name)
    for name, data in rendered.attachments.items():
        msg.add_attachment(data, maintype="text", subtype="csv", filename=name)
    return msg


def delayed_message(
    settings: Settings,
    recipient: Recipient,
    kind: str,
    build: tuple[str, dt.datetime] | None,
    tz: ZoneInfo,
) -> EmailMessage:
    """The short note sent instead of stale numbers."""
    lang = recipient.language
    briefing = t(kind, lang)
    if build is None:
        body = t("delayed_none", lang, briefing=briefing)
    else:
        hours = num(settings.warehouse_stale_hours, lang)
        body = t(
            "delayed_body",
            lang,
            briefing=briefing,
            build_id=build[0],
            built_at=local_time(build[1], tz, lang),
            hours=hours,
        )
    msg = notify.new_message(settings, recipient.address, f"[SafeLake] {t('delayed_subject', lang)}: {briefing}")
    msg.set_content(f"{t('hello', lang, name=recipient.name)}\n\n{body}\n")
    return msg
