"""Typed factory functions for tests: ``create_<entity>(session, ...)``, one module per room."""
