"""The consent receipt built from a bundle and events, without a database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import pytest

from mamori.config import DEFAULT_POLICY_DIR
from mamori.errors import ValidationFailed
from mamori.notices import messages, receipt_messages
from mamori.notices.receipt import ReceiptSubject, build_consent_receipt, format_instant
from mamori.policy.loader import load_bundle
from mamori.policy.schema import LANGUAGES, PolicyBundle

T0 = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)  # 1 April 00:00 in Tokyo
VERSION = uuid.uuid4()
ZERO = uuid.UUID(int=0)


@dataclass(frozen=True)
class Ev:
    scope: str
    action: str
    occurred_at: datetime
    channel: str = "web"
    id: uuid.UUID = ZERO
    recorded_at: datetime = T0
    expires_at: datetime | None = None
    separate: bool = False
    on_behalf_by_id: uuid.UUID | None = None
    policy_version_id: uuid.UUID | None = VERSION


def ev(scope: str, action: str, days: int, **kw: object) -> Ev:
    return Ev(scope, action, T0 + timedelta(days=days), id=uuid.uuid4(), **kw)  # type: ignore[arg-type]


@cache
def bundle() -> PolicyBundle:
    result = load_bundle(DEFAULT_POLICY_DIR)
    assert result.bundle is not None
    return result.bundle


SUBJECT = ReceiptSubject(uuid.UUID("12345678-1234-5678-1234-567812345678"))


class TestReceiptLabels:
    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_every_label_exists_in_every_language(self, lang: str) -> None:
        assert all(text.strip() for text in receipt_messages.labels(lang).values())

    def test_no_clash_with_the_notice_labels(self) -> None:
        assert not set(receipt_messages.labels("ja")) & set(messages.labels("ja"))


class TestBuildConsentReceipt:
    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_purpose_text_in_the_language(self, lang: str) -> None:
        receipt = build_consent_receipt(
            bundle(),
            SUBJECT,
            [ev("purpose:customer.surveys", "given", 0)],
            lang,
            versions={VERSION: 3},
            issued_at=T0 + timedelta(days=1),
        )
        (consent,) = receipt.consents
        assert consent.title == bundle().purposes()["customer.surveys"].text.get(lang)
        assert consent.state == receipt_messages.label("state.given", lang)
        assert consent.version == messages.version_text(3, lang)
        assert receipt.controller == bundle().controller.name.get(lang)
        assert receipt.reference == str(SUBJECT.id)

    def test_states_at_issue_time_and_history(self) -> None:
        events = [
            ev("purpose:customer.mailings", "given", 0, channel="paper"),
            ev("purpose:customer.mailings", "withdrawn", 2, channel="phone"),
            ev("camera", "given", 0, expires_at=T0 + timedelta(days=1)),
            ev("sharing", "given", 10),  # after the receipt was issued: not shown
        ]
        receipt = build_consent_receipt(
            bundle(), SUBJECT, events, "en", versions={}, issued_at=T0 + timedelta(days=5)
        )
        shown = {c.scope: (c.state_code, c.channel) for c in receipt.consents}
        assert shown == {
            "purpose:customer.mailings": ("withdrawn", "Telephone"),
            "camera": ("expired", "Website"),
        }
        mailings = next(c for c in receipt.consents if c.scope == "purpose:customer.mailings")
        assert [h.state for h in mailings.history] == ["Given", "Withdrawn"]
        assert mailings.version == "-"  # the version is unknown to the caller

    @pytest.mark.parametrize(
        ("scope", "lang", "title"),
        [
            ("cross_border:CN", "ja", "外国への移転（中国）"),
            ("cross_border:US", "en", "Transfer abroad (United States)"),
            ("recipient:aoki-holdings", "en", "Provision to a third party (aoki-holdings)"),
            ("sensitive", "zh-Hans", "敏感个人信息的处理"),
            ("cookie:analytics", "zh-Hant", "Cookie等之使用（analytics）"),
            ("purpose:customer.retired", "en", "customer.retired"),
        ],
    )
    def test_scope_titles(self, scope: str, lang: str, title: str) -> None:
        receipt = build_consent_receipt(
            bundle(), SUBJECT, [ev(scope, "given", 0)], lang, versions={}, issued_at=T0 + timedelta(days=1)
        )
        assert receipt.consents[0].title == title

    def test_dates_are_japan_time(self) -> None:
        assert format_instant(T0, "ja") == "2026年4月1日 00:00（日本時間）"
        assert format_instant(T0, "en") == "1 April 2026, 00:00 (Japan time)"

    def test_withdrawal_desk_and_text(self) -> None:
        receipt = build_consent_receipt(bundle(), SUBJECT, [], "ja", versions={}, issued_at=T0)
        assert receipt.consents == ()
        assert "撤回" in receipt.withdraw
        assert bundle().contact_centre.name.ja in receipt.text()

    def test_unknown_language_is_refused(self) -> None:
        with pytest.raises(ValidationFailed):
            build_consent_receipt(bundle(), SUBJECT, [], "fr", versions={}, issued_at=T0)


class TestReceiptOrder:
    def test_purposes_in_policy_order_then_other_scopes(self) -> None:
        scopes = ["sharing", "purpose:customer.surveys", "camera", "purpose:customer.mailings"]
        events = [ev(scope, "given", 0) for scope in scopes]
        receipt = build_consent_receipt(
            bundle(), SUBJECT, events, "en", versions={}, issued_at=T0 + timedelta(days=1)
        )
        assert [c.scope for c in receipt.consents] == [
            "purpose:customer.mailings",
            "purpose:customer.surveys",
            "camera",
            "sharing",
        ]
