"""One batch of a campaign, in the caller's unit of work (a ``campaigns.send`` job).

A batch reads the next pending deliveries, hands each e-mail to SMTP and marks it ``sent`` in
the same transaction, which commits with the job. A crash before the commit leaves the batch
pending and the job to be run again: the batch is sent again with the same Message-IDs
(:func:`rules.message_id`), so nobody is missed and a message handed over twice is the same
message, which receivers recognise. Nothing of a person (address, name) is logged or stored in
the delivery rows.

Speed (decision 0019): the text of each language is rendered and MIME-encoded once per batch
(:class:`Template`); a message is then that template's bytes behind its own ``To`` and
``Message-ID`` headers. A batch goes out over a few SMTP connections kept open for it, with
several messages per connection, and its delivery records are written in one statement.
"""

from __future__ import annotations

import re
import smtplib
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from typing import Any, Protocol, cast

from sqlalchemy import String, Table, literal, select, update
from sqlalchemy import cast as cast_
from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.campaigns import rules
from mamori.campaigns.models import Campaign, CampaignDelivery
from mamori.config import Settings
from mamori.db.base import utcnow
from mamori.notify.backends import Email, build_message
from mamori.policy.changes import texts as change_texts
from mamori.policy.changes.classify import classify
from mamori.policy.models import PolicyVersion
from mamori.security.crypto import cipher_from_settings
from mamori.subjects.models import SubjectIdentifier

BATCH = 2000
VALUE_CONTEXT = "subject_identifiers.value"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message ready for SMTP: the envelope recipient, its Message-ID and the whole message."""

    to: str
    message_id: str
    data: bytes  # headers and body, CRLF line ends, as handed to SMTP


class Transport(Protocol):
    def send_all(self, sender: str, messages: list[Outgoing]) -> None:
        """Hand over every message; raise on the first failure."""

    def close(self) -> None: ...


@dataclass
class SmtpTransport:
    """SMTP connections kept open for a batch, several at once (one per message is far too slow)."""

    host: str
    port: int
    connections: int = 4
    _open: list[smtplib.SMTP] = field(default_factory=list)

    def send_all(self, sender: str, messages: list[Outgoing]) -> None:
        count = max(1, min(self.connections, len(messages)))
        while len(self._open) < count:
            self._open.append(smtplib.SMTP(self.host, self.port, timeout=10))
        slices = [messages[i::count] for i in range(count)]
        with ThreadPoolExecutor(max_workers=count) as pool:  # sockets release the GIL while waiting
            list(pool.map(lambda smtp, part: _send_slice(smtp, sender, part), self._open[:count], slices))

    def close(self) -> None:
        for smtp in self._open:
            try:
                smtp.quit()
            except smtplib.SMTPException:  # the batch's outcome is already decided
                smtp.close()
        self._open.clear()


def _send_slice(smtp: smtplib.SMTP, sender: str, messages: list[Outgoing]) -> None:
    """Send on one connection; with PIPELINING (RFC 2920) one round trip per message, else four."""
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("pipelining") or not sender.isascii():
        for message in messages:
            smtp.sendmail(sender, [message.to], message.data)
        return
    mail = f"MAIL FROM:<{sender}>\r\n".encode("ascii")
    pending: list[bytes] = []  # what the next group starts with: the previous message's content
    expected: list[int] = []
    for message in messages:
        if not message.to.isascii():  # SMTPUTF8 is for smtplib to negotiate
            _flush(smtp, pending, expected)
            smtp.sendmail(sender, [message.to], message.data)
            continue
        pending += [mail, f"RCPT TO:<{message.to}>\r\n".encode("ascii"), b"DATA\r\n"]
        expected += [250, 250, 354]
        _flush(smtp, pending, expected)  # DATA ends a group: its 354 comes before the content
        pending, expected = [_wire(message.data)], [250]
    _flush(smtp, pending, expected)


def _flush(smtp: smtplib.SMTP, pending: list[bytes], expected: list[int]) -> None:
    """Write a group of commands at once, then read one reply per command; raise on any refusal."""
    if not pending:
        return
    smtp.send(b"".join(pending))
    for want in expected:
        code, reply = smtp.getreply()
        if code != want and not (want == 250 and 200 <= code < 300):  # noqa: PLR2004 - SMTP codes
            smtp.close()
            raise smtplib.SMTPResponseException(code, reply)
    pending.clear()
    expected.clear()


def _wire(data: bytes) -> bytes:
    """The message content as DATA carries it: CRLF ends, leading dots doubled, then ``.``."""
    body = re.sub(rb"(?m)^\.", b"..", re.sub(rb"\r?\n", b"\r\n", data))
    return body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n"


@dataclass(frozen=True, slots=True)
class Template:
    """One language's message, MIME-encoded once: a message is ``To`` and ``Message-ID`` + this."""

    sender: str
    subject: str
    body: str
    data: bytes

    @classmethod
    def of(cls, sender: str, subject: str, body: str) -> Template:
        message = EmailMessage()  # the text's own line ends are "\n", as build_message makes them
        message["From"] = sender
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message.set_content(body, charset="utf-8", cte=None if body.isascii() else "base64")
        return cls(sender, subject, body, message.as_bytes(policy=SMTP))

    def message(self, to: str, message_id: str) -> Outgoing:
        if to.isascii() and "\r" not in to and "\n" not in to:
            head = f"To: {to}\r\nMessage-ID: {message_id}\r\n".encode("ascii")
            return Outgoing(to, message_id, head + self.data)
        built = build_message(Email(to=to, subject=self.subject, body=self.body, sender=self.sender))
        built.replace_header("Message-ID", message_id)  # an address in UTF-8: the general path
        return Outgoing(to, message_id, built.as_bytes(policy=SMTP))


@dataclass(frozen=True)
class Batch:
    sent: int
    printed: int
    more: bool  # deliveries are left after this batch


def send_batch(
    session: Session, settings: Settings, campaign_id: uuid.UUID, *, transport: Transport, size: int = BATCH
) -> Batch:
    """Send the next ``size`` deliveries of a running campaign (none when it is not running)."""
    campaign = session.get_one(Campaign, campaign_id)
    if campaign.state != rules.RUNNING:
        return Batch(0, 0, more=False)
    rows = _claim(session, campaign_id, size)
    content = _content(session, campaign)
    try:
        sent = _send(session, settings, content, rows, transport)
    finally:
        transport.close()
    printed = _to_print(session, rows)
    return Batch(sent, printed, more=len(rows) == size)


@dataclass(frozen=True)
class _Content:
    campaign_id: str
    kind: str
    version: int
    date: str
    changes: dict[str, list[str]]  # language → the change lines
    rate: int


_CONTENTS: dict[tuple[str, int], _Content] = {}


def _content(session: Session, campaign: Campaign) -> _Content:
    """What the campaign says, per language (kept per process: versions never change)."""
    key = (str(campaign.id), campaign.policy_version)
    if key in _CONTENTS:
        return _CONTENTS[key]
    versions = {v.number: v for v in session.scalars(select(PolicyVersion).where(
        PolicyVersion.number.in_([campaign.policy_version - 1, campaign.policy_version])))}  # fmt: skip
    new, old = versions[campaign.policy_version], versions.get(campaign.policy_version - 1)
    found = [c for c in classify(old.content if old else {}, new.content) if c.target == campaign.purpose_id]
    lines = {lang: [change_texts.rule_text(c, lang) for c in found] for lang in rules.LANGS}
    _CONTENTS[key] = _Content(str(campaign.id), campaign.kind, new.number, _iso(new.effective_date), lines,
                              campaign.rate_per_second)  # fmt: skip
    return _CONTENTS[key]


def _iso(day: date) -> str:
    return day.isoformat()


def _claim(session: Session, campaign_id: uuid.UUID, size: int) -> list[Any]:
    """The next pending deliveries, locked against a concurrent batch (PostgreSQL; SQLite has one writer)."""
    stmt = (
        select(CampaignDelivery.id, CampaignDelivery.subject_id, CampaignDelivery.language,
               CampaignDelivery.channel, CampaignDelivery.reminders)
        .where(CampaignDelivery.campaign_id == campaign_id, CampaignDelivery.status == rules.PENDING)
        .order_by(CampaignDelivery.id).limit(size).with_for_update(skip_locked=True)
    )  # fmt: skip
    return list(session.execute(stmt))


def _addresses(session: Session, settings: Settings, delivery_ids: list[int]) -> dict[int, str]:
    """The e-mail address of each delivery's person (the newest when several), by delivery id.

    Joined through the deliveries' integer keys, in Core: no UUID is converted either way.
    """
    cipher = cipher_from_settings(settings)
    delivery = cast("Table", CampaignDelivery.__table__)
    ident = cast("Table", SubjectIdentifier.__table__)
    rows = session.connection().execute(
        select(delivery.c.id, ident.c.value_encrypted)
        .join(ident, ident.c.subject_id == delivery.c.subject_id)
        .where(delivery.c.id.in_(delivery_ids), ident.c.kind == "email")
        .order_by(ident.c.created_at)
    )
    return {delivery_id: cipher.decrypt(value, context=VALUE_CONTEXT) for delivery_id, value in rows}


def _send(
    session: Session,
    settings: Settings,
    content: _Content,
    batch: list[Any],
    transport: Transport,
) -> int:
    emails = [row for row in batch if row.channel == "email"]
    if not emails:
        return 0
    links = {
        "preferences": settings.public_url("/preferences"),
        "history": settings.public_url("/privacy/history"),
    }
    rendered = {
        lang: rules.texts(content.kind, lang, version=content.version, date=content.date,
                          changes=content.changes[lang], links=links)
        for lang in {row.language for row in emails}
    }  # fmt: skip
    domain = settings.mail_from.rpartition("@")[2] or "localhost"
    templates = {
        lang: Template.of(settings.mail_from, text.subject, text.body) for lang, text in rendered.items()
    }
    addresses = _addresses(session, settings, [row.id for row in emails])
    done: dict[int, str] = {}
    outgoing: list[Outgoing] = []
    for row in emails:
        address = addresses.get(row.id)
        if address is None:
            continue
        ident = rules.message_id(content.campaign_id, row.id, domain, row.reminders)
        outgoing.append(templates[row.language].message(address, ident))
        done[row.id] = ident
    transport.send_all(settings.mail_from, outgoing)
    _mark_sent(session, content, done, [row.id for row in emails if row.id not in done], domain)
    return len(done)


def _mark_sent(
    session: Session, content: _Content, done: dict[int, str], lost: list[int], domain: str
) -> None:
    now = utcnow()
    table = cast("Table", CampaignDelivery.__table__)
    if done:  # one statement for the batch; the Message-ID is built by the database as rules.message_id
        ident = (
            literal(f"<campaign.{content.campaign_id}.") + cast_(table.c.id, String) + literal(".")
            + cast_(table.c.reminders, String) + literal(f"@{domain}>")
        )  # fmt: skip
        stmt = update(table).where(table.c.id.in_(list(done)))
        session.connection().execute(
            stmt.values(status=rules.SENT, message_id=ident, sent_at=now, updated_at=now)
        )
    if lost:  # the address was removed since the audience was built
        stmt = update(table).where(table.c.id.in_(lost))
        session.execute(stmt.values(status=rules.FAILED, error="no e-mail address", updated_at=now))
    details = {"sent": len(done), "failed": len(lost), "purpose": "policy_revision_notice"}
    record_event(
        session, actor="system:campaigns", action="campaign.batch_sent", target_type="campaign",
        target_id=content.campaign_id, details=details,
    )  # fmt: skip


def _to_print(session: Session, batch: list[Any]) -> int:
    """Deliveries by post join the print batch (status ``print``), printed and posted by the office."""
    posts = [row.id for row in batch if row.channel == "post"]
    if posts:
        stmt = update(CampaignDelivery).where(CampaignDelivery.id.in_(posts))
        session.execute(stmt.values(status=rules.PRINT, updated_at=utcnow()))
    return len(posts)
