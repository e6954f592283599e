"""People in the console: find a person by identifier, the profile, reveal with a purpose, withdraw a consent.

The identifier searched for travels in a POST body and is looked up by blind index: it never
appears in a URL, a log line or the audit details. The profile shows no personal data (ids,
kinds, categories, consent history, suspensions, provision records); the name and identifiers are
decrypted only through the reveal form, for a purpose declared for the person's categories, and
the read is audited (``subject.read``). A consent withdrawn here on the person's behalf is an event
of the consent ledger collected by this staff member.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mamori.api.deps import SessionDep
from mamori.calendar.service import TOKYO
from mamori.consents import service as consents
from mamori.consents.suspensions import list_suspensions
from mamori.db.paging import Cursor
from mamori.errors import Conflict, MamoriError, NotFound
from mamori.policy.service import bundle_of, require_current_version
from mamori.provisions.service import list_records_for_subject
from mamori.security.rules import Scope
from mamori.subjects import lifecycle
from mamori.subjects.registers import subject_page
from mamori.subjects.rules import STANDARD_KINDS
from mamori.subjects.service import find_subject, resolve, reveal_subject, subject_view
from mamori.web.console.forms import apply, attempt, guard, messages
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str | None, Form()]
STAFF_CHANNELS = ("phone", "paper", "shop")


def _when(instant: Any) -> str:
    return instant.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M") if instant else ""


@router.get("/console/people")
def people(
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    category: Annotated[str | None, Query(max_length=80)] = None,
    before: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    """Find a person; the register of persons (ids only), newest first."""
    require_scope(staff, Scope.SUBJECTS_READ)
    page = subject_page(session, category=category or None, before=Cursor.parse(before))
    categories = [c.id for c in bundle_of(require_current_version(session)).subject_categories]
    query = {"category": category} if category else {}
    next_href = None
    if page.next_before:
        next_href = "/console/people?" + urlencode({**query, "before": page.next_before.text()})
    return console_page(
        request,
        "console/people/find.html",
        staff=staff,
        kinds=STANDARD_KINDS,
        problem=None,
        rows=[{"row": r, "at": _when(r.created_at)} for r in page.rows],
        categories=categories,
        category=category or "",
        next_href=next_href,
        candidates=[],
    )


@router.post("/console/people/find")
def find(  # noqa: PLR0913
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    kind: Annotated[str, Form(max_length=40)],
    value: Annotated[str, Form(max_length=300)],
    csrf_token: CsrfField = None,
) -> Response:
    """Go to the person holding the identifier (blind index lookup)."""
    require_scope(staff, Scope.SUBJECTS_READ)
    check_csrf(request, request.app.state.runtime.settings, csrf_token)
    settings = request.app.state.runtime.settings
    problem, candidates = None, []
    try:
        subject = find_subject(session, settings, kind=kind, value=value)
    except NotFound:
        problem = "unknown"
    except Conflict as error:
        problem, candidates = "ambiguous", list(error.details.get("subject_ids", []))
    except MamoriError:
        problem = "invalid"
    else:
        return RedirectResponse(f"/console/people/{subject.id}", status_code=303)
    return console_page(
        request,
        "console/people/find.html",
        staff=staff,
        kinds=STANDARD_KINDS,
        problem=problem,
        rows=[],
        categories=[],
        category="",
        next_href=None,
        candidates=candidates,
        status=404 if problem == "unknown" else 422,
    )


def _purposes(session: Session, categories: list[str], lang: str) -> list[dict[str, str]]:
    bundle = bundle_of(require_current_version(session))
    return [
        {"id": p.id, "text": p.text.get(lang) or p.id}
        for c in bundle.subject_categories
        if c.id in categories
        for p in c.purposes
    ]


def _profile(
    request: Request, session: Session, staff: StaffDep, subject_id: uuid.UUID, **extra: Any
) -> Response:
    lang = console_lang(request)
    subject = resolve(session, subject_id)
    if subject.id != subject_id:
        return RedirectResponse(f"/console/people/{subject.id}", status_code=303)
    view = subject_view(session, subject)
    events = consents.list_events(session, subject.id)
    states = consents.current_states(session, subject.id)
    records = list_records_for_subject(session, subject.id)
    return console_page(
        request,
        "console/people/profile.html",
        staff=staff,
        lang=lang,
        view=view,
        created=_when(view.created_at),
        states=[
            {"state": s, "at": _when(s.occurred_at)} for s in sorted(states.values(), key=lambda s: s.scope)
        ],
        events=[{"event": e, "at": _when(e.occurred_at)} for e in reversed(events)],
        suspensions=[
            {"s": s, "from": _when(s.starts_at), "to": _when(s.ends_at), "lifted": _when(s.lifted_at)}
            for s in list_suspensions(session, subject.id)
        ],
        records=[
            {"record": r, "at": _when(r.at), "end": _when(r.retention_end), "party": r.party.get("key", "")}
            for r in records
        ],
        purposes=_purposes(session, [c.category for c in view.categories], lang),
        channels=STAFF_CHANNELS,
        may_write=Scope.CONSENTS_WRITE in staff.scopes,
        may_merge=Scope.SUBJECTS_WRITE in staff.scopes,
        **{"revealed": None, "done": request.query_params.get("done"), **extra},
    )


@router.get("/console/people/{subject_id}")
def profile(subject_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """A person's profile: categories, consents with their history, suspensions, provisions."""
    require_scope(staff, Scope.SUBJECTS_READ)
    return _profile(request, session, staff, subject_id)


@router.post("/console/people/{subject_id}/reveal")
def reveal(  # noqa: PLR0913 - the path, the form and the dependencies
    subject_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    purpose: Annotated[str, Form(max_length=120)],
    csrf_token: CsrfField = None,
) -> Response:
    """Show the person's name and identifiers for a declared purpose (audited)."""
    require_scope(staff, Scope.SUBJECTS_READ)
    settings = request.app.state.runtime.settings
    check_csrf(request, settings, csrf_token)
    try:
        revealed = reveal_subject(session, settings, staff.actor, subject_id, purpose, role=staff.role)
    except MamoriError as error:
        return _profile(request, session, staff, subject_id, reveal_error=str(error))
    return _profile(request, session, staff, subject_id, revealed=revealed)


@router.post("/console/people/{subject_id}/withdraw")
def withdraw(  # noqa: PLR0913
    subject_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    scope: Annotated[str, Form(max_length=200)],
    channel: Annotated[str, Form(max_length=20)],
    csrf_token: CsrfField = None,
) -> Response:
    """Withdraw one consent on the person's behalf (they asked by phone, on paper or in a shop)."""
    require_scope(staff, Scope.CONSENTS_WRITE)
    check_csrf(request, request.app.state.runtime.settings, csrf_token)
    subject = resolve(session, subject_id)
    _, error = attempt(
        session,
        lambda: consents.record_consent(
            session,
            actor=staff.actor,
            subject_id=subject.id,
            scope=scope,
            action="withdrawn",
            language=subject.language,
            channel=channel,
        ),
    )
    if error is not None:
        return _profile(request, session, staff, subject_id, withdraw_error="; ".join(messages(error)))
    return RedirectResponse(f"/console/people/{subject.id}?done=withdrawn", status_code=303)


@router.post("/console/people/{subject_id}/merge/preview")
def merge_preview(  # noqa: PLR0913 - the path, the form and the dependencies
    subject_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    other: Annotated[str, Form(max_length=40)],
    survivor: Annotated[str, Form(max_length=10)] = "this",
    csrf_token: CsrfField = None,
) -> Response:
    """What merging this person and a duplicate would move, the survivor as chosen; nothing is written."""
    guard(request, staff, Scope.SUBJECTS_WRITE, csrf_token)
    try:
        other_id = uuid.UUID(other.strip())
    except ValueError:
        return _profile(request, session, staff, subject_id, merge_error="other: not a person's id")
    source, target = (other_id, subject_id) if survivor == "this" else (subject_id, other_id)
    preview, error = attempt(session, lambda: lifecycle.merge_preview(session, source, target))
    if preview is None:
        return _profile(
            request, session, staff, subject_id, merge_error="; ".join(messages(error or ValueError()))
        )
    return console_page(request, "console/people/merge.html", staff=staff, preview=preview, back=subject_id)


@router.post("/console/people/merge")
def merge(  # noqa: PLR0913 - the form and the dependencies
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    source_id: Annotated[uuid.UUID, Form()],
    target_id: Annotated[uuid.UUID, Form()],
    csrf_token: CsrfField = None,
) -> Response:
    """Merge the duplicate into the survivor (audited); both histories stay, the old id leads on."""
    guard(request, staff, Scope.SUBJECTS_WRITE, csrf_token)
    return apply(
        session,
        lambda: lifecycle.merge_subjects(session, staff.actor, source_id, target_id),
        refused=lambda error: _profile(
            request, session, staff, target_id, merge_error="; ".join(messages(error))
        ),
        done=lambda: RedirectResponse(f"/console/people/{target_id}?done=merged", status_code=303),
    )


@router.get("/console/people/{subject_id}/receipt.pdf")
def receipt(subject_id: uuid.UUID, session: SessionDep, staff: StaffDep) -> Response:
    """The person's consent receipt as a PDF, in their language (to send them)."""
    require_scope(staff, Scope.CONSENTS_READ)
    from mamori.notices.receipt import receipt_for_subject
    from mamori.web.receipts import receipt_pdf

    made = receipt_for_subject(session, subject_id, None, actor=staff.actor)
    return Response(
        receipt_pdf(made),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="consent-receipt-{subject_id}.pdf"',
            "Cache-Control": "no-store",
            "Content-Language": made.lang,
        },
    )
