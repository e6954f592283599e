"""Decisions and audiences: may this be used for that, and who may be contacted."""
