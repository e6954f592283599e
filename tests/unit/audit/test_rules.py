from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mamori.audit.rules import (
    ChainSpec,
    Link,
    canonical_json,
    clean_field,
    format_instant,
    intact_count,
    keyed_hash,
    keyed_mac,
    link_hash,
    split_ranges,
    verify_links,
)

T0 = datetime(2026, 11, 25, 1, 2, 3, 456789, tzinfo=UTC)
KEY = b"k" * 32
SPEC = ChainSpec(chain=1, mac=keyed_mac(KEY), numbered=True)


def make_chain(n: int, *, legacy: int = 0, spec: ChainSpec = SPEC) -> list[Link]:
    """``n`` links; the first ``legacy`` with plain hashes (before keyed chaining), then keyed ones."""
    links, prev = [], spec.genesis
    for link in range(1, n + 1):
        when = format_instant(T0 + timedelta(seconds=link))
        details = canonical_json({"n": link, "名前": "伏せ字"})
        fields = ("user:a", "thing.done", "thing", str(link), details)
        if link <= legacy:
            digest = link_hash(prev, link, when, *fields)
        else:
            digest = keyed_hash(spec.mac, spec.chain, (link, link, when, *fields, prev))
        links.append(Link(link, link, when, *fields, prev, digest))
        prev = digest
    return links


def fast_rows(chain: list[Link]) -> list[tuple[object, ...]]:
    return [link[1:] for link in chain]


class TestCanonicalJson:
    def test_keeps_characters_and_sorts_keys(self) -> None:
        assert canonical_json({"b": 1, "a": "顧客"}) == '{"a":"顧客","b":1}'


class TestKeyedHash:
    def test_depends_on_the_key_the_chain_and_every_number(self) -> None:
        link = make_chain(1)[0]
        digest = keyed_hash(SPEC.mac, 1, link)
        assert digest != keyed_hash(keyed_mac(b"other"), 1, link)
        assert digest != keyed_hash(SPEC.mac, 2, link)
        assert digest != keyed_hash(SPEC.mac, 1, link._replace(seq=2))
        assert digest != keyed_hash(SPEC.mac, 1, link._replace(link=2))
        assert digest != keyed_hash(SPEC.mac, 1, link._replace(prev_hash="f" * 64))

    @given(st.binary(max_size=100), st.binary(max_size=300))
    def test_is_hmac_sha256(self, key: bytes, message: bytes) -> None:
        assert keyed_mac(key).hexdigest(message) == hmac.new(key, message, hashlib.sha256).hexdigest()

    def test_the_separator_never_reaches_a_stored_field(self) -> None:
        # Otherwise text could move from one field to the next under the same MAC.
        assert "\x1f" not in clean_field("user\x1fpolicy.published")
        assert clean_field("plain") == "plain"


class TestVerifyLinks:
    def test_intact_chain(self) -> None:
        chain = make_chain(5)
        result = verify_links(chain, SPEC, head_seq=5, head_hash=chain[-1].hash)
        assert (result.ok, result.checked) == (True, 5)

    def test_empty_chain(self) -> None:
        assert verify_links([], SPEC, head_seq=None, head_hash=None).ok

    @given(
        st.integers(min_value=1, max_value=8),
        st.sampled_from(["actor", "action", "target_id", "details", "seq", "prev_hash"]),
    )
    def test_any_altered_field_is_found_at_its_event(self, seq: int, field: str) -> None:
        chain = make_chain(8)
        value = {"seq": seq + 100, "prev_hash": "f" * 64}.get(field, "tampered")
        chain[seq - 1] = chain[seq - 1]._replace(**{field: value})
        result = verify_links(chain, SPEC, head_seq=8, head_hash=chain[-1].hash)
        assert (result.ok, result.problem, result.seq) == (False, "altered", seq)

    def test_altered_time(self) -> None:
        chain = make_chain(3)
        later = format_instant(T0 + timedelta(seconds=2, microseconds=1))
        chain[1] = chain[1]._replace(occurred_at=later)
        assert verify_links(chain, SPEC, head_seq=3, head_hash=chain[-1].hash).seq == 2

    def test_wrong_key_fails_at_the_first_event(self) -> None:
        chain = make_chain(3)
        other = ChainSpec(chain=1, mac=keyed_mac(b"guess"), numbered=True)
        assert verify_links(chain, other, head_seq=3, head_hash=chain[-1].hash).seq == 1

    def test_plain_hashes_are_refused_without_a_seal(self) -> None:
        chain = make_chain(4, legacy=4)  # what someone without the key can compute
        result = verify_links(chain, SPEC, head_seq=4, head_hash=chain[-1].hash)
        assert (result.ok, result.problem, result.seq) == (False, "altered", 1)

    def test_plain_prefix_is_accepted_up_to_its_seal(self) -> None:
        chain = make_chain(6, legacy=3)
        sealed = ChainSpec(chain=1, mac=SPEC.mac, keyed_from=4, numbered=True)
        assert verify_links(chain, sealed, head_seq=6, head_hash=chain[-1].hash).ok
        later = ChainSpec(chain=1, mac=SPEC.mac, keyed_from=5, numbered=True)
        assert verify_links(chain, later, head_seq=6, head_hash=chain[-1].hash).seq == 4

    def test_numbers_must_equal_positions_where_numbered(self) -> None:
        chain = make_chain(3)
        spec = ChainSpec(chain=1, mac=SPEC.mac)
        assert verify_links(chain, spec, head_seq=3, head_hash=chain[-1].hash).ok
        chain[2] = chain[2]._replace(seq=1)
        assert verify_links(chain, spec, head_seq=3, head_hash=chain[-1].hash).seq == 3

    def test_deleted_event(self) -> None:
        chain = make_chain(5)
        del chain[2]
        result = verify_links(chain, SPEC, head_seq=5, head_hash=None)
        assert (result.problem, result.seq) == ("missing", 3)

    def test_deleted_last_event_is_caught_by_the_head(self) -> None:
        chain = make_chain(5)
        head_hash = chain[-1].hash
        result = verify_links(chain[:-1], SPEC, head_seq=5, head_hash=head_hash)
        assert (result.ok, result.problem, result.seq) == (False, "missing", 5)

    def test_swapped_events(self) -> None:
        chain = make_chain(5)
        a, b = chain[1], chain[2]
        chain[1] = b._replace(link=2)
        chain[2] = a._replace(link=3)
        result = verify_links(chain, SPEC, head_seq=5, head_hash=None)
        assert (result.ok, result.problem, result.seq) == (False, "altered", 2)


class TestIntactCount:
    def test_counts_an_intact_chain(self) -> None:
        assert intact_count(fast_rows(make_chain(6)), SPEC) == 6

    def test_counts_a_sealed_plain_prefix(self) -> None:
        sealed = ChainSpec(chain=1, mac=SPEC.mac, keyed_from=3, numbered=True)
        assert intact_count(fast_rows(make_chain(6, legacy=2)), sealed) == 6
        assert intact_count(fast_rows(make_chain(6, legacy=2)), SPEC) is None

    def test_resumes_after_a_given_link(self) -> None:
        chain = make_chain(6)
        assert intact_count(fast_rows(chain[3:]), SPEC, after=3, prev_hash=chain[2].hash) == 3

    @given(st.integers(min_value=0, max_value=5), st.sampled_from(["seq", "prev_hash", "actor"]))
    def test_a_changed_number_previous_hash_or_field_breaks_it(self, index: int, field: str) -> None:
        chain = make_chain(6)
        value = {"seq": 99, "prev_hash": "f" * 64}.get(field, "x")
        chain[index] = chain[index]._replace(**{field: value})
        assert intact_count(fast_rows(chain), SPEC) is None

    @given(st.integers(min_value=0, max_value=5))
    def test_deleting_any_link_breaks_it(self, index: int) -> None:
        chain = make_chain(6)
        del chain[index]
        rows = fast_rows(chain)
        assert intact_count(rows, SPEC) is None or index == 5  # losing the tail is the head's job


class TestSplitRanges:
    @given(st.integers(min_value=1, max_value=10_000), st.integers(min_value=1, max_value=16))
    def test_ranges_cover_exactly_once(self, total: int, parts: int) -> None:
        ranges = split_ranges(total, parts)
        covered = [n for first, last in ranges for n in range(first, last + 1)]
        assert covered == list(range(1, total + 1))
        assert len(ranges) <= parts
