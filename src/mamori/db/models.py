"""Import every room's models so that metadata (and Alembic) sees all tables."""

from mamori.audit import models as audit_models
from mamori.consents import models as consent_models
from mamori.notify import models as notify_models
from mamori.policy import models as policy_models
from mamori.security import models as security_models
from mamori.subjects import models as subject_models

__all__ = [
    "audit_models",
    "consent_models",
    "notify_models",
    "policy_models",
    "security_models",
    "subject_models",
]
