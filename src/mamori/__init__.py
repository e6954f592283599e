"""Mamori: personal-information protection management."""
