"""Find, correct, suspend and erase a person's data across the organisation's systems."""
