"""Public request form: a plain page in four languages, e-mail confirmed by a one-time link."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
