"""The live pages in a real browser (Debian chromium), fed by a real nats-server and `safelake stream`: a camera that
stops sending heartbeats turns offline on the Cameras page, and a new 102 call appears on Live operations, without
the page being reloaded."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import re
import shutil
import threading
from pathlib import Path

import pytest

from access import i18n
from safelake import lake
from stream.streams import subject
from tests.conftest import Published
from tests.dashboards.test_dashboards_browser import CHROMIUM, PASSWORD, free_port, running_app, save_users
from tests.stream.conftest import Live
from tests.stream.feed import encoded, publish
from tools.simulate import Camera, call_event, camera_event

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium: apt-get install -y chromium"),
]


def metric(page, label: str):
    card = page.locator("[data-testid=stMetric]").filter(
        has=page.locator("[data-testid=stMetricLabel]").get_by_text(label, exact=True)
    )
    return card.locator("[data-testid=stMetricValue]")


def test_a_silent_camera_turns_offline_and_a_new_call_appears_without_a_reload(
    live: Live, published: Published, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    home = tmp_path / "live-home"
    shutil.copytree(published.home, home)  # the published warehouse is shared read-only; the lake gets live rows
    live.home = home
    lake.relocate(live.settings())  # the copy's catalog still names the original's data folder
    users = tmp_path / "users.yaml"
    save_users(users, home)
    env = live.env | {
        "SAFELAKE_USERS_FILE": str(users),
        "SAFELAKE_HEARTBEAT_TIMEOUT": "20",
    }  # well above the lag on a busy machine
    quiet = threading.Event()  # set: LIVE-2 stops sending heartbeats
    stop = threading.Event()
    cameras = [Camera("LIVE-1", "KG-C", "LS-1"), Camera("LIVE-2", "KG-C", "LS-2")]

    def heartbeats() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            now = dt.datetime.now(dt.UTC)
            sending = cameras[:1] if quiet.is_set() else cameras
            heartbeat = subject("camera_heartbeat", "KG-C", "heartbeat")
            events = [(heartbeat, camera_event(c, now, "heartbeat", "online", None, n)) for c in sending]
            asyncio.run(publish(live.broker.url, encoded(events)))
            stop.wait(1)

    live.consumer()
    feeder = threading.Thread(target=heartbeats, daemon=True)
    feeder.start()
    try:
        with running_app(env, home, free_port()) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM))
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"{url}/?lang=en")
            page.get_by_label("User name").fill("boss")
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.get_by_text("Data as of").first.wait_for(timeout=30_000)
            page.locator("[data-testid=stSidebarNav] a", has_text=i18n.t("cameras", "en")).click()
            offline = metric(page, i18n.t("live_offline", "en"))
            expect(offline).to_have_text("0", timeout=30_000)
            page.evaluate("window.__not_reloaded = true")
            quiet.set()
            expect(offline).to_have_text("1", timeout=90_000)
            assert page.evaluate("window.__not_reloaded === true")

            page.locator("[data-testid=stSidebarNav] a", has_text=i18n.t("live", "en")).click()
            open_calls = metric(page, i18n.t("open_calls", "en"))
            expect(open_calls).to_have_text(re.compile(r"^\d+$"), timeout=30_000)
            # the lake also holds the dispatch centre's daily export, whose last day may leave calls open
            before = int(open_calls.inner_text())
            page.evaluate("window.__not_reloaded = true")
            call = call_event("CALL-LIVE", 0, "KG-C", None, dt.datetime.now(dt.UTC), random.Random(1))
            # Playwright's sync API runs an event loop in this thread: publish from another one
            sender = threading.Thread(
                target=asyncio.run,
                args=(publish(live.broker.url, encoded([(subject("dispatch_call", "KG-C"), call)])),),
            )
            sender.start()
            sender.join()
            expect(open_calls).to_have_text(str(before + 1), timeout=30_000)
            assert page.evaluate("window.__not_reloaded === true")
            assert page.locator("[data-testid=stException]").count() == 0
            page.screenshot(path=str(tmp_path / "live.png"))
            browser.close()
    finally:
        stop.set()
        feeder.join()
