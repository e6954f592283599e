"""Field checks of a provision request: every problem named by its field, before anything is written."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.errors import ValidationFailed
from mamori.policy.schema import PolicyBundle, PurposeFlag
from mamori.provisions import rules
from mamori.provisions.models import Party
from mamori.provisions.parties import resolve_party
from mamori.security.models import StaffUser

if TYPE_CHECKING:
    from mamori.provisions.gate import ProvisionRequest

MAX_SUBJECTS = 200_000
MAX_JUSTIFICATION = 2_000
OFFICER_ROLES = frozenset({"privacy_officer", "admin"})

Errors = list[dict[str, str]]


@dataclass(frozen=True, slots=True)
class RequestCheck:
    recipient: Party
    exception: bool
    sensitive: bool


def _error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def check_request(session: Session, bundle: PolicyBundle, request: ProvisionRequest) -> RequestCheck:
    """The recipient and the kind of basis, once every field is right.

    Raises:
        ValidationFailed: each problem in ``details['errors']`` with its field.
    """
    exceptions = {e.code for e in bundle.third_party_provision.exceptions}
    errors = subject_and_item_errors(bundle, request.subjects, request.items)
    recipient = resolve_party(session, request.recipient, bundle=bundle)
    errors += _recipient_errors(bundle, request, recipient)
    allowed = (rules.CONSENT, rules.JOINT_USE, *sorted(exceptions))
    if request.basis not in allowed:
        errors.append(_error("basis", f"must be one of {', '.join(allowed)} (opt-out is not used)"))
    if request.basis in exceptions:
        errors += _exception_errors(session, request)
    errors += _purpose_errors(bundle, request)
    if request.contract_ref is not None and not 0 < len(request.contract_ref) <= 200:  # noqa: PLR2004
        errors.append(_error("contract_ref", "1 to 200 characters"))
    if errors or recipient is None:
        raise ValidationFailed(
            "the provision request is not valid; nothing was recorded", details={"errors": errors}
        )
    sensitive_items = {item.id for item in bundle.data_items if item.pipl_sensitive}
    return RequestCheck(recipient, request.basis in exceptions, bool(sensitive_items & set(request.items)))


def subject_and_item_errors(bundle: PolicyBundle, subjects: Sequence[object], items: Sequence[str]) -> Errors:
    """An empty or oversized subject list, no items, items the policy does not declare."""
    errors: Errors = []
    if not subjects:
        errors.append(_error("subjects", "name at least one subject"))
    elif len(subjects) > MAX_SUBJECTS:
        errors.append(_error("subjects", f"at most {MAX_SUBJECTS:,} subjects per call"))
    if not items:
        errors.append(_error("items", "name at least one data item"))
    known = {item.id for item in bundle.data_items}
    errors += [
        _error(f"items[{i}]", f"unknown data item {item!r}")
        for i, item in enumerate(items)
        if item not in known
    ]
    return errors


def unknown_subject_errors(ids: Sequence[uuid.UUID], known: Collection[uuid.UUID]) -> Errors:
    """The ids that name no subject (the first 100)."""
    return [_error(f"subjects[{i}]", f"no subject {sid}") for i, sid in enumerate(ids) if sid not in known][
        :100
    ]


def _recipient_errors(bundle: PolicyBundle, request: ProvisionRequest, recipient: Party | None) -> Errors:
    if recipient is None:
        return [_error("recipient", f"unknown recipient {request.recipient!r}")]
    if recipient.kind in {rules.PROCESSOR, rules.PROVIDER}:
        return [
            _error(
                "recipient", f"{recipient.key!r} is a {recipient.kind}: processors get data by entrustment"
            )
        ]
    if request.basis != rules.JOINT_USE:
        return []
    joint = bundle.joint_use
    if joint is None or recipient.key not in {c.id for c in joint.companies}:
        return [
            _error(
                "recipient", f"{recipient.key!r} is not a joint user in the published joint-use declaration"
            )
        ]
    return [
        _error(f"items[{i}]", f"{item!r} is not an item of the joint-use declaration")
        for i, item in enumerate(request.items)
        if item not in joint.items
    ]


def _exception_errors(session: Session, request: ProvisionRequest) -> Errors:
    errors: Errors = []
    text = (request.justification or "").strip()
    if not text or len(text) > MAX_JUSTIFICATION:
        errors.append(
            _error("justification", f"an exception needs a written justification (1 to {MAX_JUSTIFICATION})")
        )
    if not request.approved_by:
        errors.append(_error("approved_by", "an exception needs the approving officer's user name"))
        return errors
    return errors + officer_errors(session, request.approved_by, "approved_by")


def officer_errors(session: Session, username: str, field: str) -> Errors:
    """Empty when ``username`` is an active privacy officer or admin, who may approve."""
    officer = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
    if officer is None or not officer.active or officer.role not in OFFICER_ROLES:
        return [_error(field, "must be an active user with the privacy_officer or admin role")]
    return []


def _purpose_errors(bundle: PolicyBundle, request: ProvisionRequest) -> Errors:
    if request.purpose is None:
        return []
    purpose = bundle.purposes().get(request.purpose)
    if purpose is None:
        return [_error("purpose", f"unknown purpose {request.purpose!r}")]
    if PurposeFlag.THIRD_PARTY_PROVISION not in purpose.flags:
        return [_error("purpose", f"{request.purpose!r} does not name third-party provision")]
    return []
