"""The real app in a real browser (Debian chromium): log in through the login form, every page opens from the
sidebar, its Plotly charts draw (the SQL page's after a query ran), a full-page screenshot is saved to the test's
temporary folder (`make screenshots` refreshes docs/screenshots/); nothing on the plan page is cut off at 1440 px
and no page scrolls sideways at 390 px; no Deploy button or developer menu; the login outlives a reload until the
logout."""

from __future__ import annotations

import json
import secrets
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from access import i18n
from access.users import Role, User, hash_password, save_user
from dashboards import auth, ui
from safelake.settings import Settings
from tests.conftest import Published
from tools.screenshots import CHROMIUM, PHONE, REPO, WIDE, free_port, full_page, login, running_app

PASSWORD = "browser-password"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium: apt-get install -y chromium"),
]


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


# Text that does not fit its box: cut (overflow hidden, ellipsis) or scrolled inside it; and tables wider than
# their container, whose columns are out of sight.
CLIPPED = """() => Array.from(document.querySelectorAll('[data-testid=stMain] :is(th, td, button, p, label, h1, h2, '
    + 'h3, [data-testid=stMetricValue], [data-testid=stMetricLabel])'))
  .filter(e => e.offsetParent !== null && e.textContent.trim() && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 60))
  .concat(Array.from(document.querySelectorAll('[data-testid=stMain] table'))
    .filter(t => t.getBoundingClientRect().width > t.parentElement.getBoundingClientRect().width + 1)
    .map(t => 'TABLE: ' + t.querySelector('th').textContent.trim()))"""
# how far the page scrolls sideways: the document, or Streamlit's main area, which scrolls inside itself
SIDEWAYS = """() => Math.max(...[document.documentElement, document.querySelector('[data-testid=stMain]'),
    document.querySelector('[data-testid=stAppViewContainer]')]
  .filter(e => e).map(e => e.scrollWidth - e.clientWidth))"""


def test_every_page_draws_its_charts(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": WIDE, "height": 1000})
        page.goto(f"{app_url}/?lang=en&period=28d")
        page.get_by_label("User name").fill("boss")
        page.get_by_label("Password", exact=True).fill("wrong")
        page.get_by_role("button", name="Log in").click()
        page.get_by_text(i18n.t("login_wrong", "en")).wait_for(timeout=30_000)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("User name").fill("boss")
        page.get_by_role("button", name="Log in").click()
        page.get_by_text("Data as of").first.wait_for(timeout=30_000)
        # .streamlit/config.toml: a reader sees no Deploy button and no developer menu
        assert page.get_by_role("button", name="Deploy").count() == 0
        page.locator("[data-testid=stMainMenu]").click()
        page.get_by_text("Print").wait_for(timeout=10_000)  # the viewer's menu
        assert page.get_by_text("Clear cache").count() == page.get_by_text("Developer options").count() == 0
        page.keyboard.press("Escape")
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
            assert page.evaluate(CLIPPED) == [], key
            full_page(page, tmp_path / f"{key}.png")
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


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_plan_page_fits_a_desktop_and_a_phone(app_url: str, lang: str) -> None:
    """At 1440 px nothing a minister reads is cut off (tables, buttons, labels, metrics): on the plan page, and in
    Russian, whose labels are the longest, on every page; at 390 px (a phone) no page scrolls sideways."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM))
        page = browser.new_page(viewport={"width": WIDE, "height": 1000})
        login(page, app_url, "boss", PASSWORD, lang)
        # the regions' table is text the browser lays out (a canvas grid would cut its headers unseen)
        assert page.locator("[data-testid=stMain] table th").count() >= 7
        assert page.evaluate(CLIPPED) == []
        assert page.evaluate(SIDEWAYS) == 0
        for key in ui.PAGES[1:] if lang == "ru" else []:  # every page in English: test_every_page_draws_its_charts
            page.goto(f"{app_url}/{key.replace('_', '-')}?lang={lang}")
            page.get_by_role("heading", name=i18n.t(key, lang), exact=True, level=1).wait_for(timeout=30_000)
            page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000)
            assert page.evaluate(CLIPPED) == [], key
        phone = browser.new_page(viewport={"width": PHONE, "height": 844})
        login(phone, app_url, "boss", PASSWORD, lang)
        for key in ui.PAGES:
            if key != "plan":
                phone.goto(f"{app_url}/{key.replace('_', '-')}?lang={lang}")
                phone.get_by_role("heading", name=i18n.t(key, lang), exact=True, level=1).wait_for(timeout=30_000)
                phone.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000)
            assert phone.evaluate(SIDEWAYS) == 0, key
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
