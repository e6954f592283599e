from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from mamori.config import Settings
from mamori.notify.backends import (
    ConsoleBackend,
    DeliveryFailed,
    Email,
    NullBackend,
    SmtpBackend,
    backend_from_settings,
)

JA = Email(
    to="hanako@example.jp",
    subject="【重要】個人情報の開示請求について（受付番号 A-123）",
    body="山田 花子 様\n\nご請求を受け付けました。\n中文：您的请求已受理。繁體：您的請求已受理。\n",
    sender="privacy@example.jp",
)
USER, PASSWORD = "mamori", "s3cret-password"


class Sink:
    """An SMTP handler that keeps what it receives, or refuses every recipient."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.refuse = refuse
        self.received: list[tuple[str, list[str], EmailMessage]] = []
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if self.refuse:
            return f"550 5.1.1 <{address}>: user unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - hook name
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"

    def authenticate(
        self, _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        self.logins.append((data.login, data.password))
        ok = (data.login, data.password) == (USER.encode(), PASSWORD.encode())
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(sink: Sink) -> Iterator[tuple[Sink, int]]:
    port = _free_port()
    controller = Controller(
        sink, hostname="127.0.0.1", port=port, authenticator=sink.authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    yield from _serve(Sink())


@pytest.fixture
def refusing_sink() -> Iterator[tuple[Sink, int]]:
    yield from _serve(Sink(refuse=True))


class TestSmtpBackend:
    def test_japanese_and_chinese_arrive_intact(self, smtp_sink: tuple[Sink, int]) -> None:
        sink, port = smtp_sink
        SmtpBackend(host="127.0.0.1", port=port, timeout=5).send(JA)
        [(mail_from, rcpt_tos, message)] = sink.received
        assert (mail_from, rcpt_tos) == (JA.sender, [JA.to])
        assert message["Subject"] == JA.subject
        assert message["From"] == JA.sender
        assert message["To"] == JA.to
        assert message.get_content_charset() == "utf-8"
        assert message.get_content() == JA.body
        assert message["Message-ID"].endswith("@example.jp>")

    def test_headers_on_the_wire_are_ascii(self, smtp_sink: tuple[Sink, int]) -> None:
        sink, port = smtp_sink
        SmtpBackend(host="127.0.0.1", port=port).send(JA)
        raw = sink.received[0][2].as_bytes(policy=policy.SMTP)
        assert raw.isascii()  # RFC 2047 subject and base64 body: no server needs SMTPUTF8 or 8BITMIME

    def test_logs_in_with_the_configured_credentials(self, smtp_sink: tuple[Sink, int]) -> None:
        sink, port = smtp_sink
        SmtpBackend(host="127.0.0.1", port=port, username=USER, password=PASSWORD).send(JA)
        assert sink.logins == [(USER.encode(), PASSWORD.encode())]
        assert len(sink.received) == 1

    def test_wrong_password_is_a_temporary_failure(self, smtp_sink: tuple[Sink, int]) -> None:
        sink, port = smtp_sink
        with pytest.raises(DeliveryFailed) as caught:
            SmtpBackend(host="127.0.0.1", port=port, username=USER, password="wrong").send(JA)
        assert "SMTP 535" in caught.value.message
        assert not caught.value.permanent  # fixing the configuration must let the message go out
        assert sink.received == []

    def test_non_ascii_password_is_a_clear_failure(self, smtp_sink: tuple[Sink, int]) -> None:
        _, port = smtp_sink
        with pytest.raises(DeliveryFailed, match="ASCII"):
            SmtpBackend(host="127.0.0.1", port=port, username=USER, password="パスワード").send(JA)

    def test_refused_recipient_is_permanent_and_not_quoted(self, refusing_sink: tuple[Sink, int]) -> None:
        _, port = refusing_sink
        with pytest.raises(DeliveryFailed) as caught:
            SmtpBackend(host="127.0.0.1", port=port).send(JA)
        assert caught.value.permanent
        assert "550" in caught.value.message
        assert "hanako" not in str(caught.value)

    def test_unreachable_server(self) -> None:
        with pytest.raises(DeliveryFailed, match="cannot reach the SMTP server"):
            SmtpBackend(host="127.0.0.1", port=_free_port(), timeout=2).send(JA)

    def test_password_is_not_in_repr(self) -> None:
        assert PASSWORD not in repr(SmtpBackend(host="h", username=USER, password=PASSWORD))


class TestConsoleBackend:
    def test_prints_a_readable_message(self) -> None:
        stream = io.StringIO()
        ConsoleBackend(stream).send(JA)
        out = stream.getvalue()
        assert f"Subject: {JA.subject}" in out
        assert f"To: {JA.to}" in out
        assert "ご請求を受け付けました。" in out

    def test_defaults_to_standard_output(self, capsys: pytest.CaptureFixture[str]) -> None:
        ConsoleBackend().send(JA)
        assert JA.subject in capsys.readouterr().out


class TestNullBackend:
    def test_keeps_messages_in_order(self) -> None:
        backend = NullBackend()
        second = Email(to="b@example.jp", subject="2", body="", sender="s@example.jp")
        backend.send(JA)
        backend.send(second)
        assert backend.sent == [JA, second]


class TestBackendFromSettings:
    def _settings(self, **values: Any) -> Settings:
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    def test_each_choice(self) -> None:
        assert isinstance(backend_from_settings(self._settings(mail_backend="null")), NullBackend)
        assert isinstance(backend_from_settings(self._settings(mail_backend="console")), ConsoleBackend)

    def test_smtp_settings_are_carried_over(self) -> None:
        backend = backend_from_settings(
            self._settings(
                mail_backend="smtp",
                smtp_host="mail.example.jp",
                smtp_port=587,
                smtp_username=USER,
                smtp_password=SecretStr(PASSWORD),
                smtp_starttls=True,
            )
        )
        assert backend == SmtpBackend(
            host="mail.example.jp", port=587, username=USER, password=PASSWORD, starttls=True
        )
