"""Outbound e-mail and postal letters, queued in the transaction and sent after commit."""
