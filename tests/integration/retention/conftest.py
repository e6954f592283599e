"""The shop, CRM and call log of the fulfillment tests, and a folder of camera footage."""

from __future__ import annotations

from tests.integration.fulfillment.conftest import published, shop

__all__ = ["published", "shop"]
