"""The data map section of the bundle: systems, datasets, fields and how to find, erase and suspend them.

Each file of the bundle's ``datamap/`` folder describes one system. ``docs/policy-bundle.md``
(section *datamap*) is the reference; ``examples/shop/datamap/`` is a complete example.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from mamori.policy.schema import Ident, Strict, Text, parse_period

Strategy = Literal["delete", "null", "mask", "hash", "keep"]
Direction = Literal["to", "from", "both"]
Correction = Literal["item", "field"]
ConnectorKind = Literal["postgresql", "mysql", "sqlite", "csv", "jsonl", "files"]
ExpiryAction = Literal["delete", "anonymise"]
SQL_KINDS: frozenset[str] = frozenset({"postgresql", "mysql", "sqlite"})
Column = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=63)]
EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=100)]
_REF = re.compile(
    r"^(?:(?P<system>[a-z][a-z0-9_.-]*)\.)?(?P<dataset>[a-z][a-z0-9_-]*)\.(?P<field>[A-Za-z_]\w*)$"
)
Loc = tuple[str | int, ...]


class Connection(Strict):
    """Where the system is: a SQLAlchemy URL (secrets from the environment) or a folder of files."""

    kind: ConnectorKind
    url_env: EnvName | None = Field(default=None, description="variable holding the SQLAlchemy URL")
    url: str | None = Field(default=None, description="a URL without a password (SQLite files)")
    path: str | None = Field(default=None, description="folder of <dataset>.csv / <dataset>.jsonl")
    path_env: EnvName | None = None

    @field_validator("url")
    @classmethod
    def _no_secret(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).password:
            msg = "a password in the bundle is not allowed; put the URL in an environment variable (url_env)"
            raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _one_place(self) -> Connection:
        given = [name for name in ("url_env", "url", "path", "path_env") if getattr(self, name)]
        wanted = ("url_env", "url") if self.kind in SQL_KINDS else ("path", "path_env")
        if len(given) != 1 or given[0] not in wanted:
            msg = f"a {self.kind} connection needs exactly one of {' or '.join(wanted)}"
            raise ValueError(msg)
        return self


class Reference(Strict):
    """This field holds the value of ``field`` (``dataset.field`` or ``system.dataset.field``).

    ``direction: to`` follows it from a row found here to the referenced row; ``from`` follows it
    from a referenced row found to the rows here; ``both`` follows it both ways.
    """

    field: str = Field(pattern=_REF.pattern)
    direction: Direction


class FieldMap(Strict):
    """One column. With ``item`` it holds personal data and needs an erasure strategy."""

    name: Column
    item: Ident | None = Field(default=None, description="data item id of the bundle")
    label: Text | None = Field(
        default=None, description="how an access package names the column; default the data item's name"
    )
    categories: list[str] = Field(default_factory=list, description="fideslang data categories")
    identity: Ident | None = Field(default=None, description="identity kind found here (email, phone…)")
    erasure: Strategy | None = None
    mask: str = "****"
    legal_reason: Text | None = Field(default=None, description="why the value is kept (erasure: keep)")
    references: list[Reference] = Field(default_factory=list)
    correction: Correction | None = Field(
        default=None,
        description=(
            "item: a correction of the data item sets this field; field: only a value given for"
            " system.dataset.field does (a reading such as kana, a part of an address);"
            " default field for a name with kana, furigana or yomi, item otherwise"
        ),
    )

    @model_validator(mode="after")
    def _strategy(self) -> FieldMap:
        if self.item is not None and self.erasure is None:
            msg = "a personal field (with an item) needs an erasure strategy"
            raise ValueError(msg)
        if self.erasure == "keep" and self.legal_reason is None:
            msg = "erasure: keep needs a legal_reason"
            raise ValueError(msg)
        if self.identity is not None and self.item is None:
            msg = "an identity field must name its data item"
            raise ValueError(msg)
        return self

    @property
    def personal(self) -> bool:
        return self.item is not None


class FlagSuspension(Strict):
    column: Column
    value: bool | int | str = True


class WebhookSuspension(Strict):
    url_env: EnvName | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _one(self) -> WebhookSuspension:
        if (self.url_env is None) == (self.url is None):
            msg = "a webhook needs exactly one of url or url_env"
            raise ValueError(msg)
        return self


class Suspension(Strict):
    """How the use of a row is stopped: a flag column set in the row, or a webhook called."""

    flag: FlagSuspension | None = None
    webhook: WebhookSuspension | None = None

    @model_validator(mode="after")
    def _one(self) -> Suspension:
        if (self.flag is None) == (self.webhook is None):
            msg = "give exactly one of flag or webhook"
            raise ValueError(msg)
        return self


class Expiry(Strict):
    """How a retention sweep finds and treats rows past ``retention``.

    ``clock`` is the column holding when the retention period starts for a row (created, last
    order, footage taken); ``files`` stores use each file's modification time and need none.
    ``delete`` removes the row (and the rows of ``children`` that refer to it); ``anonymise``
    applies the fields' erasure strategies (null, mask, hash) and keeps the row.
    """

    clock: Column | None = None
    action: ExpiryAction = "delete"
    children: list[str] = Field(
        default_factory=list,
        description="dataset.field of this system referring to this dataset's key, deleted with it",
    )


class Dataset(Strict):
    """A table (or file) and one line of the personal-information ledger."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=63)]
    table: Column | None = Field(default=None, description="table or file name; default the id")
    name: Text
    primary_key: list[Column] = Field(default_factory=lambda: ["id"], min_length=1)
    purposes: list[Ident] = Field(default_factory=list)
    source: Text | None = None
    retention: str | None = Field(default=None, description="ISO 8601 period such as P7Y")
    access: Text | None = Field(default=None, description="who has access")
    volume: int | None = Field(default=None, ge=0, description="approximate number of records")
    outsourced_to: list[Ident] = Field(default_factory=list, description="processor or outsourced-duty ids")
    provided_to: Text | None = None
    disposal: Text | None = None
    suspension: Suspension | None = None
    expiry: Expiry | None = Field(default=None, description="what a retention sweep does past retention")
    fields: list[FieldMap] = Field(min_length=1)

    @field_validator("retention")
    @classmethod
    def _period(cls, value: str | None) -> str | None:
        if value is not None:
            parse_period(value)
        return value

    @property
    def table_name(self) -> str:
        return self.table or self.id

    def field(self, name: str) -> FieldMap | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def personal_fields(self) -> list[FieldMap]:
        return [f for f in self.fields if f.personal]

    @property
    def columns(self) -> list[str]:
        """Primary key first, then every mapped field, each once."""
        return list(dict.fromkeys([*self.primary_key, *(f.name for f in self.fields)]))


class System(Strict):
    """One data store of the organisation (one file of ``datamap/``)."""

    id: Ident
    name: Text
    connection: Connection
    location: Text = Field(description="medium and location (ledger)")
    owner: Text | None = None
    datasets: list[Dataset] = Field(min_length=1)

    def dataset(self, ident: str) -> Dataset | None:
        return next((d for d in self.datasets if d.id == ident), None)


def parse_reference(text: str, system: str) -> tuple[str, str, str]:
    """``dataset.field`` or ``system.dataset.field`` → (system, dataset, field)."""
    match = _REF.match(text)
    if match is None:
        raise ValueError(f"not a reference: {text!r}")
    return match["system"] or system, match["dataset"], match["field"]


def _repeats(where: Loc, names: Iterable[str], leaf: str) -> Iterator[tuple[Loc, str]]:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            yield (*where, index, leaf), f"{name!r} is given twice"
        seen.add(name)


def datamap_problems(
    systems: list[System], *, items: set[str], purposes: set[str], outsourced: set[str]
) -> list[tuple[Loc, str]]:
    """Repeated ids and references to unknown items, purposes, processors or duties, datasets, fields."""
    problems = list(_repeats(("datamap",), (s.id for s in systems), "id"))
    index = {(s.id, d.id): d for s in systems for d in s.datasets}
    for s_index, system in enumerate(systems):
        problems += _repeats(("datamap", s_index, "datasets"), (d.id for d in system.datasets), "id")
        for d_index, dataset in enumerate(system.datasets):
            where: Loc = ("datamap", s_index, "datasets", d_index)
            problems += _dataset_problems(where, system.id, dataset, index, items, purposes, outsourced)
    return problems


def _dataset_problems(  # noqa: PLR0913 - the sets the references are checked against
    where: Loc,
    system: str,
    dataset: Dataset,
    index: dict[tuple[str, str], Dataset],
    items: set[str],
    purposes: set[str],
    outsourced: set[str],
) -> list[tuple[Loc, str]]:
    problems = list(_repeats((*where, "fields"), (f.name for f in dataset.fields), "name"))
    problems += _expiry_problems(where, system, dataset, index)
    problems += [
        ((*where, "purposes", i), f"undeclared purpose {p!r}")
        for i, p in enumerate(dataset.purposes)
        if p not in purposes
    ]
    problems += [
        ((*where, "outsourced_to", i), f"undeclared processor or duty {p!r}")
        for i, p in enumerate(dataset.outsourced_to)
        if p not in outsourced
    ]
    for f_index, field in enumerate(dataset.fields):
        at: Loc = (*where, "fields", f_index)
        if field.item is not None and field.item not in items:
            problems.append(((*at, "item"), f"undeclared data item {field.item!r}"))
        for r_index, ref in enumerate(field.references):
            target = parse_reference(ref.field, system)
            found = index.get(target[:2])
            if found is None or (found.field(target[2]) is None and target[2] not in found.primary_key):
                problems.append(((*at, "references", r_index, "field"), f"unknown field {ref.field!r}"))
    return problems


def _expiry_problems(
    where: Loc, system: str, dataset: Dataset, index: dict[tuple[str, str], Dataset]
) -> list[tuple[Loc, str]]:
    expiry = dataset.expiry
    if expiry is None:
        return []
    problems: list[tuple[Loc, str]] = []
    if dataset.retention is None:
        problems.append(((*where, "retention"), "expiry needs a retention period"))
    for c_index, child in enumerate(expiry.children):
        parts = child.split(".")
        found = index.get((system, parts[0])) if len(parts) == 2 else None  # noqa: PLR2004 - dataset.field
        if found is None or found.field(parts[1]) is None:
            problems.append(((*where, "expiry", "children", c_index), f"unknown field {child!r}"))
    return problems
