"""Change classification on the default bundle's content and changed copies of it."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest

from mamori.config import DEFAULT_POLICY_DIR
from mamori.policy.changes import texts
from mamori.policy.changes.classify import classify, consent_baselines, missing, overall
from mamori.policy.changes.dates import date_problems
from mamori.policy.changes.model import ChangeClass, Classified
from mamori.policy.loader import load_bundle
from mamori.policy.service import bundle_content

PUBLISH, ANNOUNCE, ADVANCE = ChangeClass.PUBLISH, ChangeClass.ANNOUNCE, ChangeClass.ANNOUNCE_IN_ADVANCE
RELATED, CONSENT = ChangeClass.RELATED_CHANGE, ChangeClass.NEEDS_CONSENT
TEXT = {"ja": "理由", "en": "reason", "zh-Hans": "理由", "zh-Hant": "理由"}


@pytest.fixture(scope="module")
def aoki() -> dict[str, Any]:
    bundle = load_bundle(DEFAULT_POLICY_DIR).bundle
    assert bundle is not None
    return bundle_content(bundle)


@pytest.fixture
def new(aoki: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(aoki)


def purpose(content: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(p for c in content["subject_categories"] for p in c["purposes"] if p["id"] == ident)


def justify(content: dict[str, Any], ident: str, kind: str) -> None:
    content["change_justifications"].append({"purpose": ident, "kind": kind, "text": TEXT})


def only(changes: list[Classified]) -> Classified:
    assert len(changes) == 1, changes
    return changes[0]


class TestNothingChanged:
    def test_same_content_has_no_changes(self, aoki: dict[str, Any]) -> None:
        assert classify(aoki, copy.deepcopy(aoki)) == []
        assert overall([]) is None

    def test_an_older_version_without_justifications_is_not_a_change(self, aoki: dict[str, Any]) -> None:
        old = copy.deepcopy(aoki)
        del old["change_justifications"]
        assert classify(old, aoki) == []


class TestWidenedPurpose:
    """The issue's case: payment_info and provision to partners added to customer.mailings."""

    def test_new_item_without_a_justification_needs_one(
        self, aoki: dict[str, Any], new: dict[str, Any]
    ) -> None:
        purpose(new, "customer.mailings")["items"].append("payment_info")
        change = only(classify(aoki, new))
        assert (change.change_class, change.rule, change.target) == (
            CONSENT,
            "purpose.items_added",
            "customer.mailings",
        )
        assert change.details["items"] == ["payment_info"]
        assert change.missing is not None
        assert "change_justifications" in change.missing

    def test_reasonably_related_makes_it_a_related_change(
        self, aoki: dict[str, Any], new: dict[str, Any]
    ) -> None:
        purpose(new, "customer.mailings")["items"].append("payment_info")
        justify(new, "customer.mailings", "reasonably_related")
        change = only([c for c in classify(aoki, new) if c.rule.startswith("purpose.")])
        assert change.change_class is RELATED
        assert change.missing is None
        assert change.justification == {"kind": "reasonably_related", **TEXT}

    def test_accepting_consent_makes_it_needs_consent_without_a_gap(
        self, aoki: dict[str, Any], new: dict[str, Any]
    ) -> None:
        purpose(new, "customer.mailings")["items"].append("payment_info")
        justify(new, "customer.mailings", "needs_consent")
        changes = classify(aoki, new)
        assert missing(changes) == []
        assert overall(changes) is CONSENT
        assert consent_baselines(aoki, new) == {"customer.mailings"}

    def test_provision_to_third_parties_needs_consent_whatever_the_author_says(
        self, aoki: dict[str, Any], new: dict[str, Any]
    ) -> None:
        purpose(new, "customer.mailings")["flags"].append("third_party_provision")
        assert only(classify(aoki, new)).missing is None  # needs consent; nothing to justify
        justify(new, "customer.mailings", "reasonably_related")
        change = next(c for c in classify(aoki, new) if c.rule == "purpose.third_party_provision_added")
        assert change.change_class is CONSENT
        assert change.missing is not None
        assert "needs consent by law" in change.missing

    @pytest.mark.parametrize(
        ("edit", "rule"),
        [
            (lambda p: p["countries"].append("US"), "purpose.countries_added"),
            (lambda p: p.update(consent_required=False), "purpose.consent_dropped"),
            (lambda p: p["items"].append("health_check"), "purpose.special_care_items_added"),
        ],
    )
    def test_always_needs_consent(
        self, aoki: dict[str, Any], new: dict[str, Any], edit: Any, rule: str
    ) -> None:
        target = purpose(new, "customer.mailings")
        edit(target)
        if rule == "purpose.special_care_items_added":
            assert "health_check" not in purpose(aoki, "customer.mailings")["items"]
            care = {i["id"] for i in new["data_items"] if i["special_care"]}
            assert "health_check" in care, care
        change = only(classify(aoki, new))
        assert (change.rule, change.change_class, change.missing) == (rule, CONSENT, None)

    def test_new_use_flag_is_a_widening(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        purpose(new, "customer.credit")["flags"].append("profiling")
        change = only(classify(aoki, new))
        assert (change.rule, change.change_class) == ("purpose.flags_added", CONSENT)
        assert change.missing is not None

    def test_joint_use_flag_is_announced_in_advance(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        purpose(new, "customer.credit")["flags"].append("joint_use")
        change = only(classify(aoki, new))
        assert (change.rule, change.change_class) == ("purpose.joint_use_added", ADVANCE)


class TestRewordedPurpose:
    def test_text_change_needs_the_authors_word(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        purpose(new, "customer.sales")["text"]["en"] += " And to sell data to brokers."
        assert only(classify(aoki, new)).missing is not None

    def test_wording_only_publishes(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        purpose(new, "customer.sales")["text"]["en"] = "To run the AOKI Group's shops and online sales."
        justify(new, "customer.sales", "wording_only")
        changes = [c for c in classify(aoki, new) if c.rule == "purpose.text_changed"]
        assert (only(changes).change_class, only(changes).missing) == (PUBLISH, None)

    def test_wording_only_does_not_cover_new_items(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        purpose(new, "customer.sales")["items"].append("sns_account")
        justify(new, "customer.sales", "wording_only")
        change = next(c for c in classify(aoki, new) if c.rule == "purpose.items_added")
        assert change.change_class is CONSENT
        assert change.missing is not None

    def test_a_justification_kept_from_the_version_in_force_justifies_nothing_new(
        self, aoki: dict[str, Any], new: dict[str, Any]
    ) -> None:
        justify(aoki_with := copy.deepcopy(aoki), "customer.sales", "reasonably_related")
        newer = copy.deepcopy(aoki_with)
        purpose(newer, "customer.sales")["items"].append("sns_account")
        assert only(classify(aoki_with, newer)).missing is not None
        assert new == aoki  # the fixture copy is untouched

    def test_a_justification_for_an_unchanged_purpose_is_refused(
        self, aoki: dict[str, Any], new: dict[str, Any]
    ) -> None:
        justify(new, "customer.sales", "reasonably_related")
        problems = missing(classify(aoki, new))
        assert [p.rule for p in problems] == ["justification.invalid"]

    def test_two_justifications_for_one_purpose_are_refused(
        self, aoki: dict[str, Any], new: dict[str, Any]
    ) -> None:
        purpose(new, "customer.sales")["items"].append("sns_account")
        justify(new, "customer.sales", "reasonably_related")
        justify(new, "customer.sales", "needs_consent")
        assert any(p.rule == "justification.invalid" for p in missing(classify(aoki, new)))


class TestNarrowedAndNewPurposes:
    def test_narrowing_only_publishes(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        target = purpose(new, "customer.mailings")
        target["items"].remove("sns_account")
        target["flags"].remove("marketing")
        target["retention"] = "P3Y"
        changes = classify(aoki, new)
        assert {(c.rule, c.change_class) for c in changes} == {
            ("purpose.items_removed", PUBLISH),
            ("purpose.flags_removed", PUBLISH),
            ("purpose.retention_shorter", PUBLISH),
        }
        assert overall(changes) is PUBLISH

    def test_longer_retention_is_announced(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        purpose(new, "customer.mailings")["retention"] = "P60M"  # 5 years → 60 months is not longer
        assert only(classify(aoki, new)).rule == "purpose.retention_reworded"
        purpose(new, "customer.mailings")["retention"] = "P59M"
        assert only(classify(aoki, new)).rule == "purpose.retention_shorter"
        purpose(new, "customer.mailings")["retention"] = "P5Y1D"
        assert only(classify(aoki, new)).change_class is ANNOUNCE

    def test_removed_purpose_is_announced(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        new["subject_categories"][0]["purposes"] = [
            p for p in new["subject_categories"][0]["purposes"] if p["id"] != "customer.surveys"
        ]
        change = only(classify(aoki, new))
        assert (change.rule, change.change_class) == ("purpose.removed", ANNOUNCE)

    def test_new_purpose_without_consent_needs_a_justification(
        self, aoki: dict[str, Any], new: dict[str, Any]
    ) -> None:
        added = copy.deepcopy(purpose(aoki, "customer.credit")) | {"id": "customer.brokers"}
        new["subject_categories"][0]["purposes"].append(added)
        change = only(classify(aoki, new))
        assert (change.rule, change.change_class) == ("purpose.added", CONSENT)
        assert change.missing is not None

    def test_new_purpose_with_consent_is_announced(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        added = copy.deepcopy(purpose(aoki, "customer.mailings")) | {"id": "customer.newsletter"}
        new["subject_categories"][0]["purposes"].append(added)
        assert only(classify(aoki, new)).change_class is ANNOUNCE

    def test_new_category_purposes_are_announced(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        category = copy.deepcopy(new["subject_categories"][1]) | {"id": "visitors"}
        category["purposes"] = [category["purposes"][0] | {"id": "visitor.rights"}]
        new["subject_categories"].append(category)
        change = only(classify(aoki, new))
        assert (change.rule, change.change_class) == ("purpose.added_for_new_category", ANNOUNCE)

    def test_consent_now_required_is_announced(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        purpose(new, "customer.sales")["consent_required"] = True
        assert only(classify(aoki, new)).change_class is ANNOUNCE


class TestOtherSections:
    def test_new_recipient_needs_consent(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        broker = copy.deepcopy(new["provisions"]["recipients"][0]) | {"id": "data_broker"}
        new["provisions"]["recipients"].append(broker)
        change = only(classify(aoki, new))
        assert (change.rule, change.change_class, change.target) == (
            "recipient.added",
            CONSENT,
            "data_broker",
        )

    def test_recipient_moving_abroad_needs_consent_and_renaming_is_announced(
        self, aoki: dict[str, Any], new: dict[str, Any]
    ) -> None:
        new["provisions"]["recipients"][0]["country"] = "SG"
        new["provisions"]["recipients"][1]["name"]["en"] = "Partner card company (renamed)"
        rules = {(c.rule, c.change_class) for c in classify(aoki, new)}
        assert rules == {("recipient.country_changed", CONSENT), ("recipient.changed", ANNOUNCE)}

    def test_removed_recipient_publishes(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        new["provisions"]["recipients"].pop()
        assert only(classify(aoki, new)).change_class is PUBLISH

    def test_processors_abroad_are_announced_at_home_published(
        self, aoki: dict[str, Any], new: dict[str, Any]
    ) -> None:
        home = copy.deepcopy(new["outsourcing"]["processors"][0]) | {"id": "home_processor", "country": "JP"}
        abroad = copy.deepcopy(home) | {"id": "abroad_processor", "country": "VN"}
        new["outsourcing"]["processors"] += [home, abroad]
        rules = {(c.target, c.rule, c.change_class) for c in classify(aoki, new)}
        assert rules == {
            ("home_processor", "processor.added", PUBLISH),
            ("abroad_processor", "processor.added_abroad", ANNOUNCE),
        }

    def test_joint_use_classes_come_from_its_rules(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        new["joint_use"]["purposes"]["en"] += " Also for credit checks."
        new["joint_use"]["items"].append("payment_info")
        rules = {(c.rule, c.change_class) for c in classify(aoki, new)}
        assert rules == {("joint_use.advance_notice", ADVANCE), ("joint_use.needs_consent", CONSENT)}

    @pytest.mark.parametrize(
        ("path", "rule"),
        [
            (("controller", "address", "en"), "contact.controller_changed"),
            (("contact_centre", "closes"), "contact.centre_changed"),
            (("requests", "fees", "en"), "requests.procedure_changed"),
            (("cookies", "statement", "en"), "cookies.changed"),
            (("pipl", "text", "en"), "pipl.changed"),
        ],
    )
    def test_contact_points_and_procedures_are_announced(
        self, aoki: dict[str, Any], new: dict[str, Any], path: tuple[str, ...], rule: str
    ) -> None:
        holder = new
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = "18:00" if path[-1] == "closes" else holder[path[-1]] + " (revised)"
        change = only(classify(aoki, new))
        assert (change.rule, change.change_class) == (rule, ANNOUNCE)

    def test_wording_and_internal_settings_publish(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        new["preamble"]["en"] += " Thank you."
        new["request_handling"] = copy.deepcopy(new["request_handling"])
        changes = classify(aoki, new)
        assert [(c.rule, c.change_class) for c in changes] == [("wording_or_internal", PUBLISH)]

    def test_a_category_renamed_publishes(self, aoki: dict[str, Any], new: dict[str, Any]) -> None:
        new["subject_categories"][0]["name"]["en"] = "Our customers"
        change = only(classify(aoki, new))
        assert (change.change_class, change.path) == (PUBLISH, "subject_categories[customers].name.en")


class TestTexts:
    @pytest.mark.parametrize("lang", ["ja", "en", "zh-Hans", "zh-Hant"])
    def test_every_rule_and_class_reads_in_each_language(self, lang: str) -> None:
        for change_class in ChangeClass:
            assert texts.class_text(change_class, lang)
        for rule in texts.RULES:
            text = texts.rule_text(Classified(PUBLISH, rule, "customer.sales", "x"), lang)
            assert "{" not in text
            assert text

    def test_languages_differ(self) -> None:
        change = Classified(CONSENT, "purpose.items_added", "customer.mailings", "x")
        assert len({texts.rule_text(change, lang) for lang in texts.LANGS}) >= 3


TODAY = date(2027, 4, 1)
ONE = timedelta(days=1)


def changes_of(change_class: ChangeClass) -> list[Classified]:
    return [Classified(change_class, "x", "t", "p")]


class TestDates:
    def test_announce_in_advance_needs_a_later_day(self) -> None:
        advance = changes_of(ADVANCE)
        assert date_problems(advance, effective=TODAY, today=TODAY, in_force=TODAY - ONE)
        assert date_problems(advance, effective=TODAY + ONE, today=TODAY, in_force=TODAY - ONE) == []

    @pytest.mark.parametrize("change_class", [ANNOUNCE, RELATED, CONSENT])
    def test_announced_changes_cannot_be_backdated(self, change_class: ChangeClass) -> None:
        told = changes_of(change_class)
        assert date_problems(told, effective=TODAY - ONE, today=TODAY, in_force=TODAY - ONE * 5)
        assert date_problems(told, effective=TODAY, today=TODAY, in_force=TODAY - ONE * 5) == []

    def test_publish_only_may_be_backdated_but_not_before_the_version_in_force(self) -> None:
        quiet = changes_of(PUBLISH)
        assert date_problems(quiet, effective=TODAY - ONE * 5, today=TODAY, in_force=TODAY - ONE * 5) == []
        problems = date_problems(quiet, effective=TODAY - ONE * 6, today=TODAY, in_force=TODAY - ONE * 5)
        assert problems == ["it cannot take effect before the version in force (effective 2027-03-27)"]

    def test_a_pending_version_is_not_overtaken(self) -> None:
        pending = [(2, TODAY + ONE * 30)]
        quiet = changes_of(PUBLISH)
        assert date_problems(quiet, effective=TODAY + ONE * 29, today=TODAY, in_force=TODAY, pending=pending)
        assert (
            date_problems(quiet, effective=TODAY + ONE * 30, today=TODAY, in_force=TODAY, pending=pending)
            == []
        )

    def test_first_version_has_no_limits(self) -> None:
        assert date_problems([], effective=TODAY - ONE * 365, today=TODAY, in_force=None) == []
