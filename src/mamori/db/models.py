"""Import every room's models so that metadata (and Alembic) sees all tables."""

from mamori.audit import models as audit_models
from mamori.campaigns import models as campaign_models
from mamori.centre import models as centre_models
from mamori.consents import models as consent_models
from mamori.cookies import models as cookie_models
from mamori.datamap import models as datamap_models
from mamori.db import queue_models as job_models
from mamori.discovery import models as discovery_models
from mamori.dsr import models as dsr_models
from mamori.incidents import models as incident_models
from mamori.inquiries import models as inquiry_models
from mamori.notify import models as notify_models
from mamori.pms import models as pms_models
from mamori.policy import models as policy_models
from mamori.provisions import models as provision_models
from mamori.retention import models as retention_models
from mamori.security import models as security_models
from mamori.security import ratelimit as ratelimit_models
from mamori.subjects import models as subject_models

__all__ = [
    "audit_models",
    "campaign_models",
    "centre_models",
    "consent_models",
    "cookie_models",
    "datamap_models",
    "discovery_models",
    "dsr_models",
    "incident_models",
    "inquiry_models",
    "job_models",
    "notify_models",
    "pms_models",
    "policy_models",
    "provision_models",
    "ratelimit_models",
    "retention_models",
    "security_models",
    "subject_models",
]
