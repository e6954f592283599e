"""Background tasks: state of the durable queue."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["jobs"])
