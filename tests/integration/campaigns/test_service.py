"""Campaigns on a real database: audience, languages, steering, feedback, reminders, report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.campaigns import rules, service
from mamori.campaigns.models import CampaignDelivery
from mamori.campaigns.sender import Outgoing, send_batch
from mamori.config import DEFAULT_POLICY_DIR, Settings
from mamori.consents.service import record_consent
from mamori.errors import InvalidTransition, NotFound, ValidationFailed
from mamori.notify.backends import Email
from mamori.policy import service as policy
from mamori.policy.service import TOKYO
from mamori.subjects.models import Subject
from tests.bundles import copy_default_bundle, edit
from tests.factories.decisions import create_subject, publish_policy

AGO = datetime.now(UTC) - timedelta(days=30)


@dataclass
class Recorder:
    """Keeps each message as read back from the bytes handed over (the way a receiver reads it)."""

    sent: list[tuple[Email, str]] = field(default_factory=list)

    def send_all(self, sender: str, messages: list[Outgoing]) -> None:
        for out in messages:
            parsed = message_from_bytes(out.data, policy=email_policy.default)
            assert isinstance(parsed, EmailMessage)
            assert (parsed["To"], parsed["Message-ID"], parsed["From"]) == (out.to, out.message_id, sender)
            body = parsed.get_content()
            self.sent.append((Email(out.to, str(parsed["Subject"]), body, sender), out.message_id))

    def close(self) -> None:
        pass


def person(
    session: Session, settings: Settings, n: int, language: str = "ja", *, email: bool = True
) -> Subject:
    ident = [("email", f"p{n}@example.jp")] if email else []
    return create_subject(
        session, settings, categories={"customers": AGO}, identifiers=ident, language=language
    )


def widen_mailings(session: Session, tmp_path: Path) -> None:
    bundle = copy_default_bundle(tmp_path)
    tail = "sns_account, member_number, purchase_history]\n        consent_required: true\n"
    edit(bundle, "purposes.yaml", tail, tail.replace("]", ", payment_info]"))
    with (bundle / "bundle.yaml").open("a", encoding="utf-8") as handle:
        handle.write(
            "\nchange_justifications:\n  - purpose: customer.mailings\n    kind: needs_consent\n    text:\n"
            "      ja: 理由\n      en: reason\n      zh-Hans: 理由\n      zh-Hant: 理由\n"
        )
    policy.publish_bundle(session, actor="t", directory=bundle, effective_date=datetime.now(TOKYO).date())


class TestNotification:
    def test_each_person_in_their_language_or_by_post(self, session: Session, settings: Settings) -> None:
        publish_policy(session)
        people = [person(session, settings, n, lang) for n, lang in ((1, "ja"), (2, "en"), (3, "zh-Hant"))]
        people.append(person(session, settings, 4, email=False))
        campaign = service.create_campaign(
            session, actor="t", kind="notification", purpose_id="customer.sales"
        )
        transport = Recorder()
        batch = send_batch(session, settings, campaign.id, transport=transport)
        assert (batch.sent, batch.printed, batch.more) == (3, 1, False)
        subjects = {email.to: email.subject for email, _ in transport.sent}
        assert subjects == {
            "p1@example.jp": "【重要】個人情報保護方針の改定のお知らせ",
            "p2@example.jp": "Changes to our privacy policy",
            "p3@example.jp": "隱私政策修訂通知",
        }
        assert all("/privacy/history" in email.body for email, _ in transport.sent)
        stats = service.statistics(session, campaign.id)
        assert (stats["audience"], stats["sent"], stats["print"]) == (4, 3, 1)
        assert {d.subject_id for d in session.scalars(select(CampaignDelivery))} == {p.id for p in people}

    def test_pause_resume_cancel_and_close(self, session: Session, settings: Settings) -> None:
        publish_policy(session)
        for n in range(3):
            person(session, settings, n)
        campaign = service.create_campaign(
            session, actor="t", kind="notification", purpose_id="customer.sales"
        )
        service.steer(session, actor="t", campaign_id=campaign.id, to=rules.PAUSED)
        assert send_batch(session, settings, campaign.id, transport=Recorder()).sent == 0
        service.steer(session, actor="t", campaign_id=campaign.id, to=rules.RUNNING)
        assert send_batch(session, settings, campaign.id, transport=Recorder(), size=1).sent == 1
        service.steer(session, actor="t", campaign_id=campaign.id, to=rules.CANCELLED)
        with pytest.raises(InvalidTransition):
            service.steer(session, actor="t", campaign_id=campaign.id, to=rules.RUNNING)
        closed = service.steer(session, actor="t", campaign_id=campaign.id, to=rules.CLOSED)
        assert closed.report is not None
        assert closed.report["by_status"] == {"sent": 1, "cancelled": 2}

    def test_bounces_and_complaints_are_recorded(self, session: Session, settings: Settings) -> None:
        publish_policy(session)
        person(session, settings, 1)
        person(session, settings, 2)
        campaign = service.create_campaign(
            session, actor="t", kind="notification", purpose_id="customer.sales"
        )
        transport = Recorder()
        send_batch(session, settings, campaign.id, transport=transport)
        first, second = (ident for _, ident in transport.sent)
        service.record_feedback(session, actor="t", message_id=first, kind="bounced")
        service.record_feedback(session, actor="t", message_id=second, kind="complained")
        stats = service.statistics(session, campaign.id)
        assert (stats["sent"], stats["bounced"], stats["complained"]) == (2, 1, 1)
        with pytest.raises(ValidationFailed):
            service.record_feedback(session, actor="t", message_id=first, kind="delivered")


class TestConsentCampaign:
    def test_asks_those_whose_consent_predates_the_change_links_preferences_and_reminds(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        publish_policy(session)
        asked, answers = person(session, settings, 1, "en"), person(session, settings, 2)
        never = person(session, settings, 3)  # never consented: the purpose did not cover them
        for subject in (asked, answers):
            record_consent(session, actor="t", subject_id=subject.id, scope="purpose:customer.mailings",
                           action="given", language="ja", channel="web", occurred_at=AGO)  # fmt: skip
        widen_mailings(session, tmp_path)
        campaign = service.create_campaign(
            session, actor="t", kind="consent", purpose_id="customer.mailings", remind_after_days=0
        )
        transport = Recorder()
        send_batch(session, settings, campaign.id, transport=transport)
        assert sorted(email.to for email, _ in transport.sent) == ["p1@example.jp", "p2@example.jp"]
        english = next(email for email, _ in transport.sent if email.to == "p1@example.jp")
        assert "/preferences" in english.body
        assert "items added to purpose customer.mailings" in english.body
        record_consent(session, actor="t", subject_id=answers.id, scope="purpose:customer.mailings",
                       action="given", language="ja", channel="web")  # fmt: skip
        assert service.statistics(session, campaign.id)["consented"] == 1
        assert service.remind(session, actor="t", campaign_id=campaign.id) == 1
        again = Recorder()
        send_batch(session, settings, campaign.id, transport=again)
        [(email, ident)] = again.sent
        assert email.to == "p1@example.jp"
        assert ident.endswith(f".1@{settings.mail_from.rpartition('@')[2]}>")  # a new message, not a re-send
        assert never.id not in {d.subject_id for d in session.scalars(select(CampaignDelivery))}


class TestWhichVersion:
    def test_nothing_published_says_so_and_what_to_do(self, session: Session) -> None:
        with pytest.raises(NotFound) as caught:
            service.create_campaign(session, actor="t", kind="notification", purpose_id="customer.sales")
        assert "none is published" in str(caught.value)
        assert "mamori policy publish" in str(caught.value)

    def test_a_version_not_yet_in_force_alone_is_named_with_its_date(self, session: Session) -> None:
        later = datetime.now(TOKYO).date() + timedelta(days=40)
        policy.publish_bundle(session, actor="t", directory=DEFAULT_POLICY_DIR, effective_date=later)
        with pytest.raises(NotFound) as caught:
            service.create_campaign(session, actor="t", kind="notification", purpose_id="customer.sales")
        assert f"version 1 is published but takes effect on {later.isoformat()}" in str(caught.value)
        assert "no policy has been published yet" not in str(caught.value)

    def test_a_revision_announced_in_advance_is_the_one_announced(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        publish_policy(session)
        reader = person(session, settings, 1, "en")
        record_consent(session, actor="t", subject_id=reader.id, scope="purpose:customer.mailings",
                       action="given", language="en", channel="web", occurred_at=AGO)  # fmt: skip
        bundle = copy_default_bundle(tmp_path)
        tail = "sns_account, member_number, purchase_history]\n        consent_required: true\n"
        edit(bundle, "purposes.yaml", tail, tail.replace("]", ", payment_info]"))
        with (bundle / "bundle.yaml").open("a", encoding="utf-8") as handle:
            handle.write(
                "\nchange_justifications:\n  - purpose: customer.mailings\n    kind: needs_consent\n"
                "    text:\n      ja: 理由\n      en: reason\n      zh-Hans: 理由\n      zh-Hant: 理由\n"
            )
        later = datetime.now(TOKYO).date() + timedelta(days=40)
        policy.publish_bundle(session, actor="t", directory=bundle, effective_date=later)
        campaign = service.create_campaign(
            session, actor="t", kind="notification", purpose_id="customer.mailings"
        )
        assert campaign.policy_version == 2
        transport = Recorder()
        send_batch(session, settings, campaign.id, transport=transport)
        [(email, _)] = transport.sent
        assert f"Version 2 of our privacy policy makes these changes (from {later.isoformat()})" in email.body
        assert "items added to purpose customer.mailings" in email.body
