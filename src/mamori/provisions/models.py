"""Tables of the provisions room."""

from __future__ import annotations
