"""Staff duties: a role may name only the purposes its duties cover when it reads personal data.

The duties are the policy bundle's ``staff_roles`` section (see
:mod:`mamori.policy.sections.staff`). A refusal is audited (``<target>.read_refused`` with the
reason ``outside-role-duties``) before Forbidden is raised; entry points commit it so it stays.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from mamori.audit.service import record_event
from mamori.errors import Forbidden
from mamori.policy.schema import PolicyBundle
from mamori.policy.sections.staff import role_purposes


def check_duty(  # noqa: PLR0913 - who, for what, about whom
    session: Session,
    bundle: PolicyBundle,
    *,
    actor: str,
    role: str,
    purpose: str,
    target_type: str,
    target_id: str,
) -> None:
    """Raise Forbidden (after auditing the refusal) unless ``purpose`` is among ``role``'s duties."""
    allowed = role_purposes(bundle.staff_roles, role, set(bundle.purposes()))
    if allowed is None or purpose in allowed:
        return
    record_event(
        session,
        actor=actor,
        action=f"{target_type}.read_refused",
        target_type=target_type,
        target_id=target_id,
        details={"purpose": purpose, "reason": "outside-role-duties", "role": role},
    )
    message = f"purpose {purpose!r} is not among the duties of the role {role!r} (policy: staff_roles)"
    raise Forbidden(message, details={"errors": [{"field": "purpose", "message": message}]})
