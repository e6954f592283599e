"""The console's front page (``/console/``): what is due for this staff member, earliest first."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mamori.web.console.shell import console_page
from mamori.web.staff import StaffDep

router = APIRouter(include_in_schema=False)


@router.get("/console")
@router.get("/console/")
def dashboard(request: Request, staff: StaffDep) -> Response:
    """The dashboard of the signed-in staff member."""
    return console_page(request, "console/dashboard/home.html", staff=staff)
