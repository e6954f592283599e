"""The staff console: one module per room (``<room>.py``, an ``APIRouter`` named ``router``).

Add a room's router to :data:`ROUTERS`; its templates go in ``templates/console/<room>/`` and its
texts in the catalog domain ``console_<room>`` (see :mod:`mamori.web.i18n`). Shared parts:
:mod:`mamori.web.console.shell` (language, headers, navigation, rendering) and the layout
``templates/console/_layout.html``. A section appears in the navigation as soon as its page
(``/console/<room>``) is routed.
"""

from __future__ import annotations

from fastapi import APIRouter

from mamori.web.console import (
    audiences,
    audit,
    auth,
    campaigns,
    dashboard,
    datamap,
    discovery,
    incident_work,
    incidents,
    inquiries,
    jobs,
    people,
    pms,
    policy,
    processors,
    provisions,
    request_actions,
    request_intake,
    request_reading,
    requests,
    second_factor,
    users,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    second_factor.router,
    dashboard.router,
    request_intake.router,  # /console/requests/new before /console/requests/{case_id}
    requests.router,
    request_actions.router,
    request_reading.router,
    inquiries.router,
    incidents.router,
    incident_work.router,
    provisions.router,
    people.router,
    policy.router,
    audit.router,
    jobs.router,
    users.router,
    datamap.router,
    discovery.router,
    pms.router,
    campaigns.router,
    audiences.router,
    processors.router,
)
