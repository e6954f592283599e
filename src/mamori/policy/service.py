"""Check, publish, read and compare policy versions. Entry points own the transaction."""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, make_transient_to_detached

from mamori.audit.service import record_event
from mamori.errors import Conflict, NotFound, ValidationFailed
from mamori.policy.changes.classify import classify, missing, overall
from mamori.policy.changes.dates import date_problems
from mamori.policy.changes.model import Classified
from mamori.policy.loader import LoadResult, load_bundle
from mamori.policy.models import PolicyVersion, check_content
from mamori.policy.repository import list_versions
from mamori.policy.rules import Change, content_hash, diff_content
from mamori.policy.schema import PolicyBundle

TOKYO = ZoneInfo("Asia/Tokyo")
__all__ = ["list_versions"]  # kept here for callers; the quick CLI reads it from the repository


def check_bundle(directory: Path) -> LoadResult:
    """Validate a bundle directory without touching the database."""
    return load_bundle(directory)


def bundle_content(bundle: PolicyBundle) -> dict[str, Any]:
    return bundle.model_dump(mode="json", by_alias=True)


def publish_bundle(
    session: Session,
    *,
    actor: str,
    directory: Path,
    effective_date: date | None = None,
    note: str | None = None,
) -> PolicyVersion:
    """Store the bundle as a new immutable version.

    Raises:
        ValidationFailed: the bundle is invalid (``details['errors']`` lists each problem).
        Conflict: the bundle is identical to the current version.
    """
    result = load_bundle(directory)
    if result.bundle is None:
        raise ValidationFailed(
            "the policy bundle is invalid; nothing was published",
            details={"errors": [str(error) for error in result.errors]},
        )
    content = bundle_content(result.bundle)
    digest = content_hash(content)
    current = latest_version(session)
    if current is not None and current.content_hash == digest:
        raise Conflict(f"the bundle is unchanged since version {current.number}; nothing was published")
    today = datetime.now(TOKYO).date()
    effective = effective_date or today
    in_force = current_version(session, on=today)
    changes = classify(in_force.content, content) if in_force else []
    _refuse_unready(session, changes, effective=effective, today=today, in_force=in_force)
    number = (session.scalar(select(func.max(PolicyVersion.number))) or 0) + 1
    version = PolicyVersion(
        number=number,
        bundle_id=result.bundle.id,
        content_hash=digest,
        content=content,
        sources=result.sources,
        published_by=actor,
        effective_date=effective_date or today,
        note=note,
    )
    session.add(version)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="policy.published",
        target_type="policy_version",
        target_id=str(version.id),
        details={
            "number": number,
            "content_hash": digest,
            "changes": len(changes),
            "against": in_force.number if in_force else None,
            "class": (overall(changes) or "publish") if changes else None,
            "needs_consent": sorted({c.target for c in changes if c.change_class == "needs_consent"}),
            "joint_use": sorted(
                {c.rule.removeprefix("joint_use.") for c in changes if c.rule.startswith("joint_use.")}
            ),
        },
    )
    return version


def _refuse_unready(
    session: Session,
    changes: list[Classified],
    *,
    effective: date,
    today: date,
    in_force: PolicyVersion | None,
) -> None:
    """Raise ValidationFailed when a change lacks what its class needs or the date does not fit."""
    errors = [
        {"field": change.path, "message": f"{change.rule} ({change.change_class.value}): {change.missing}"}
        for change in missing(changes)
    ]
    pending = [(v.number, v.effective_date) for v in list_versions(session) if v.effective_date > today]
    errors += [
        {"field": "effective_date", "message": problem}
        for problem in date_problems(
            changes,
            effective=effective,
            today=today,
            in_force=in_force.effective_date if in_force else None,
            pending=pending,
        )
    ]
    if errors:
        first = errors[0]["message"]
        raise ValidationFailed(f"{first}; nothing was published", details={"errors": errors})


def classify_versions(old: PolicyVersion, new: PolicyVersion) -> list[Classified]:
    """Every change from ``old`` to ``new`` with its class."""
    return classify(old.content, new.content)


def classify_directory(version: PolicyVersion, directory: Path) -> list[Classified]:
    """Every change from a published version to a bundle directory. Raises ValidationFailed."""
    result = load_bundle(directory)
    if result.bundle is None:
        raise ValidationFailed(
            "the policy bundle is invalid", details={"errors": [str(error) for error in result.errors]}
        )
    return classify(version.content, bundle_content(result.bundle))


def latest_version(session: Session) -> PolicyVersion | None:
    """The most recently published version, in force or not yet."""
    return session.scalars(select(PolicyVersion).order_by(PolicyVersion.number.desc()).limit(1)).first()


# Published versions never change (see PolicyVersion), so a process keeps what it has read: the
# row (a detached copy, merged into each session without a SELECT) and the validated bundle.
# Both are small and few; each read still asks the database which version is in force.
_CACHE_SIZE = 16
_rows: dict[uuid.UUID, PolicyVersion] = {}
_bundles: dict[str, PolicyBundle] = {}
_cache_lock = threading.Lock()


def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
    with _cache_lock:
        if len(cache) >= _CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[key] = value


def _version(session: Session, version_id: uuid.UUID) -> PolicyVersion:
    """The version row in this session: from its identity map, the process cache, or the database."""
    with _cache_lock:
        kept = _rows.get(version_id)
    if kept is not None:
        return session.merge(kept, load=False)
    version = session.get_one(PolicyVersion, version_id)
    copy = PolicyVersion(**{c.key: getattr(version, c.key) for c in PolicyVersion.__table__.columns})
    make_transient_to_detached(copy)
    _remember(_rows, version_id, copy)
    return version


def current_version(session: Session, *, on: date | None = None) -> PolicyVersion | None:
    """The version in force on ``on`` (default today, Asia/Tokyo): the newest one already effective."""
    day = on or datetime.now(TOKYO).date()
    stmt = (
        select(PolicyVersion.id)
        .where(PolicyVersion.effective_date <= day)
        .order_by(PolicyVersion.number.desc())
        .limit(1)
    )
    version_id = session.scalars(stmt).first()
    return None if version_id is None else _version(session, version_id)


def require_current_version(session: Session) -> PolicyVersion:
    version = current_version(session)
    if version is None:
        raise NotFound("no policy has been published yet; run 'mamori policy publish DIR'")
    return version


def get_version(session: Session, ref: str) -> PolicyVersion:
    """A version by number (``3``), id (UUID), ``current`` (in force) or ``latest``. Raises NotFound."""
    version: PolicyVersion | None
    if ref == "current":
        return require_current_version(session)
    if ref == "latest":
        latest = latest_version(session)
        if latest is None:
            raise NotFound("no policy has been published yet")
        return latest
    if ref.isdigit():
        version = session.scalars(select(PolicyVersion).where(PolicyVersion.number == int(ref))).first()
    else:
        try:
            version = session.get(PolicyVersion, uuid.UUID(ref))
        except ValueError:
            version = None
    if version is None:
        raise NotFound(f"no policy version {ref!r}")
    return version


def contents_up_to(session: Session, version: PolicyVersion) -> list[dict[str, Any]]:
    """The stored content of ``version`` and of every version published before it, oldest first."""
    stmt = select(PolicyVersion.number, PolicyVersion.content, PolicyVersion.content_hash)
    rows = session.execute(stmt.where(PolicyVersion.number <= version.number).order_by(PolicyVersion.number))
    contents = []
    for number, content, stored_hash in rows:
        check_content(number, content, stored_hash)
        contents.append(content)
    return contents


def bundle_of(version: PolicyVersion) -> PolicyBundle:
    """The validated bundle of a version (validated once per content; the bundle is frozen)."""
    with _cache_lock:
        bundle = _bundles.get(version.content_hash)
    if bundle is None:
        bundle = PolicyBundle.model_validate(version.content)
        _remember(_bundles, version.content_hash, bundle)
    return bundle


def diff_versions(old: PolicyVersion, new: PolicyVersion) -> list[Change]:
    return diff_content(old.content, new.content)


def diff_version_and_directory(version: PolicyVersion, directory: Path) -> list[Change]:
    """Compare a published version with a bundle directory. Raises ValidationFailed if it is invalid."""
    result = load_bundle(directory)
    if result.bundle is None:
        raise ValidationFailed(
            "the policy bundle is invalid", details={"errors": [str(error) for error in result.errors]}
        )
    return diff_content(version.content, bundle_content(result.bundle))
