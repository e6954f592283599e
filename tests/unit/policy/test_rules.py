from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mamori.policy.rules import ChangeKind, content_hash, diff_content

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)


class TestContentHash:
    def test_key_order_does_not_matter(self) -> None:
        assert content_hash({"a": 1, "b": "顧客"}) == content_hash({"b": "顧客", "a": 1})

    def test_any_value_change_changes_the_hash(self) -> None:
        assert content_hash({"a": "顧客"}) != content_hash({"a": "顧客 "})


class TestDiffContent:
    def test_keyed_lists_are_compared_by_id(self) -> None:
        old: dict[str, Any] = {"purposes": [{"id": "a", "text": "x"}, {"id": "b", "text": "y"}]}
        new: dict[str, Any] = {"purposes": [{"id": "b", "text": "y"}, {"id": "a", "text": "z"}, {"id": "c"}]}
        changes = diff_content(old, new)
        assert [(c.kind, c.path) for c in changes] == [
            (ChangeKind.CHANGED, "purposes[a].text"),
            (ChangeKind.ADDED, "purposes[c]"),
        ]
        assert (changes[0].old, changes[0].new) == ("x", "z")

    def test_removed_items_and_plain_lists(self) -> None:
        changes = diff_content({"items": ["name", "phone"], "x": 1}, {"items": ["name"]})
        assert {(c.kind, c.path) for c in changes} == {
            (ChangeKind.CHANGED, "items"),
            (ChangeKind.REMOVED, "x"),
        }

    @given(json_values)
    def test_no_changes_against_itself(self, value: Any) -> None:
        assert diff_content(value, value) == []

    @given(json_values, json_values)
    def test_changes_iff_different(self, old: Any, new: Any) -> None:
        assert (diff_content(old, new) == []) == (old == new)
