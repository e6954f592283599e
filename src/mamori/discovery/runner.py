"""A scan as the CLI and the API start it: sources from the map, folders and databases; then run it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from mamori.config import Settings
from mamori.db.session import make_engine, make_session_factory, unit_of_work
from mamori.discovery import scan as scans
from mamori.discovery.findings import ColumnResult
from mamori.discovery.sources import FileSource, SourceError, TableSource, file_sources, table_sources
from mamori.errors import ValidationFailed
from mamori.fulfillment.connectors.sql import SqlConnector
from mamori.fulfillment.runner import connectors_for
from mamori.policy.sections.datamap import System


def sources_for(
    systems: Sequence[System], folders: Sequence[Path], url_envs: Sequence[str]
) -> list[TableSource | FileSource]:
    """Every table of each SQL system, every file of each file system and folder, every table of each URL."""
    found: list[TableSource | FileSource] = []
    try:
        for system_id, connector in connectors_for(systems).items():
            if isinstance(connector, SqlConnector):
                found += table_sources(system_id, connector.reader())
            else:
                found += file_sources(connector.folder, system_id)  # type: ignore[attr-defined]
        for folder in folders:
            if not folder.is_dir():
                raise ValidationFailed(f"{folder.name}: not a folder")
            found += file_sources(folder, folder.name)
        for variable in url_envs:
            found += table_sources(variable.lower(), _engine(variable))
    except SourceError as exc:
        raise ValidationFailed(str(exc)) from None
    return found


def _engine(variable: str) -> Engine:
    url = os.environ.get(variable)
    if not url:
        raise ValidationFailed(f"the environment variable {variable} is not set")
    return create_engine(url)


def scan(  # noqa: PLR0913 - everything a scan is given
    settings: Settings,
    *,
    systems: Sequence[System],
    folders: Sequence[Path],
    url_envs: Sequence[str],
    options: scans.Options,
    actor: str,
    resume: uuid.UUID | None = None,
    progress: scans.Progress | None = None,
) -> uuid.UUID:
    """Start (or resume) a scan and run it to the end; the scan id."""
    sources = sources_for(systems, folders, url_envs)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        with unit_of_work(factory) as session:
            if resume is None:
                target = ",".join(
                    [s.id for s in systems] + [f"files:{f.name}" for f in folders] + list(url_envs)
                )
                scan_id = scans.start_scan(session, actor=actor, target=target[:200], options=options,
                                           sources=len(sources)).id  # fmt: skip
            else:
                scan_id = scans.get_scan(session, resume).id
        key = settings.secret_key.get_secret_value().encode()
        try:
            scans.run_scan(factory, scan_id, sources, options, key=key, progress=progress)
        except SourceError as exc:
            with unit_of_work(factory) as session:
                failed = scans.get_scan(session, scan_id)
                failed.status, failed.error = "failed", str(exc)
            raise ValidationFailed(str(exc)) from None
    finally:
        engine.dispose()
    return scan_id


def column_results(session: Session, scan_id: uuid.UUID) -> list[ColumnResult]:
    scans.get_scan(session, scan_id)
    return [
        ColumnResult(c.source, c.column, c.rows, dict(c.hits)) for c in scans.columns_of(session, scan_id)
    ]
