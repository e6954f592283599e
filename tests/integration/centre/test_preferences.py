"""Preference sign-in links and consent changes: single use, bound to the browser, receipts, decisions."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.centre.models import PreferenceLink
from mamori.centre.preferences import change_consent, preferences_view
from mamori.centre.signin import SignInRefused, new_nonce, open_sign_in, request_sign_in, sign_out, visit_link
from mamori.config import Settings
from mamori.consents.decisions.service import check
from mamori.consents.service import current_states
from mamori.errors import ValidationFailed
from mamori.notify.service import Outbox
from mamori.policy.service import bundle_of, require_current_version
from mamori.subjects.models import Subject
from tests.factories.subjects import create_subject
from tests.integration.centre.conftest import mails

EMAIL = "taro@example.jp"


def _person(session: Session, settings: Settings, *, jurisdiction: str = "JP") -> Subject:
    return create_subject(session, settings, identifiers=[("email", EMAIL)], jurisdiction=jurisdiction)


def _signed_in(session: Session, settings: Settings, outbox: Outbox, lang: str = "ja") -> PreferenceLink:
    nonce = new_nonce()
    assert request_sign_in(session, email=EMAIL, language=lang, nonce=nonce, outbox=outbox, settings=settings)
    visit = open_sign_in(session, token=_token(session, settings), nonce=nonce, settings=settings)
    assert visit is not None
    return visit_link(session, visit=visit, settings=settings)


def _token(session: Session, settings: Settings) -> str:
    body = mails(session, settings, "preferences.sign_in")[-1][1]
    found = re.search(r"/preferences/sign-in/([A-Za-z0-9_-]+)\?lang=", body)
    assert found, body
    return found.group(1)


class TestSignIn:
    def test_the_link_opens_once_in_the_browser_that_asked(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        subject = _person(session, settings)
        nonce = new_nonce()
        assert request_sign_in(session, email=" Taro@Example.JP ", language="en", nonce=nonce, outbox=outbox,
                               settings=settings)  # fmt: skip
        token = _token(session, settings)
        assert (
            open_sign_in(session, token=token, nonce=new_nonce(), settings=settings) is None
        )  # other browser
        assert open_sign_in(session, token=token, nonce=None, settings=settings) is None
        visit = open_sign_in(session, token=token, nonce=nonce, settings=settings)
        assert visit is not None
        assert visit_link(session, visit=visit, settings=settings).subject_id == subject.id
        assert open_sign_in(session, token=token, nonce=nonce, settings=settings) is None  # used
        row = session.scalars(select(PreferenceLink)).one()
        assert token not in row.token_index
        assert nonce not in row.nonce_index

    def test_an_unknown_address_gets_no_mail(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        _person(session, settings)
        for email in ("nobody@example.jp", "not an address"):
            assert not request_sign_in(session, email=email, language="ja", nonce=new_nonce(), outbox=outbox,
                                       settings=settings)  # fmt: skip
        assert mails(session, settings, "preferences.sign_in") == []

    def test_an_old_link_opens_nothing(self, session: Session, settings: Settings, outbox: Outbox) -> None:
        _person(session, settings)
        nonce = new_nonce()
        request_sign_in(session, email=EMAIL, language="ja", nonce=nonce, outbox=outbox, settings=settings)
        row = session.scalars(select(PreferenceLink)).one()
        row.expires_at -= timedelta(hours=1)
        assert open_sign_in(session, token=_token(session, settings), nonce=nonce, settings=settings) is None

    def test_signing_out_ends_the_visit(self, session: Session, settings: Settings, outbox: Outbox) -> None:
        _person(session, settings)
        nonce = new_nonce()
        request_sign_in(session, email=EMAIL, language="ja", nonce=nonce, outbox=outbox, settings=settings)
        visit = open_sign_in(session, token=_token(session, settings), nonce=nonce, settings=settings)
        sign_out(session, visit=visit, settings=settings)
        with pytest.raises(SignInRefused):
            visit_link(session, visit=visit, settings=settings)


class TestPreferencesView:
    def test_kinds_not_values_and_the_consents_of_the_persons_categories(
        self, session: Session, settings: Settings
    ) -> None:
        subject = _person(session, settings)
        bundle = bundle_of(require_current_version(session))
        view = preferences_view(session, subject, bundle, "en")
        assert view.identifiers == ("email",)
        assert EMAIL not in repr(view)
        scopes = [c.scope for s in view.sections for c in s.choices]
        assert "purpose:customer.mailings" in scopes
        assert "purpose:employee.health" not in scopes  # not an employee
        assert [s.id for s in view.sections][:1] == ["purposes"]
        assert not view.pipl

    def test_a_country_shows_its_information_with_the_hash_of_that_text(
        self, session: Session, settings: Settings
    ) -> None:
        subject = _person(session, settings, jurisdiction="CN")
        view = preferences_view(session, subject, bundle_of(require_current_version(session)), "zh-Hans")
        us = view.choice("cross_border:US")
        assert us is not None
        assert us.notice_hash == hashlib.sha256(us.text.encode()).hexdigest()
        assert us.separate  # PIPL: separate consent
        assert view.choice("sensitive") is not None


class TestChangeConsent:
    def test_withdrawing_marketing_mails_a_receipt_and_decisions_refuse_at_once(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        subject = _person(session, settings)
        link = _signed_in(session, settings, outbox, "zh-Hant")
        bundle = bundle_of(require_current_version(session))
        shown = preferences_view(session, subject, bundle, "zh-Hant").choice("purpose:customer.mailings")
        assert shown is not None
        change_consent(session, link=link, scope=shown.scope, action="given", notice_hash=shown.notice_hash,
                       lang="zh-Hant", outbox=outbox, settings=settings)  # fmt: skip
        allowed = check(session, settings, actor="t", subject=subject.id, purpose_id="customer.mailings")
        assert allowed["allowed"] is True
        event = change_consent(session, link=link, scope=shown.scope, action="withdrawn", notice_hash=None,
                               lang="zh-Hant", outbox=outbox, settings=settings)  # fmt: skip
        refused = check(session, settings, actor="t", subject=subject.id, purpose_id="customer.mailings")
        assert refused["allowed"] is False
        assert current_states(session, subject.id)["purpose:customer.mailings"].action == "withdrawn"
        subject_line, body = mails(session, settings, "consent.receipt")[-1]
        assert subject_line == "我們已記錄您的同意變更"
        assert "已撤回同意" in body
        assert str(event.id) in body

    def test_a_cross_border_consent_needs_the_hash_of_the_text_shown(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        subject = _person(session, settings, jurisdiction="CN")
        link = _signed_in(session, settings, outbox, "ja")
        with pytest.raises(ValidationFailed):
            change_consent(session, link=link, scope="cross_border:US", action="given", notice_hash="0" * 64,
                           lang="ja", outbox=outbox, settings=settings)  # fmt: skip
        shown = preferences_view(session, subject, bundle_of(require_current_version(session)), "ja")
        us = shown.choice("cross_border:US")
        assert us is not None
        event = change_consent(session, link=link, scope=us.scope, action="given", notice_hash=us.notice_hash,
                               lang="ja", outbox=outbox, settings=settings)  # fmt: skip
        assert (event.notice_hash, event.separate) == (us.notice_hash, True)

    def test_a_scope_the_page_does_not_offer_is_refused(
        self, session: Session, settings: Settings, outbox: Outbox
    ) -> None:
        _person(session, settings)
        link = _signed_in(session, settings, outbox)
        for scope in ("purpose:employee.health", "camera", "purpose:customer.orders"):
            with pytest.raises(ValidationFailed):
                change_consent(session, link=link, scope=scope, action="withdrawn", notice_hash=None,
                               lang="ja", outbox=outbox, settings=settings)  # fmt: skip
        assert mails(session, settings, "consent.receipt") == []
