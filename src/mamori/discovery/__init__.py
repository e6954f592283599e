"""Discovery: personal data the data map does not know about, found in text, tables and files."""
