"""Tables of migration 0009: the data map lives in the policy bundle; the runs across it are here."""

from __future__ import annotations

from mamori.fulfillment.models import FulfillmentRun, FulfillmentRunSystem, FulfillmentRunTable

__all__ = ["FulfillmentRun", "FulfillmentRunSystem", "FulfillmentRunTable"]
