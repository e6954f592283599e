"""Consent per purpose and contact channel: changed on the page, honoured by decisions and audiences."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from mamori.centre.preferences import change_consent, preferences_view
from mamori.config import Settings
from mamori.consents.decisions.audiences import AudienceRequest, prepare, stream_audience
from mamori.consents.decisions.service import check
from mamori.consents.rules import InvalidScope, parse_scope
from mamori.notify.service import Outbox
from mamori.policy.service import bundle_of, require_current_version
from tests.factories.decisions import publish_policy
from tests.integration.centre.test_preferences import _person, _signed_in

MAILINGS = "customer.mailings"


def _audience(session: Session, channel: str) -> set[object]:
    request = AudienceRequest(MAILINGS, channel=channel)
    prepare(session, request)
    return {member.subject_id for member in stream_audience(session, request)}


def test_the_scope_names_a_consent_based_purpose_and_a_channel_it_uses(session: Session) -> None:
    publish_policy(session)
    bundle = bundle_of(require_current_version(session))
    assert str(parse_scope(f"channel:{MAILINGS}:email", bundle)) == f"channel:{MAILINGS}:email"
    for wrong in (f"channel:{MAILINGS}:fax", "channel:customer.nothing:email", f"channel:{MAILINGS}"):
        with pytest.raises(InvalidScope):
            parse_scope(wrong, bundle)
    not_consent = next(p for p in bundle.purposes().values() if not p.consent_required and "email" in p.items)
    with pytest.raises(InvalidScope, match="does not rest on consent"):
        parse_scope(f"channel:{not_consent.id}:email", bundle)


@pytest.mark.parametrize("lang", ["ja", "en", "zh-Hans", "zh-Hant"])
def test_withdrawing_email_keeps_post_and_decisions_see_it_at_once(
    session: Session, settings: Settings, outbox: Outbox, lang: str
) -> None:
    subject = _person(session, settings)
    link = _signed_in(session, settings, outbox, lang)
    bundle = bundle_of(require_current_version(session))
    view = preferences_view(session, subject, bundle, lang)
    purpose = view.choice(f"purpose:{MAILINGS}")
    assert purpose is not None
    change_consent(session, link=link, scope=purpose.scope, action="given", notice_hash=purpose.notice_hash,
                   lang=lang, outbox=outbox, settings=settings)  # fmt: skip
    view = preferences_view(session, subject, bundle, lang)
    channels = {c.scope: c for s in view.sections if s.id == "channels" for c in s.choices}
    assert {f"channel:{MAILINGS}:{ch}" for ch in ("email", "post", "phone")} <= set(channels)
    email = channels[f"channel:{MAILINGS}:email"]
    assert email.state == "given"  # follows the purpose until the person says otherwise
    assert purpose.title in email.title
    assert subject.id in _audience(session, "email")

    change_consent(session, link=link, scope=email.scope, action="withdrawn", notice_hash=None,
                   lang=lang, outbox=outbox, settings=settings)  # fmt: skip
    by_mail = check(session, settings, actor="t", subject=subject.id, purpose_id=MAILINGS, items=["email"])
    assert by_mail["allowed"] is False
    assert [r["code"] for r in by_mail["reasons"]] == ["channel_withdrawn"]
    by_post = check(session, settings, actor="t", subject=subject.id, purpose_id=MAILINGS, items=["address"])
    assert by_post["allowed"] is True
    assert check(session, settings, actor="t", subject=subject.id, purpose_id=MAILINGS)["allowed"] is True
    assert subject.id not in _audience(session, "email")
    assert subject.id in _audience(session, "post")
    shown = preferences_view(session, subject, bundle, lang).choice(email.scope)
    assert shown is not None
    assert shown.state == "withdrawn"

    change_consent(session, link=link, scope=email.scope, action="given", notice_hash=None,
                   lang=lang, outbox=outbox, settings=settings)  # fmt: skip
    again = check(session, settings, actor="t", subject=subject.id, purpose_id=MAILINGS, items=["email"])
    assert again["allowed"] is True
    assert subject.id in _audience(session, "email")
