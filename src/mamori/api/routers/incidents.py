"""Incidents: register, reportability, clocks, reports, notices."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["incidents"])
