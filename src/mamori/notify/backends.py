"""Mail backends: SMTP for production, console for development, null (in memory) for tests."""

from __future__ import annotations

import smtplib
import ssl
import sys
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol, TextIO

from mamori.config import Settings
from mamori.errors import MamoriError

DEFAULT_TIMEOUT = 10.0  # seconds; below SQLite's 30 s busy timeout, since a send holds a transaction


class DeliveryFailed(MamoriError):  # noqa: N818 - domain vocabulary, like the other errors
    """A message could not be handed over. The message never carries an address or body text.

    ``permanent`` means trying again will not help (the server refused the recipient).
    """

    code = "delivery-failed"

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (a receipt's PDF)."""

    filename: str
    content_type: str  # "application/pdf"
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    sender: str
    attachments: tuple[Attachment, ...] = ()


class MailBackend(Protocol):
    def send(self, email: Email) -> None:
        """Hand ``email`` over for delivery, or raise :class:`DeliveryFailed`."""


def build_message(email: Email) -> EmailMessage:
    """A MIME message in UTF-8: RFC 2047 subject, base64 body when the text is not ASCII."""
    message = EmailMessage()
    message["From"] = email.sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=email.sender.rpartition("@")[2] or None)
    message.set_content(email.body, charset="utf-8", cte=None if email.body.isascii() else "base64")
    for attachment in email.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def _smtp_failure(exc: smtplib.SMTPException) -> DeliveryFailed:
    # Server replies often quote the address ("<taro@…> user unknown"), so keep only the codes.
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        permanent = all(500 <= code < 600 for code in codes)  # noqa: PLR2004 - SMTP reply classes
        return DeliveryFailed(f"recipient refused (SMTP {', '.join(map(str, codes))})", permanent=permanent)
    if isinstance(exc, smtplib.SMTPResponseException):
        return DeliveryFailed(f"SMTP {exc.smtp_code} ({type(exc).__name__})")
    return DeliveryFailed(f"SMTP error ({type(exc).__name__})")


@dataclass(frozen=True)
class SmtpBackend:
    host: str
    port: int = 25
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    timeout: float = DEFAULT_TIMEOUT

    def send(self, email: Email) -> None:
        message = build_message(email)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                self._open(smtp)
                smtp.send_message(message)
        except smtplib.SMTPException as exc:
            raise _smtp_failure(exc) from exc
        except OSError as exc:  # refused, unreachable, timed out, TLS handshake
            raise DeliveryFailed(f"cannot reach the SMTP server ({type(exc).__name__})") from exc

    def _open(self, smtp: smtplib.SMTP) -> None:
        if self.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if self.username:
            try:
                smtp.login(self.username, self.password or "")
            except UnicodeEncodeError as exc:  # smtplib's AUTH speaks ASCII only
                raise DeliveryFailed("SMTP login needs an ASCII username and password") from exc


@dataclass(frozen=True)
class ConsoleBackend:
    """Prints each message instead of sending it; ``stream`` defaults to standard output at send time."""

    stream: TextIO | None = None

    def send(self, email: Email) -> None:
        out = self.stream or sys.stdout
        rule = "-" * 72
        headers = f"From: {email.sender}\nTo: {email.to}\nSubject: {email.subject}"
        files = "".join(f"[attached: {a.filename}, {len(a.data):,} bytes]\n" for a in email.attachments)
        out.write(f"{rule}\n{headers}\n\n{email.body}\n{files}{rule}\n")
        out.flush()


@dataclass
class NullBackend:
    """Keeps every message in ``sent``; nothing leaves the process."""

    sent: list[Email] = field(default_factory=list)

    def send(self, email: Email) -> None:
        self.sent.append(email)


def backend_from_settings(settings: Settings) -> MailBackend:
    """The backend ``MAMORI_MAIL_BACKEND`` names, configured from the ``MAMORI_SMTP_*`` settings."""
    if settings.mail_backend == "smtp":
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return SmtpBackend(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            starttls=settings.smtp_starttls,
        )
    if settings.mail_backend == "null":
        return NullBackend()
    return ConsoleBackend()
