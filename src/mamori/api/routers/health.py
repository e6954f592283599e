from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import text

from mamori.api.deps import Runtime, get_runtime

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(runtime: Annotated[Runtime, Depends(get_runtime)]) -> dict[str, str]:
    """Liveness and database reachability."""
    with runtime.engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return {"status": "ok", "database": runtime.engine.dialect.name}
