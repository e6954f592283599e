"""Mount the server-rendered pages on the FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI


def include_web(app: FastAPI) -> None:
    """Attach the public pages (privacy notice, ...) to ``app``."""
    from mamori.web.routes import contact, incidents, joint_use, public, requests

    for routes in (public, joint_use, requests, contact, incidents):
        app.include_router(routes.router)
