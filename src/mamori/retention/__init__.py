"""Retention sweeps: delete or anonymise what outlived its retention, in Mamori and in mapped systems."""
