"""Public contact form: opens an inquiry and says when the centre answers."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
