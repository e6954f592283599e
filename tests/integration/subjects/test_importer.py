"""Bulk import: all rows checked first, rejections reported by row and field, then all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.errors import ValidationFailed
from mamori.subjects.importer import apply_import, count_rows, plan_import
from mamori.subjects.models import Subject
from mamori.subjects.service import find_subject, reveal_subject
from tests.factories.subjects import create_subject, ensure_policy

UNKNOWN_CATEGORY = (
    "unknown subject category; the policy declares applicants, customers, employees, inquirers, shareholders"
)
HEADER = "jurisdiction,language,name,date_of_birth,categories,email,phone,member_number\n"
GOOD = [
    "JP,ja,山田 花子,1990-04-01,customers;shareholders,hanako@example.jp,０９０-１２３４-５６７８,m-1",
    "CN,zh-Hans,王小明,,customers,xiaoming@example.cn,,",
    ",,,,inquirers,,03-1234-5678,",
]


def _csv(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "subjects.csv"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _subjects(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Subject)) or 0)


class TestPlanImport:
    def test_good_file_plans_every_row(self, session: Session, settings: Settings, tmp_path: Path) -> None:
        ensure_policy(session)
        path = _csv(tmp_path, GOOD)
        ticks: list[int] = []
        plan = plan_import(session, settings, path, progress=ticks.append)
        assert plan.rejections == []
        assert [p.row for p in plan.subjects] == [2, 3, 4]
        assert sum(ticks) == count_rows(path) == 3
        assert plan.subjects[2].jurisdiction == "JP"  # defaults
        assert plan.subjects[2].language == "ja"
        assert _subjects(session) == 0  # planning writes nothing

    def test_every_bad_row_is_reported_by_number_and_field(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        create_subject(session, settings, identifiers=[("email", "taken@example.jp")])
        rows = [
            GOOD[0],
            "US,fr,,1990-13-01,,not-an-email,12,",
            "JP,ja,,2999-01-01,pets;customers;customers,TAKEN@example.jp,,",
            "JP,ja,,,customers,HANAKO@example.jp,,M1",
        ]
        plan = plan_import(session, settings, _csv(tmp_path, rows))
        assert [str(r) for r in plan.rejections] == [
            "row 3: jurisdiction: must be one of JP, CN",
            "row 3: language: must be one of ja, en, zh-Hans, zh-Hant",
            "row 3: date_of_birth: not a date (YYYY-MM-DD)",
            "row 3: categories: at least one category is needed",
            "row 3: email: not an e-mail address",
            "row 3: phone: not a possible phone number",
            "row 4: date_of_birth: is in the future",
            f"row 4: categories: {UNKNOWN_CATEGORY}",
            "row 4: categories: a category is repeated",
            "row 4: email: held by another subject",
            "row 5: email: repeats row 2",
            "row 5: member_number: repeats row 2",
        ]
        assert all("not-an-email" not in str(r) for r in plan.rejections)

    def test_jsonl_with_lists_and_broken_lines(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        ensure_policy(session)
        path = tmp_path / "subjects.jsonl"
        lines = [
            json.dumps(
                {"name": "佐藤", "categories": ["employees"], "employee_number": "E-1"}, ensure_ascii=False
            ),
            "",
            "{not json",
            json.dumps(["a list"]),
            json.dumps({"categories": "customers", "colour": "blue"}),
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        plan = plan_import(session, settings, path)
        assert [p.categories for p in plan.subjects] == [("employees",)]
        assert [str(r) for r in plan.rejections] == [
            "row 3: -: not valid JSON",
            "row 4: -: not a JSON object",
            "row 5: colour: unknown column",
        ]

    def test_bad_header_and_file_type(self, session: Session, settings: Settings, tmp_path: Path) -> None:
        ensure_policy(session)
        with pytest.raises(ValidationFailed) as exc:
            plan_import(session, settings, _csv(tmp_path, ["x"], header="name,colour\n"))
        assert exc.value.details["errors"] == [
            {"row": 1, "field": "colour", "message": "unknown column"},
            {"row": 1, "field": "categories", "message": "missing column"},
        ]
        other = tmp_path / "subjects.xlsx"
        other.write_bytes(b"")
        with pytest.raises(ValidationFailed, match=r"\.csv or \.jsonl"):
            plan_import(session, settings, other)


class TestApplyImport:
    def test_imports_everything_encrypted_and_audited(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        ensure_policy(session)
        plan = plan_import(session, settings, _csv(tmp_path, GOOD))
        result = apply_import(session, settings, "importer", plan)
        assert (result.subjects, result.identifiers, result.categories) == (3, 5, 4)
        hanako = find_subject(session, settings, kind="phone", value="+819012345678")
        session.expire_all()
        view = reveal_subject(session, settings, "t", hanako.id, "customer.sales")
        assert view.name == "山田 花子"
        assert {i.value for i in view.identifiers} == {"hanako@example.jp", "+819012345678", "M1"}
        created = session.scalars(select(AuditEvent).where(AuditEvent.action == "subject.created"))
        assert sum(1 for _ in created) == 3
        summary = session.scalar(select(AuditEvent).where(AuditEvent.action == "subjects.imported"))
        assert summary is not None
        assert summary.target_id == plan.digest

    def test_refuses_a_plan_with_rejections(
        self, session: Session, settings: Settings, tmp_path: Path
    ) -> None:
        ensure_policy(session)
        plan = plan_import(session, settings, _csv(tmp_path, [*GOOD, "XX,,,,customers,,,"]))
        with pytest.raises(ValidationFailed) as exc:
            apply_import(session, settings, "importer", plan)
        assert exc.value.details["errors"] == [
            {"row": 5, "field": "jurisdiction", "message": "must be one of JP, CN"}
        ]
        assert _subjects(session) == 0
