"""The API's Swagger UI page, from Mamori's own origin (pinned files in ``static/``, see manifest.json)."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from mamori.web.templating import TEMPLATES

STATIC = TEMPLATES.parent / "static"
router = APIRouter(include_in_schema=False)
static_files = StaticFiles(directory=STATIC)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mamori API</title>
<link rel="stylesheet" href="/static/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="/static/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/api/v1/docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI document; no request leaves the origin."""
    return HTMLResponse(_PAGE.format(openapi=escape(request.app.openapi_url or "")))
