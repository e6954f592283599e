"""Tables of the dsr room."""

from __future__ import annotations
