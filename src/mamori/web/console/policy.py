"""The policy in the console: versions, a side-by-side diff in the page's language, check and publish.

A bundle is checked or published from the configured directory (``MAMORI_DEFAULT_POLICY_DIR``) or
from an uploaded zip (unpacked safely by :mod:`mamori.policy.archive` into a temporary folder);
the check's errors are listed by file and line. Each change of the joint-use declaration carries
its class (publish only, notify without delay, announce in advance, needs consent). Reading needs
``policy:read``; checking and publishing ``policy:write``.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from mamori.api.deps import SessionDep
from mamori.calendar.service import TOKYO
from mamori.errors import MamoriError, ValidationFailed
from mamori.policy.archive import MAX_TOTAL_BYTES, unpack_bundle
from mamori.policy.changes.classify import classify
from mamori.policy.changes.model import ChangeClass
from mamori.policy.changes.purposes import purposes_of
from mamori.policy.loader import load_bundle
from mamori.policy.rules import Change, classify_joint_use
from mamori.policy.service import get_version, latest_version, list_versions, publish_bundle
from mamori.security.rules import Scope
from mamori.web.console.shell import console_lang, console_page
from mamori.web.staff import StaffDep, check_csrf, require_scope

router = APIRouter(include_in_schema=False)
LANG_KEYS = {"ja", "en", "zh-Hans", "zh-Hant"}


def _in_lang(value: Any, lang: str) -> Any:
    """A text of the bundle (a mapping of the four languages) in ``lang``; anything else as it is."""
    if isinstance(value, dict) and value and set(value) <= LANG_KEYS:
        return value.get(lang) or value.get("ja")
    return value


def _show(value: Any, lang: str) -> str:
    import json

    value = _in_lang(value, lang)
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)


def change_rows(changes: list[Change], lang: str) -> list[dict[str, str]]:
    return [
        {"path": c.path, "kind": str(c.kind), "old": _show(c.old, lang), "new": _show(c.new, lang)}
        for c in changes
    ]


CAMPAIGN_KIND = {
    ChangeClass.ANNOUNCE: "notification",
    ChangeClass.ANNOUNCE_IN_ADVANCE: "notification",
    ChangeClass.RELATED_CHANGE: "notification",
    ChangeClass.NEEDS_CONSENT: "consent",
}


def classified_rows(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Each change with its class (:mod:`mamori.policy.changes`) and the campaign it needs.

    A purpose that must be made known or consented to gets a link that fills in the campaign form.
    """
    purposes = purposes_of(new)
    rows = []
    for change in classify(old, new):
        kind = CAMPAIGN_KIND.get(change.change_class)
        link = None
        if kind is not None and change.target in purposes:
            link = "/console/campaigns?" + urlencode({"purpose": change.target, "kind": kind})
        rows.append({"c": change, "class": change.change_class.value, "campaign": kind, "link": link})
    return rows


@router.get("/console/policy")
def versions(request: Request, session: SessionDep, staff: StaffDep) -> Response:
    """Published versions, newest first, and the forms to compare, check and publish."""
    require_scope(staff, Scope.POLICY_READ)
    rows = [
        {"v": v, "at": v.published_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")}
        for v in reversed(list_versions(session))
    ]
    return console_page(
        request,
        "console/policy/versions.html",
        staff=staff,
        rows=rows,
        directory=str(request.app.state.runtime.settings.default_policy_dir),
        may_write=Scope.POLICY_WRITE in staff.scopes,
        done=request.query_params.get("done"),
        errors=[],
        checked=None,
    )


@router.get("/console/policy/diff")
def diff(
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    old: Annotated[int, Query(ge=1)],
    new: Annotated[int, Query(ge=1)],
) -> Response:
    """Two versions side by side in the page's language, each change with its class."""
    require_scope(staff, Scope.POLICY_READ)
    lang = console_lang(request)
    before, after = get_version(session, str(old)), get_version(session, str(new))
    from mamori.policy.service import diff_versions

    rows = change_rows(diff_versions(before, after), lang)
    joint = classify_joint_use(before.content.get("joint_use"), after.content.get("joint_use"))
    return console_page(
        request,
        "console/policy/diff.html",
        staff=staff,
        lang=lang,
        old=before,
        new=after,
        rows=rows,
        joint=joint,
        classified=classified_rows(before.content, after.content),
    )


async def _bundle_dir(request: Request, source: str, upload: UploadFile | None, into: Path) -> Path:
    if source == "upload":
        if upload is None or not upload.filename:
            raise ValidationFailed(
                "no zip was chosen", details={"errors": [{"field": "bundle", "message": "choose a zip"}]}
            )
        return unpack_bundle(await upload.read(MAX_TOTAL_BYTES + 1), into)
    return Path(request.app.state.runtime.settings.default_policy_dir)


@router.post("/console/policy/check")
async def check_or_publish(  # noqa: PLR0913 - the form's fields
    request: Request,
    session: SessionDep,
    staff: StaffDep,
    source: Annotated[str, Form(max_length=20)] = "directory",
    bundle: Annotated[UploadFile | None, File()] = None,
    effective_date: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    publish: Annotated[str, Form(max_length=10)] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """Check the bundle (errors by file and line, changes against the latest version); publish it if asked."""
    require_scope(staff, Scope.POLICY_WRITE)
    check_csrf(request, request.app.state.runtime.settings, csrf_token)
    lang = console_lang(request)
    with tempfile.TemporaryDirectory(prefix="mamori-bundle-") as folder:
        try:
            directory = await _bundle_dir(request, source, bundle, Path(folder))
            result = load_bundle(directory)
            if result.ok and publish == "yes":
                effective = date.fromisoformat(effective_date) if effective_date else None
                version = publish_bundle(
                    session,
                    actor=staff.actor,
                    directory=directory,
                    effective_date=effective,
                    note=note or None,
                )
                return RedirectResponse(f"/console/policy?done=published-{version.number}", status_code=303)
        except (MamoriError, ValueError) as error:
            return _checked_page(request, session, staff, lang, errors=[_message(error)], checked=None)
    errors = [{"file": e.file, "line": e.line, "field": e.field, "message": e.message} for e in result.errors]
    changes: list[dict[str, str]] = []
    current = latest_version(session)
    if result.bundle is not None and current is not None:
        from mamori.policy.rules import diff_content
        from mamori.policy.service import bundle_content

        changes = change_rows(diff_content(current.content, bundle_content(result.bundle)), lang)
    return _checked_page(
        request,
        session,
        staff,
        lang,
        errors=[],
        checked={"errors": errors, "changes": changes, "ok": result.ok},
    )


def _message(error: Exception) -> str:
    if isinstance(error, MamoriError) and isinstance(error.details, dict) and error.details.get("errors"):
        return "; ".join(
            str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in error.details["errors"]
        )
    return str(error)


def _checked_page(  # noqa: PLR0913
    request: Request, session: SessionDep, staff: StaffDep, lang: str, *, errors: list[str], checked: Any
) -> Response:
    rows = [
        {"v": v, "at": v.published_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M")}
        for v in reversed(list_versions(session))
    ]
    return console_page(
        request,
        "console/policy/versions.html",
        staff=staff,
        lang=lang,
        rows=rows,
        directory=str(request.app.state.runtime.settings.default_policy_dir),
        may_write=True,
        done=None,
        errors=errors,
        checked=checked,
        status=422 if errors else 200,
    )
