"""The personal-information ledger: systems, tables, fields, categories, identities, erasure strategies."""
