"""Services of the dsr room: open a case, move it, check identity, decide, respond.

Entry points own the transaction; these functions flush and audit, never commit.
"""

from __future__ import annotations

from mamori.dsr.service.common import case_by_reference, get_case
from mamori.dsr.service.intake import open_case
from mamori.dsr.service.lifecycle import proof_missing, reject_case, transition_case

__all__ = [
    "case_by_reference",
    "get_case",
    "open_case",
    "proof_missing",
    "reject_case",
    "transition_case",
]
