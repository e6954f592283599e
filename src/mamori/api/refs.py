"""Path parameters that take a record's id or its reference (the form people read and type).

Requests ``R20261208-4F2A9C``, inquiries ``Q-261208-7KX3PA``, incidents ``INC-2026-0001``; an id
(UUID) works everywhere too. An unknown reference is a 404, as an unknown id is.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path

from mamori.api.deps import SessionDep
from mamori.errors import NotFound


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _case_key(
    case_id: Annotated[str, Path(description="The case's id or reference (R20261208-4F2A9C).")],
    session: SessionDep,
) -> uuid.UUID:
    from mamori.dsr.service import case_by_reference

    return _uuid(case_id) or case_by_reference(session, case_id.strip().upper()).id


def _inquiry_key(
    inquiry_id: Annotated[str, Path(description="The inquiry's id or reference (Q-261208-7KX3PA).")],
    session: SessionDep,
) -> uuid.UUID:
    from mamori.inquiries.service import find_by_reference

    return _uuid(inquiry_id) or find_by_reference(session, inquiry_id).id


def _incident_key(
    incident_id: Annotated[str, Path(description="The incident's id or reference (INC-2026-0001).")],
    session: SessionDep,
) -> uuid.UUID:
    from mamori.incidents.repository import by_reference

    found = _uuid(incident_id)
    if found is not None:
        return found
    incident = by_reference(session, incident_id.strip().upper())
    if incident is None:
        raise NotFound(f"no incident {incident_id!r}")
    return incident.id


CaseKey = Annotated[uuid.UUID, Depends(_case_key)]
InquiryKey = Annotated[uuid.UUID, Depends(_inquiry_key)]
IncidentKey = Annotated[uuid.UUID, Depends(_incident_key)]
