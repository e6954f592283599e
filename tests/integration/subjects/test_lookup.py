"""People named one a line: found by blind index, each line that names no one reported by number only."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.subjects.lookup import guess, resolve_lines
from tests.factories.subjects import create_subject


class TestGuess:
    @pytest.mark.parametrize(
        ("line", "kind"),
        [
            ("hanako@example.jp", "email"),
            ("+81 90-1234-5678", "phone"),
            ("M-0001", "member_number"),
            ("member_number:0901234", "member_number"),
            ("email:x@example.jp", "email"),
            ("9b2f4c8e-2a55-4f43-9d8c-0b8f3e4f7a11", "subject_id"),
        ],
    )
    def test_kind_of_a_line(self, line: str, kind: str) -> None:
        assert guess(line)[0] == kind


class TestResolveLines:
    def test_finds_each_person_once_and_reports_the_rest_by_line(
        self, session: Session, settings: Settings
    ) -> None:
        hanako = create_subject(session, settings, identifiers=[("email", "hanako@example.jp")])
        taro = create_subject(session, settings, identifiers=[("member_number", "M-0001")])
        lines = ["Hanako@Example.jp", "", "member_number:M-0001", "nobody@example.jp"]
        lines += ["hanako@example.jp", "email:x"]
        text = "\n".join(lines)
        found = resolve_lines(session, settings, text)
        assert found.subject_ids == [hanako.id, taro.id]
        assert found.problems == [(4, "unknown"), (6, "invalid")]
        assert all("example" not in code for _, code in found.problems)
