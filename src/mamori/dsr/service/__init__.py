"""Services of the dsr room: open a case, move it, check identity, decide, answer, deliver.

Entry points own the transaction; these functions flush and audit, never commit.
"""

from __future__ import annotations

from mamori.dsr.service.common import case_by_reference, get_case
from mamori.dsr.service.decision import decide, link_subject, record_payment
from mamori.dsr.service.effects import hand_over_pending, pending_tasks
from mamori.dsr.service.identity import read_document, record_identity_check, upload_document
from mamori.dsr.service.intake import open_case
from mamori.dsr.service.letters import generate_letter, latest_letter, letter_bytes
from mamori.dsr.service.lifecycle import proof_missing, reject_case, transition_case
from mamori.dsr.service.searches import record_held_nowhere_else

__all__ = [
    "case_by_reference",
    "decide",
    "generate_letter",
    "get_case",
    "hand_over_pending",
    "latest_letter",
    "letter_bytes",
    "link_subject",
    "open_case",
    "pending_tasks",
    "proof_missing",
    "read_document",
    "record_held_nowhere_else",
    "record_identity_check",
    "record_payment",
    "reject_case",
    "transition_case",
    "upload_document",
]
