"""Persons whose data the organisation holds: identifiers (encrypted), categories, relationships."""
