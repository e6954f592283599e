"""The hash-chained audit log: every state change records an event in the same transaction."""
