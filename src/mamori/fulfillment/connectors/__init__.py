"""Connectors to the organisation's data stores, one class per kind (see ``base.Connector``)."""

from mamori.fulfillment.connectors import files, footage, sql
from mamori.fulfillment.connectors.base import Connector, ConnectorError, connector_class

__all__ = ["Connector", "ConnectorError", "connector_class", "files", "footage", "sql"]
