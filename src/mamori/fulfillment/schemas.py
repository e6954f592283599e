"""What the API and the other rooms read about a run."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Action = Literal["access", "correct", "suspend", "erase"]
LanguageCode = Literal["ja", "en", "zh-Hans", "zh-Hant"]


class TableRead(BaseModel):
    """Counts for one table: rows found, values changed, personal values left after erasure."""

    dataset: str
    found: int
    changed: int
    residual: int
    places: list[dict[str, Any]] = Field(description="per field: item, values changed, strategy, kept")


class SystemRead(BaseModel):
    system: str
    status: Literal["pending", "done", "failed"]
    error: str | None = Field(description="what failed in this system; never a personal value")
    attempts: int
    tables: list[TableRead]


class RunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    action: Action
    status: Literal["pending", "running", "completed", "failed"]
    case_ref: str
    language: str
    policy_version: int
    identity_kinds: list[str]
    attempts: int
    error: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    systems: list[SystemRead] = Field(default_factory=list)
    package: dict[str, Any] | None = Field(default=None, description="access runs: every record found")


class IdentityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=40, examples=["email"])
    value: str = Field(min_length=1, max_length=400, examples=["user1@example.jp"])


class RunCreate(BaseModel):
    """Start an action for an accepted case; a correction maps a data item (or system.dataset.field).

    Without ``break_glass`` the run answers the request case ``case_ref`` and reaches its person
    only (``identities`` default to theirs). With ``break_glass`` (privacy officer only) no case is
    needed but a ``reason``; ``case_ref`` may then name what the run answers instead.
    """

    model_config = ConfigDict(extra="forbid")

    action: Action
    case_ref: str | None = Field(default=None, min_length=1, max_length=200)
    identities: list[IdentityIn] = Field(default_factory=list)
    changes: dict[str, Any] | None = None
    language: LanguageCode | None = Field(default=None, description="default: the case's language")
    break_glass: bool = Field(default=False, description="a run without a case (privacy officer)")
    reason: str | None = Field(default=None, max_length=1000, description="why, for a break-glass run")
