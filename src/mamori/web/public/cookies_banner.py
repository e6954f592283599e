"""What the cookie banner talks to: its configuration, the consent post, and ``/.well-known/gpc.json``.

The banner runs on the organisation's site (another origin); it reads its configuration and posts
the visitor's choice here. The post is a CORS "simple request" (``text/plain`` body holding JSON)
so no preflight is needed; responses allow the property's declared origins to read them. Nothing
here reads or stores the visitor's address beyond the rate limit's keyed counter.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mamori.api.deps import ReadSessionDep, SessionDep
from mamori.api.limits import client_address
from mamori.cookies import service
from mamori.cookies.banner import banner_config, banner_language
from mamori.cookies.rules import effective_choices
from mamori.errors import NotFound, ValidationFailed
from mamori.security import ratelimit

router = APIRouter(include_in_schema=False)
# A visitor may change their mind a few times; several shoppers may share one address (NAT).
CONSENT_LIMIT = ratelimit.Limit("address:cookies.consent", 100, 600)
MAX_BODY = 4096


class BannerPost(BaseModel):
    model_config = ConfigDict(extra="forbid")
    browser: uuid.UUID
    hash: str = Field(min_length=64, max_length=64)
    choices: dict[str, bool] = Field(default_factory=dict, max_length=50)
    gpc: bool = False
    source: str = Field(default="banner", pattern="^(banner|gpc)$")
    lang: str = Field(default="ja", max_length=10)


def _cors(session: ReadSessionDep | SessionDep, property_id: str, origin: str | None) -> dict[str, str]:
    """Let the property's own pages read the answer (and no other site)."""
    if not origin:
        return {}
    try:
        prop = service.current_inventory(session).cookies.property(property_id)
    except NotFound:
        return {}
    if prop is None or origin not in prop.origins:
        return {}
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/cookies/banner/{property_id}.json")
def banner_configuration(
    property_id: str,
    request: Request,
    session: ReadSessionDep,
    lang: Annotated[str | None, Query(max_length=35)] = None,
    origin: Annotated[str | None, Header()] = None,
) -> Response:
    """The banner's texts and categories for one web property in the visitor's language."""
    headers = {**_cors(session, property_id, origin), "Cache-Control": "no-cache"}
    try:
        inventory = service.current_inventory(session)
        config = banner_config(inventory, property_id, banner_language(lang), _base_url(request))
    except NotFound as exc:
        return JSONResponse({"detail": exc.message}, status_code=404, headers=headers)
    return JSONResponse(config, headers=headers)


def _parse(raw: bytes) -> BannerPost:
    if len(raw) > MAX_BODY:
        raise ValidationFailed("the consent is too large", details={"errors": ["body: at most 4096 bytes"]})
    try:
        return BannerPost.model_validate(json.loads(raw or b"null"))
    except (ValueError, ValidationError) as exc:
        raise ValidationFailed(
            "not a consent the banner sends", details={"errors": [str(exc)[:300]]}
        ) from exc


@router.post("/cookies/banner/{property_id}/consent")
async def banner_consent(
    property_id: str,
    request: Request,
    session: SessionDep,
    origin: Annotated[str | None, Header()] = None,
    sec_gpc: Annotated[str | None, Header()] = None,
) -> Response:
    """Record the visitor's choice; ``Sec-GPC: 1`` refuses the sale/sharing/advertising categories."""
    headers = _cors(session, property_id, origin)
    settings = request.app.state.runtime.settings
    ratelimit.hit(session, settings, CONSENT_LIMIT, client_address(request, settings))
    try:
        body = _parse(await request.body())
        inventory = service.current_inventory(session)
        given = service.ConsentInput(
            property_id=property_id,
            browser_id=body.browser,
            inventory_hash=body.hash,
            choices=body.choices,
            gpc=body.gpc or (sec_gpc or "").strip() == "1",
            source=body.source,
            language=banner_language(body.lang),
        )
        [record_id] = service.record_consents(session, inventory, [given])
    except ValidationFailed as exc:
        return JSONResponse(
            {"detail": exc.message, "errors": exc.details.get("errors", [])}, 422, headers=headers
        )
    except NotFound as exc:
        return JSONResponse({"detail": exc.message}, status_code=404, headers=headers)
    choices = effective_choices(inventory.cookies, given.choices, gpc=given.gpc)
    answer: dict[str, Any] = {"id": str(record_id), "choices": choices, "gpc": given.gpc}
    return JSONResponse(answer, status_code=201, headers=headers)


BROWSER_COOKIE = "mamori_browser"  # read by the privacy centre at sign-in (link_browser)
CENTRE = "/preferences"


@router.post("/cookies/browser")
async def remember_browser(request: Request, session: SessionDep) -> Response:
    """From the banner's "privacy centre" button: remember this browser's ID for the centre's sign-in.

    A form post (top-level navigation) from the site, so the ID travels in the body, never a URL.
    The centre links the browser to the person who signs in (``mamori.cookies.service.link_browser``).
    """
    settings = request.app.state.runtime.settings
    ratelimit.hit(session, settings, CONSENT_LIMIT, client_address(request, settings))
    form = await request.form()
    lang = banner_language(str(form.get("lang") or ""))
    response = RedirectResponse(f"{CENTRE}?{urlencode({'lang': lang})}", status_code=303)
    browser = service.parse_browser_id(str(form.get("browser") or ""))
    if browser is not None:
        secure = request.url.scheme == "https"
        response.set_cookie(BROWSER_COOKIE, str(browser), max_age=3600, path=CENTRE, httponly=True,
                            samesite="lax", secure=secure)  # fmt: skip
    return response


GPC_JSON = {"gpc": True, "lastUpdate": "2026-12-08"}


@router.get("/.well-known/gpc.json")
def gpc_support() -> JSONResponse:
    """Global Privacy Control support resource: this site honours GPC."""
    return JSONResponse(
        GPC_JSON, headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=86400"}
    )
