"""Access: every record of the person in every system, labelled in the requester's language."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.errors import ValidationFailed
from mamori.fulfillment.package import letter_section, package_json
from tests.factories.fulfillment_runs import run, tables
from tests.factories.subjects import create_subject
from tests.integration.fulfillment.conftest import ON_EVERY_ENGINE

EXPECTED = {
    "shop.customer": 1,
    "shop.address": 1,
    "shop.loyalty_card": 1,
    "shop.orders": 5,
    "shop.order_item": 15,
    "crm.campaign_contact": 1,
    "callcentre.calls": 1,
}


def _fields(view_package: dict[str, object], system: str, dataset: str) -> list[dict[str, object]]:
    for s in view_package["systems"]:  # type: ignore[attr-defined]
        for d in s["datasets"]:
            if s["system"] == system and d["dataset"] == dataset:
                return [f for record in d["records"] for f in record["fields"]]
    return []


class TestAccess:
    @ON_EVERY_ENGINE
    @pytest.mark.usefixtures("published")
    def test_finds_every_record_across_tables_and_systems(self, session: Session) -> None:
        view = run(session, "access", {"email": "user3@example.jp"})
        assert view.status == "completed", view.error
        assert {k: v[0] for k, v in tables(view).items()} == EXPECTED
        assert all(s.status == "done" for s in view.systems)

    @ON_EVERY_ENGINE
    @pytest.mark.usefixtures("published")
    def test_the_package_holds_the_values_labelled_in_japanese(self, session: Session) -> None:
        view = run(session, "access", {"email": "user3@example.jp"})
        assert view.package is not None
        customer = {f["field"]: f for f in _fields(view.package, "shop", "customer")}
        assert customer["name"]["value"] == "山田 太郎3"
        assert customer["name"]["label"] == "氏名"
        assert customer["phone"]["value"] == "09000000003"
        assert customer["birth_date"]["value"] == "1970-01-04"
        address = {f["field"]: f["value"] for f in _fields(view.package, "shop", "address")}
        assert address["prefecture"] == "福岡県"
        text = package_json(view.package)
        assert "山田 太郎3" in text
        assert "\\u" not in text
        assert json.loads(text) == view.package

    @pytest.mark.usefixtures("published")
    def test_labels_follow_the_requesters_language(self, session: Session) -> None:
        view = run(session, "access", {"email": "user3@example.jp"}, language="en")
        assert view.package is not None
        labels = {f["field"]: f["label"] for f in _fields(view.package, "shop", "customer")}
        assert labels["name"] == "Name"
        assert labels["birth_date"] == "Date of birth"

    @pytest.mark.usefixtures("published")
    def test_the_letter_section_has_a_table_per_dataset(self, session: Session) -> None:
        view = run(session, "access", {"phone": "090-0000-0003"}, language="zh-Hant")
        assert view.package is not None
        section = letter_section(view.package)
        assert section.title == "所持有個人資料的揭露"
        headings = [t.heading for t in section.tables]
        assert "網店客戶資料庫 / 會員資料" in headings
        members = section.tables[headings.index("網店客戶資料庫 / 會員資料")]
        assert "姓名" in members.labels
        assert any("山田 太郎3" in row for row in members.rows)

    @pytest.mark.usefixtures("published")
    def test_another_persons_records_are_not_included(self, session: Session) -> None:
        view = run(session, "access", {"email": "user3@example.jp"})
        assert "user4@example.jp" not in package_json(view.package or {})
        assert "山田 太郎4" not in package_json(view.package or {})

    @pytest.mark.usefixtures("published")
    def test_an_unknown_person_gets_an_empty_package(self, session: Session) -> None:
        view = run(session, "access", {"email": "nobody@example.jp"})
        assert view.status == "completed"
        assert view.package is not None
        assert view.package["systems"] == []
        assert letter_section(view.package).intro == "該当する保有個人データはありませんでした。"


class TestReferenceCycle:
    @ON_EVERY_ENGINE
    @pytest.mark.usefixtures("published")
    def test_a_card_leads_to_its_member_and_back_each_row_once(self, session: Session) -> None:
        # loyalty_card.customer_id is followed both ways: card → member → cards → (member again)
        view = run(session, "access", {"member_number": "LC000000000007"})
        assert view.status == "completed", view.error
        found = {k: v[0] for k, v in tables(view).items()}
        assert found["shop.customer"] == 1
        assert found["shop.loyalty_card"] == 1
        assert found["shop.orders"] == 5
        assert found["shop.order_item"] == 15
        customer = {f["field"]: f["value"] for f in _fields(view.package or {}, "shop", "customer")}
        assert customer["email"] == "user7@example.jp"


class TestSubjectIdentities:
    @pytest.mark.usefixtures("published")
    def test_a_subject_id_stands_for_the_identifiers_mamori_holds(
        self, session: Session, settings: Settings
    ) -> None:
        subject = create_subject(session, settings, identifiers=[("email", "user9@example.jp")], name=None)
        view = run(session, "access", {"subject_id": str(subject.id)})
        assert view.status == "completed", view.error
        assert view.identity_kinds == ["email"]
        assert tables(view)["shop.customer"][0] == 1
        customer = {f["field"]: f["value"] for f in _fields(view.package or {}, "shop", "customer")}
        assert customer["email"] == "user9@example.jp"

    @pytest.mark.usefixtures("published")
    def test_an_unknown_subject_is_named(self, session: Session) -> None:
        with pytest.raises(ValidationFailed) as caught:
            run(session, "access", {"subject_id": str(uuid.uuid4())})
        assert {"field": "identities.subject_id", "message": "no such subject"} in caught.value.details[
            "errors"
        ]


class TestCommits:
    """An access run changes no system: its claim commits with its outcome (one commit, the job's)."""

    @staticmethod
    def _commits(session: Session, action: str) -> int:
        counted: list[object] = []

        def count(committed: Session) -> None:
            counted.append(committed)

        event.listen(session, "after_commit", count)
        try:
            view = run(session, action, {"email": ["user3@example.jp"]})
        finally:
            event.remove(session, "after_commit", count)
        assert view.status == "completed"
        return len(counted)

    @pytest.mark.usefixtures("published")
    def test_an_access_run_leaves_its_only_commit_to_the_job(self, session: Session) -> None:
        assert self._commits(session, "access") == 0

    @pytest.mark.usefixtures("published")
    def test_an_erasure_commits_its_claim_and_keys_before_changing_a_system(self, session: Session) -> None:
        assert self._commits(session, "erase") == 2
