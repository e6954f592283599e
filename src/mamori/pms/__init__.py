"""Management-system records (JIS Q 15001): risks, audits, corrective actions, training, review."""
