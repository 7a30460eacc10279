"""Who is reading: a SafeLake user from the users file, logged in with a password (scrypt, `access.users`) or
through OIDC (`st.login`, when `.streamlit/secrets.toml` has an `[auth]` section; the provider's e-mail must be a
user's `email`). The session keeps the `User`; its `scope` is the scope of every query (see `ui.sidebar`).

A password login also leaves a signed session cookie (`access.users.session_token`), so a browser reload or a
new tab does not ask for the password again until it expires (`SAFELAKE_SESSION_HOURS`) or the user logs out.
Streamlit cannot set a cookie from the server: a script in the page does (`st.html`), and the server reads it
back from the request that opened the session (`st.context.cookies`)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, cast

import streamlit as st

from access.i18n import LANGS, Lang, t
from access.users import User, authenticate, load_users, revoke_token, session_token, user_from_token
from safelake.errors import SafeLakeError
from safelake.settings import get_settings

USER_KEY = "user"  # session_state: the logged-in access.users.User
COOKIE = "safelake_session"
COOKIE_TO_SET_KEY = "cookie_to_set"  # session_state: what the next page run writes to the cookie ("" deletes it)
LOGGED_OUT_KEY = "logged_out"  # session_state: this session's cookie (read when it opened) is no longer valid
TOKEN_KEY = "session_token"  # session_state: the token of this session's password login, revoked at logout


def _oidc() -> dict[str, Any] | None:
    """The `[auth]` section of the secrets, or None when OIDC is not configured."""
    try:
        section = st.secrets.get("auth")
    except FileNotFoundError:  # no secrets.toml at all
        return None
    return dict(section) if section else None


def _oidc_email() -> str | None:
    return cast("str | None", st.user.get("email")) if _oidc() and st.user.get("is_logged_in") else None


def provider_language() -> Lang | None:
    """The language the single-sign-on provider gives for its user (the OIDC `locale` claim, e.g. "en-GB"):
    the provider sends the browser back to the app's root, without the `?lang=` it left with."""
    if not _oidc() or not st.user.get("is_logged_in"):
        return None
    language = str(st.user.get("locale") or "")[:2].lower()
    return cast(Lang, language) if language in LANGS else None


def session_user() -> User | None:
    """The logged-in user, if any; an OIDC login is matched to the users file by e-mail (no match: None)."""
    user = st.session_state.get(USER_KEY)
    if user is None and not st.session_state.get(LOGGED_OUT_KEY) and (token := st.context.cookies.get(COOKIE)):
        user = st.session_state[USER_KEY] = user_from_token(get_settings(), token, time.time())
        st.session_state[TOKEN_KEY] = token
    if user is None and (email := _oidc_email()):
        users = load_users(get_settings())
        user = next((u for u in users.values() if u.email and u.email.lower() == email.lower()), None)
        st.session_state[USER_KEY] = user
    return user


def login_page() -> None:
    """The only page before login: the password form, the single-sign-on button, or how to create users."""
    lang: Lang = st.session_state.get("lang", "ru")
    settings = get_settings()
    st.title(t("login", lang))
    if not settings.users_path.exists():
        st.info(t("login_no_users", lang, path=settings.users_path))
        return
    if email := _oidc_email():  # logged in at the provider, but no SafeLake user has that e-mail
        st.error(t("login_sso_refused", lang, email=email))
        if st.button(t("logout", lang)):
            st.logout()
        return
    if auth := _oidc():
        providers: list[str | None] = [name for name, value in auth.items() if isinstance(value, Mapping)] or [None]
        for provider in providers:
            label = t("login_sso", lang) + (f" ({provider})" if provider else "")
            if st.button(label, key=f"sso_{provider}", type="primary"):
                st.login(provider)
        st.caption(t("login_or", lang))
    with st.form("login", clear_on_submit=True):
        name = st.text_input(t("username", lang), key="login_name")
        password = st.text_input(t("password", lang), type="password", key="login_password")
        submitted = st.form_submit_button(t("login_button", lang))
    if submitted:
        try:
            user = authenticate(settings, name.strip(), password)
        except SafeLakeError as exc:  # a broken users file: one line naming it
            st.error(str(exc))
            return
        if user is None:
            st.error(t("login_wrong", lang))
            return
        st.session_state[USER_KEY] = user
        token = st.session_state[TOKEN_KEY] = session_token(settings, user, time.time())
        st.session_state[COOKIE_TO_SET_KEY] = token
        st.session_state.pop(LOGGED_OUT_KEY, None)
        st.rerun()


def cookie_script(value: str, max_age: int, secure: bool) -> str:
    """The script that writes the session cookie; `Secure` when the page was served over HTTPS."""
    flags = "; Secure" if secure else ""
    return f"document.cookie = '{COOKIE}={value}; Max-Age={max_age}; Path=/; SameSite=Strict{flags}';"


def served_over_https(url: str | None, headers: Mapping[str, str]) -> bool:
    """The browser's URL is https, or a reverse proxy that ended TLS says so (X-Forwarded-Proto)."""
    forwarded = headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return (url or "").lower().startswith("https://") or forwarded == "https"


def keep_session() -> None:
    """After a password login, put its token in the browser's cookie (once); after a logout, delete the cookie."""
    value = st.session_state.pop(COOKIE_TO_SET_KEY, None)
    if value is not None:
        max_age = int(get_settings().session_hours * 3600) if value else 0
        secure = served_over_https(st.context.url, st.context.headers)
        st.html(f"<script>{cookie_script(value, max_age, secure)}</script>", unsafe_allow_javascript=True)


def logout() -> None:
    """Revoke the session's token on the server (a copy of the cookie stops working too), forget the user and
    everything the session held for them (filters, SQL results); keep the language."""
    tokens: set[str] = {t for t in (st.session_state.get(TOKEN_KEY), st.context.cookies.get(COOKIE)) if t}
    for token in tokens:
        revoke_token(get_settings(), token, time.time())
    for key in [k for k in st.session_state if k != "lang"]:
        del st.session_state[key]
    st.session_state[LOGGED_OUT_KEY] = True
    st.session_state[COOKIE_TO_SET_KEY] = ""
    if _oidc_email():
        st.logout()  # clears the provider's cookie and starts a new session
    else:
        st.rerun()
