"""The data map and fulfillment runs across the organisation's systems."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["datamap"])
