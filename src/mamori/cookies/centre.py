"""The cookie choices of a person's browsers in the privacy centre: shown, and changed from there.

A browser becomes the person's when they sign in to the centre from it (the banner's
``mamori_browser`` cookie; :func:`mamori.cookies.service.link_browser`). The centre's page then
lists each optional category with the latest choice made in those browsers; a change made there is
recorded in the person's consent ledger by the centre (scope ``cookie:<category>``, with its
receipt) and appended here as a new browser record (source ``centre``) for every linked browser,
so that the site's backend (``POST /api/v1/cookies/decisions``) follows it.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.cookies import service
from mamori.cookies.models import CookieBrowserLink, CookieConsent
from mamori.errors import NotFound

if TYPE_CHECKING:
    from mamori.centre.preferences import Context, Section

SECTION = "cookies"
SCOPE = "cookie:"


def _latest(session: Session, subject_id: uuid.UUID) -> list[CookieConsent]:
    """The latest record of each (browser, property) linked to the person, newest first."""
    browsers = select(CookieBrowserLink.browser_id).where(CookieBrowserLink.subject_id == subject_id)
    stmt = (
        select(CookieConsent)
        .where(CookieConsent.browser_id.in_(browsers))
        .order_by(CookieConsent.recorded_at.desc(), CookieConsent.id)
    )
    latest: dict[tuple[uuid.UUID, str], CookieConsent] = {}
    for row in session.scalars(stmt):
        latest.setdefault((row.browser_id, row.property_id), row)
    return list(latest.values())


def cookie_section(ctx: Context) -> Section:
    """One choice per optional category, its state the newest choice among the person's browsers."""
    from mamori.centre.preferences import Choice, Section

    if ctx.session is None:
        return Section(SECTION, ())
    rows = _latest(ctx.session, ctx.subject.id)
    if not rows:
        return Section(SECTION, ())
    choices = []
    for category in ctx.bundle.cookies.categories:
        if category.strictly_necessary:
            continue
        seen = next((r for r in rows if category.id in r.choices), None)
        state = "none" if seen is None else ("given" if seen.choices[category.id] else "withdrawn")
        text = category.description.get(ctx.lang)
        choices.append(Choice(f"{SCOPE}{category.id}", category.name.get(ctx.lang), text, state))
    return Section(SECTION, tuple(choices))


def apply_centre_change(session: Session, subject_id: uuid.UUID, scope: str, action: str, lang: str) -> int:
    """Append a browser record for each linked browser and property; the number of records written.

    Each new record copies the browser's latest one (what it was shown: its inventory hash; GPC)
    with the one category changed: a choice made in the centre never revives a consent given for
    an older inventory, and a GPC refusal stands (the effective choice is stored).
    """
    if not scope.startswith(SCOPE):
        return 0
    category = scope.removeprefix(SCOPE)
    try:
        inventory = service.current_inventory(session)
    except NotFound:
        return 0
    records = []
    for row in _latest(session, subject_id):
        if inventory.cookies.property(row.property_id) is None:
            continue
        chosen = {name: bool(value) for name, value in row.choices.items()} | {category: action == "given"}
        known = {c.id for c in inventory.cookies.categories}
        chosen = {name: value for name, value in chosen.items() if name in known}
        records.append(
            service.ConsentInput(
                row.property_id,
                row.browser_id,
                row.inventory_hash,
                chosen,
                gpc=row.gpc,
                source="centre",
                language=lang,
            )
        )
    service.record_consents(session, inventory, records)
    return len(records)
