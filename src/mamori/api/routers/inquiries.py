"""Contact-centre inquiries and complaints."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["inquiries"])
