"""html_to_pdf: CJK fonts follow the document's language and the text can be read back."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from mamori.notices.pdf import html_to_pdf

SAMPLES = {
    "ja": "個人情報の利用目的について",
    "zh-Hans": "个人信息的使用目的",
    "zh-Hant": "個人資料的利用目的",
    "en": "Usage purposes",
}
FONTS = {"ja": "CJK-JP", "zh-Hans": "CJK-SC", "zh-Hant": "CJK-TC"}


def _fonts(pdf: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"].get_object().get("/Font", {}).values()
    }


class TestHtmlToPdf:
    @pytest.mark.parametrize("lang", ["ja", "zh-Hans", "zh-Hant"])
    def test_each_cjk_language_gets_its_own_font_and_stays_extractable(self, lang: str) -> None:
        html = f'<!doctype html><html lang="{lang}"><body><h1>{SAMPLES[lang]}</h1></body></html>'
        pdf = html_to_pdf(html)
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert SAMPLES[lang] in text.replace("\n", "")
        assert any(FONTS[lang] in name for name in _fonts(pdf)), _fonts(pdf)

    def test_english_with_a_japanese_name_still_draws_the_kanji(self) -> None:
        html = '<!doctype html><html lang="en"><body><p>Usage purposes of 株式会社AOKI</p></body></html>'
        pdf = html_to_pdf(html)
        text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert "株式会社AOKI" in text
        assert any("CJK" in name for name in _fonts(pdf))

    def test_a4_pages(self) -> None:
        pdf = html_to_pdf('<html lang="ja"><body><p>あ</p></body></html>')
        box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)
