"""The request forms (``/forms/<kind>.pdf``): printable, fillable PDFs of the policy in force."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mamori.api.deps import ReadSessionDep
from mamori.notices.request_forms import form_kinds, request_form_pdf
from mamori.policy.models import PolicyVersion
from mamori.policy.service import bundle_of, require_current_version
from mamori.web.i18n import N_, gettext_for
from mamori.web.public.page import page, page_lang

router = APIRouter(include_in_schema=False)

DESCRIPTIONS = {
    "disclosure": N_(
        "Notification of the purposes of use, disclosure, and disclosure of records of provision"
        " to third parties"
    ),
    "correction": N_("Correction, addition or deletion"),
    "suspension": N_("Suspension of use, erasure, or stopping provision to third parties"),
    "pipl": N_(
        "Every request of a person covered by China's PIPL, including copies, transfer and explanations"
    ),
}
PIPL_TITLE = N_("Request form under China's PIPL")


@router.get("/forms")
def forms_index(request: Request, session: ReadSessionDep) -> Response:
    """The forms of the policy in force, each as a PDF in the chosen language."""
    lang = page_lang(request)
    version = require_current_version(session)
    bundle = bundle_of(version)
    titles = {f.id.removesuffix("_form"): f.title.get(lang) for f in bundle.requests.forms}
    forms = [
        {
            "kind": kind,
            "title": titles.get(kind) or gettext_for(lang, PIPL_TITLE),
            "description": gettext_for(lang, DESCRIPTIONS[kind]),
            "href": f"/forms/{kind}.pdf?lang={lang}",
        }
        for kind in form_kinds(bundle)
    ]
    return page(request, "public/forms/index.html", lang, forms=forms, version=version.number)


# A version's form in a language never changes, and rendering takes seconds: kept per process.
_rendered: dict[tuple[str, str, str], bytes] = {}
_KEEP = 32


def _pdf(version: PolicyVersion, kind: str, lang: str) -> bytes:
    key = (version.content_hash, kind, lang)
    if key not in _rendered:
        if len(_rendered) >= _KEEP:
            _rendered.pop(next(iter(_rendered)))
        _rendered[key] = request_form_pdf(
            bundle_of(version), kind, lang, version_number=version.number, content_hash=version.content_hash
        )
    return _rendered[key]


@router.get("/forms/{kind}.pdf")
def form_pdf(kind: str, request: Request, session: ReadSessionDep) -> Response:
    """One request form as a printable PDF with fillable fields."""
    lang = page_lang(request)
    version = require_current_version(session)
    if kind not in form_kinds(bundle_of(version)):
        return page(request, "public/forms/missing.html", lang, status=404)
    pdf = _pdf(version, kind, lang)
    filename = f"request-form-{kind}-v{version.number}-{lang}.pdf"
    headers = {"Content-Disposition": f'inline; filename="{filename}"', "Content-Language": lang}
    return Response(pdf, media_type="application/pdf", headers=headers)
