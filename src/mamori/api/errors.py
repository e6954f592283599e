"""Domain errors and request validation errors as RFC 9457 problem+json."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mamori.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    MamoriError,
    NotFound,
    PolicyViolation,
    Tampered,
    Unauthenticated,
    ValidationFailed,
)

PROBLEM_TYPE = "https://mamori.dev/problems/"
STATUS: dict[type[MamoriError], int] = {
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthenticated: 401,
    InvalidTransition: 409,
    PolicyViolation: 422,
    ValidationFailed: 422,
    Tampered: 500,
}


class ProblemResponse(JSONResponse):
    media_type = "application/problem+json"

    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def problem(status: int, code: str, detail: str, request: Request, **extra: Any) -> ProblemResponse:
    body = {
        "type": PROBLEM_TYPE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == HTTPStatus.UNAUTHORIZED else None
    return ProblemResponse(body, status_code=status, headers=headers)


def _status_of(error: MamoriError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(MamoriError)
    async def _domain(request: Request, exc: MamoriError) -> ProblemResponse:
        return problem(_status_of(exc), exc.code, exc.message, request, **exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> ProblemResponse:
        errors = [{"loc": [str(part) for part in e["loc"]], "message": str(e["msg"])} for e in exc.errors()]
        return problem(422, "validation-failed", "the request is not valid", request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> ProblemResponse:
        code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-")
        return problem(exc.status_code, code, str(exc.detail), request)
