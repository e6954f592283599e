"""Tables of the incidents room."""

from __future__ import annotations
