"""Processors: registration with a foreign route, assessments and the overdue list, entrustments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.consents.decisions.rules import tokyo_date
from mamori.db.base import utcnow
from mamori.errors import NotFound, ValidationFailed
from mamori.provisions import entrustments, processors
from mamori.provisions.models import Party
from mamori.provisions.parties import PartyInput
from tests.factories.consents import ensure_policy

HOUSE = "sample_mailing_house"


@pytest.fixture(autouse=True)
def _policy(session: Session) -> None:
    ensure_policy(session)


def _today() -> date:
    return tokyo_date(utcnow())


def _assess(session: Session, key: str = HOUSE, *, on: date | None = None, result: str = "pass") -> None:
    processors.record_assessment(
        session, actor="test", processor=key, kind="pre_selection", assessed_on=on or _today(),
        result=result, evidence_ref="audit-report-2026-04.pdf",
    )  # fmt: skip


def _abroad(key: str, *, checked: date | None) -> processors.ProcessorInput:
    party = PartyInput(
        key=key,
        kind="processor",
        name={"ja": "海外委託先", "en": "Overseas processor"},
        country="US",
        measures_basis="contract" if checked else None,
        measures_checked_on=checked,
        measures_interval="P1Y",
    )
    return processors.ProcessorInput(key=key, duties=["data_registration"], party=party)


class TestRegisterProcessor:
    def test_completes_a_bundle_processor(self, session: Session) -> None:
        data = processors.ProcessorInput(
            key=HOUSE, duties=["promotional_printing"], in_group=False,
            contract_start=date(2026, 1, 1), contract_end=date(2027, 12, 31), assessment_interval="P6M",
        )  # fmt: skip
        profile = processors.register_processor(session, actor="test", data=data)
        assert (profile.assessment_interval, profile.contract_end) == ("P6M", date(2027, 12, 31))

    def test_processor_abroad_needs_equivalent_measures(self, session: Session) -> None:
        with pytest.raises(ValidationFailed) as caught:
            processors.register_processor(session, actor="test", data=_abroad("overseas_a", checked=None))
        assert caught.value.details["errors"][0]["field"] == "country"

    def test_processor_abroad_with_measures_checked_in_time(self, session: Session) -> None:
        data = _abroad("overseas_b", checked=_today() - timedelta(days=30))
        profile = processors.register_processor(session, actor="test", data=data)
        assert profile.duties == ["data_registration"]

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"duties": ["painting"]}, "duties[0]"),
            ({"duties": []}, "duties"),
            ({"contract_start": date(2026, 5, 1), "contract_end": date(2026, 4, 1)}, "contract_end"),
            ({"assessment_interval": "yearly"}, "assessment_interval"),
            ({"key": "unknown_co"}, "key"),
        ],
    )
    def test_bad_fields_are_named(self, session: Session, changes: dict[str, object], field: str) -> None:
        data = processors.ProcessorInput(**{"key": HOUSE, "duties": ["promotional_printing"], **changes})  # type: ignore[arg-type]
        with pytest.raises(ValidationFailed) as caught:
            processors.register_processor(session, actor="test", data=data)
        assert field in [e["field"] for e in caught.value.details["errors"]]


class TestAssessments:
    def test_never_assessed_processors_are_overdue(self, session: Session) -> None:
        overdue = {o.processor: o for o in processors.overdue_assessments(session)}
        assert set(overdue) == {"sample_mailing_house", "sample_payment_processor"}
        assert overdue[HOUSE].last_assessed_on is None

    def test_periodic_assessment_due_after_the_interval(self, session: Session) -> None:
        today = _today()
        _assess(session, on=today - timedelta(days=400))
        _assess(session, "sample_payment_processor", on=today - timedelta(days=10))
        [late] = processors.overdue_assessments(session, today=today)
        assert late.processor == HOUSE
        assert late.due_on == processors.rules.period_after(today - timedelta(days=400), "P1Y")
        assert late.days_overdue == (today - late.due_on).days

    def test_not_overdue_on_the_due_day(self, session: Session) -> None:
        last = date(2026, 1, 10)
        _assess(session, on=last)
        _assess(session, "sample_payment_processor", on=last)
        assert processors.overdue_assessments(session, today=date(2027, 1, 10)) == []
        assert len(processors.overdue_assessments(session, today=date(2027, 1, 11))) == 2

    def test_bad_assessment_fields(self, session: Session) -> None:
        with pytest.raises(ValidationFailed) as caught:
            processors.record_assessment(
                session,
                actor="t",
                processor=HOUSE,
                kind="yearly",
                assessed_on=_today(),
                result="ok",
                evidence_ref="",
            )
        assert [e["field"] for e in caught.value.details["errors"]] == ["kind", "result", "evidence_ref"]

    def test_unknown_processor(self, session: Session) -> None:
        with pytest.raises(NotFound):
            _assess(session, "sample_credit_bureau")


class TestEntrust:
    def test_items_beyond_the_duty_are_flagged(self, session: Session) -> None:
        _assess(session)
        item = entrustments.entrust(
            session,
            actor="test",
            processor=HOUSE,
            duty="promotional_printing",
            items=["name", "address", "email"],
        )
        assert item.excess_items == ["email"]
        assert item.route == "domestic"

    def test_needs_a_passed_assessment_first(self, session: Session) -> None:
        with pytest.raises(ValidationFailed) as caught:
            entrustments.entrust(
                session, actor="test", processor=HOUSE, duty="promotional_printing", items=["name"]
            )
        assert caught.value.details["errors"][0]["field"] == "processor"
        _assess(session, result="fail")
        with pytest.raises(ValidationFailed):
            entrustments.entrust(
                session, actor="test", processor=HOUSE, duty="promotional_printing", items=["name"]
            )

    def test_duty_must_be_the_processors(self, session: Session) -> None:
        _assess(session)
        with pytest.raises(ValidationFailed) as caught:
            entrustments.entrust(session, actor="test", processor=HOUSE, duty="sns_messaging", items=["name"])
        assert caught.value.details["errors"][0]["field"] == "duty"

    def test_abroad_with_overdue_measures_check_is_refused(self, session: Session) -> None:
        processors.register_processor(
            session, actor="t", data=_abroad("overseas_c", checked=_today() - timedelta(days=300))
        )
        _assess(session, "overseas_c")
        assert entrustments.entrust(
            session, actor="t", processor="overseas_c", duty="data_registration", items=["name"]
        )
        party = session.scalars(select(Party).where(Party.key == "overseas_c")).one()
        party.measures_checked_on = _today() - timedelta(days=400)
        with pytest.raises(ValidationFailed) as caught:
            entrustments.entrust(
                session, actor="t", processor="overseas_c", duty="data_registration", items=["x"]
            )
        assert "periodic check" in caught.value.details["errors"][-1]["message"]

    @pytest.mark.parametrize(
        ("starts", "ends", "refused"),
        [
            (-365, 0, False),  # the last day of the contract
            (-365, -1, True),  # ended yesterday
            (0, None, False),  # starts today
            (1, None, True),  # starts tomorrow
        ],
    )
    def test_needs_a_contract_in_force_on_the_first_day(
        self, session: Session, starts: int, ends: int | None, refused: bool
    ) -> None:
        today = _today()
        data = processors.ProcessorInput(
            key=HOUSE, duties=["promotional_printing"], contract_start=today + timedelta(days=starts),
            contract_end=None if ends is None else today + timedelta(days=ends),
        )  # fmt: skip
        processors.register_processor(session, actor="t", data=data)
        _assess(session)
        kwargs = {"actor": "t", "processor": HOUSE, "duty": "promotional_printing", "items": ["name"]}
        if not refused:
            assert entrustments.entrust(session, **kwargs).started_on == today  # type: ignore[arg-type]
            return
        with pytest.raises(ValidationFailed) as caught:
            entrustments.entrust(session, **kwargs)  # type: ignore[arg-type]
        [error] = caught.value.details["errors"]
        assert error["field"] == "processor"
        assert "contract" in error["message"]


class TestRequireProcessor:
    def test_a_processor_party_without_a_profile_is_not_found(self, session: Session) -> None:
        from mamori.provisions.parties import register_party

        register_party(
            session,
            actor="t",
            data=PartyInput(key="bare_processor", kind="processor", name={"ja": "委託先"}, country="JP"),
        )
        with pytest.raises(NotFound, match="register it as a processor first"):
            _assess(session, "bare_processor")
