"""Email: every message is queued in the register's outbox in the same transaction as the event it
tells of, then delivered through SMTP (the standard library's `email` and `smtplib`).

Settings (`REGISTER_MAIL_*`, or `MAIL_*` in instance/config.py): `MAIL_SERVER` (none: nothing is
sent, and the messages wait in the outbox page for administrators, each also written to the log),
`MAIL_PORT` (587), `MAIL_SECURITY` (`starttls`, `ssl` or `none`), `MAIL_USERNAME`,
`MAIL_PASSWORD`, `MAIL_SENDER` (the From address), `MAIL_TIMEOUT_SECONDS` (10), and `BASE_URL`,
the register's address, for the link in each message.

A message carries a title, dates and a link into the register, never the register's content: the
reader signs in to see the rest. A message that cannot be sent (refused, timed out, server down)
stays queued with the reason, and is tried again by the next delivery, up to `MAX_ATTEMPTS` times;
the outbox shows every message and where it stands.
"""
from __future__ import annotations

import json
import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from markupsafe import escape
from sqlite_utils import Database

from .db import write_transaction
from .rules.text import is_email
from .timeutil import utcnow_iso

log = logging.getLogger("register")

MAX_ATTEMPTS = 5
SECURITY = ("starttls", "ssl", "none")


class MailProblem(ValueError):
    """A message that cannot be queued: the words say why."""


@dataclass(frozen=True)
class Message:
    """One email before it is queued: who to, the subject, the lines of text and the link."""

    to: str
    subject: str
    lines: tuple[str, ...]
    link_path: str = "/"
    link_text: str = "Open the register"
    kind: str = "notice"


def _one_line(text: str) -> str:
    """Header text on one line: no CR or LF can start another header."""
    return " ".join(str(text).split())


def queue(db: Database, message: Message, *, digest: bool = False) -> int:
    """Put a message in the outbox (call inside the write that it tells of); returns its id.
    With `digest`, it waits for the person's daily summary instead of going at once. A malformed
    address is refused with MailProblem and nothing is written."""
    to = (message.to or "").strip()
    if not is_email(to):
        raise MailProblem(f"'{to}' is not an email address, so no message was sent to it")
    return db["outbox"].insert({
        "to_address": to, "subject": _one_line(message.subject)[:200],
        "body": "\n".join(message.lines), "link_path": message.link_path,
        "link_text": message.link_text, "kind": message.kind, "created_at": utcnow_iso(),
        "attempts": 0, "sent_at": None, "last_error": None, "digest": int(digest)}).last_pk


def configured(config: Mapping[str, Any]) -> bool:
    """Whether an SMTP server is set, so that messages are sent rather than kept in the outbox."""
    return bool(config.get("MAIL_SERVER"))


def build(row: Mapping[str, Any], config: Mapping[str, Any]) -> EmailMessage:
    """The email of an outbox row: plain text and HTML in the NHS style, with the link."""
    link = (config.get("BASE_URL") or "").rstrip("/") + (row["link_path"] or "/")
    service = config.get("SERVICE_NAME") or "Conflicts and decisions register"
    organisation = config.get("ORGANISATION_NAME") or ""
    lines = (row["body"] or "").split("\n")
    email = EmailMessage()
    email["Subject"] = _one_line(row["subject"])
    email["From"] = Address(_one_line(service), addr_spec=config.get("MAIL_SENDER")
                            or "register@localhost")
    email["To"] = row["to_address"]
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="register.invalid")
    text = "\n\n".join([*lines, f"{row['link_text']}: {link}",
                        f"{service}\n{organisation}".strip()])
    email.set_content(text + "\n")
    paragraphs = "".join(f'<p style="margin:0 0 16px">{escape(line)}</p>' for line in lines
                         if line)
    html = (
        '<!doctype html><html lang="en"><body style="margin:0;background:#f0f4f5;'
        'font-family:Arial,sans-serif;color:#212b32;font-size:16px;line-height:1.5">'
        '<div style="background:#005eb8;padding:16px 24px;color:#fff;font-weight:bold">'
        f'{escape(service)}</div>'
        '<div style="background:#fff;padding:24px;max-width:600px">'
        f'{paragraphs}'
        f'<p style="margin:24px 0"><a href="{escape(link)}" style="background:#007f3b;color:#fff;'
        'padding:12px 16px;text-decoration:none;font-weight:bold;border-radius:4px">'
        f'{escape(row["link_text"])}</a></p>'
        f'<p style="color:#4c6272;font-size:14px">{escape(organisation)}</p>'
        '</div></body></html>')
    email.add_alternative(html, subtype="html")
    return email


def _connect(config: Mapping[str, Any]) -> smtplib.SMTP:
    security = (config.get("MAIL_SECURITY") or "starttls").lower()
    host, timeout = config["MAIL_SERVER"], float(config.get("MAIL_TIMEOUT_SECONDS") or 10)
    if security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, int(config.get("MAIL_PORT") or 465),
                                              timeout=timeout,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, int(config.get("MAIL_PORT") or 587), timeout=timeout)
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return smtp


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: int = 0
    failed: int = 0
    waiting: int = 0  # no server set: left in the outbox


def deliver(db: Database, config: Mapping[str, Any], limit: int = 200) -> Delivery:
    """Send the queued messages (oldest first); each sent one is marked, each failure noted with
    its reason and left for the next run. Without a server, each waiting message is logged once
    and left in the outbox."""
    result = Delivery()
    rows = list(db.query("SELECT * FROM outbox WHERE sent_at IS NULL AND attempts < ?"
                         " AND digest = 0 ORDER BY id LIMIT ?", [MAX_ATTEMPTS, limit]))
    if not rows:
        return result
    if not configured(config):
        for row in rows:
            if not row["logged_at"]:
                log.info("email not sent (no mail server set; kept in the outbox): to %s: %s",
                         row["to_address"], row["subject"])
                with write_transaction(db):
                    db.execute("UPDATE outbox SET logged_at = ? WHERE id = ?",
                               [utcnow_iso(), row["id"]])
        result.waiting = len(rows)
        return result
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as error:
        reason = f"Could not reach the mail server: {error}"
        log.error("email: %s", reason)
        for row in rows:
            _failed(db, row, reason)
        result.failed = len(rows)
        return result
    with smtp:
        for row in rows:
            try:
                smtp.send_message(build(row, config))
            except (OSError, smtplib.SMTPException) as error:
                _failed(db, row, f"The mail server refused it: {error}")
                result.failed += 1
                continue
            # Each message marked on its own, so the lock is never held while the server talks.
            with write_transaction(db):
                db.execute("UPDATE outbox SET sent_at = ?, attempts = attempts + 1,"
                           " last_error = NULL WHERE id = ?", [utcnow_iso(), row["id"]])
            result.sent += 1
    return result


def _failed(db: Database, row: Mapping[str, Any], reason: str) -> None:
    with write_transaction(db):
        db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                   [reason[:500], row["id"]])


def outbox(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """The newest messages, each with where it stands in words."""
    rows = list(db.query("SELECT * FROM outbox ORDER BY id DESC LIMIT ?", [limit]))
    for row in rows:
        if row["sent_at"] and row["digest"]:
            row["state"], row["colour"] = "In a daily summary", "green"
        elif row["sent_at"]:
            row["state"], row["colour"] = "Sent", "green"
        elif row["digest"]:
            row["state"], row["colour"] = "Waiting for the daily summary", "white"
        elif row["attempts"] >= MAX_ATTEMPTS:
            row["state"], row["colour"] = f"Gave up after {row['attempts']} attempts", "red"
        elif row["attempts"]:
            row["state"], row["colour"] = (f"Not sent yet: {row['attempts']} attempt"
                                           f"{'s' if row['attempts'] != 1 else ''} failed"), "orange"
        else:
            row["state"], row["colour"] = "Waiting to be sent", "yellow"
    return rows


def security_problem(value: str | None) -> str | None:
    """Why a MAIL_SECURITY setting is not usable, or None."""
    if (value or "starttls").lower() not in SECURITY:
        return f"MAIL_SECURITY must be one of {', '.join(SECURITY)}"
    return None


def summaries(db: Database) -> list[tuple[str, list[dict[str, Any]]]]:
    """The messages waiting for each person's daily summary: (address, rows), oldest first."""
    found: dict[str, list[dict[str, Any]]] = {}
    for row in db.query("SELECT * FROM outbox WHERE digest = 1 AND sent_at IS NULL"
                        " ORDER BY id"):
        found.setdefault(row["to_address"], []).append(dict(row))
    return sorted(found.items())


def queue_summary(db: Database, address: str, rows: list[dict[str, Any]]) -> int:
    """Queue one daily summary for the messages in `rows` and mark them as gone in it (call
    inside a write transaction)."""
    lines = ("Since your last summary:", *(f"- {row['subject']}" for row in rows))
    summary = queue(db, Message(to=address, subject=f"Your daily summary: {len(rows)} "
                                f"update{'s' if len(rows) != 1 else ''}",
                                lines=lines, link_path="/", link_text="Open the register",
                                kind="daily_summary"))
    db.execute("UPDATE outbox SET sent_at = ?, last_error = NULL WHERE id IN"
               " (SELECT value FROM json_each(?))",
               [utcnow_iso(), json.dumps([row["id"] for row in rows])])
    return summary
