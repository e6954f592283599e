"""Tables of the jobs room."""

from __future__ import annotations
