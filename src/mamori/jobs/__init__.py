"""Durable background work: tasks that survive a killed process and are never applied twice."""
