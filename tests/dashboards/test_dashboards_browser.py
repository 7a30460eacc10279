"""The real app in a real browser (Debian chromium): log in through the login form, every page opens from the
sidebar, its Plotly charts draw (the SQL page's after a query ran), a screenshot is saved to
docs/screenshots/<page>.png; the login outlives a reload until the logout."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from access import i18n
from access.users import Role, User, hash_password, save_user
from dashboards import auth, ui
from safelake.settings import Settings
from tests.conftest import Published

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "docs" / "screenshots"
PASSWORD = "browser-password"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium: apt-get install -y chromium"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_app(env: dict[str, str], cwd: Path, port: int) -> Iterator[str]:
    """`streamlit run dashboards/app.py` on a loopback port, from `cwd` (where .streamlit/ is read)."""
    command = [str(REPO / ".venv" / "bin" / "streamlit"), "run", str(REPO / "dashboards" / "app.py")]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false"]
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


def save_users(path: Path, home: Path, email: str | None = None) -> None:
    settings = Settings(home=home, users_file=path)
    boss = User(name="boss", display_name="Leadership", role=Role.leadership, email=email)
    save_user(settings, boss.model_copy(update={"password_hash": hash_password(PASSWORD)}))


@pytest.fixture(scope="module")
def app_url(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    users = tmp_path_factory.mktemp("users") / "users.yaml"
    save_users(users, published.home)
    with running_app(published.env | {"SAFELAKE_USERS_FILE": str(users)}, REPO, free_port()) as url:
        yield url


def test_every_page_draws_its_charts(app_url: str) -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{app_url}/?lang=en&period=28d")
        page.get_by_label("User name").fill("boss")
        page.get_by_label("Password", exact=True).fill("wrong")
        page.get_by_role("button", name="Log in").click()
        page.get_by_text(i18n.t("login_wrong", "en")).wait_for(timeout=30_000)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("User name").fill("boss")
        page.get_by_role("button", name="Log in").click()
        page.get_by_text("Data as of").first.wait_for(timeout=30_000)
        for key in ui.PAGES:  # through the sidebar: the session (and its login) lives as long as the page
            page.locator("[data-testid=stSidebarNav] a", has_text=i18n.t(key, "en")).click()
            page.get_by_role("heading", name=i18n.t(key, "en"), exact=True, level=1).wait_for(timeout=30_000)
            if key == "sql":
                page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000)
                page.get_by_role("button", name="Run", exact=True).click()
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
            page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000)
            assert page.locator("[data-testid=stException]").count() == 0, key
            assert page.get_by_text("Page not found").count() == 0, key
            drawn = page.locator(".js-plotly-plot .main-svg").count()
            assert drawn >= 1, key
            assert page.get_by_text("Data as of").count() >= 1, key
            page.screenshot(path=str(SHOTS / f"{key}.png"), full_page=True)
        # the login outlives a reload (a signed session cookie); a logout ends it, in this tab and after a reload
        assert [c["name"] for c in page.context.cookies()].count(auth.COOKIE) == 1
        page.reload()
        page.get_by_text("Data as of").first.wait_for(timeout=30_000)
        assert page.get_by_role("button", name="Log in").count() == 0
        captured = next(c for c in page.context.cookies() if c["name"] == auth.COOKIE)
        page.get_by_role("button", name="Log out").click()
        page.get_by_role("button", name="Log in").wait_for(timeout=30_000)
        page.wait_for_function(f"!document.cookie.includes('{auth.COOKIE}=')", timeout=30_000)
        page.context.add_cookies([captured])  # a copy taken before the logout: revoked on the server
        page.reload()
        page.get_by_role("button", name="Log in").wait_for(timeout=30_000)
        page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000)
        assert page.get_by_text("Data as of").count() == 0
        browser.close()


def test_single_sign_on_through_an_oidc_provider(published: Published, tmp_path: Path) -> None:
    """`st.login` against an OpenID provider on loopback (discovery, authorization code, signed ID token): the
    provider's e-mail picks the SafeLake user and its locale the language; an e-mail no user has is refused, naming
    it."""
    import oidc_provider_mock
    from playwright.sync_api import sync_playwright

    users = tmp_path / "users.yaml"
    save_users(users, published.home, email="boss@mvd.example")
    sso = i18n.t("login_sso", "ru")  # the login page's language: the default
    with oidc_provider_mock.run_server_in_thread() as provider:
        # the provider knows the boss's language: the pages open in it (the `locale` claim)
        claims = json.dumps({"email": "boss@mvd.example", "locale": "en-GB"}).encode()
        request = urllib.request.Request(
            f"http://localhost:{provider.server_port}/users/boss@mvd.example",
            data=claims,
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10)
        port = free_port()
        (tmp_path / ".streamlit").mkdir()
        (tmp_path / ".streamlit" / "secrets.toml").write_text(
            f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(16)}"
client_id = "safelake-dashboards"
client_secret = "{secrets.token_hex(16)}"
server_metadata_url = "http://localhost:{provider.server_port}/.well-known/openid-configuration"
"""
        )
        env = published.env | {"SAFELAKE_USERS_FILE": str(users)}
        with running_app(env, tmp_path, port) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM))
            page = browser.new_page()

            def sign_in(email: str) -> None:
                page.get_by_role("button", name=sso).click()
                page.get_by_placeholder("sub").fill(email)
                page.get_by_role("button", name="Authorize").click()

            page.goto(url)
            sign_in("boss@mvd.example")
            page.get_by_text("Data as of").first.wait_for(timeout=30_000)
            assert page.locator("[data-testid=stSidebar]").get_by_text(i18n.t("role_leadership", "en")).count() >= 1
            page.reload()  # the provider's login is kept in Streamlit's own cookie
            page.get_by_text("Data as of").first.wait_for(timeout=30_000)
            page.get_by_role("button", name=i18n.t("logout", "en")).click()
            page.get_by_role("button", name="End session").click()  # the provider's logout (RP-initiated)
            page.get_by_role("button", name=sso).wait_for(timeout=30_000)

            sign_in("stranger@example.org")
            # no locale claim: the default language
            page.get_by_text("нет пользователя SafeLake с адресом stranger@example.org").wait_for(timeout=30_000)
            assert page.get_by_text("Данные на").count() == 0
            browser.close()
