"""Users and roles: who may log in, and the scope each role gives (see access/policy.py).

The users file (SAFELAKE_USERS_FILE, default SAFELAKE_HOME/users.yaml) holds one entry per user with
a salted scrypt hash of the password, never the password; a user without a hash can only log in
through OIDC (`st.login`) when that is configured.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import hmac
import os
import secrets
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from access.scope import Scope
from safelake.errors import SafeLakeError
from safelake.reference import geography
from safelake.settings import Settings

SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class Role(StrEnum):
    leadership = "leadership"  # national, cleared for small counts about minors and domestic violence
    regional_chief = "regional_chief"  # their own region only
    analyst = "analyst"  # national, pseudonymised facts, small counts suppressed
    admin = "admin"  # national, cleared
    internal_security = "internal_security"  # national, cleared for personnel data (discipline and integrity)


CLEARED = {Role.leadership, Role.admin}
PERSONNEL_CLEARED = {Role.internal_security}  # officers stay pseudonyms even for them


def scope_for(name: str, role: Role, region_code: str | None) -> Scope:
    """The scope a role gives, for a dashboard user or an e-mail recipient alike."""
    return Scope(
        name, region_code, cleared_for_sensitive=role in CLEARED, cleared_for_personnel=role in PERSONNEL_CLEARED
    )


class User(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    display_name: str = ""
    email: str | None = None
    role: Role
    region_code: str | None = None
    password_hash: str | None = None

    @model_validator(mode="after")
    def _region_matches_role(self) -> User:
        if (self.role == Role.regional_chief) != (self.region_code is not None):
            raise ValueError("a regional_chief needs region_code, and only a regional_chief has one")
        return self

    @property
    def scope(self) -> Scope:
        return scope_for(self.name, self.role, self.region_code)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    _, salt, digest = user.password_hash.split("$")
    actual = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), **SCRYPT)
    return hmac.compare_digest(actual, base64.b64decode(digest))


def _session_key(settings: Settings) -> bytes:
    """The key that signs session tokens: session.key beside the users file, created (mode 0600) on first use."""
    path = settings.users_path.with_name("session.key")
    if path.exists():
        return path.read_bytes()
    # written whole under another name, then linked into place: a second process never reads a half-written
    # key, and if it linked its own first, that one is used
    draft = path.with_name(f".session.key.{os.getpid()}")
    with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
        fh.write(secrets.token_bytes(32))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_bytes()


def _signature(settings: Settings, name: str, expires: int, password_hash: str) -> str:
    message = f"{name}\n{expires}\n{password_hash}".encode()
    return hmac.new(_session_key(settings), message, hashlib.sha256).hexdigest()


def session_token(settings: Settings, user: User, now: float) -> str:
    """A signed token that keeps a password login across browser reloads for `session_hours`. It is bound to
    the password hash, so a new password (or a removed user) ends every session of the old one."""
    expires = int(now + settings.session_hours * 3600)
    name = base64.urlsafe_b64encode(user.name.encode()).decode().rstrip("=")
    return f"{name}.{expires}.{_signature(settings, user.name, expires, user.password_hash or '')}"


def _parse_token(token: str) -> tuple[str, int, str] | None:
    try:
        encoded, expires_text, signature = token.split(".")
        name = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        return name, int(expires_text), signature
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors too
        return None


def user_from_token(settings: Settings, token: str, now: float) -> User | None:
    """The user a token from `session_token` stands for, or None if it is malformed, expired, revoked (logged
    out) or not theirs."""
    parsed = _parse_token(token)
    if parsed is None:
        return None
    name, expires, signature = parsed
    user = load_users(settings).get(name)
    if user is None or not user.password_hash or expires <= now:
        return None
    expected = _signature(settings, name, expires, user.password_hash)
    if not hmac.compare_digest(signature, expected):
        return None
    return None if _token_id(token) in _revoked(settings, now) else user


def _revoked_path(settings: Settings) -> Path:
    return settings.users_path.with_name("sessions.revoked")


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _revoked(settings: Settings, now: float) -> set[str]:
    path = _revoked_path(settings)
    if not path.exists():
        return set()
    with path.open(encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_SH)
        entries = [line.split() for line in fh if line.strip()]
    return {token_id for token_id, expires in entries if int(expires) > now}


def revoke_token(settings: Settings, token: str, now: float) -> None:
    """Logout: the token stops working at once, in every process that serves the dashboards. The file
    `sessions.revoked` beside the users file (mode 0600) keeps a hash of each revoked token until it would
    have expired anyway; expired entries are dropped as new ones are written."""
    parsed = _parse_token(token)
    if parsed is None or parsed[1] <= now:
        return
    path = _revoked_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        kept = [line for line in fh if line.strip() and int(line.split()[1]) > now]
        fh.seek(0)
        fh.truncate()
        fh.writelines([*kept, f"{_token_id(token)} {parsed[1]}\n"])


def load_users(settings: Settings) -> dict[str, User]:
    path = settings.users_path
    if not path.exists():
        return {}
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        users = [User(name=name, **(fields or {})) for name, fields in entries.get("users", {}).items()]
    except (yaml.YAMLError, ValidationError, TypeError, AttributeError) as exc:
        detail = str(exc).splitlines()[0] if not isinstance(exc, ValidationError) else exc.errors()[0]["msg"]
        raise SafeLakeError(f"{path}: not a valid users file ({detail}); see docs/access.md for the format") from None
    return {user.name: user for user in users}


def get_user(settings: Settings, name: str) -> User:
    users = load_users(settings)
    if name not in users:
        raise SafeLakeError(f"unknown user {name!r} in {settings.users_path}; add one with `safelake users add`")
    return users[name]


def authenticate(settings: Settings, name: str, password: str) -> User | None:
    user = load_users(settings).get(name)
    return user if user is not None and verify_password(user, password) else None


def save_user(settings: Settings, user: User) -> Path:
    """Add or replace one user; the file is rewritten atomically (a crash leaves the old one)."""
    path = settings.users_path
    users = load_users(settings) | {user.name: user}
    body = {"users": {u.name: u.model_dump(exclude={"name"}, exclude_none=True, mode="json") for u in users.values()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=True), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def demo_users(settings: Settings) -> list[tuple[str, str | None, str]]:
    """One user per role (name, region, display name); the regional chief heads the geography's most populous
    city (Bishkek, Almaty), so a demo chief sees a region of the country the instance serves."""
    place = geography(settings.geography)
    people = dict(zip(place.population["area_code"], place.population["population"], strict=True))
    regions = place.regions.to_dicts()
    cities = [r for r in regions if r.get("kind") == "city"] or regions
    city = max(cities, key=lambda r: people.get(r["region_code"], 0))
    name_en, name_ru = city.get("name_en") or city["region_code"], city.get("name_ru") or city["region_code"]
    return [
        ("leadership", None, "Руководство"),
        (f"chief.{name_en.split()[0].lower()}", city["region_code"], f"Начальник полиции — {name_ru}"),
        ("analyst", None, "Аналитик"),
        ("admin", None, "Администратор"),
        ("internal_security", None, "Служба собственной безопасности"),
    ]


def create_demo_users(settings: Settings) -> list[tuple[str, str, str]]:
    """On a machine with no users file yet: one user per role with a random password, returned once
    (name, role, password) to be shown to whoever ran `make up`. With a users file, nothing happens."""
    if settings.users_path.exists():
        return []
    created = []
    for name, region, display in demo_users(settings):
        role = Role.regional_chief if region else Role(name)
        password = secrets.token_urlsafe(12)
        save_user(
            settings,
            User(name=name, display_name=display, role=role, region_code=region, password_hash=hash_password(password)),
        )
        created.append((name, role.value, password))
    return created
