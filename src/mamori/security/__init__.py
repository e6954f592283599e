"""Staff users, roles, API tokens and the cryptography that protects personal data."""
