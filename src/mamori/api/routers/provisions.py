"""Third-party provision records, receipts, parties, joint use, processors."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["provisions"])
