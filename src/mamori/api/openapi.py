"""The OpenAPI document as clients need it: every error a route can return, as problem+json.

FastAPI documents only the success and its own 422. The errors come from the routes' dependencies
and the domain (api/errors.py), so they are added here, once, from what each route depends on:

- 401 and 403 where the route asks for a token (``get_principal`` among its dependencies);
- 404 where it names a resource in the path or needs the published policy (every authenticated route);
- 409 where it changes state (a conflict or an illegal transition);
- 400 where it takes a body (one that cannot be parsed);
- 422 where it takes parameters or a body (validation) or the domain refuses the content.

All of them share one ``Problem`` schema (RFC 9457) under ``application/problem+json``.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from mamori.api.deps import get_principal

PROBLEM_MEDIA = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"


def binary(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route whose success is a file in one of ``media_types``."""
    schema = {"type": "string", "format": "binary"}
    return {200: {"content": {media: {"schema": schema} for media in media_types}}}


PDF = binary("application/pdf")


class ProblemField(BaseModel):
    """One refused field: ``loc`` for a request that does not parse, ``field`` for refused content."""

    model_config = ConfigDict(extra="allow")
    message: str
    loc: list[str] | None = None
    field: str | None = None


class Problem(BaseModel):
    """An error as RFC 9457 problem details; validation errors add ``errors``, one per field."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(examples=["https://mamori.dev/problems/not-found"])
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str
    errors: list[ProblemField] | None = None


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for child in dependant.dependencies:
        yield child
        yield from _dependencies(child)


def error_codes(route: APIRoute) -> set[int]:
    """The error statuses ``route`` can answer with, from its dependencies and method."""
    dependant = route.dependant
    changes = bool(set(route.methods or ()) - {"GET", "HEAD"})
    calls = {d.call for d in _dependencies(dependant)}
    codes: set[int] = set()
    if get_principal in calls:
        codes |= {401, 403, 404}
    if dependant.path_params:
        codes.add(404)
    params = [*dependant.query_params, *dependant.header_params, *dependant.path_params]
    for child in _dependencies(dependant):
        params += [*child.query_params, *child.header_params, *child.path_params]
    if params or dependant.body_params or changes:
        codes.add(422)
    if dependant.body_params:
        codes.add(400)  # a body that is not JSON at all (FastAPI: "error parsing the body")
    if changes:
        codes.add(409)
    return codes


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_MEDIA: {"schema": {"$ref": PROBLEM_REF}}},
    }


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {**defs, "Problem": schema}


def _document(app: FastAPI, prefix: str) -> dict[str, Any]:
    schema = FastAPI.openapi(app)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(_problem_schemas())
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        path = getattr(context, "path_format", "")
        if not isinstance(route, APIRoute) or not path.startswith(prefix) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            responses = schema["paths"][path][method.lower()].setdefault("responses", {})
            for code in sorted(error_codes(route)):
                responses[str(code)] = _problem(code)
    return schema


def install_openapi(app: FastAPI, prefix: str) -> None:
    """Serve the completed document (built once, on first request) at the app's ``openapi_url``."""
    document: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not document:
            document.update(_document(app, prefix))
        return document

    app.openapi = openapi  # type: ignore[method-assign]
