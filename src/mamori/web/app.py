"""Mount the server-rendered pages on the FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response

from mamori.security.ratelimit import RateLimited, trusted_networks
from mamori.web import api_docs
from mamori.web.limits import rate_limited
from mamori.web.staff import LoginRequired, login_redirect
from mamori.web.templating import set_demo


def include_web(app: FastAPI) -> None:
    """Attach the public pages (privacy notice, ...) and the staff console to ``app``."""
    from mamori.web import console, public
    from mamori.web.routes import contact, incidents, joint_use, requests
    from mamori.web.routes import public as legacy_public

    # Public pages not yet moved to mamori.web.public (see its docstring).
    legacy = (legacy_public.router, joint_use.router, requests.router, contact.router, incidents.router)
    for router in (*legacy, *public.ROUTERS, *console.ROUTERS):
        app.include_router(router)
    app.include_router(api_docs.router)
    app.mount("/static", api_docs.static_files, name="static")
    app.add_exception_handler(RateLimited, rate_limited)
    trusted_networks(app.state.runtime.settings.trusted_proxies)  # a wrong entry stops the start, named
    set_demo(demo=app.state.runtime.settings.demo)

    @app.exception_handler(LoginRequired)
    async def _login(_request: Request, exc: LoginRequired) -> Response:
        return login_redirect(exc.next_path)
