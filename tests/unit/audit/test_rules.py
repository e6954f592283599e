from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mamori.audit.rules import (
    GENESIS_HASH,
    Link,
    canonical_json,
    format_instant,
    intact_count,
    link_hash,
    split_ranges,
    verify_links,
)

T0 = datetime(2026, 11, 25, 1, 2, 3, 456789, tzinfo=UTC)


def make_chain(n: int) -> list[Link]:
    links, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        when = format_instant(T0 + timedelta(seconds=seq))
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
        chain[seq - 1] = chain[seq - 1]._replace(**{field: "tampered"})
        result = verify_links(chain, head_seq=8, head_hash=chain[-1].hash)
        assert (result.ok, result.problem, result.seq) == (False, "altered", seq)

    def test_altered_time(self) -> None:
        chain = make_chain(3)
        later = format_instant(T0 + timedelta(seconds=2, microseconds=1))
        chain[1] = chain[1]._replace(occurred_at=later)
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
        chain[1] = b._replace(seq=2)
        chain[2] = a._replace(seq=3)
        result = verify_links(chain, head_seq=5, head_hash=None)
        assert (result.ok, result.problem, result.seq) == (False, "reordered", 2)


class TestIntactCount:
    def test_counts_an_intact_chain(self) -> None:
        chain = make_chain(6)
        assert intact_count((*link[1:7], link.hash) for link in chain) == 6

    def test_resumes_after_a_given_link(self) -> None:
        chain = make_chain(6)
        rest = ((*link[1:7], link.hash) for link in chain[3:])
        assert intact_count(rest, after_seq=3, prev_hash=chain[2].hash) == 3

    @given(st.integers(min_value=0, max_value=5))
    def test_deleting_any_link_breaks_it(self, index: int) -> None:
        chain = make_chain(6)
        del chain[index]
        rows = [(*link[1:7], link.hash) for link in chain]
        assert intact_count(rows) is None or index == 5  # losing the tail is the head's job to notice


class TestSplitRanges:
    @given(st.integers(min_value=1, max_value=10_000), st.integers(min_value=1, max_value=16))
    def test_ranges_cover_exactly_once(self, total: int, parts: int) -> None:
        ranges = split_ranges(total, parts)
        covered = [n for first, last in ranges for n in range(first, last + 1)]
        assert covered == list(range(1, total + 1))
        assert len(ranges) <= parts
