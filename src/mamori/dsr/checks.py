"""What `mamori policy check` says about a bundle's request deadlines (pure, over the bundle)."""

from __future__ import annotations

from datetime import date

from mamori.calendar.service import calendar_from_contact_centre
from mamori.dsr.deadlines import art39_overruns
from mamori.policy.schema import PolicyBundle

SPAN_DAYS = 731  # two years of receipt days: every weekday against every holiday and closure


def deadline_warnings(bundle: PolicyBundle, start: date) -> list[str]:
    """Targets that can reach the Art. 39 date, when the bundle turned the cap off.

    With ``request_handling.target_before_art39`` on (the default) no target can, and nothing is said.
    """
    handling = bundle.request_handling
    if handling.target_before_art39:
        return []
    cal = calendar_from_contact_centre(bundle.contact_centre)
    rules = [(f"request type {t.id!r}", t.target_days) for t in bundle.requests.types]
    rules.append(("request_handling.cn", handling.cn.working_days))
    warnings = []
    for name, days in rules:
        overruns = art39_overruns(cal, days, start, SPAN_DAYS)
        if overruns:
            warnings.append(
                f"{name}: a target of {days} business days reaches the APPI Art. 39 date (when the "
                f"requester may sue) for {len(overruns)} of the {SPAN_DAYS} receipt days from "
                f"{start.isoformat()}, first {overruns[0].isoformat()}; request_handling."
                "target_before_art39 is false"
            )
    return warnings
