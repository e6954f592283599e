"""The ``mamori`` command line."""
