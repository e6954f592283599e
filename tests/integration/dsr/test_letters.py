"""Response letters in the four languages: PDF text read back, pages rendered, stored encrypted."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.consents.suspensions import suspend
from mamori.dsr.rules import RequesterKind
from mamori.dsr.service import decide, generate_letter, letter_bytes, reject_case
from mamori.dsr.service.common import policy
from mamori.dsr.service.disclosure import purposes_section
from mamori.errors import ValidationFailed
from mamori.notices.letters import LetterInput, build_response_letter, letter_pdf
from mamori.policy.schema import LANGUAGES
from mamori.subjects.models import Subject
from tests.factories.consents import record_consent
from tests.factories.dsr import case_in_progress, create_case, held_nowhere_else, requester
from tests.factories.provisions import make_provision
from tests.factories.subjects import create_subject
from tests.integration.dsr.conftest import all_file_bytes

# What each language's letter must say (its title, and the decision of a partial disclosure).
TITLE = {
    "ja": "ご請求に対する回答書",
    "en": "Our answer to your request",
    "zh-Hans": "对您请求的答复",
    "zh-Hant": "對您請求的答覆",
}
PARTIAL = {
    "ja": "ご請求の一部について対応いたしました",
    "en": "We have done part of what you asked",
    "zh-Hans": "我们已处理您请求的一部分",
    "zh-Hant": "我們已處理您請求的一部分",
}
HARM = {
    "ja": "第三者の生命",
    "en": "could harm the life",
    "zh-Hans": "可能损害本人或第三方",
    "zh-Hant": "可能損害本人或第三方",
}


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


def _subject(session: Session, settings: Settings, lang: str) -> Subject:
    jurisdiction = "CN" if lang.startswith("zh") else "JP"
    return create_subject(session, settings, language=lang, jurisdiction=jurisdiction, name="山田 花子")


class TestDisclosureLetter:
    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_the_letter_speaks_the_requesters_language_and_discloses_the_data(
        self, session: Session, settings: Settings, lang: str
    ) -> None:
        subject = _subject(session, settings, lang)
        suspend(
            session,
            actor="a",
            subject_id=subject.id,
            scope="purpose:customer.mailings",
            reason="asked",
            source="manual",
        )
        case = case_in_progress(
            session, settings, subject_id=subject.id, language=lang, who=requester(name="王 小明")
        )
        decide(
            session,
            actor="user:officer",
            case_id=case.id,
            outcome="partial",
            reasons=["harm_to_person_or_others"],
            explanation="一部の記録に第三者の情報が含まれます",
            settings=settings,
        )
        held_nowhere_else(session, case)
        row = generate_letter(session, actor="user:officer", case_id=case.id, settings=settings)
        pdf = letter_bytes(row, settings)
        text = _text(pdf)
        for expected in (
            TITLE[lang],
            PARTIAL[lang],
            HARM[lang],
            "王 小明",
            case.reference,
            "山田 花子",
            "purpose:customer.mailings",
            "一部の記録に第三者の情報が含まれます",
        ):
            assert expected in text, expected
        assert row.language == lang

    def test_a_page_renders_to_an_image(self, session: Session, settings: Settings, tmp_path: Path) -> None:
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            pytest.fail("pdftoppm is missing: install Debian's poppler-utils")
        case = case_in_progress(session, settings)
        decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        held_nowhere_else(session, case)
        pdf = letter_bytes(generate_letter(session, actor="a", case_id=case.id, settings=settings), settings)
        (tmp_path / "letter.pdf").write_bytes(pdf)
        subprocess.run(
            [
                pdftoppm,
                "-png",
                "-r",
                "40",
                "-f",
                "1",
                "-l",
                "1",
                str(tmp_path / "letter.pdf"),
                str(tmp_path / "page"),
            ],
            check=True,
        )
        [png] = list(tmp_path.glob("page*.png"))
        assert png.read_bytes().startswith(b"\x89PNG")
        assert png.stat().st_size > 1000  # something was drawn

    def test_the_stored_letter_is_not_readable_on_disk(self, session: Session, settings: Settings) -> None:
        case = case_in_progress(session, settings, who=requester(name="鈴木 一郎"))
        decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        held_nowhere_else(session, case)
        row = generate_letter(session, actor="a", case_id=case.id, settings=settings)
        disk = all_file_bytes(settings.files_dir)
        assert b"%PDF" not in disk
        assert "鈴木".encode() not in disk
        assert letter_bytes(row, settings).startswith(b"%PDF")

    def test_no_letter_before_a_decision(self, session: Session, settings: Settings) -> None:
        case = create_case(session, settings)
        with pytest.raises(ValidationFailed, match="decide or reject"):
            generate_letter(session, actor="a", case_id=case.id, settings=settings)


class TestOtherLetters:
    def test_a_rejected_agent_is_told_why(self, session: Session, settings: Settings) -> None:
        case = create_case(
            session, settings, language="en", who=requester(RequesterKind.AGENT, name="Jane Roe")
        )
        reject_case(
            session,
            actor="a",
            case_id=case.id,
            reason_code="agent_without_power_of_attorney",
            explanation="No power of attorney was enclosed.",
            settings=settings,
        )
        text = _text(
            letter_bytes(generate_letter(session, actor="a", case_id=case.id, settings=settings), settings)
        )
        assert "without a power of attorney" in text
        assert "could not take your request further" in text
        assert "An agent appointed by the person" in text

    def test_purpose_notification_lists_the_purposes_of_the_persons_categories(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_subject(session, settings, categories=("shareholders",))
        case = case_in_progress(session, settings, subject_id=subject.id, request_type="purpose_notification")
        decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        text = _text(
            letter_bytes(generate_letter(session, actor="a", case_id=case.id, settings=settings), settings)
        )
        bundle = policy(session)
        shareholder = bundle.purposes()["shareholder.rights"].text.ja
        customer = bundle.purposes()["customer.sales"].text.ja
        assert shareholder[:15] in text
        assert customer[:15] not in text

    def test_the_renderer_refuses_an_unknown_language(self, session: Session, settings: Settings) -> None:
        create_case(session, settings)
        bundle = policy(session)
        letter = LetterInput(
            lang="fr",
            reference="R1",
            addressee="x",
            requester_kind="self",
            request_type="disclosure",
            received_on=date(2027, 1, 4),
            answered_on=date(2027, 1, 5),
            outcome="full",
            disclosures=(purposes_section(bundle, None, "ja"),),
        )
        with pytest.raises(ValueError, match="unknown language"):
            build_response_letter(bundle, letter)
        assert letter_pdf(build_response_letter(bundle, dataclasses.replace(letter, lang="ja")))


class TestProvisionRecordLetter:
    @pytest.mark.parametrize(
        ("lang", "recipient"),
        [("ja", "（サンプル）信用情報機関"), ("en", "(Sample) Credit information agency")],
    )
    def test_the_letter_lists_the_provisions_recorded_for_the_person(
        self, session: Session, settings: Settings, lang: str, recipient: str
    ) -> None:
        subject = create_subject(session, settings, language=lang)
        record_consent(session, subject.id, scope="recipient:sample_credit_bureau")
        make_provision(session, settings, [subject.id])
        case = case_in_progress(
            session,
            settings,
            subject_id=subject.id,
            request_type="provision_record_disclosure",
            language=lang,
        )
        decide(session, actor="a", case_id=case.id, outcome="full", settings=settings)
        text = _text(
            letter_bytes(generate_letter(session, actor="a", case_id=case.id, settings=settings), settings)
        )
        flat = text.replace(" ", "")  # table cells wrap inside words
        assert recipient.replace(" ", "") in flat
        assert ("第三者への提供" if lang == "ja" else "Providedto") in flat
        assert ("氏名" if lang == "ja" else "Name") in flat  # item names, not ids
