"""Key rotation: every encrypted value and file re-encrypted under the first key of the key set.

Every ciphertext starts with the id of its key (``keyid:...`` in columns, in the header of files),
so what is already under the new key is skipped without decrypting it: a run killed at any point
is resumed by running it again. Each batch is one transaction with its audit event (column, key
id, how many rows: no personal data). Blind indexes depend on ``MAMORI_SECRET_KEY``, not on
these keys, and are not touched.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from sqlalchemy.orm import Session, sessionmaker

from mamori.audit.service import record_event
from mamori.db.session import unit_of_work
from mamori.security.crypto import CryptoConfigError, FieldCipher
from mamori.security.fields import EncryptedText

SUFFIX = "_encrypted"


# Columns whose associated data is not simply "<table>.<column without _encrypted>".
def _run_part(part: str) -> Callable[[Any], str]:
    return lambda pk: f"fulfillment_runs.{part}:{pk}"


CONTEXTS: dict[tuple[str, str], Callable[[Any], str]] = {
    ("provisions", "justification_encrypted"): lambda _: "provision.justification",
    **{
        ("fulfillment_runs", f"{part}{SUFFIX}"): _run_part(part)
        for part in ("identities", "changes", "snapshot", "package")
    },
}
# Tables whose rows name an encrypted file under MAMORI_FILES_DIR, and its associated data.
FILES: dict[str, Callable[[Any], str]] = {
    "dsr_documents": lambda pk: f"dsr.document:{pk}",
    "dsr_letters": lambda pk: f"dsr.letter:{pk}",
}
ACTION = "keys.rotated"
# What a value that the configured keys cannot open raises (unknown key id, wrong key, damage).
UNREADABLE = (CryptoConfigError, InvalidTag, ValueError)
KEY_ID_READ = 40  # characters: a key id is at most 32, then ":"


class RotationError(RuntimeError):
    """A value cannot be decrypted with the configured keys (nothing of it was changed)."""


@dataclass(frozen=True)
class Target:
    """One encrypted column, or the files named by one table's ``storage_key``."""

    table: str
    column: str
    pk: sa.ColumnElement[Any]
    value: sa.ColumnElement[Any]
    context: Callable[[Any], str]
    files: bool = False

    @property
    def label(self) -> str:
        return f"{self.table}.{self.column}" + (" (files)" if self.files else "")


def targets() -> list[Target]:
    """Every encrypted column of every room, and the tables that name encrypted files."""
    from mamori.db import models  # noqa: F401 - registers every room's tables
    from mamori.db.base import Base

    found: list[Target] = []
    for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
        contexts = {column.name: _context_of(table.name, column) for column in table.columns}
        if not any(contexts.values()) and table.name not in FILES:
            continue
        (pk,) = table.primary_key.columns  # rows are rewritten one by one: one key column
        light = sa.table(table.name, sa.column(pk.name, pk.type))
        for column in table.columns:
            context = contexts[column.name]
            if context is not None:
                value = sa.column(column.name, sa.Text())
                light.append_column(value)
                found.append(Target(table.name, column.name, light.c[pk.name], value, context))
        if table.name in FILES:
            value = sa.column("storage_key", sa.Text())
            light.append_column(value)
            found.append(
                Target(table.name, "storage_key", light.c[pk.name], value, FILES[table.name], files=True)
            )
    return found


def _context_of(table: str, column: sa.Column[Any]) -> Callable[[Any], str] | None:
    kind: Any = column.type
    if isinstance(kind, EncryptedText):
        fixed = str(kind.context)
        return lambda _: fixed
    if column.name.endswith(SUFFIX):
        plain = f"{table}.{column.name.removesuffix(SUFFIX)}"
        special: Callable[[Any], str] | None = CONTEXTS.get((table, str(column.name)))
        return special or (lambda _: plain)
    return None


@dataclass
class Files:
    """Reads the key id of, and re-encrypts, files of the dsr store (imported lazily: dsr builds on us)."""

    store: Any

    @classmethod
    def open(cls, settings: Any) -> Files:
        from mamori.dsr.storage import sealed_files

        return cls(sealed_files(settings))

    def key_id(self, key: str) -> str | None:
        try:
            return str(self.store.key_id(key))
        except FileNotFoundError:
            return None  # swept or never written: nothing to rotate


def _rows(session: Session, target: Target, *, after: Any = None, limit: int | None = None) -> list[Any]:
    query = sa.select(target.pk, target.value).where(target.value.is_not(None), target.value != "")
    if after is not None:
        query = query.where(target.pk > after)
    return list(session.execute(query.order_by(target.pk).limit(limit)).all())


def key_counts(session: Session, files: Files) -> dict[str, Counter[str]]:
    """How many values (and files) of each target are under each key id."""
    counts: dict[str, Counter[str]] = {}
    for target in targets():
        # Only the head of a value holds its key id: read no more of it than that.
        head = target.value if target.files else sa.func.substr(target.value, 1, KEY_ID_READ)
        query = sa.select(head).where(target.value.is_not(None), target.value != "")
        counter: Counter[str] = Counter()
        for (value,) in session.execute(query.execution_options(yield_per=10_000)):
            key_id = files.key_id(value) if target.files else str(value).partition(":")[0]
            if key_id is not None:
                counter[key_id] += 1
        counts[target.label] = counter
    return counts


def remaining(session: Session, files: Files, current: str) -> int:
    """Values and files not yet under ``current``."""
    return sum(
        n for counter in key_counts(session, files).values() for k, n in counter.items() if k != current
    )


@dataclass
class Rotation:
    """Re-encrypts everything under ``cipher.current``, batch after batch, one transaction each."""

    factory: sessionmaker[Session]
    cipher: FieldCipher
    files: Files
    actor: str
    batch_size: int = 500

    def run(self, progress: Callable[[int], None]) -> int:
        """Rotate every target; ``progress`` hears how many values each committed batch did."""
        total = 0
        for target in targets():
            for done in self._batches(target):
                total += done
                progress(done)
        return total

    def _batches(self, target: Target) -> Iterator[int]:
        after: Any = None
        while True:
            with unit_of_work(self.factory) as session:
                rows = _rows(session, target, after=after, limit=self.batch_size)
                if not rows:
                    return
                done = sum(self._one(session, target, pk, value) for pk, value in rows)
                if done:
                    record_event(
                        session, actor=self.actor, action=ACTION, target_type="encryption_key",
                        target_id=self.cipher.current, details={"column": target.label, "values": done},
                    )  # fmt: skip
                after = rows[-1][0]
            yield done

    def _one(self, session: Session, target: Target, pk: Any, value: str) -> int:
        context = target.context(pk)
        if target.files:
            return int(self._reseal(target, pk, value, context))
        if value.partition(":")[0] == self.cipher.current:
            return 0
        try:
            clear = self.cipher.decrypt(value, context=context)
        except UNREADABLE as exc:
            raise RotationError(f"{target.label} of row {_id(pk)} cannot be decrypted: {exc!r}") from None
        update = sa.update(target.pk.table).where(target.pk == pk, target.value == value)
        session.execute(update.values({target.value.name: self.cipher.encrypt(clear, context=context)}))
        return 1

    def _reseal(self, target: Target, pk: Any, key: str, context: str) -> bool:
        if self.files.key_id(key) in (None, self.cipher.current):
            return False
        try:
            return bool(self.files.store.reseal(key, context=context))
        except UNREADABLE as exc:
            raise RotationError(f"{target.label} of row {_id(pk)} cannot be decrypted: {exc!r}") from None


def _id(pk: Any) -> str:
    return str(pk) if isinstance(pk, uuid.UUID | int | str) else repr(pk)
