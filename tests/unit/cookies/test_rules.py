"""Pure rules: inventory hash and diff, GPC, may-run decisions, scan findings."""

from __future__ import annotations

from mamori.config import DEFAULT_POLICY_DIR
from mamori.cookies.rules import (
    ItemChangeKind,
    Observation,
    Verdict,
    diff_inventories,
    effective_choices,
    inventory_hash,
    may_run,
    scan_findings,
)
from mamori.policy.loader import load_bundle
from mamori.policy.sections.cookies import Cookies, InventoryItem


def _cookies() -> Cookies:
    bundle = load_bundle(DEFAULT_POLICY_DIR).bundle
    assert bundle is not None
    return bundle.cookies


def _with_items(cookies: Cookies, items: list[InventoryItem]) -> Cookies:
    prop = cookies.properties[0].model_copy(update={"items": items})
    return cookies.model_copy(update={"properties": [prop]})


def _item(cookies: Cookies, ident: str) -> InventoryItem:
    return next(i for i in cookies.properties[0].items if i.id == ident)


class TestInventoryHashAndDiff:
    def test_new_tag_changes_the_hash_and_is_an_added_item(self) -> None:
        old = _cookies()
        extra = _item(old, "ga4").model_copy(update={"id": "clarity", "name": "Microsoft Clarity"})
        new = _with_items(old, [*old.properties[0].items, extra])
        assert inventory_hash(old, old.properties[0]) != inventory_hash(new, new.properties[0])
        [change] = diff_inventories(old, new)
        assert (change.kind, change.property_id, change.item_id) == (ItemChangeKind.ADDED, "www", "clarity")

    def test_changed_destination_names_the_field(self) -> None:
        old = _cookies()
        ga4 = _item(old, "ga4")
        moved = ga4.model_copy(update={"destination": ga4.destination.model_copy(update={"country": "IE"})})
        new = _with_items(old, [moved if i.id == "ga4" else i for i in old.properties[0].items])
        [change] = diff_inventories(old, new)
        assert change.kind is ItemChangeKind.CHANGED
        assert change.fields == ("destination",)

    def test_removed_and_unchanged(self) -> None:
        old = _cookies()
        new = _with_items(old, [i for i in old.properties[0].items if i.id != "line_tag"])
        assert [(c.kind, c.item_id) for c in diff_inventories(old, new)] == [
            (ItemChangeKind.REMOVED, "line_tag")
        ]
        assert diff_inventories(old, old) == []
        assert len(diff_inventories(None, old)) == len(old.properties[0].items)


class TestEffectiveChoices:
    def test_gpc_refuses_advertising_even_when_accepted(self) -> None:
        cookies = _cookies()
        chosen = {"analytics": True, "advertising": True}
        assert effective_choices(cookies, chosen, gpc=True) == {
            "necessary": True,
            "analytics": True,
            "advertising": False,
        }
        assert effective_choices(cookies, chosen, gpc=False)["advertising"] is True

    def test_necessary_cannot_be_refused(self) -> None:
        assert effective_choices(_cookies(), {"necessary": False}, gpc=False)["necessary"] is True


class TestMayRun:
    def test_verdicts(self) -> None:
        cookies = _cookies()
        current = inventory_hash(cookies, cookies.properties[0])
        ga4, pixel, consent = (_item(cookies, i) for i in ("ga4", "meta_pixel", "consent"))
        accepted = {"necessary": True, "analytics": True, "advertising": True}
        assert may_run(cookies, consent, None, current).verdict is Verdict.NECESSARY
        assert may_run(cookies, ga4, None, current).verdict is Verdict.NO_CONSENT
        assert may_run(cookies, ga4, (accepted, False, current), current).allowed
        assert may_run(cookies, ga4, (accepted, False, "0" * 64), current).verdict is Verdict.OUTDATED
        assert may_run(cookies, pixel, (accepted, True, current), current).verdict is Verdict.GPC
        assert (
            may_run(cookies, pixel, ({"advertising": False}, False, current), current).verdict
            is Verdict.REFUSED
        )


class TestScanFindings:
    def test_undeclared_before_consent_and_never_seen(self) -> None:
        cookies = _cookies()
        prop = cookies.properties[0]
        before = Observation(frozenset({"_ga", "mamori_consent"}), frozenset({"www.google-analytics.com"}))
        after = Observation(
            frozenset({"_ga", "_ga_X1", "_fbp", "_hj"}),
            frozenset({"connect.facebook.net", "static.hotjar.com", "www.aoki-style.com"}),
        )
        report = scan_findings(cookies, prop, {"www.aoki-style.com"}, before, after)
        assert report.undeclared_cookies == ["_hj"]
        assert report.undeclared_hosts == ["static.hotjar.com"]
        assert report.before_consent == ["ga4"]
        assert report.never_seen == ["line_tag"]
        assert not report.clean
