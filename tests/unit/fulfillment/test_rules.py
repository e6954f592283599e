"""The pure rules: identity spellings, the reference graph, erasure plans and residual values."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mamori.fulfillment.connectors.base import Delete, Update, UpdateRows
from mamori.fulfillment.rules import (
    Graph,
    correction_targets,
    delete_order,
    erasure_changes,
    hash_value,
    residual_fields,
    spellings,
)
from mamori.policy.sections.datamap import Dataset, System

TEXT = {"ja": "x", "en": "x", "zh-Hans": "x", "zh-Hant": "x"}


def _system(datasets: list[dict[str, Any]], ident: str = "shop") -> System:
    return System.model_validate(
        {
            "id": ident,
            "name": TEXT,
            "location": TEXT,
            "connection": {"kind": "sqlite", "url": "sqlite://"},
            "datasets": [{"name": TEXT, **d} for d in datasets],
        }
    )


def _dataset(*fields: dict[str, Any]) -> Dataset:
    return Dataset.model_validate({"id": "t", "name": TEXT, "fields": [{"name": "id"}, *fields]})


class TestSpellings:
    def test_email_is_also_tried_in_lower_case(self) -> None:
        assert spellings("email", " User1@Example.JP ") == ["User1@Example.JP", "user1@example.jp"]

    def test_phone_is_also_tried_as_digits_and_in_national_form(self) -> None:
        assert spellings("phone", "+81 90-0000-0003") == ["+81 90-0000-0003", "819000000003", "09000000003"]
        assert spellings("phone", "090-0000-0003") == ["090-0000-0003", "09000000003"]

    @given(st.text(min_size=1))
    def test_the_value_as_given_is_always_tried_first(self, value: str) -> None:
        forms = spellings("member_number", value)
        assert forms == ([value.strip()] if value.strip() else [])


class TestGraph:
    def test_directions_decide_which_way_a_reference_is_followed(self) -> None:
        system = _system(
            [
                {
                    "id": "customer",
                    "fields": [
                        {"name": "id"},
                        {"name": "address_id", "references": [{"field": "address.id", "direction": "to"}]},
                    ],
                },
                {"id": "address", "fields": [{"name": "id"}]},
                {
                    "id": "orders",
                    "fields": [
                        {"name": "id"},
                        {
                            "name": "customer_id",
                            "references": [{"field": "customer.id", "direction": "from"}],
                        },
                    ],
                },
            ]
        )
        graph = Graph([system])
        assert [(e.column, e.target) for e in graph.edges["shop", "customer"]] == [
            ("address_id", ("shop", "address", ("id",))),
            ("id", ("shop", "orders", ("customer_id",))),
        ]
        assert ("shop", "address") not in graph.edges  # an address never leads to the people living there
        assert ("shop", "orders") not in graph.edges

    def test_delete_order_puts_referring_tables_first(self) -> None:
        system = _system(
            [
                {"id": "customer", "fields": [{"name": "id"}]},
                {
                    "id": "order_item",
                    "fields": [
                        {"name": "id"},
                        {"name": "order_id", "references": [{"field": "orders.id", "direction": "from"}]},
                    ],
                },
                {
                    "id": "orders",
                    "fields": [
                        {"name": "id"},
                        {
                            "name": "customer_id",
                            "references": [{"field": "customer.id", "direction": "from"}],
                        },
                    ],
                },
            ]
        )
        assert delete_order(system) == ["order_item", "orders", "customer"]


class TestErasurePlan:
    def test_delete_wins_over_the_other_strategies(self) -> None:
        dataset = _dataset(
            {"name": "a", "item": "name", "erasure": "delete"},
            {"name": "b", "item": "phone", "erasure": "null"},
        )
        assert erasure_changes(dataset, {(1,): {"id": 1, "a": "x", "b": "y"}}, b"k") == [Delete("t", ((1,),))]

    def test_null_mask_and_hash_each_become_one_statement_kind(self) -> None:
        dataset = _dataset(
            {"name": "a", "item": "name", "erasure": "null"},
            {"name": "b", "item": "phone", "erasure": "mask", "mask": "***"},
            {"name": "c", "item": "email", "erasure": "hash"},
            {"name": "d", "item": "address", "erasure": "keep", "legal_reason": TEXT},
        )
        rows = {(1,): {"id": 1, "a": "x", "b": "y", "c": "z", "d": "w"}}
        assert erasure_changes(dataset, rows, b"k") == [
            Update("t", ((1,),), {"a": None, "b": "***"}),
            UpdateRows("t", {(1,): {"c": hash_value(b"k", "z")}}),
        ]

    def test_a_value_already_hashed_is_not_hashed_again(self) -> None:
        dataset = _dataset({"name": "c", "item": "email", "erasure": "hash"})
        rows = {(1,): {"id": 1, "c": hash_value(b"k", "z")}}
        assert erasure_changes(dataset, rows, b"k") == []


class TestResiduals:
    @pytest.mark.parametrize(
        ("strategy", "value", "left"),
        [
            ("null", None, 0),
            ("null", "山田", 1),
            ("mask", "****", 0),
            ("mask", "山田", 1),
            ("hash", "a" * 64, 0),
            ("hash", "山田", 1),
            ("keep", "山田", 0),
        ],
    )
    def test_a_value_counts_when_its_strategy_should_have_removed_it(
        self, strategy: str, value: str | None, left: int
    ) -> None:
        extra = {"legal_reason": TEXT} if strategy == "keep" else {}
        dataset = _dataset({"name": "a", "item": "name", "erasure": strategy, **extra})
        assert residual_fields(dataset, [{"id": 1, "a": value}]).get("a", 0) == left

    def test_a_row_that_should_be_deleted_counts_every_value_still_in_it(self) -> None:
        dataset = _dataset(
            {"name": "a", "item": "name", "erasure": "delete"},
            {"name": "b", "item": "phone", "erasure": "keep", "legal_reason": TEXT},
        )
        assert residual_fields(dataset, [{"id": 1, "a": "x", "b": "y"}]) == {"a": 1}


def test_corrections_match_items_and_full_field_names() -> None:
    dataset = _dataset(
        {"name": "tel", "item": "phone", "erasure": "null"},
        {"name": "mail", "item": "email", "erasure": "null"},
    )
    assert correction_targets(dataset, "shop", {"phone": "1", "shop.t.mail": "a@b"}) == {
        "tel": "1",
        "mail": "a@b",
    }
    assert correction_targets(dataset, "shop", {"name": "x"}) == {}


class TestCorrectionOfReadings:
    def _names(self, **kana: Any) -> Dataset:
        return _dataset(
            {"name": "name", "item": "name", "erasure": "null"},
            {"name": "name_kana", "item": "name", "erasure": "null", **kana},
        )

    @pytest.mark.parametrize("column", ["name_kana", "kana_sei", "FURIGANA", "shimei_yomi"])
    def test_a_reading_column_is_not_set_from_the_item(self, column: str) -> None:
        dataset = _dataset(
            {"name": "name", "item": "name", "erasure": "null"},
            {"name": column, "item": "name", "erasure": "null"},
        )
        assert correction_targets(dataset, "shop", {"name": "佐藤 花子"}) == {"name": "佐藤 花子"}

    def test_a_reading_is_set_from_a_value_given_for_it(self) -> None:
        changes = {"name": "佐藤 花子", "shop.t.name_kana": "サトウ ハナコ"}
        assert correction_targets(self._names(), "shop", changes) == {
            "name": "佐藤 花子",
            "name_kana": "サトウ ハナコ",
        }

    def test_the_map_can_say_otherwise_either_way(self) -> None:
        assert correction_targets(self._names(correction="item"), "shop", {"name": "x"}) == {
            "name": "x",
            "name_kana": "x",
        }
        parts = _dataset(
            {"name": "city", "item": "address", "erasure": "null", "correction": "field"},
            {"name": "postal_code", "item": "address", "erasure": "null", "correction": "field"},
        )
        assert correction_targets(parts, "shop", {"address": "横浜市…"}) == {}
