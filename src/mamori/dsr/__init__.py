"""Requests from people about their data (disclosure, correction, suspension, ...), intake to response."""
