"""A consent change mails its receipt as a PDF attachment, in the person's language, through real SMTP."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.centre.preferences import change_consent, preferences_view
from mamori.config import Settings
from mamori.consents.decisions.service import check
from mamori.notices import receipt_messages
from mamori.notify.backends import SmtpBackend
from mamori.notify.models import OutboundMessage
from mamori.notify.service import Outbox, deliver_in
from mamori.policy.service import bundle_of, require_current_version
from mamori.security.crypto import cipher_from_settings
from tests.factories.smtp import running_sink
from tests.integration.centre.test_preferences import EMAIL, _person, _signed_in
from tests.unit.notify.test_backends import Sink


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    with running_sink(handler) as port:
        yield handler, port


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lang", ["ja", "en", "zh-Hans", "zh-Hant"])
def test_withdrawal_receipt_is_a_pdf_attached_naming_the_change(
    session: Session, settings: Settings, sink: tuple[Sink, int], tmp_path: Path, lang: str
) -> None:
    from mamori.web.receipts import receipt_pdf  # the interface's renderer, as the page passes it

    handler, port = sink
    outbox = Outbox(
        session_factory=sessionmaker(bind=session.get_bind()), backend=SmtpBackend("127.0.0.1", port),
        cipher=cipher_from_settings(settings), sender="privacy@example.jp", dispatch_on_commit=False,
    )  # fmt: skip
    subject = _person(session, settings)
    link = _signed_in(session, settings, outbox, lang)
    bundle = bundle_of(require_current_version(session))
    shown = preferences_view(session, subject, bundle, lang).choice("purpose:customer.mailings")
    assert shown is not None
    change_consent(session, link=link, scope=shown.scope, action="given", notice_hash=shown.notice_hash,
                   lang=lang, outbox=outbox, settings=settings,
                   render_receipt=receipt_pdf)  # fmt: skip
    event = change_consent(session, link=link, scope=shown.scope, action="withdrawn", notice_hash=None,
                           lang=lang, outbox=outbox, settings=settings,
                           render_receipt=receipt_pdf)  # fmt: skip
    refused = check(session, settings, actor="t", subject=subject.id, purpose_id="customer.mailings")
    assert refused["allowed"] is False  # the decision sees the withdrawal at once
    mine = OutboundMessage.purpose == "consent.receipt"
    receipts = session.scalars(select(OutboundMessage).where(mine).order_by(OutboundMessage.created_at)).all()
    assert len(receipts) == 2
    stored = receipts[-1].attachment_encrypted
    assert stored is not None
    assert b"%PDF" not in stored.encode()  # encrypted at rest
    assert deliver_in(session, outbox, receipts[-1].id) is True  # through the SMTP sink

    [(_, recipients, message)] = handler.received
    assert recipients == [EMAIL]
    assert isinstance(message, EmailMessage)
    [pdf_part] = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf_part.get_filename() == f"consent-receipt-{event.id}.pdf"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert str(event.id) in body.get_content()
    data = pdf_part.get_content()
    assert data.startswith(b"%PDF")
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(data)
    pdftotext = ["/usr/bin/pdftotext", "-enc", "UTF-8", str(pdf), "-"]
    shown_text = _flat(subprocess.run(pdftotext, check=True, capture_output=True).stdout.decode("utf-8"))
    assert _flat(shown.title) in shown_text  # the purpose whose consent changed, in the person's language
    assert _flat(receipt_messages.label("state.withdrawn", lang)) in shown_text  # and its new state
    pdftoppm = ["/usr/bin/pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")]
    subprocess.run(pdftoppm, check=True, capture_output=True)
    assert list(tmp_path.glob("p*.png"))  # the PDF renders
