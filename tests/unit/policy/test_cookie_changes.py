"""Cookie-inventory differences in the change classifier, on edited copies of the default bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mamori.config import DEFAULT_POLICY_DIR
from mamori.policy.changes import texts
from mamori.policy.changes.classify import classify, overall
from mamori.policy.changes.model import ChangeClass
from mamori.policy.loader import load_bundle
from mamori.policy.service import bundle_content
from tests.bundles import copy_default_bundle, edit

PUBLISH, ANNOUNCE, CONSENT = ChangeClass.PUBLISH, ChangeClass.ANNOUNCE, ChangeClass.NEEDS_CONSENT

TIKTOK = """        - id: tiktok_pixel
          name: "TikTok Pixel"
          kind: pixel
          category: advertising
          linked_to_person: LINKED
          provider: {ja: TikTok Pte. Ltd., en: "TikTok Pte. Ltd.",
                     zh-Hans: TikTok Pte. Ltd., zh-Hant: TikTok Pte. Ltd.}
          sent: {ja: 閲覧したページのURL, en: "Address of the page viewed",
                 zh-Hans: 所浏览页面的URL, zh-Hant: 所瀏覽頁面的URL}
          destination: {host: analytics.tiktok.com, country: SG}
          purpose: {ja: 広告の効果測定, en: "To measure ads", zh-Hans: 衡量广告效果, zh-Hant: 衡量廣告成效}
          retention: P13M
"""


def content(directory: Path) -> dict[str, Any]:
    result = load_bundle(directory)
    assert result.bundle is not None, result.errors
    return bundle_content(result.bundle)


@pytest.fixture(scope="module")
def aoki() -> dict[str, Any]:
    return content(DEFAULT_POLICY_DIR)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return copy_default_bundle(tmp_path)


def rules(old: dict[str, Any], new: dict[str, Any]) -> set[tuple[str, str, ChangeClass]]:
    return {(c.rule, c.target, c.change_class) for c in classify(old, new)}


def add_tag(bundle: Path, *, linked: bool) -> None:
    tag = TIKTOK.replace("LINKED", "true" if linked else "false")
    edit(bundle, "cookies.yaml", "        - id: ga4\n", tag + "        - id: ga4\n")


class TestTags:
    def test_a_new_tag_is_announced_with_its_destination(self, aoki: dict[str, Any], bundle: Path) -> None:
        add_tag(bundle, linked=False)
        changes = classify(aoki, content(bundle))
        assert [(c.rule, c.target, c.change_class) for c in changes] == [
            ("cookies.item_added", "www/tiktok_pixel", ANNOUNCE)
        ]
        assert changes[0].details["host"] == "analytics.tiktok.com"
        assert changes[0].details["country"] == "SG"
        assert overall(changes) is ANNOUNCE

    def test_a_new_tag_whose_recipient_links_it_to_a_person_needs_consent(
        self, aoki: dict[str, Any], bundle: Path
    ) -> None:
        add_tag(bundle, linked=True)
        assert rules(aoki, content(bundle)) == {
            ("cookies.item_added", "www/tiktok_pixel", ANNOUNCE),
            ("cookies.linked_recipient", "www/tiktok_pixel", CONSENT),
        }

    def test_another_destination_country_is_announced(self, aoki: dict[str, Any], bundle: Path) -> None:
        edit(bundle, "cookies.yaml", "{host: www.google-analytics.com, country: US}",
             "{host: region1.google-analytics.com, country: IE}")  # fmt: skip
        [change] = classify(aoki, content(bundle))
        assert (change.rule, change.change_class) == ("cookies.destination_changed", ANNOUNCE)
        assert (change.details["old_country"], change.details["country"]) == ("US", "IE")
        assert change.path == "cookies.properties[www].items[ga4]"

    def test_linking_turned_on_needs_consent(self, aoki: dict[str, Any], bundle: Path) -> None:
        edit(bundle, "cookies.yaml", "          category: analytics\n",
             "          category: analytics\n          linked_to_person: true\n")  # fmt: skip
        assert rules(aoki, content(bundle)) == {("cookies.linked_recipient", "www/ga4", CONSENT)}

    def test_what_is_sent_is_announced_scanner_hints_only_published(
        self, aoki: dict[str, Any], bundle: Path
    ) -> None:
        edit(bundle, "cookies.yaml", "script_hosts: [www.googletagmanager.com]",
             "script_hosts: [www.googletagmanager.com, tagmanager.google.com]")  # fmt: skip
        assert rules(aoki, content(bundle)) == {("cookies.scanner_hints", "www/ga4", PUBLISH)}
        edit(bundle, "cookies.yaml", "retention: P2Y", "retention: P3Y")
        assert rules(aoki, content(bundle)) == {("cookies.item_changed", "www/ga4", ANNOUNCE)}

    def test_a_removed_tag_only_publishes(self, aoki: dict[str, Any], bundle: Path) -> None:
        new = content(bundle)
        new["cookies"]["properties"][0]["items"] = [
            i for i in new["cookies"]["properties"][0]["items"] if i["id"] != "ga4"
        ]
        assert rules(aoki, new) == {("cookies.item_removed", "www/ga4", PUBLISH)}


class TestCategories:
    def test_a_new_optional_category_needs_consent(self, aoki: dict[str, Any], bundle: Path) -> None:
        edit(
            bundle,
            "cookies.yaml",
            "    - id: advertising\n",
            """    - id: personalisation
      name: {ja: パーソナライズ, en: "Personalisation", zh-Hans: 个性化, zh-Hant: 個人化}
      description: {ja: おすすめ表示, en: "Recommendations", zh-Hans: 推荐, zh-Hant: 推薦}
    - id: advertising
""",
        )
        assert rules(aoki, content(bundle)) == {("cookies.category_added", "personalisation", CONSENT)}

    def test_the_statement_stays_a_plain_cookie_change(self, aoki: dict[str, Any], bundle: Path) -> None:
        new = content(bundle)
        new["cookies"]["statement"]["en"] += " (revised)"
        assert rules(aoki, new) == {("cookies.changed", "cookies", ANNOUNCE)}

    def test_a_property_renamed_is_announced(self, aoki: dict[str, Any], bundle: Path) -> None:
        edit(bundle, "cookies.yaml", 'en: "AOKI online shop"', 'en: "AOKI web shop"')
        assert rules(aoki, content(bundle)) == {("cookies.property_changed", "www", ANNOUNCE)}


def test_every_cookie_rule_reads_in_four_languages(aoki: dict[str, Any], bundle: Path) -> None:
    add_tag(bundle, linked=True)
    for change in classify(aoki, content(bundle)):
        assert len({texts.rule_text(change, lang) for lang in texts.LANGS}) >= 3
