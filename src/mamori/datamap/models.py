"""Tables of the datamap room."""

from __future__ import annotations
