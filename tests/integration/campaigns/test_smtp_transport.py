"""The campaign transport against a real SMTP server, with and without PIPELINING (RFC 2920)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mamori.campaigns.sender import SmtpTransport, Template
from tests.factories.smtp import running_sink
from tests.unit.notify.test_backends import Sink


class PipeliningSink(Sink):
    """The test sink, offering PIPELINING (aiosmtpd reads commands in order, so it copes)."""

    async def handle_EHLO(  # noqa: N802 - aiosmtpd's hook name
        self, _server: Any, session: Any, _envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname  # the hook's duty in aiosmtpd
        return [*responses[:-1], "250-PIPELINING", responses[-1]]


@pytest.fixture(params=[True, False], ids=["pipelining", "plain"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[Sink, int]]:
    handler = PipeliningSink(refuse=False) if request.param else Sink()
    with running_sink(handler) as port:
        yield handler, port


def test_every_message_arrives_whole_with_its_message_id(server: tuple[Sink, int]) -> None:
    handler, port = server
    body = "第2版の方針で変更があります。\n.a line that starts with a dot\n"
    english = Template.of("privacy@example.jp", "Changes to our privacy policy", ".\nstarts with a dot\n")
    japanese = Template.of("privacy@example.jp", "【重要】個人情報保護方針の改定のお知らせ", body)
    messages = [
        (english if n % 2 else japanese).message(f"p{n}@example.jp", f"<c.{n}.0@example.jp>")
        for n in range(9)
    ]
    transport = SmtpTransport("127.0.0.1", port, connections=2)
    transport.send_all("privacy@example.jp", messages)
    transport.close()
    got = {str(m["Message-ID"]): (rcpts, m) for _, rcpts, m in handler.received}
    assert sorted(got) == sorted(f"<c.{n}.0@example.jp>" for n in range(9))
    for n in range(9):
        rcpts, message = got[f"<c.{n}.0@example.jp>"]
        assert rcpts == [f"p{n}@example.jp"] == [str(message["To"])]
        if n % 2:
            assert message.get_content().replace("\r\n", "\n") == ".\nstarts with a dot\n"  # dots unstuffed
        else:
            assert str(message["Subject"]) == "【重要】個人情報保護方針の改定のお知らせ"
            assert message.get_content() == body


def test_a_refused_recipient_fails_the_batch(server: tuple[Sink, int]) -> None:
    handler, port = server
    handler.refuse = True
    template = Template.of("privacy@example.jp", "Subject", "Body\n")
    transport = SmtpTransport("127.0.0.1", port, connections=1)
    with pytest.raises(Exception):  # noqa: B017 - smtplib's error differs by path; any stops the batch
        transport.send_all("privacy@example.jp", [template.message("p@example.jp", "<c.1.0@example.jp>")])
    transport.close()
    assert handler.received == []
