"""Notices rendered from the published policy: the privacy notice, in four languages, as data and PDF."""
