"""The printable request forms: AcroForm fields, the bundle's wording in each language, rendered pages."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from mamori.config import DEFAULT_POLICY_DIR
from mamori.notices.request_forms import form_kinds, request_form_html, request_form_pdf
from mamori.policy.loader import load_bundle
from mamori.policy.schema import PolicyBundle

HASH = "0123456789ab" + "f" * 52


@cache
def _bundle() -> PolicyBundle:
    bundle = load_bundle(DEFAULT_POLICY_DIR).bundle
    assert bundle is not None
    return bundle


@cache
def _pdf(kind: str, lang: str) -> bytes:
    return request_form_pdf(_bundle(), kind, lang, version_number=3, content_hash=HASH)


def _text(pdf: bytes) -> str:
    # NFKC: the CJK fonts map some ideographs to Kangxi radicals in the extracted text
    raw = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    return "".join(unicodedata.normalize("NFKC", raw).split())


def _squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


# one render per kind, each in another language: rendering CJK PDFs takes seconds
CASES = [("disclosure", "ja"), ("correction", "en"), ("suspension", "zh-Hans"), ("pipl", "zh-Hant")]


class TestFormKinds:
    def test_the_default_bundle_offers_the_three_forms_and_the_pipl_form(self) -> None:
        assert form_kinds(_bundle()) == ("disclosure", "correction", "suspension", "pipl")

    def test_an_unknown_kind_or_language_is_refused(self) -> None:
        for kind, lang in (("erasure", "ja"), ("disclosure", "fr")):
            with pytest.raises(ValueError, match="no request form"):
                request_form_html(_bundle(), kind, lang, version_number=1, content_hash=HASH)


class TestRequestFormPdf:
    @pytest.mark.parametrize(("kind", "lang"), CASES)
    def test_fields_are_fillable_and_named_the_same_in_every_language(self, kind: str, lang: str) -> None:
        fields = PdfReader(BytesIO(_pdf(kind, lang))).get_fields() or {}
        bundle = _bundle()
        expected = {"person_name", "person_address", "person_birth", "details", "date", "signature"}
        expected |= {f"answer_{m.id}" for m in bundle.requests.response_methods}
        expected |= {f"kind_{r}" for r in ("self", "legal_representative", "agent")}
        assert expected <= set(fields)
        asked = {name.removeprefix("request_") for name in fields if name.startswith("request_")}
        if kind == "pipl":
            assert {"copy", "portability", "deceased_next_of_kin"} <= asked
            assert "kind_next_of_kin" in fields
        else:
            assert asked == {r.id for r in bundle.requests.types if r.form == f"{kind}_form"}
            assert "kind_next_of_kin" not in fields  # next of kin ask under PIPL only

    @pytest.mark.parametrize(("kind", "lang"), CASES)
    def test_the_text_lists_proofs_documents_and_the_postal_address(self, kind: str, lang: str) -> None:
        text = _text(_pdf(kind, lang))
        requests = _bundle().requests
        assert requests.reception.address is not None
        assert _squeeze(requests.reception.address.get(lang)) in text
        agent = next(r for r in requests.requesters if r.id == "agent")
        assert _squeeze(agent.proof.get(lang)) in text
        assert _squeeze(requests.id_documents[0].name.get(lang)) in text
        assert "0123456789ab" in text  # the policy version it belongs to

    def test_the_first_page_renders_to_a_non_blank_image(self, tmp_path: Path) -> None:
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
        source = tmp_path / "form.pdf"
        source.write_bytes(_pdf("disclosure", "ja"))
        page = tmp_path / "page"
        subprocess.run([pdftoppm, "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", source, page],
                       check=True, timeout=60)  # fmt: skip
        with Image.open(tmp_path / "page.png") as image:
            grey = image.convert("L")
            assert grey.height > grey.width > 300
            dark = sum(count for value, count in enumerate(grey.histogram()) if value < 128)
        assert dark > 500
