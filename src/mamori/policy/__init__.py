"""The policy as code: bundle schema, loading, validation, published versions and diffs."""
