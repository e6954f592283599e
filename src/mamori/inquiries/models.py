"""Tables of the inquiries room."""

from __future__ import annotations
