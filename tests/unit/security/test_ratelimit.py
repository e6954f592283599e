"""Which address a request comes from, and the fixed windows of the rate limits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mamori.security.ratelimit import client_address, trusted_networks, window_start

PROXIES = trusted_networks("127.0.0.1, 10.0.0.0/8, ::1")


class TestClientAddress:
    def test_with_no_trusted_proxy_the_header_is_ignored_even_from_loopback(self) -> None:
        assert client_address("127.0.0.1", ["203.0.113.7"], trusted_networks("")) == "127.0.0.1"

    def test_a_peer_that_is_no_proxy_is_the_client_whatever_it_forwards(self) -> None:
        assert client_address("198.51.100.4", ["203.0.113.7"], PROXIES) == "198.51.100.4"

    def test_the_right_most_untrusted_hop_is_the_client(self) -> None:
        forwarded = ["1.1.1.1, 203.0.113.7", "10.0.0.2"]
        assert client_address("127.0.0.1", forwarded, PROXIES) == "203.0.113.7"

    def test_only_proxies_in_the_chain_gives_the_left_most(self) -> None:
        assert client_address("::1", ["10.0.0.9, 10.0.0.2"], PROXIES) == "10.0.0.9"

    def test_a_proxy_that_forwards_nothing_is_the_client(self) -> None:
        assert client_address("10.0.0.2", [], PROXIES) == "10.0.0.2"

    def test_a_wrong_entry_in_the_setting_is_named(self) -> None:
        with pytest.raises(ValueError, match=r"'proxy\.example'"):
            trusted_networks("10.0.0.1, proxy.example")


def test_windows_are_fixed_and_aligned() -> None:
    start = window_start(datetime(2026, 12, 7, 20, 17, 42, tzinfo=UTC), 600)
    assert start == datetime(2026, 12, 7, 20, 10, tzinfo=UTC)
