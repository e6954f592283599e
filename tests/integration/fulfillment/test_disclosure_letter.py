"""The access package in the response letter: a disclosure decided, the systems searched, the PDF read back.

An accepted disclosure starts an access run for the person; the letter waits for it, then prints
every record found, per system and dataset, each field labelled by its data item in the letter's
language. An electronic answer also carries the package as JSON inside the PDF.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.dsr.models import Case, CaseLetter, PendingTask
from mamori.dsr.service import decide, generate_letter, letter_bytes
from mamori.dsr.service.common import policy
from mamori.dsr.service.disclosure import TABLE_COLUMNS, records_section
from mamori.dsr.service.letters import compose
from mamori.errors import ValidationFailed
from mamori.fulfillment import service
from mamori.fulfillment.package import LetterTable
from mamori.notices.document import Facts, Section, Table
from mamori.policy.schema import LANGUAGES
from tests.factories.dsr import case_in_progress
from tests.factories.subjects import create_subject

EMAIL_LABEL = {
    "ja": "メールアドレス",
    "en": "E-mail address",
    "zh-Hans": "电子邮箱地址",
    "zh-Hant": "電子郵件地址",
}
MEMBERS = {"ja": "会員情報", "en": "Members", "zh-Hans": "会员信息", "zh-Hant": "會員資料"}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        database_url=database_url, mail_backend="null", files_dir=tmp_path / "files", _env_file=None
    )


def decided_disclosure(
    session: Session, settings: Settings, *, lang: str = "ja", method: str = "post"
) -> Case:
    """Customer 3 of the shop asks what is held about them; the office accepts in full."""
    subject = create_subject(
        session,
        settings,
        identifiers=[("email", "user3@example.jp")],
        language=lang,
        jurisdiction="CN" if lang.startswith("zh") else "JP",
    )
    case = case_in_progress(session, settings, subject_id=subject.id, language=lang, response_method=method)
    decide(session, actor="user:officer", case_id=case.id, outcome="full", settings=settings)
    return case


def search(session: Session, settings: Settings, case: Case) -> None:
    """What the job worker does with the access run the decision queued."""
    task = session.scalars(select(PendingTask).where(PendingTask.case_id == case.id)).one()
    assert (task.action, task.status) == ("access", "handed_over")
    assert task.run_id is not None
    assert service.run_in_session(session, task.run_id, settings=settings) == "completed"


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        pytest.fail(f"{tool} is missing: install Debian's poppler-utils")
    return found


def pdf_text(pdf: bytes, folder: Path) -> str:
    pdftotext = poppler("pdftotext")
    (folder / "letter.pdf").write_bytes(pdf)
    subprocess.run([pdftotext, "-layout", str(folder / "letter.pdf"), str(folder / "letter.txt")], check=True)
    return (folder / "letter.txt").read_text(encoding="utf-8")


def systems_section(session: Session, settings: Settings, case: Case) -> Section:
    letter = compose(session, case, actor="user:officer", settings=settings)
    return next(s for s in letter.disclosures if s.id == "systems")


@pytest.mark.usefixtures("published")
class TestAccessPackageInTheLetter:
    def test_the_letter_waits_for_the_search_of_the_systems(
        self, session: Session, settings: Settings
    ) -> None:
        case = decided_disclosure(session, settings)
        with pytest.raises(ValidationFailed) as caught:
            generate_letter(session, actor="user:officer", case_id=case.id, settings=settings)
        assert [e["field"] for e in caught.value.details["errors"]] == ["systems"]
        assert session.scalars(select(CaseLetter).where(CaseLetter.case_id == case.id)).first() is None

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_every_record_found_is_printed_with_labels_in_the_letters_language(
        self, session: Session, settings: Settings, lang: str, tmp_path: Path
    ) -> None:
        case = decided_disclosure(session, settings, lang=lang)
        search(session, settings, case)
        row = generate_letter(session, actor="user:officer", case_id=case.id, settings=settings)
        text = pdf_text(letter_bytes(row, settings), tmp_path)
        for expected in (
            "user3@example.jp",
            "山田 太郎3",
            "LC000000000003",
            "09000000003",
            EMAIL_LABEL[lang],
        ):
            assert expected in text, expected
        assert MEMBERS[lang] in text

    def test_long_packages_print_every_row(self, session: Session, settings: Settings) -> None:
        case = decided_disclosure(session, settings)
        search(session, settings, case)
        tables = {sub.heading: sub.blocks[0] for sub in systems_section(session, settings, case).subsections}
        lines = tables["通販サイト顧客データベース / 注文明細"]
        assert isinstance(lines, Table)
        assert len(lines.rows) == 15  # 5 orders of 3 lines: none left out
        assert lines.headers[0] == "管理番号"
        members = tables["通販サイト顧客データベース / 会員情報"]
        assert isinstance(members, Table)
        assert "氏名" in members.headers
        assert "メールアドレス" in members.headers

    def test_a_page_with_the_records_renders(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        pdftoppm = poppler("pdftoppm")
        case = decided_disclosure(session, settings)
        search(session, settings, case)
        pdf = letter_bytes(generate_letter(session, actor="a", case_id=case.id, settings=settings), settings)
        (tmp_path / "letter.pdf").write_bytes(pdf)
        subprocess.run(
            [pdftoppm, "-png", "-r", "40", str(tmp_path / "letter.pdf"), str(tmp_path / "page")], check=True
        )
        pages = sorted(tmp_path.glob("page*.png"))
        assert len(pages) >= 2  # the records run over the first page
        assert all(p.read_bytes().startswith(b"\x89PNG") and p.stat().st_size > 1000 for p in pages)


@pytest.mark.usefixtures("published")
class TestElectronicAnswer:
    def test_the_pdf_carries_the_package_as_json(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        pdfdetach = poppler("pdfdetach")
        case = decided_disclosure(session, settings, method="electronic")
        search(session, settings, case)
        pdf = letter_bytes(generate_letter(session, actor="a", case_id=case.id, settings=settings), settings)
        name = f"{case.reference}-data.json"
        assert name in "".join(pdf_text(pdf, tmp_path).split())  # the letter says what is attached
        listed = subprocess.run(
            [pdfdetach, "-list", str(tmp_path / "letter.pdf")], check=True, capture_output=True
        )
        assert name in listed.stdout.decode()
        subprocess.run([pdfdetach, "-saveall", "-o", str(tmp_path), str(tmp_path / "letter.pdf")], check=True)
        raw = (tmp_path / name).read_text(encoding="utf-8")
        assert "山田 太郎3" in raw  # characters kept, not \\u escapes
        package = json.loads(raw)
        shop = next(s for s in package["systems"] if s["system"] == "shop")
        members = next(d for d in shop["datasets"] if d["dataset"] == "customer")
        fields = {f["field"]: f for f in members["records"][0]["fields"]}
        assert (fields["email"]["label"], fields["email"]["value"]) == ("メールアドレス", "user3@example.jp")

    def test_a_posted_letter_carries_no_file(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        case = decided_disclosure(session, settings, method="post")
        search(session, settings, case)
        pdf = letter_bytes(generate_letter(session, actor="a", case_id=case.id, settings=settings), settings)
        (tmp_path / "letter.pdf").write_bytes(pdf)
        listed = subprocess.run(
            [poppler("pdfdetach"), "-list", str(tmp_path / "letter.pdf")], check=True, capture_output=True
        )
        assert listed.stdout.decode().startswith("0 embedded files")


class TestWideDatasets:
    def test_a_dataset_too_wide_for_a_table_prints_a_list_per_record(self) -> None:
        labels = [f"label{i}" for i in range(TABLE_COLUMNS + 1)]
        wide = LetterTable(
            "crm / contacts",
            labels,
            [[f"r{r}c{c}" if c != 2 else "" for c in range(len(labels))] for r in range(3)],
        )
        section = records_section(1, wide)
        assert len(section.blocks) == 3
        first = section.blocks[0]
        assert isinstance(first, Facts)
        assert [(f.label, f.lines) for f in first.rows][:2] == [("label0", ("r0c0",)), ("label1", ("r0c1",))]
        assert "label2" not in [f.label for f in first.rows]  # an empty value is left out
        narrow = records_section(2, LetterTable("shop / cards", labels[:3], [["1", "a", "b"]]))
        assert isinstance(narrow.blocks[0], Table)


SEARCHED = {
    "ja": "データマップ）に記載されたすべてのシステムを調査しました",
    "en": "We searched every system listed in our record of personal data (data map)",
    "zh-Hans": "个人信息台账（数据地图）所列的全部系统",
    "zh-Hant": "個人資料台帳（資料地圖）所列的全部系統",
}


def _squeezed(pdf: bytes) -> str:
    """The letter's text read back with pypdf, every space and line break removed."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


@pytest.mark.usefixtures("published")
class TestTheLetterSaysWhereWeSearched:
    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_it_names_every_system_of_the_data_map_in_the_letters_language(
        self, session: Session, settings: Settings, lang: str
    ) -> None:
        case = decided_disclosure(session, settings, lang=lang)
        search(session, settings, case)
        text = _squeezed(
            letter_bytes(generate_letter(session, actor="a", case_id=case.id, settings=settings), settings)
        )
        assert "".join(SEARCHED[lang].split()) in text
        for system in policy(session).datamap:
            assert "".join(system.name.get(lang).split()) in text, system.id

    def test_an_unfinished_search_and_no_statement_keep_the_letter_back(
        self, session: Session, settings: Settings
    ) -> None:
        case = decided_disclosure(session, settings)
        with pytest.raises(ValidationFailed, match="systems"):
            generate_letter(session, actor="a", case_id=case.id, settings=settings)
