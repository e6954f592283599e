"""Cookie choices in the privacy centre: the section's states, and a change applied to linked browsers."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.centre.preferences import preferences_view
from mamori.config import Settings
from mamori.cookies import service
from mamori.cookies.centre import apply_centre_change
from mamori.cookies.models import CookieConsent
from mamori.policy.service import bundle_of, require_current_version
from tests.factories.subjects import create_subject, ensure_policy


def test_the_section_shows_the_newest_choice_and_a_change_keeps_hash_and_gpc(
    session: Session, settings: Settings
) -> None:
    ensure_policy(session)
    inventory = service.current_inventory(session)
    subject = create_subject(session, settings)
    bundle = bundle_of(require_current_version(session))
    assert preferences_view(session, subject, bundle, "en").choice("cookie:analytics") is None  # no browser
    browser, old_hash = uuid.uuid4(), "0" * 64  # chosen under an earlier inventory, with GPC
    given = service.ConsentInput("www", browser, old_hash, {"analytics": True, "advertising": True}, gpc=True)
    service.record_consents(session, inventory, [given])
    service.link_browser(session, actor="subject", browser_id=browser, subject_id=subject.id)
    view = preferences_view(session, subject, bundle, "en")
    analytics, advertising = view.choice("cookie:analytics"), view.choice("cookie:advertising")
    assert analytics is not None
    assert advertising is not None
    assert (analytics.state, advertising.state) == ("given", "withdrawn")  # GPC refused advertising
    assert view.choice("cookie:necessary") is None  # never a choice
    assert apply_centre_change(session, subject.id, "cookie:advertising", "given", "en") == 1
    assert apply_centre_change(session, subject.id, "purpose:customer.mailings", "given", "en") == 0
    newest = session.scalars(select(CookieConsent).where(CookieConsent.source == "centre")).one()
    assert newest.inventory_hash == old_hash  # what the browser was shown: no consent revived
    assert (newest.gpc, newest.choices["advertising"], newest.choices["analytics"]) == (True, False, True)
    assert service.decide(session, inventory, "www", "ga4", browser).verdict.value == "consent_outdated"
