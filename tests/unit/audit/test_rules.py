from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mamori.audit.rules import GENESIS_HASH, Link, canonical_json, link_hash, verify_links

T0 = datetime(2026, 11, 25, 1, 2, 3, 456789, tzinfo=UTC)


def make_chain(n: int) -> list[Link]:
    links, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        when = T0 + timedelta(seconds=seq)
        details = canonical_json({"n": seq, "名前": "伏せ字"})
        digest = link_hash(prev, seq, when, "user:a", "thing.done", "thing", str(seq), details)
        links.append(Link(seq, when, "user:a", "thing.done", "thing", str(seq), details, prev, digest))
        prev = digest
    return links


class TestCanonicalJson:
    def test_keeps_characters_and_sorts_keys(self) -> None:
        assert canonical_json({"b": 1, "a": "顧客"}) == '{"a":"顧客","b":1}'


class TestVerifyLinks:
    def test_intact_chain(self) -> None:
        chain = make_chain(5)
        result = verify_links(chain, head_seq=5, head_hash=chain[-1].hash)
        assert (result.ok, result.checked) == (True, 5)

    def test_empty_chain(self) -> None:
        assert verify_links([], head_seq=None, head_hash=None).ok

    @given(
        st.integers(min_value=1, max_value=8), st.sampled_from(["actor", "action", "target_id", "details"])
    )
    def test_any_altered_field_is_found_at_its_event(self, seq: int, field: str) -> None:
        chain = make_chain(8)
        chain[seq - 1] = dataclasses.replace(chain[seq - 1], **{field: "tampered"})
        result = verify_links(chain, head_seq=8, head_hash=chain[-1].hash)
        assert (result.ok, result.problem, result.seq) == (False, "altered", seq)

    def test_altered_time(self) -> None:
        chain = make_chain(3)
        chain[1] = dataclasses.replace(chain[1], occurred_at=chain[1].occurred_at + timedelta(microseconds=1))
        assert verify_links(chain, head_seq=3, head_hash=chain[-1].hash).seq == 2

    def test_deleted_event(self) -> None:
        chain = make_chain(5)
        del chain[2]
        result = verify_links(chain, head_seq=5, head_hash=None)
        assert (result.problem, result.seq) == ("missing", 3)

    def test_deleted_last_event_is_caught_by_the_head(self) -> None:
        chain = make_chain(5)
        head_hash = chain[-1].hash
        result = verify_links(chain[:-1], head_seq=5, head_hash=head_hash)
        assert (result.ok, result.problem, result.seq) == (False, "missing", 5)

    def test_swapped_events(self) -> None:
        chain = make_chain(5)
        a, b = chain[1], chain[2]
        chain[1] = dataclasses.replace(b, seq=2)
        chain[2] = dataclasses.replace(a, seq=3)
        result = verify_links(chain, head_seq=5, head_hash=None)
        assert (result.ok, result.problem, result.seq) == (False, "reordered", 2)
