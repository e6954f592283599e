"""Staff free text on a person's records: encrypted at rest, shown decrypted, gone after erasure."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Uuid, bindparam, text
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.consents.service import list_events, record_consent
from mamori.consents.suspensions import list_suspensions, suspend
from mamori.subjects import lifecycle
from mamori.subjects.service import get_subject, subject_view
from tests.factories.subjects import create_subject

REASON = "山田花子さんが電話（090-3333-4444）で全利用の停止を希望"
SOURCE_REF = "通話記録 山田花子 2026-12-07"
EVIDENCE = "紙の同意書 山田花子 No.8812"
RELATION_EVIDENCE = "戸籍謄本の写し 山田花子の母 山田良子"

RAW = {
    "suspension": "SELECT reason, source_ref FROM usage_suspensions WHERE subject_id = :id",
    "consent": "SELECT evidence_ref FROM consent_events WHERE subject_id = :id",
    "relationship": "SELECT evidence_ref FROM subject_relationships WHERE subject_id = :id",
}


def _raw(session: Session, subject_id: uuid.UUID) -> list[str]:
    """Every stored free-text value of the subject's records, as the database holds it."""
    values: list[str] = []
    for sql in RAW.values():
        statement = text(sql).bindparams(bindparam("id", type_=Uuid))
        for row in session.execute(statement, {"id": subject_id}):
            values.extend(str(v) for v in row if v is not None)
    return values


def _person_with_free_text(session: Session, settings: Settings) -> tuple[uuid.UUID, uuid.UUID]:
    person, mother = create_subject(session, settings), create_subject(session, settings, name="山田 良子")
    record_consent(
        session, actor="agent", subject_id=person.id, scope="purpose:customer.mailings", action="given",
        language="ja", channel="paper", evidence_ref=EVIDENCE,
    )  # fmt: skip
    suspend(
        session, actor="agent", subject_id=person.id, scope="all", reason=REASON, source="manual",
        source_ref=SOURCE_REF,
    )  # fmt: skip
    lifecycle.relate(
        session, "agent", person.id, related_subject_id=mother.id, kind="agent",
        evidence_ref=RELATION_EVIDENCE, valid_from=date(2026, 1, 1),
    )  # fmt: skip
    session.flush()
    session.expire_all()
    return person.id, mother.id


def _plain_in(values: list[str]) -> list[str]:
    words = (REASON, SOURCE_REF, EVIDENCE, RELATION_EVIDENCE, "山田花子", "090-3333-4444")
    return [word for word in words if any(word in value for value in values)]


class TestFreeTextAtRest:
    def test_stored_encrypted_and_read_in_clear(self, session: Session, settings: Settings) -> None:
        person, _ = _person_with_free_text(session, settings)
        stored = _raw(session, person)
        assert len(stored) == 4  # reason, source_ref, consent evidence, relationship evidence
        assert _plain_in(stored) == []
        assert all(value.split(":", 1)[0] == "dev" for value in stored)  # key id, then ciphertext
        suspension = list_suspensions(session, person)[0]
        assert (suspension.reason, suspension.source_ref) == (REASON, SOURCE_REF)
        assert list_events(session, person)[0].evidence_ref == EVIDENCE
        view = subject_view(session, get_subject(session, person))
        assert [r.evidence_ref for r in view.relationships] == [RELATION_EVIDENCE]


class TestErasureClearsFreeText:
    def test_neither_the_text_nor_its_ciphertext_survives(self, session: Session, settings: Settings) -> None:
        person, mother = _person_with_free_text(session, settings)
        before = _raw(session, person)
        lifecycle.erase_subject(session, "privacy", person)
        session.flush()
        after = _raw(session, person)
        assert _plain_in(after) == []
        assert [value for value in after if value in before] == []
        assert [value for value in after if value] == []  # blanked, not re-encrypted
        suspension = list_suspensions(session, person)[0]
        assert (suspension.reason, suspension.source_ref) == ("", None)
        assert list_events(session, person)[0].evidence_ref is None
        # the relationship is the mother's record too: its evidence named the erased person
        view = subject_view(session, get_subject(session, person))
        assert [r.evidence_ref for r in view.relationships] == [""]
        assert mother != person
