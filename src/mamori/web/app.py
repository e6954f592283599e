"""Mount the server-rendered pages on the FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI


def include_web(app: FastAPI) -> None:
    """Attach the public pages (privacy notice, ...) to ``app``."""
    from mamori.web.routes import public

    app.include_router(public.router)
