"""Leaks, losses and damage: reportability, deadline clocks, PPC reports and notices to individuals."""
