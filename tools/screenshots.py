"""`python -m tools.screenshots [OUT]` (`make screenshots`): full-page screenshots of the dashboards and the daily
e-mail, in Russian and English, from SAFELAKE_HOME's published warehouse, into docs/screenshots/ (or OUT).

Debian chromium, driven by Playwright, opens the real app (`streamlit run`, loopback, a free port) and logs in
through the login form as users of a temporary users file (the real one is not touched): leadership for the whole
country and for one region, and a regional chief; the maps (the crime page's, at region and at district level, with
a tooltip and the attribution) on their own. The browser tests use the same app runner and login.

The regional views are of the demo regional chief's region (`access.users.demo_users`); the district map is of the
region with the most districts. A warehouse of another geography than kg (SAFELAKE_GEOGRAPHY=kz) gets the same
shots named `<geography>-<page>-<lang>.png`."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from access import i18n
from access.i18n import Lang
from access.users import Role, User, demo_users, hash_password, save_user
from briefings.config import Recipient
from briefings.content import load_briefing
from briefings.preview import screenshot
from briefings.render import render
from dashboards import ui
from safelake.reference import geography
from safelake.settings import Settings, get_settings
from warehouse.publish import current_path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "docs" / "screenshots"
WIDE, PHONE = 1440, 390  # a desktop and a phone, CSS pixels


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_app(env: dict[str, str], cwd: Path, port: int) -> Iterator[str]:
    """`streamlit run dashboards/app.py` on a loopback port, from `cwd` (where .streamlit/ is read)."""
    command = [str(REPO / ".venv" / "bin" / "streamlit"), "run", str(REPO / "dashboards" / "app.py")]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"]
    # no file watcher: an edited source would leave a "Rerun?" prompt where the running indicator is
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    process = subprocess.Popen(command, cwd=cwd, env=os.environ | env, stdout=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"streamlit did not start on {url}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def login(page: Any, url: str, name: str, password: str, lang: Lang, **params: str) -> None:
    """Open the app at `url` with the query parameters, log in through the form, wait for the first page."""
    query = "&".join(f"{k}={v}" for k, v in ({"lang": lang} | params).items())
    page.goto(f"{url}/?{query}")
    page.get_by_label(i18n.t("username", lang)).fill(name)
    page.get_by_label(i18n.t("password", lang), exact=True).fill(password)
    page.get_by_role("button", name=i18n.t("login_button", lang)).click()
    settled(page, lang)


def settled(page: Any, lang: Lang) -> None:
    """The page has run to its end: its as-of stamp is drawn, charts too, and Streamlit is idle."""
    page.get_by_text(i18n.t("as_of", lang).split("{")[0].strip()).first.wait_for(timeout=60_000)
    idle = "!document.querySelector('[data-testid=stStatusWidget]')"
    for _ in range(2):  # the running indicator may show only after a moment: idle twice, a second apart
        page.wait_for_function(idle, timeout=120_000)
        page.wait_for_timeout(1000)
    page.wait_for_function(idle, timeout=120_000)
    if page.locator(".js-plotly-plot").count():
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    page.wait_for_timeout(500)  # Plotly's last layout pass


def full_page(page: Any, path: Path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main area, not the document, so the viewport
    is made as tall as the content for the shot (full_page alone would give the top of it only)."""
    size = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll("
        "'[data-testid=stMain], [data-testid=stAppViewContainer], [data-testid=stSidebarContent]'))"
        ".map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.wait_for_timeout(800)  # Plotly redraws for the new size
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


def open_page(page: Any, key: str, lang: Lang) -> None:
    """Another page through the sidebar (the session, and its login, lives as long as the browser page)."""
    page.locator("[data-testid=stSidebarNav] a", has_text=i18n.t(key, lang)).click()
    page.get_by_role("heading", name=i18n.t(key, lang), exact=True, level=1).wait_for(timeout=60_000)
    settled(page, lang)


Users = dict[str, tuple[str, str, str | None]]  # "leadership" and "chief": (name, password, region)


def shot_users(path: Path, settings: Settings) -> Users:
    """The demo users (`safelake users demo`) leadership and the regional chief, with random passwords, in a users
    file of their own."""
    own = Settings(home=settings.home, users_file=path, geography=settings.geography)
    chosen: Users = {}
    for name, region, display in demo_users(own):
        if name == "leadership" or region:
            password = secrets.token_urlsafe(12)
            role = Role.regional_chief if region else Role(name)
            user = User(name=name, display_name=display, role=role, region_code=region)
            save_user(own, user.model_copy(update={"password_hash": hash_password(password)}))
            chosen["chief" if region else "leadership"] = (name, password, region)
    return chosen


def dashboards(url: str, users: Users, out: Path, prefix: str) -> list[Path]:
    """Every page as leadership (whole country); the plan page for the chief's region as leadership and as the
    chief, and on a phone; ru and en."""
    from playwright.sync_api import sync_playwright

    leader, leader_password, _ = users["leadership"]
    chief, chief_password, region = users["chief"]
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM))
        try:
            for lang in i18n.LANGS:
                page = browser.new_page(viewport={"width": WIDE, "height": 1000})
                login(page, url, leader, leader_password, lang, period="28d")
                for key in ui.PAGES:
                    if key != "plan":
                        open_page(page, key, lang)
                    written.append(out / f"{prefix}{key}-{lang}.png")
                    full_page(page, written[-1])
                page.close()
                for (user, password), name in (
                    ((leader, leader_password), "plan-region"),
                    ((chief, chief_password), "plan-chief"),
                ):
                    page = browser.new_page(viewport={"width": WIDE, "height": 1000})
                    login(page, url, user, password, lang, region=region)
                    written.append(out / f"{prefix}{name}-{lang}.png")
                    full_page(page, written[-1])
                    page.close()
                page = browser.new_page(viewport={"width": PHONE, "height": 844})
                login(page, url, leader, leader_password, lang)
                written.append(out / f"{prefix}plan-phone-{lang}.png")
                full_page(page, written[-1])
                page.close()
        finally:
            browser.close()
    return written


def maps(url: str, users: Users, out: Path, prefix: str, map_region: str | None) -> list[Path]:
    """The crime page's map of the regions and, chosen as a click on it would, of one region's districts (a reference
    set with districts); ru and en. Each shot is the map with its attribution below, the tooltip of the area under
    the map's centre shown."""
    from playwright.sync_api import sync_playwright

    leader, leader_password, _ = users["leadership"]
    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM))
        try:
            for lang in i18n.LANGS:
                views = [("map-regions", {}), ("map-districts", {"region": map_region})]
                for name, params in views if map_region else views[:1]:
                    page = browser.new_page(viewport={"width": WIDE, "height": 1000})
                    login(page, url, leader, leader_password, lang, period="28d", **params)
                    open_page(page, "crime", lang)
                    chart = page.locator("[data-testid=stPlotlyChart]:has(.maplibregl-map)").first
                    chart.scroll_into_view_if_needed()
                    page.wait_for_timeout(1500)  # the map's WebGL canvas draws after the page settles
                    box = chart.bounding_box()
                    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                    page.wait_for_timeout(500)
                    written.append(out / f"{prefix}{name}-{lang}.png")
                    clip = {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"] + 60}
                    page.screenshot(path=str(written[-1]), clip=clip)  # with the caption under the map
                    page.close()
        finally:
            browser.close()
    return written


def emails(settings: Settings, out: Path, prefix: str) -> list[Path]:
    """The daily e-mail to the whole country's leadership, as chromium shows it, in each language."""
    written = []
    tz = ZoneInfo(settings.timezone)
    for lang in i18n.LANGS:
        reader = Recipient(
            name="Аппарат министра" if lang == "ru" else "Minister's office",
            address="minister.office@example.org",
            role="leadership",
            language=lang,
            briefings=["daily"],
        )
        written.append(out / f"{prefix}email-daily-{lang}.png")
        screenshot(render(load_briefing(settings, "daily", reader.scope), reader, tz), written[-1])
    return written


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else SHOTS
    settings = get_settings()
    if not current_path(settings).exists():
        sys.exit(f"screenshots: nothing is published under {settings.home}; run `make up` (or `safelake build`) first")
    if not CHROMIUM.exists():
        sys.exit(f"screenshots: {CHROMIUM} is missing; install Debian's chromium (apt-get install -y chromium)")
    out.mkdir(parents=True, exist_ok=True)
    prefix = "" if settings.geography == Settings.model_fields["geography"].default else f"{settings.geography}-"
    most = geography(settings.geography).districts["region_code"].value_counts(sort=True)["region_code"]
    map_region = most[0] if len(most) else None  # the region with the most districts; none without districts
    with tempfile.TemporaryDirectory() as tmp:
        users = shot_users(Path(tmp) / "users.yaml", settings)
        env = {"SAFELAKE_HOME": str(settings.home), "SAFELAKE_USERS_FILE": str(Path(tmp) / "users.yaml")}
        with running_app(env, REPO, free_port()) as url:
            written = dashboards(url, users, out, prefix) + maps(url, users, out, prefix, map_region)
    written += emails(settings, out, prefix)
    for path in written:
        print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")


if __name__ == "__main__":
    main()
