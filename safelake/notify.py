"""E-mail out: SMTP (STARTTLS, SSL or plain) when SAFELAKE_SMTP_HOST is set, else an .eml file in the outbox.

The outbox (SAFELAKE_HOME/outbox/) is the embedded default: on a laptop or in CI every message
that would have gone out is a file one can open. Alerts to the on-call address and the KPI
briefings (briefings/deliver.py) both go out through `send`.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from pydantic import SecretStr

from safelake.errors import SafeLakeError
from safelake.settings import Settings


def new_message(settings: Settings, to: str | list[str], subject: str) -> EmailMessage:
    """Headers only; the caller adds the body (plain text, or HTML with images and attachments)."""
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = ", ".join([to] if isinstance(to, str) else to)
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or "safelake")
    return msg


def message(settings: Settings, to: str | list[str], subject: str, body: str) -> EmailMessage:
    msg = new_message(settings, to, subject)
    msg.set_content(body)
    return msg


def send(settings: Settings, msg: EmailMessage) -> str:
    """Deliver one message; returns where it went (smtp://host:port or the .eml path)."""
    if settings.smtp_host:
        return _smtp(settings, settings.smtp_host, msg)
    return str(_to_outbox(settings, msg))


def alert(settings: Settings, subject: str, body: str) -> str:
    """A message to the on-call address."""
    return send(settings, message(settings, settings.oncall_email, f"[SafeLake] {subject}", body))


def _to_outbox(settings: Settings, msg: EmailMessage) -> Path:
    settings.outbox.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{msg['Subject']} {msg['To']}")[:80].strip("-").lower()
    path = settings.outbox / f"{stamp}-{secrets.token_hex(2)}-{slug}.eml"
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(msg.as_bytes())
    tmp.replace(path)
    return path


def _smtp(settings: Settings, host: str, msg: EmailMessage) -> str:
    port = settings.smtp_port
    where = f"smtp://{host}:{port}"
    try:
        if settings.smtp_security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=30, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(host, port, timeout=30)
        with client:
            if settings.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                if settings.smtp_password is None:
                    raise SafeLakeError(f"SAFELAKE_SMTP_USER is set but SAFELAKE_SMTP_PASSWORD is not ({where})")
                client.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise SafeLakeError(
            f"could not send '{msg['Subject']}' through {where} "
            f"(SAFELAKE_SMTP_SECURITY={settings.smtp_security}): {exc}"
        ) from exc
    return where


def with_smtp_connection(
    settings: Settings,
    host: str | None,
    port: int | None,
    login: str | None,
    password: str | None,
    security: str | None = None,
) -> Settings:
    """Settings whose SMTP fields come from an Airflow connection (SAFELAKE_SMTP_CONN_ID); unset fields are kept."""
    if not host:
        raise SafeLakeError(f"Airflow connection {settings.smtp_conn_id!r} has no host; set one or unset the id")
    update: dict[str, object] = {"smtp_host": host, "smtp_user": login or settings.smtp_user}
    if port:
        update["smtp_port"] = port
    if password:
        update["smtp_password"] = SecretStr(password)
    if security:
        if security not in ("starttls", "ssl", "none"):
            raise SafeLakeError(f"Airflow connection {settings.smtp_conn_id!r}: security must be starttls, ssl or none")
        update["smtp_security"] = security
    return settings.model_copy(update=update)
