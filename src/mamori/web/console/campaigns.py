"""Campaigns in the console: tell people about a revised purpose, or ask for their consent again.

The list shows each campaign's progress (sent, delivered, bounced, consented); a campaign's page its
statistics by status and channel and the buttons to pause, resume, cancel or close it (closing
keeps the final report). Creating one takes the purpose and kind from the form, as the policy
diff's link fills them in. Everything goes through :mod:`mamori.campaigns.service`, as the CLI
and the API do; the API's scope applies (``policy:write``).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from mamori.api.deps import SessionDep
from mamori.campaigns import rules, service
from mamori.policy.changes.purposes import purposes_of
from mamori.policy.service import latest_version
from mamori.security.rules import Scope
from mamori.web.console.forms import apply, guard, messages, text_in, when
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, require_scope

router = APIRouter(include_in_schema=False)
CsrfField = Annotated[str | None, Form()]
STEERS = {"pause": rules.PAUSED, "resume": rules.RUNNING, "cancel": rules.CANCELLED, "close": rules.CLOSED}
DONE = {"created", *STEERS}


def purpose_choices(session: Session, lang: str) -> list[dict[str, str]]:
    """The purposes of the version in force (id, category, name in ``lang``), for the form."""
    version = latest_version(session)
    if version is None:
        return []
    return [
        {"id": pid, "category": category, "name": text_in(purpose.get("name"), lang, pid)}
        for pid, (category, purpose) in sorted(purposes_of(version.content).items())
    ]


def _delivered(stats: dict[str, Any]) -> int:
    """Messages handed over and not bounced back (complaints were delivered too)."""
    return int(stats["sent"]) - int(stats["bounced"])


def _list(request: Request, session: Session, staff: StaffDep, **context: Any) -> Response:
    lang = console_lang(request)
    rows = []
    for campaign in reversed(service.list_campaigns(session)):
        stats = service.statistics(session, campaign.id)
        rows.append(
            {"c": campaign, "at": when(campaign.created_at), "s": stats, "delivered": _delivered(stats)}
        )
    done = request.query_params.get("done")
    asked = {
        "purpose": request.query_params.get("purpose") or "",
        "kind": request.query_params.get("kind") or "",
    }
    return console_page(
        request,
        "console/campaigns/list.html",
        staff=staff,
        lang=lang,
        rows=rows,
        purposes=purpose_choices(session, lang),
        kinds=rules.KINDS,
        asked=asked,
        **{"error": None, "done": done if done in DONE else None, **context},
    )


@router.get("/console/campaigns")
def campaigns_page(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """Every campaign with its progress, and the form to start one."""
    require_scope(staff, Scope.POLICY_WRITE)
    return _list(request, session, staff)


@router.post("/console/campaigns")
def create(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    purpose_id: Annotated[str, Form(max_length=80)],
    kind: Annotated[str, Form(max_length=20)],
    rate_per_second: Annotated[int, Form(ge=1, le=10_000)] = 100,
    remind_after_days: Annotated[str, Form(max_length=4)] = "",
    csrf_token: CsrfField = None,
) -> Response:
    """Start a campaign: its audience is fixed now, and sending begins in the worker."""
    guard(request, staff, Scope.POLICY_WRITE, csrf_token)
    known = {p["id"]: p["category"] for p in purpose_choices(session, console_lang(request))}
    if purpose_id not in known:
        return _list(request, session, staff, error=f"purpose: unknown {purpose_id!r}")
    days = int(remind_after_days) if remind_after_days.strip().isdigit() else None
    made: list[uuid.UUID] = []

    def change() -> object:
        campaign = service.create_campaign(
            session,
            actor=staff.actor,
            kind=kind,
            purpose_id=purpose_id,
            category=known[purpose_id],
            rate_per_second=rate_per_second,
            remind_after_days=days,
        )
        made.append(campaign.id)
        return campaign

    return apply(
        session,
        change,
        refused=lambda error: _list(request, session, staff, error="; ".join(messages(error))),
        done=lambda: RedirectResponse(f"/console/campaigns/{made[0]}?done=created", status_code=303),
    )


def _detail(
    request: Request, session: Session, staff: StaffDep, campaign_id: uuid.UUID, **context: Any
) -> Response:
    campaign = service.get_campaign(session, campaign_id)
    stats = service.statistics(session, campaign_id)
    done = request.query_params.get("done")
    return console_page(
        request,
        "console/campaigns/detail.html",
        staff=staff,
        c=campaign,
        s=stats,
        delivered=_delivered(stats),
        at=when(campaign.created_at),
        closed=when(campaign.closed_at),
        moves=[
            name for name, to in STEERS.items() if to in rules.TRANSITIONS.get(campaign.state, frozenset())
        ],
        **{"error": None, "done": done if done in DONE else None, **context},
    )


@router.get("/console/campaigns/{campaign_id}")
def campaign_page(campaign_id: uuid.UUID, request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """One campaign: progress and statistics, and what may be done with it now."""
    require_scope(staff, Scope.POLICY_WRITE)
    return _detail(request, session, staff, campaign_id)


@router.post("/console/campaigns/{campaign_id}/{move}")
def steer(  # noqa: PLR0913 - the path, the form and the dependencies
    campaign_id: uuid.UUID,
    move: str,
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    csrf_token: CsrfField = None,
) -> Response:
    """Pause, resume, cancel (pending messages are not sent) or close (the report is kept)."""
    guard(request, staff, Scope.POLICY_WRITE, csrf_token)
    if move not in STEERS:
        return _detail(request, session, staff, campaign_id, error=f"unknown action {move!r}")
    return apply(
        session,
        lambda: service.steer(session, actor=staff.actor, campaign_id=campaign_id, to=STEERS[move]),
        refused=lambda error: _detail(request, session, staff, campaign_id, error="; ".join(messages(error))),
        done=lambda: RedirectResponse(f"/console/campaigns/{campaign_id}?done={move}", status_code=303),
    )
