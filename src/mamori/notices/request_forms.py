"""The printable request forms the notice promises, generated from the bundle with fillable fields.

One form per kind: ``disclosure`` (notification of purposes, disclosure, provision records),
``correction`` (correction, addition or deletion), ``suspension`` (cease use, erasure, cease
provision) and, when the bundle has the PIPL addendum, ``pipl`` (every request a person covered
by PIPL may make). Each lists the requester kinds with the proofs they need, the accepted ID
documents, the answer methods and the postal address, in one of the four languages, and names the
policy version it belongs to. Fields are AcroForm fields (WeasyPrint renders ``<input>`` with
``appearance: auto`` as such); their names are ASCII and stable across languages, so an office can
read a filled form by machine.
"""

from __future__ import annotations

from html import escape

from mamori.dsr.rules import RequesterKind
from mamori.notices import request_form_messages as t
from mamori.notices.pdf import html_to_pdf
from mamori.policy.schema import LANGUAGES, PolicyBundle, RequestType

FORM_KINDS: tuple[str, ...] = ("disclosure", "correction", "suspension", "pipl")

_CSS = """
input, textarea { appearance: auto; }
body { font-size: 9.5pt; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 11pt; margin: 5mm 0 1.5mm; border-bottom: 0.6pt solid #333; }
.row { display: flex; align-items: center; margin: 1.2mm 0; }
.row label.field { width: 42mm; }
input[type=text] { width: 120mm; height: 6.5mm; border: 0.6pt solid #333; }
input[type=checkbox] { width: 4mm; height: 4mm; border: 0.6pt solid #333; margin-right: 2mm; }
textarea { width: 162mm; height: 28mm; border: 0.6pt solid #333; }
.check { display: flex; align-items: center; margin: 1mm 0; }
.proof { margin: 0 0 1.5mm 6mm; color: #222; }
.foot { margin-top: 6mm; font-size: 8pt; color: #333; }
"""


def form_kinds(bundle: PolicyBundle) -> tuple[str, ...]:
    """The kinds this bundle offers: a form declared as ``<kind>_form``, and ``pipl`` with the addendum."""
    declared = {form.id for form in bundle.requests.forms}
    kinds = [k for k in FORM_KINDS[:3] if f"{k}_form" in declared]
    return (*kinds, "pipl") if bundle.pipl.enabled else tuple(kinds)


def _types(bundle: PolicyBundle, kind: str) -> list[RequestType]:
    if kind == "pipl":
        return [r for r in bundle.requests.types if "CN" in r.jurisdictions]
    return [r for r in bundle.requests.types if r.form == f"{kind}_form"]


def _title(bundle: PolicyBundle, kind: str, lang: str) -> str:
    if kind == "pipl":
        return t.label("pipl_title", lang)
    return next(f.title.get(lang) for f in bundle.requests.forms if f.id == f"{kind}_form")


def _text(name: str, label: str) -> str:
    return (
        f'<div class="row"><label class="field" for="{name}">{escape(label)}</label>'
        f'<input type="text" id="{name}" name="{name}"></div>'
    )


def _check(name: str, label: str, extra: str = "") -> str:
    return (
        f'<div class="check"><input type="checkbox" id="{name}" name="{name}" value="Yes">'
        f'<label for="{name}">{escape(label)}</label></div>{extra}'
    )


def _person(lang: str, prefix: str, *, relation: bool = False) -> list[str]:
    keys = (
        ["name", "address", "birth", "phone", "email"] if prefix == "person" else ["name", "address", "phone"]
    )
    if prefix == "person":
        keys.append("member")
    rows = [_text(f"{prefix}_{key}", t.label(key, lang)) for key in keys]
    return [*rows, _text(f"{prefix}_relation", t.label("relation", lang))] if relation else rows


def _body(bundle: PolicyBundle, kind: str, lang: str) -> list[str]:
    reqs = bundle.requests
    requesters = [r for r in reqs.requesters if kind == "pipl" or r.id != RequesterKind.NEXT_OF_KIN]
    reception = reqs.reception
    address = reception.address.get(lang) if reception.address else ""
    return [
        f"<h2>{escape(t.label('addressee', lang))}</h2><p>{escape(bundle.controller.name.get(lang))}</p>",
        f"<h2>{escape(t.label('requests', lang))}</h2>",
        *(_check(f"request_{r.id}", r.name.get(lang)) for r in _types(bundle, kind)),
        f'<label for="details">{escape(t.label("details", lang))}</label>',
        '<textarea id="details" name="details"></textarea>',
        f"<h2>{escape(t.label('person', lang))}</h2>",
        *_person(lang, "person"),
        f"<h2>{escape(t.label('who', lang))}</h2>",
        *(
            _check(f"kind_{r.id}", r.name.get(lang), f'<p class="proof">{escape(r.proof.get(lang))}</p>')
            for r in requesters
        ),
        f"<h2>{escape(t.label('requester', lang))}</h2>",
        *_person(lang, "requester", relation=True),
        f"<h2>{escape(t.label('id_documents', lang))}</h2>",
        *(_check(f"id_{d.id}", d.name.get(lang)) for d in reqs.id_documents if d.id != "registered_login"),
        f"<h2>{escape(t.label('answer', lang))}</h2>",
        *(_check(f"answer_{m.id}", m.name.get(lang)) for m in reqs.response_methods),
        f"<h2>{escape(t.label('sign', lang))}</h2>",
        _text("date", t.label("date", lang)),
        _text("signature", t.label("signature", lang)),
        f"<h2>{escape(t.label('send_to', lang))}</h2>",
        f"<p>{escape(reception.name.get(lang))}<br>{escape(address)}</p>",
        f"<p>{escape(reqs.submission.get(lang))}</p>",
        f"<h2>{escape(t.label('fees', lang))}</h2><p>{escape(reqs.fees.get(lang))}</p>",
    ]


def request_form_html(
    bundle: PolicyBundle, kind: str, lang: str, *, version_number: int, content_hash: str
) -> str:
    """The whole HTML document of the form ``kind`` in ``lang``.

    Raises:
        ValueError: a kind this bundle does not offer, or an unknown language.
    """
    if kind not in form_kinds(bundle) or lang not in LANGUAGES:
        msg = f"no request form {kind!r} in {lang!r}"
        raise ValueError(msg)
    title = _title(bundle, kind, lang)
    foot = t.label("version", lang).format(number=version_number, hash=content_hash[:12])
    body = "".join(_body(bundle, kind, lang))
    return (
        f'<!doctype html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><form>{body}</form>"
        f'<p class="foot">{escape(foot)}</p></body></html>'
    )


def request_form_pdf(
    bundle: PolicyBundle, kind: str, lang: str, *, version_number: int, content_hash: str
) -> bytes:
    """The form as a printable PDF with fillable fields. Raises ValueError like :func:`request_form_html`."""
    return html_to_pdf(
        request_form_html(bundle, kind, lang, version_number=version_number, content_hash=content_hash)
    )
