"""Dependencies: the runtime (settings, engine), one unit of work per request, and the caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from mamori.config import Settings
from mamori.db.session import unit_of_work
from mamori.db.signals import Listener
from mamori.errors import Forbidden, Unauthenticated
from mamori.security.rules import Scope
from mamori.security.service import Principal, authenticate_token


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    read_session_factory: sessionmaker[Session]
    run_listener: Listener | None = None  # PostgreSQL, no embedded worker: runs finished elsewhere


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_session(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Iterator[Session]:
    """One transaction per request: committed when the endpoint returns, rolled back on error."""
    with unit_of_work(runtime.session_factory) as session:
        yield session


def get_read_session(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Iterator[Session]:
    """A transaction for pages and reads that change nothing (no write lock on SQLite)."""
    with unit_of_work(runtime.read_session_factory) as session:
        yield session


# scope="function": the transaction ends when the endpoint returns, before the response is sent,
# so a failed commit is the caller's 500 and never a success reported for work that was lost.
# (The default scope would commit after the response has gone out.)
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
_bearer = HTTPBearer(auto_error=False)


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("an API token is required (Authorization: Bearer <token>)")
    return authenticate_token(session, credentials.credentials)


def require(scope: Scope) -> Callable[[Principal], Principal]:
    """Dependency factory: the caller's token must carry ``scope`` (403 otherwise)."""

    def _check(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        if scope not in principal.scopes:
            raise Forbidden(f"this token lacks the scope {scope.value!r}")
        return principal

    return _check
