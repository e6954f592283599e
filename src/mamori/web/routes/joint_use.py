"""Public page: the joint-use declaration of the published policy."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
