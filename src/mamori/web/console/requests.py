"""Staff pages of requests: the list (filters, keyset paging) and a case from intake to closed.

Thin handlers over the dsr room's services (the API and CLI call the same ones). The case page
shows no requester's name or contact details; forms post to ``request_actions``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from mamori.api.deps import SessionDep
from mamori.db.base import utcnow
from mamori.dsr import service
from mamori.dsr.models import Delivery
from mamori.dsr.rules import MATCHABLE, CaseState, CheckOutcome, Outcome, Reason, RequesterKind
from mamori.dsr.service import views
from mamori.dsr.service.clocks import days_left
from mamori.dsr.service.common import tokyo_date
from mamori.dsr.service.identity import list_documents
from mamori.dsr.service.listing import DUE_CHOICES, OPEN, CaseFilter, count_cases, page_cases
from mamori.errors import NotFound
from mamori.fulfillment.service import runs_of_case
from mamori.policy.schema import LANGUAGES, PolicyBundle
from mamori.policy.sections.staff import role_purposes
from mamori.security.rules import Scope
from mamori.security.service import Principal
from mamori.subjects.validation import current_bundle
from mamori.web.console.shell import console_lang, console_page
from mamori.web.i18n import N_
from mamori.web.staff import StaffDep, require_scope

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Query()]

STATE_NAMES: dict[str, str] = {
    CaseState.RECEIVED: N_("Received"),
    CaseState.IDENTITY_CHECK: N_("Identity check"),
    CaseState.IN_PROGRESS: N_("In progress"),
    CaseState.DECIDED: N_("Decided"),
    CaseState.RESPONDED: N_("Responded"),
    CaseState.CLOSED: N_("Closed"),
    CaseState.REJECTED: N_("Rejected"),
    CaseState.WITHDRAWN: N_("Withdrawn"),
}
OUTCOME_NAMES: dict[str, str] = {
    Outcome.FULL: N_("Granted in full"),
    Outcome.PARTIAL: N_("Granted in part"),
    Outcome.REFUSED: N_("Refused"),
}
REASON_NAMES: dict[str, str] = {
    Reason.HARM_TO_PERSON_OR_OTHERS: N_("Harm to the person or others (Art. 33(2)(i))"),
    Reason.SERIOUS_BUSINESS_HINDRANCE: N_("Serious hindrance to business (Art. 33(2)(ii))"),
    Reason.VIOLATES_OTHER_LAW: N_("Would violate another law (Art. 33(2)(iii))"),
    Reason.OTHER_LAW_PROCEDURE: N_("Another law's procedure applies (Art. 33(4))"),
    Reason.PURPOSES_EVIDENT: N_("The purposes are evident (Art. 32(2))"),
    Reason.NO_RETAINED_DATA: N_("No data is held about the person"),
    Reason.DATA_ACCURATE: N_("The data was checked and is accurate (Art. 34)"),
    Reason.NO_GROUND: N_("The ground given is not met (Art. 35)"),
    Reason.ALTERNATIVE_MEASURE: N_("An alternative measure was taken (Art. 35)"),
    Reason.PIPL_LEGAL_EXCEPTION: N_("A PIPL legal exception applies"),
    Reason.DECEASED_ARRANGED_OTHERWISE: N_("The deceased arranged otherwise (PIPL Art. 49)"),
}
MATCH_NAMES: dict[str, str] = {
    "name": N_("Name"),
    "address": N_("Address"),
    "date_of_birth": N_("Date of birth"),
    "email": N_("E-mail"),
    "phone": N_("Phone"),
    "member_number": N_("Member number"),
    "photo": N_("Photo"),
}
CHECK_NAMES: dict[str, str] = {CheckOutcome.VERIFIED: N_("Verified"), CheckOutcome.FAILED: N_("Failed")}
DUE_NAMES: dict[str, str] = {"": N_("Any"), "overdue": N_("Overdue"), "week": N_("Due within 7 days")}
RUN_STATUS_NAMES: dict[str, str] = {
    "pending": N_("Waiting"),
    "running": N_("Running"),
    "completed": N_("Completed"),
    "done": N_("Done"),
    "failed": N_("Failed"),
}
DOCUMENT_KIND_NAMES: dict[str, str] = {
    "id_document": N_("ID document"),
    "power_of_attorney": N_("Power of attorney"),
    "relation_proof": N_("Proof of the relation"),
    "death_proof": N_("Proof of death"),
    "other": N_("Other (such as the scanned request form)"),
}
DELIVERY_NAMES: dict[str, str] = {"post": N_("Registered mail"), "electronic": N_("Download link")}


def _choices(bundle: PolicyBundle, lang: str) -> dict[str, Any]:
    return {
        "types": [(t.id, t.name.get(lang)) for t in bundle.requests.types],
        "requesters": [(r.id, r.name.get(lang)) for r in bundle.requests.requesters],
        "documents": [(d.id, d.name.get(lang)) for d in bundle.requests.id_documents],
        "states": [(OPEN, N_("All open")), *STATE_NAMES.items(), ("", N_("All"))],
        "due": list(DUE_NAMES.items()),
        "languages": list(LANGUAGES),
        "requester_kinds": [k.value for k in RequesterKind],
    }


@router.get("/console/requests")
def request_list(  # noqa: PLR0913 - the list's filters
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    state: Text = OPEN,
    request_type: Text = "",
    language: Text = "",
    requester_kind: Text = "",
    due: Text = "",
    after: Text = "",
) -> Response:
    """Cases, earliest target date first, 50 a page."""
    require_scope(staff, Scope.REQUESTS_READ)
    wanted = CaseFilter(state=state, request_type=request_type, language=language,
                        requester_kind=requester_kind, due=due if due in DUE_CHOICES else "")  # fmt: skip
    page = page_cases(session, wanted, after=after or None)
    left = days_left(session, page.cases)
    filters = {"state": state, "request_type": request_type, "language": language,
               "requester_kind": requester_kind, "due": wanted.due}  # fmt: skip
    next_href = (
        f"/console/requests?{urlencode({**filters, 'after': page.next_key})}" if page.next_key else None
    )
    lang, bundle = console_lang(request), current_bundle(session)
    return console_page(request, "console/requests/list.html", staff=staff, cases=page.cases,
                        total=count_cases(session, wanted), filters=filters, next_href=next_href,
                        first_href=f"/console/requests?{urlencode(filters)}" if after else None,
                        choices=_choices(bundle, lang), names=_names(bundle, lang),
                        today=tokyo_date(utcnow()), days_left=left,
                        can_write=Scope.REQUESTS_WRITE in staff.scopes)  # fmt: skip


def _names(bundle: PolicyBundle, lang: str) -> dict[str, dict[str, str]]:
    return {
        "state": STATE_NAMES,
        "type": {t.id: t.name.get(lang) for t in bundle.requests.types},
        "requester": {r.id: r.name.get(lang) for r in bundle.requests.requesters},
        "outcome": OUTCOME_NAMES,
        "reason": REASON_NAMES,
        "match": MATCH_NAMES,
        "check": CHECK_NAMES,
        "delivery": DELIVERY_NAMES,
        "run": RUN_STATUS_NAMES,
        "document": {d.id: d.name.get(lang) for d in bundle.requests.id_documents},
        "document_kind": DOCUMENT_KIND_NAMES,
    }


def case_page(  # noqa: PLR0913 - the page and what an action adds to it
    request: Request, session: SessionDep, staff: Principal, case_id: uuid.UUID, *,
    status: int = 200, error: dict[str, Any] | None = None, notice: str | None = None, **extra: Any,
) -> HTMLResponse:  # fmt: skip
    """The case page (also re-rendered by the actions with what they refused and why).

    ``extra`` is what one reading adds for this response only (the revealed requester, a document
    shown in the page); the page is never cached.
    """
    case = service.get_case(session, case_id)
    lang, bundle = console_lang(request), current_bundle(session)
    deliveries = list(session.scalars(select(Delivery).where(Delivery.case_id == case.id)))
    return console_page(request, "console/requests/case.html", staff=staff, status=status,
                        case=views.case_view(session, case), missing=service.proof_missing(session, case),
                        deliveries=deliveries, error=error, notice=notice, choices=_choices(bundle, lang),
                        names=_names(bundle, lang), matchable=MATCHABLE, reasons=list(Reason),
                        outcomes=list(Outcome), can_write=Scope.REQUESTS_WRITE in staff.scopes,
                        documents=list_documents(session, case.id),
                        runs=runs_of_case(session, case.reference),
                        purposes=reading_purposes(bundle, staff.role, lang),
                        **{"revealed": None, "shown": None, "reveal_error": None, **extra})  # fmt: skip


def reading_purposes(bundle: PolicyBundle, role: str, lang: str) -> list[tuple[str, str]]:
    """The purposes ``role`` may name when it reads a requester or a document (the bundle's staff_roles)."""
    every = bundle.purposes()
    allowed = role_purposes(bundle.staff_roles, role, set(every))
    return [(p.id, p.text.get(lang) or p.id) for p in every.values() if allowed is None or p.id in allowed]


@router.get("/console/requests/{case_id}")
def case_view(case_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """One case: requester kind and proof still missing, deadlines, identity, decision, letter, delivery."""
    require_scope(staff, Scope.REQUESTS_READ)
    try:
        return case_page(request, session, staff, case_id)
    except NotFound:
        return console_page(request, "console/requests/missing.html", staff=staff, status=404)


@router.get("/console/requests/{case_id}/letter.pdf")
def letter_pdf(case_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The newest letter of the case as PDF, shown in the browser (never cached)."""
    require_scope(staff, Scope.REQUESTS_READ)
    runtime = request.app.state.runtime
    letter = service.latest_letter(session, case_id)
    headers = {
        "Cache-Control": "no-store",
        "Content-Disposition": "inline",
        "X-Content-Type-Options": "nosniff",
    }
    return Response(
        service.letter_bytes(letter, runtime.settings), media_type="application/pdf", headers=headers
    )
