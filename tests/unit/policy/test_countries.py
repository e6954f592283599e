"""Country information of the bundle (APPI Art. 28(2)): the text shown, and the check of who needs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mamori.config import DEFAULT_POLICY_DIR
from mamori.policy.loader import load_bundle
from mamori.policy.schema import LANGUAGES, PolicyBundle
from mamori.policy.sections.countries import (
    consent_only_parties,
    country_notice_text,
    stored_notice_text,
)
from mamori.policy.service import bundle_content
from tests.bundles import copy_default_bundle, edit


@pytest.fixture(scope="module")
def bundle() -> PolicyBundle:
    result = load_bundle(DEFAULT_POLICY_DIR)
    assert result.bundle is not None, result.errors
    return result.bundle


def _errors(directory: Path) -> list[tuple[str, str, str]]:
    result = load_bundle(directory)
    assert result.bundle is None
    return [(e.file, e.field, e.message) for e in result.errors]


class TestDefaultBundle:
    def test_the_sg_recipient_is_the_only_party_that_consent_alone_can_reach(
        self, bundle: PolicyBundle
    ) -> None:
        assert [(party, country) for _, party, country in consent_only_parties(bundle)] == [
            ("sample_partner_sg", "SG")
        ]

    def test_sg_and_us_information_is_sample_text(self, bundle: PolicyBundle) -> None:
        entries = {c.code: c for c in bundle.provisions.countries}
        assert set(entries) == {"SG", "US"}
        assert all(entry.sample for entry in entries.values())
        assert [m.party for m in entries["SG"].measures] == ["sample_partner_sg"]

    @pytest.mark.parametrize(
        ("lang", "country", "system", "party"),
        [
            ("ja", "シンガポール共和国", "個人データ保護法", "（サンプル）シンガポールの提携先"),
            (
                "en",
                "Republic of Singapore",
                "Personal Data Protection Act 2012",
                "(Sample) Partner in Singapore",
            ),
            ("zh-Hans", "新加坡共和国", "个人数据保护法", "（示例）新加坡合作方"),
            ("zh-Hant", "新加坡共和國", "個人資料保護法", "（範例）新加坡合作方"),
        ],
    )
    def test_text_names_country_system_and_recipient_measures_in_each_language(
        self, bundle: PolicyBundle, lang: str, country: str, system: str, party: str
    ) -> None:
        text = country_notice_text(bundle, "SG", lang)
        assert text is not None
        name_block, system_block, measures_block = text.split("\n\n")
        assert name_block.endswith("\n" + country)
        assert system in system_block
        assert measures_block.splitlines()[1].startswith(party)

    def test_four_languages_give_four_texts(self, bundle: PolicyBundle) -> None:
        texts = {country_notice_text(bundle, "SG", lang) for lang in LANGUAGES}
        assert len(texts) == len(LANGUAGES) == 4

    def test_no_text_for_a_country_without_information(self, bundle: PolicyBundle) -> None:
        assert country_notice_text(bundle, "CN", "ja") is None

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_stored_content_gives_the_same_text_whatever_its_key_order(
        self, bundle: PolicyBundle, lang: str
    ) -> None:
        # PostgreSQL's JSONB does not keep key order: the text must not depend on it.
        stored = json.loads(json.dumps(bundle_content(bundle), sort_keys=True))
        assert stored_notice_text(stored, "US", lang) == country_notice_text(bundle, "US", lang)

    def test_stored_entry_that_no_longer_validates_gives_no_text(self, bundle: PolicyBundle) -> None:
        stored = bundle_content(bundle)
        del stored["provisions"]["countries"][0]["system"]
        assert stored_notice_text(stored, "SG", "ja") is None


class TestBundleCheck:
    def test_recipient_reachable_only_by_consent_without_information_fails(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "provisions.yaml", "    - code: SG\n", "    - code: TH\n")
        errors = _errors(bundle)
        [missing] = [e for e in errors if e[1] == "provisions.recipients[4].country"]
        assert missing[0] == "provisions.yaml"
        assert "SG is not an adequate country" in missing[2]
        assert "sample_partner_sg" in missing[2]
        # the measures now name a party of another country
        assert (
            "provisions.yaml",
            "provisions.countries[0].measures[0].party",
            "party 'sample_partner_sg' is in SG, not in TH",
        ) in errors

    def test_information_without_the_recipients_measures_fails(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(
            bundle,
            "provisions.yaml",
            "        - party: sample_partner_sg\n",
            "        - party: sample_partner_us\n",
        )
        errors = _errors(bundle)
        assert (
            "provisions.yaml",
            "provisions.countries[0].measures",
            "the information for SG must give the measures of 'sample_partner_sg'",
        ) in errors

    def test_a_recipient_with_equivalent_measures_needs_no_information(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "provisions.yaml", "    - code: US\n", "    - code: XX\n")
        edit(bundle, "provisions.yaml", "        - party: sample_partner_us\n", "        - party: ghost\n")
        # only the entry itself is wrong (an undeclared party without a name), not the US recipient
        assert _errors(bundle) == [
            (
                "provisions.yaml",
                "provisions.countries[1].measures[0].party",
                "undeclared party 'ghost': give its name for a registered one",
            )
        ]

    def test_group_company_abroad_needs_information(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "joint_use.yaml", "      country: JP\n", "      country: TH\n")
        [(file, field, message)] = _errors(bundle)
        assert (file, field) == ("joint_use.yaml", "joint_use.companies[0].country")
        assert "TH is not an adequate country" in message

    def test_processor_abroad_needs_information(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "outsourcing.yaml", "      country: JP\n", "      country: VN\n")
        [(file, field, _)] = _errors(bundle)
        assert (file, field) == ("outsourcing.yaml", "outsourcing.processors[0].country")

    def test_processor_in_an_adequate_country_needs_none(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "outsourcing.yaml", "      country: JP\n", "      country: IE\n")
        assert load_bundle(bundle).bundle is not None

    def test_purpose_sending_data_abroad_needs_information(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(
            bundle,
            "purposes.yaml",
            "        consent_required: true\n",
            "        consent_required: true\n        countries: [CN, SG]\n",
        )
        [(file, field, message)] = _errors(bundle)
        assert file == "purposes.yaml"
        assert field.endswith(".countries[0]")
        assert "cross_border:CN consents need provisions.countries information for CN" in message

    def test_duplicate_and_home_country_entries_fail(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "provisions.yaml", "    - code: US\n", "    - code: SG\n")
        errors = _errors(bundle)
        assert ("provisions.yaml", "provisions.countries[1].code", "duplicate country 'SG'") in errors
        bundle = copy_default_bundle(tmp_path / "home")
        edit(bundle, "provisions.yaml", "    - code: US\n", "    - code: JP\n")
        assert any(e[1] == "provisions.countries[1].code" and "home country" in e[2] for e in _errors(bundle))

    def test_information_without_a_language_fails(self, tmp_path: Path) -> None:
        bundle = copy_default_bundle(tmp_path)
        edit(bundle, "provisions.yaml", "        zh-Hant: 新加坡共和國\n", "")
        [(file, field, message)] = _errors(bundle)
        assert (file, field) == ("provisions.yaml", "provisions.countries[0].name.zh-Hant")
        assert message == "this field is required"
