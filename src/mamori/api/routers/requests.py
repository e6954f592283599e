"""Requests from people about their data (dsr room)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["requests"])
