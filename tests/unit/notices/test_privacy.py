"""The privacy notice as data: language choice, and every promise of the bundle in every language."""

from __future__ import annotations

import pytest

from mamori.config import DEFAULT_POLICY_DIR
from mamori.errors import ValidationFailed
from mamori.notices.document import Entries, Facts, ItemList, PrivacyNotice, Section
from mamori.notices.privacy import build_privacy_notice, negotiate_language
from mamori.policy.loader import load_bundle
from mamori.policy.schema import LANGUAGES, PolicyBundle

HASH = "ab" * 32


@pytest.fixture(scope="module")
def bundle() -> PolicyBundle:
    result = load_bundle(DEFAULT_POLICY_DIR)
    assert result.bundle is not None, [str(error) for error in result.errors]
    return result.bundle


def _notice(bundle: PolicyBundle, lang: str) -> PrivacyNotice:
    return build_privacy_notice(bundle, lang, version_number=7, content_hash=HASH)


def _section(notice: PrivacyNotice, ident: str) -> Section:
    return next(section for section in notice.sections if section.id == ident)


class TestNegotiateLanguage:
    @pytest.mark.parametrize("code", LANGUAGES)
    def test_query_wins_over_header(self, code: str) -> None:
        assert negotiate_language(code, "en-US,en;q=0.9") == code

    @pytest.mark.parametrize(("query", "expected"), [("ZH-hant", "zh-Hant"), (" en ", "en"), ("JA", "ja")])
    def test_query_ignores_case_and_spaces(self, query: str, expected: str) -> None:
        assert negotiate_language(query, None) == expected

    @pytest.mark.parametrize("query", ["fr", "zh", "zh-TW", "english", "ja-JP"])
    def test_unknown_query_is_an_error_naming_the_allowed_values(self, query: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            negotiate_language(query, "ja")
        assert caught.value.details["allowed"] == list(LANGUAGES)
        for code in LANGUAGES:
            assert code in caught.value.message

    def test_empty_query_falls_back_to_the_header(self) -> None:
        assert negotiate_language("", "en") == "en"

    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("zh-TW", "zh-Hant"),
            ("zh-HK", "zh-Hant"),
            ("zh-MO", "zh-Hant"),
            ("zh-Hant", "zh-Hant"),
            ("zh-Hant-CN", "zh-Hant"),
            ("zh", "zh-Hans"),
            ("zh-CN", "zh-Hans"),
            ("zh-SG", "zh-Hans"),
            ("zh-Hans", "zh-Hans"),
            ("zh-Hans-HK", "zh-Hans"),
            ("zh_tw", "zh-Hant"),
            ("en", "en"),
            ("en-GB", "en"),
            ("EN-us", "en"),
            ("ja", "ja"),
            ("ja-JP", "ja"),
        ],
    )
    def test_header_tags_map_to_the_four_languages(self, header: str, expected: str) -> None:
        assert negotiate_language(None, header) == expected

    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("fr-FR,fr;q=0.9,en;q=0.8,ja;q=0.7", "en"),
            ("ja;q=0.5,zh-TW;q=0.8", "zh-Hant"),
            ("en;q=0,zh-CN", "zh-Hans"),
            ("de, en;q=0.1, ja;q=0.2", "ja"),
            ("zh-HK;q=0.9, en;q=0.9", "zh-Hant"),
            ("en;q=bogus, zh", "zh-Hans"),
        ],
    )
    def test_quality_values_rank_the_tags(self, header: str, expected: str) -> None:
        assert negotiate_language(None, header) == expected

    @pytest.mark.parametrize("header", [None, "", "*", "fr, de;q=0.5", "ko-KR", ";;;,,,", "en;q=0"])
    def test_japanese_by_default(self, header: str | None) -> None:
        assert negotiate_language(None, header) == "ja"


@pytest.mark.parametrize("lang", LANGUAGES)
class TestBuildPrivacyNotice:
    def test_every_purpose_in_the_language(self, bundle: PolicyBundle, lang: str) -> None:
        notice = _notice(bundle, lang)
        purposes = _section(notice, "purposes")
        assert [sub.heading for sub in purposes.subsections] == [
            category.name.get(lang) for category in bundle.subject_categories
        ]
        for category, sub in zip(bundle.subject_categories, purposes.subsections, strict=True):
            (entries,) = (block for block in sub.blocks if isinstance(block, Entries))
            assert [entry.text for entry in entries.entries] == [p.text.get(lang) for p in category.purposes]

    def test_purposes_show_items_retention_consent_and_flags(self, bundle: PolicyBundle, lang: str) -> None:
        purposes = _section(_notice(bundle, lang), "purposes").subsections
        entries = {
            entry.text: entry
            for sub in purposes
            for block in sub.blocks
            if isinstance(block, Entries)
            for entry in block.entries
        }
        camera = bundle.purposes()["customer.camera_analysis"]
        entry = entries[camera.text.get(lang)]
        names = {item.id: item.name.get(lang) for item in bundle.data_items}
        lines = [line for fact in entry.facts for line in fact.lines]
        assert all(names[item] in lines[0] for item in camera.items)
        assert lines[1] == {"ja": "30日", "en": "30 days", "zh-Hans": "30天", "zh-Hant": "30天"}[lang]
        tones = [badge.tone for badge in entry.badges]
        assert tones.count("consent") == 1
        assert tones.count("flag") == 2  # camera images and profiling
        sales = entries[bundle.purposes()["customer.sales"].text.get(lang)]
        assert "consent" not in [badge.tone for badge in sales.badges]
        assert [line for fact in sales.facts for line in fact.lines][1] == {
            "ja": "5年",
            "en": "5 years",
            "zh-Hans": "5年",
            "zh-Hant": "5年",
        }[lang]

    def test_third_party_exceptions_are_all_listed(self, bundle: PolicyBundle, lang: str) -> None:
        section = _section(_notice(bundle, lang), "third-party")
        (exceptions,) = (block for block in section.blocks if isinstance(block, ItemList))
        expected = [e.text.get(lang) for e in bundle.third_party_provision.exceptions]
        assert len(expected) == 4
        assert list(exceptions.items) == expected
        assert exceptions.ordered

    def test_joint_use_names_the_responsible_entity(self, bundle: PolicyBundle, lang: str) -> None:
        assert bundle.joint_use is not None
        section = _section(_notice(bundle, lang), "joint-use")
        (facts,) = (block for block in section.blocks if isinstance(block, Facts))
        responsible = bundle.joint_use.responsible
        assert responsible.representative is not None
        assert responsible.address is not None
        lines = [line for fact in facts.rows for line in fact.lines]
        assert responsible.name.get(lang) in lines
        assert responsible.address.get(lang) in lines
        assert any(responsible.representative.name.get(lang) in line for line in lines)
        assert bundle.joint_use.users.get(lang) in lines
        for company in bundle.joint_use.companies:
            assert company.name.get(lang) in lines

    def test_contact_centre_hours_closed_days_and_languages(self, bundle: PolicyBundle, lang: str) -> None:
        section = _section(_notice(bundle, lang), "inquiries")
        text = "\n".join(
            line
            for block in section.blocks
            if isinstance(block, Facts)
            for f in block.rows
            for line in f.lines
        )
        hours = {
            "ja": "10:00～17:00（日本時間）",
            "en": "10:00–17:00 (Japan time)",
            "zh-Hans": "10:00～17:00（日本时间）",
            "zh-Hant": "10:00～17:00（日本時間）",
        }
        assert hours[lang] in text
        closure = bundle.contact_centre.closures[0]
        assert closure.name.get(lang) in text
        assert {"ja": "12月29日", "en": "29 December", "zh-Hans": "12月29日", "zh-Hant": "12月29日"}[
            lang
        ] in text
        assert {"ja": "土曜日", "en": "Saturdays", "zh-Hans": "星期六", "zh-Hant": "星期六"}[lang] in text
        assert {
            "ja": "中国語（繁体字）",
            "en": "Chinese (Traditional)",
            "zh-Hans": "繁体中文",
            "zh-Hant": "繁體中文",
        }[lang] in text

    def test_every_part_of_the_bundle_is_in_the_notice(self, bundle: PolicyBundle, lang: str) -> None:
        notice = _notice(bundle, lang)
        text = notice.text()
        requests = bundle.requests
        expected = [
            bundle.title.get(lang),
            bundle.controller.name.get(lang),
            bundle.preamble.get(lang),
            *(principle.get(lang) for principle in bundle.principles),
            bundle.inquiries_note.get(lang),
            bundle.purposes_intro.get(lang),
            bundle.third_party_provision.statement.get(lang),
            bundle.outsourcing.statement.get(lang),
            *(duty.text.get(lang) for duty in bundle.outsourcing.duties),
            *(processor.name.get(lang) for processor in bundle.outsourcing.processors),
            bundle.optionality.get(lang),
            requests.statement.get(lang),
            *(kind.name.get(lang) for kind in requests.types),
            *(form.title.get(lang) for form in requests.forms),
            *(doc.name.get(lang) for doc in requests.id_documents),
            *(r.name.get(lang) for r in requests.requesters),
            *(r.proof.get(lang) for r in requests.requesters),
            requests.submission.get(lang),
            *(method.name.get(lang) for method in requests.response_methods),
            requests.reception.name.get(lang),
            requests.fees.get(lang),
            bundle.contact_centre.name.get(lang),
            bundle.contact_centre.topics.get(lang),
            bundle.cookies.statement.get(lang),
            bundle.pipl.text.get(lang),
            *(measure.summary.get(lang) for measure in bundle.safety_measures),
            bundle.revision_policy.get(lang),
            *(revision.summary.get(lang) for revision in bundle.revisions),
            HASH,
            "7",
        ]
        missing = [item for item in expected if item not in text]
        assert not missing

    def test_sample_processors_are_labelled(self, bundle: PolicyBundle, lang: str) -> None:
        section = _section(_notice(bundle, lang), "outsourcing")
        (entries,) = (block for block in section.blocks if isinstance(block, Entries))
        samples = [p.sample for p in bundle.outsourcing.processors]
        assert [any(b.tone == "sample" for b in entry.badges) for entry in entries.entries] == samples
        assert any(samples)

    def test_heading_order_and_metadata(self, bundle: PolicyBundle, lang: str) -> None:
        notice = _notice(bundle, lang)
        assert notice.lang == lang
        assert notice.title == bundle.title.get(lang)
        assert notice.version_number == 7
        assert [section.id for section in notice.sections] == [
            "commitments",
            "controller",
            "purposes",
            "third-party",
            "joint-use",
            "outsourcing",
            "safety-measures",
            "optionality",
            "requests",
            "inquiries",
            "cookies",
            "cameras",
            "pipl",
            "revisions",
            "version",
        ]
        assert len({section.heading for section in notice.sections}) == len(notice.sections)


class TestOptionalParts:
    def test_no_joint_use_and_no_pipl_means_no_sections(self, bundle: PolicyBundle) -> None:
        trimmed = bundle.model_copy(
            update={"joint_use": None, "pipl": bundle.pipl.model_copy(update={"enabled": False})}
        )
        ids = [section.id for section in _notice(trimmed, "en").sections]
        assert "joint-use" not in ids
        assert "pipl" not in ids

    def test_unknown_language_is_refused(self, bundle: PolicyBundle) -> None:
        with pytest.raises(ValidationFailed):
            _notice(bundle, "fr")


class TestCameraStatements:
    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_one_entry_per_camera_of_the_register(self, bundle: PolicyBundle, lang: str) -> None:
        section = _section(_notice(bundle, lang), "cameras")
        (entries,) = (block for block in section.blocks if isinstance(block, Entries))
        assert bundle.cameras is not None
        register = bundle.cameras.entries
        assert [entry.text for entry in entries.entries] == [c.location.get(lang) for c in register]
        first = {fact.label: fact.lines for fact in entries.entries[0].facts}
        purposes = bundle.purposes()
        assert purposes[register[0].purpose].text.get(lang) in [
            line for lines in first.values() for line in lines
        ]
        assert register[0].viewers.get(lang) in [line for lines in first.values() for line in lines]
        assert all(any(b.tone == "sample" for b in entry.badges) for entry in entries.entries)

    def test_face_data_statement_follows_the_declaration(self, bundle: PolicyBundle) -> None:
        assert bundle.cameras is not None
        texts = [b.text for b in _section(_notice(bundle, "en"), "cameras").blocks if hasattr(b, "text")]
        assert "Face templates are neither used jointly with others nor provided to third parties." in texts
        declared = bundle.cameras.model_copy(
            update={"face_data": bundle.cameras.face_data.model_copy(update={"provision": True})}
        )
        notice = _notice(bundle.model_copy(update={"cameras": declared}), "en")
        texts = [b.text for b in _section(notice, "cameras").blocks if hasattr(b, "text")]
        assert "Face templates may be provided to third parties with the person's consent." in texts
        assert not any("neither" in t for t in texts)

    def test_no_register_means_no_section(self, bundle: PolicyBundle) -> None:
        ids = [section.id for section in _notice(bundle.model_copy(update={"cameras": None}), "ja").sections]
        assert "cameras" not in ids
