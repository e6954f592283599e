"""Application factory: ``uvicorn --factory mamori.api.app:create_app``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from mamori.api.deps import Runtime
from mamori.api.errors import install_error_handlers
from mamori.api.headers import SecurityHeaders
from mamori.api.input_guard import InputGuard
from mamori.api.openapi import install_openapi
from mamori.api.routers import (
    audit,
    campaigns,
    consents,
    cookies,
    datamap,
    decisions,
    discovery,
    health,
    incidents,
    inquiries,
    jobs,
    pms,
    policy,
    provisions,
    requests,
    retention,
    subjects,
)
from mamori.config import Settings, get_settings
from mamori.db import signals
from mamori.db.session import make_engine, make_session_factory
from mamori.jobs.embedded import embedded_config, start_embedded

API_PREFIX = "/api/v1"


def build_runtime(settings: Settings) -> Runtime:
    options = {}
    if not settings.database_url.startswith("sqlite"):
        # Room for the embedded worker's threads beside the requests being served.
        threads = embedded_config("postgresql", settings.worker_concurrency).concurrency
        options = {"pool_size": threads + 5, "max_overflow": 10}
    engine = make_engine(settings.database_url, **options)
    return Runtime(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        read_session_factory=make_session_factory(engine, read_only=True),
    )


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the whole HTTP surface: the API under /api/v1 and the public pages."""
    from mamori.web.app import include_web

    owned = runtime is None
    runtime = runtime or build_runtime(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        worker, listener = None, None
        if runtime.settings.worker_embedded:
            config = embedded_config(runtime.engine.dialect.name, runtime.settings.worker_concurrency)
            worker = start_embedded(runtime.session_factory, config)
        if worker is None and runtime.engine.dialect.name == "postgresql":
            # Runs finished by workers elsewhere answer the requests waiting for them (Prefer: wait);
            # started by the first such request.
            listener = signals.Listener(runtime.settings.database_url, [signals.RUNS])
        runtime.run_listener = listener
        yield
        if worker is not None:
            await asyncio.to_thread(worker.stop)  # the job in hand finishes first
        if listener is not None:
            await asyncio.to_thread(listener.stop)
        if owned:
            runtime.engine.dispose()  # close pooled connections when the server stops

    app = FastAPI(
        lifespan=lifespan,
        title="Mamori",
        version="0.1.0",
        summary="Personal-information protection management: the privacy policy as code.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI is served from Mamori's own origin (mamori.web.api_docs)
        redoc_url=None,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(health.router)
    routers = (
        policy.router,
        audit.router,
        subjects.router,
        consents.router,
        decisions.router,
        provisions.router,
        requests.router,
        incidents.router,
        inquiries.router,
        jobs.router,
        datamap.router,
        cookies.router,
        discovery.router,
        campaigns.router,
        retention.router,
        pms.router,
    )
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    include_web(app)
    install_openapi(app, API_PREFIX)
    app.add_middleware(InputGuard, api_prefix=API_PREFIX)
    app.add_middleware(SecurityHeaders)  # outermost: input refused by the guard gets the headers too
    return app
