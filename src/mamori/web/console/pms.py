"""The management system in the console: risks, open corrective actions, overdue training, the checklist.

Reading needs ``pms:read``. The page reads the same services as ``mamori pms`` and the API; the
registers are written through the CLI and the API for now.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mamori.api.deps import SessionDep
from mamori.pms import actions, audits, risks, training
from mamori.pms.common import today
from mamori.pms.rules import Rating
from mamori.security.rules import Scope
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, require_scope

router = APIRouter(include_in_schema=False)


@router.get("/console/pms")
def overview(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """The registers of the management system as they stand today."""
    require_scope(staff, Scope.PMS_READ)
    lang = console_lang(request)
    settings = request.app.state.runtime.settings
    day = today()
    rows = []
    for risk in risks.list_risks(session):
        residual = Rating(risk.residual_likelihood, risk.residual_impact)
        rows.append(
            {
                "risk": risk,
                "score": risk.likelihood * risk.impact,
                "residual": residual.score,
                "level": str(residual.level),
                "overdue": risk.review_on < day,
            }
        )
    checks = audits.checklist(session, today=day)
    return console_page(
        request,
        "console/pms/overview.html",
        staff=staff,
        risks=rows,
        actions=actions.all_actions(session, settings, today=day, open_only=True),
        training_due=training.overdue(session, today=day),
        checks=[{"item": item, "text": item.text(lang)} for item in checks],
        failed=sum(1 for item in checks if not item.passed),
    )
