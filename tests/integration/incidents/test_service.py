"""The register: facts as events, reportability that follows them, audit, refusals that write nothing."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.audit.models import AuditEvent
from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from mamori.incidents import actions, reports, service, views
from mamori.incidents import repository as repo
from mamori.incidents.models import Incident, IncidentEvent, IncidentReport
from mamori.incidents.reminders import send_reminders
from mamori.incidents.schemas import ActionCreate, FactsUpdate, ReportCreate, ReportItems
from tests.factories.incidents import create_incident
from tests.factories.subjects import create_subject, ensure_policy


def _count(session: Session, what: object) -> int:
    return int(session.scalar(select(func.count()).select_from(what)) or 0)  # type: ignore[arg-type]


def _audit(session: Session, incident: Incident) -> list[tuple[str, dict[str, object]]]:
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.target_id == str(incident.id)).order_by(AuditEvent.seq)
    )
    return [(row.action, json.loads(row.details)) for row in rows]


class TestRegisterIncident:
    def test_registers_with_a_reference_facts_and_an_event(
        self, session: Session, settings: Settings
    ) -> None:
        incident = create_incident(session, settings, data_items=["email", "health_check"])
        assert incident.reference.startswith("INC-")
        assert incident.reportable
        assert incident.reportable_since == incident.known_at
        events = repo.events(session, incident.id)
        assert [(e.seq, e.action, e.triggers) for e in events] == [
            (1, "incident.registered", ["special_care"])
        ]
        assert events[0].changes["persons_max"] == [None, 10]
        action, details = _audit(session, incident)[0]
        assert action == "incident.registered"
        assert details["triggers"] == ["special_care"]

    def test_how_found_is_stored_encrypted(self, session: Session, settings: Settings) -> None:
        incident = create_incident(session, settings, how_found="山田様からの電話で判明")
        assert incident.how_found_encrypted is not None
        assert "山田" not in incident.how_found_encrypted
        assert service.how_found(settings, incident) == "山田様からの電話で判明"
        assert "山田" not in json.dumps(_audit(session, incident), ensure_ascii=False)

    @pytest.mark.parametrize(
        ("values", "field"),
        [
            ({"known_at": datetime(2026, 11, 1, tzinfo=UTC),
              "occurred_at": datetime(2026, 11, 2, tzinfo=UTC)}, "known_at"),
            ({"persons_known": -1}, "persons_known"),
            ({"persons_known": 5, "persons_max": -1}, "persons_max"),
            ({"persons_known": 50, "persons_max": 40}, "persons_max"),
            ({"data_items": ["email", "blood_type"]}, "data_items[1]"),
            ({"subject_ids": [str(uuid.uuid4())]}, "subject_ids[0]"),
            ({"known_at": datetime.now(UTC) + timedelta(days=2), "occurred_at": None}, "known_at"),
        ],
    )  # fmt: skip
    def test_bad_input_names_the_field_and_writes_nothing(
        self, session: Session, settings: Settings, values: dict[str, object], field: str
    ) -> None:
        ensure_policy(session)
        before = (_count(session, Incident), _count(session, IncidentEvent), _count(session, AuditEvent))
        with pytest.raises(ValidationFailed) as caught:
            create_incident(session, settings, **values)
        assert [e["field"] for e in caught.value.details["errors"]] == [field]
        assert "nothing was written" in caught.value.message
        assert (
            _count(session, Incident),
            _count(session, IncidentEvent),
            _count(session, AuditEvent),
        ) == before

    def test_links_the_subjects_given(self, session: Session, settings: Settings) -> None:
        subject = create_subject(session, settings)
        incident = create_incident(session, settings, subject_ids=[str(subject.id)])
        assert repo.linked(session, incident.id) == {subject.id}

    def test_references_count_up_within_the_year(self, session: Session, settings: Settings) -> None:
        first = create_incident(session, settings)
        second = create_incident(session, settings)
        assert int(second.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1


class TestUpdateFacts:
    def test_a_recount_past_1000_makes_it_reportable_from_then(
        self, session: Session, settings: Settings
    ) -> None:
        known = datetime.now(UTC) - timedelta(days=5)
        incident = create_incident(session, settings, persons_known=900, known_at=known, occurred_at=None)
        assert not incident.reportable
        recount = incident.known_at + timedelta(days=2)
        service.update_facts(session, settings, "user:officer", incident.id,
                             FactsUpdate(persons_max=1001, observed_at=recount))  # fmt: skip
        assert incident.reportable
        assert incident.reportable_since == recount
        last = repo.events(session, incident.id)[-1]
        assert (last.action, last.changes, last.triggers) == (
            "incident.facts_updated", {"persons_max": [900, 1001]}, ["over_1000_persons"],
        )  # fmt: skip
        clocks = {c.code: c for c in views.incident_view(session, incident).clocks}
        assert clocks["ppc_preliminary"].starts_on == recount.astimezone(views.appi_calendar().tz).date()

    def test_confirming_encryption_ends_reportability(self, session: Session, settings: Settings) -> None:
        incident = create_incident(session, settings, data_items=["health_check"])
        service.update_facts(session, settings, "u", incident.id, FactsUpdate(advanced_encryption=True))
        assert (incident.reportable, incident.reportable_since) == (False, None)
        assert views.incident_view(session, incident).clocks == []

    def test_history_keeps_every_version(self, session: Session, settings: Settings) -> None:
        incident = create_incident(session, settings)
        service.update_facts(session, settings, "u", incident.id, FactsUpdate(data_items=["email", "name"]))
        service.update_facts(session, settings, "u", incident.id, FactsUpdate(persons_known=20))
        changes = [e.changes for e in repo.events(session, incident.id)[1:]]
        assert changes == [
            {"data_items": [["email"], ["email", "name"]]},
            {"persons_known": [10, 20], "persons_max": [10, 20]},
        ]

    def test_no_change_records_nothing(self, session: Session, settings: Settings) -> None:
        incident = create_incident(session, settings)
        service.update_facts(session, settings, "u", incident.id, FactsUpdate(persons_known=10))
        assert len(repo.events(session, incident.id)) == 1

    @pytest.mark.parametrize(
        ("update", "field"),
        [
            (FactsUpdate(persons_known=-3), "persons_known"),
            (FactsUpdate(persons_max=5), "persons_max"),
            (FactsUpdate(data_items=["email", "x_ray"]), "data_items[1]"),
            (FactsUpdate(observed_at=datetime(2000, 1, 1, tzinfo=UTC)), "observed_at"),
            (FactsUpdate(occurred_at=datetime.now(UTC)), "known_at"),
        ],
    )
    def test_bad_update_changes_nothing(
        self, session: Session, settings: Settings, update: FactsUpdate, field: str
    ) -> None:
        incident = create_incident(session, settings)
        before = dict(incident.facts)
        with pytest.raises(ValidationFailed) as caught:
            service.update_facts(session, settings, "u", incident.id, update)
        assert [e["field"] for e in caught.value.details["errors"]] == [field]
        assert incident.facts == before
        assert len(repo.events(session, incident.id)) == 1

    def test_unknown_incident(self, session: Session, settings: Settings) -> None:
        ensure_policy(session)
        with pytest.raises(NotFound):
            service.update_facts(session, settings, "u", uuid.uuid4(), FactsUpdate(persons_known=1))


class TestLifecycle:
    def test_a_reportable_incident_closes_only_when_reports_notices_and_actions_are_done(
        self, session: Session, settings: Settings
    ) -> None:
        incident = create_incident(session, settings, persons_max=5000)
        action = actions.add_action(session, settings, "u", incident.id,
                                    ActionCreate(title="送信前の宛先確認を二重化", owner="hanako",
                                                 due_on=date(2026, 12, 20)))  # fmt: skip
        with pytest.raises(InvalidTransition) as caught:
            service.change_state(session, "u", incident.id, "closed")
        assert [e["message"] for e in caught.value.details["errors"]] == [
            "ppc_final_report_not_filed", "individuals_not_notified", "actions_open",
        ]  # fmt: skip
        final = reports.draft_report(session, settings, "u", incident.id, ReportCreate(stage="final"))
        reports.file_report(session, "u", incident.id, final.id)
        from mamori.incidents.outreach import publish_statement
        from mamori.incidents.schemas import StatementCreate

        publish_statement(session, settings, "u", incident.id, StatementCreate())
        actions.set_action_status(session, "u", incident.id, action.id, "accepted")
        service.change_state(session, "u", incident.id, "closed")
        assert incident.state == "closed"
        assert incident.closed_at is not None
        with pytest.raises(InvalidTransition):
            service.update_facts(session, settings, "u", incident.id, FactsUpdate(persons_known=11))
        assert "incident.closed" in [action for action, _ in _audit(session, incident)]

    def test_illegal_transition(self, session: Session, settings: Settings) -> None:
        incident = create_incident(session, settings)
        service.change_state(session, "u", incident.id, "dismissed")
        with pytest.raises(InvalidTransition):
            service.change_state(session, "u", incident.id, "contained")
        with pytest.raises(ValidationFailed):
            service.change_state(session, "u", incident.id, "exploded")


class TestReports:
    def test_versions_carry_written_items_and_filing_stops_the_clock(
        self, session: Session, settings: Settings
    ) -> None:
        incident = create_incident(session, settings, persons_max=1500)
        first = reports.draft_report(session, settings, "u", incident.id,
                                     ReportCreate(items=ReportItems(cause="宛先の設定誤り")))  # fmt: skip
        second = reports.draft_report(session, settings, "u", incident.id,
                                      ReportCreate(items=ReportItems(prevention="二重確認")))  # fmt: skip
        content = reports.report_read(settings, second).content
        assert (first.version, second.version) == (1, 2)
        assert content["items"]["cause"] == "宛先の設定誤り"
        assert content["items"]["persons"] == {"known": 10, "max": 1500}
        assert "宛先" not in second.content_encrypted
        with pytest.raises(Conflict):
            reports.file_report(session, "u", incident.id, first.id)
        reports.file_report(session, "u", incident.id, second.id)
        clocks = {c.code: c for c in views.incident_view(session, incident).clocks}
        assert clocks["ppc_preliminary"].status == "done"
        assert clocks["ppc_final"].status != "done"
        assert _count(session, IncidentReport) >= 2


class TestReminders:
    def test_each_reminder_once_overdue_first(self, session: Session, settings: Settings) -> None:
        old = create_incident(session, settings, known_at=datetime.now(UTC) - timedelta(days=10),
                              occurred_at=None, persons_max=2000)  # fmt: skip
        given = [r for r in send_reminders(session) if r.reference == old.reference]
        assert given[0].days_left == -1
        assert {r.clock for r in given if r.days_left == -1} == {"ppc_preliminary", "individual_notice"}
        assert [r for r in send_reminders(session) if r.reference == old.reference] == []
        deadlines = [d for d in views.deadlines(session) if d.reference == old.reference]
        assert deadlines[0].clock.status == "overdue"


class TestReferencesUnderConcurrency:
    def test_two_registrations_at_once_take_consecutive_numbers(
        self, fresh_database_url: str, settings: Settings
    ) -> None:
        if not fresh_database_url.startswith("postgresql"):
            pytest.skip("SQLite has one writer at a time: registrations cannot overlap")
        engine = make_engine(fresh_database_url)
        factory = make_session_factory(engine)
        with unit_of_work(factory) as session:
            ensure_policy(session)
        first = factory()
        one = create_incident(first, settings)  # counted; its transaction still open
        outcome: dict[str, object] = {}

        def second() -> None:
            try:
                with unit_of_work(factory) as session:
                    outcome["reference"] = create_incident(session, settings).reference
            except Exception as exc:  # noqa: BLE001 - reported below
                outcome["error"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        thread.join(1.0)
        assert thread.is_alive(), "the second registration waits for the first one's numbering"
        first.commit()
        first.close()
        thread.join(20)
        engine.dispose()
        assert "error" not in outcome, outcome
        year = one.reference.rsplit("-", 1)[0]
        assert (one.reference, outcome["reference"]) == (f"{year}-0001", f"{year}-0002")
