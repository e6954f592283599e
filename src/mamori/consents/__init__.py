"""The append-only consent ledger, usage suspensions, decisions and audiences."""
