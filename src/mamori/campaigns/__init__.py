"""Notification and consent campaigns for policy revisions: audience, throttled sending, records."""
