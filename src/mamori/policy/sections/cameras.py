"""The ``cameras`` section: the camera register, and what may be done with face data.

Every camera (store or office), where it is, what it sees, whether faces are analysed or face
templates made, the purpose it serves, the evidence of its signage, how long its footage is kept,
who may view it and, optionally, the data-map dataset that stores its footage (a ``files`` system,
swept by retention). Face data (``face_data.items``) may be jointly used or provided to a third
party only when ``face_data.joint_use`` / ``face_data.provision`` says so; the provision gate
refuses it otherwise (``face-data-not-declared``). ``docs/policy-bundle.md`` is the reference.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator

from mamori.policy.schema import Ident, Strict, Text, parse_period

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mamori.policy.schema import PolicyBundle, Purpose
    from mamori.policy.sections.datamap import Dataset

Site = Literal["store", "office"]
Loc = tuple[str | int, ...]
FACE_DATA_REFUSED = "face-data-not-declared"
_CLOCK_ORIGIN = date(2000, 1, 1)


class Signage(Strict):
    """Where people are told about the camera, and the evidence kept of it."""

    text: Text = Field(description="what the sign says, in short")
    evidence: str = Field(min_length=1, description="a reference to the photo or record of the sign")
    checked: date = Field(description="when the sign was last checked")


class Camera(Strict):
    id: Ident
    site: Site
    location: Text
    sees: Text = Field(description="what the camera sees (entrance, sales floor, back office)")
    face_analysis: bool = Field(default=False, description="faces are analysed (attributes, counting)")
    face_templates: bool = Field(default=False, description="face templates (feature data) are made")
    purpose: Ident
    items: list[Ident] = Field(min_length=1, description="data items the camera produces")
    signage: Signage
    retention: str = Field(description="how long its footage is kept: ISO 8601 period")
    viewers: Text = Field(description="who may view the footage")
    footage: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_.-]*\.[a-z][a-z0-9_-]*$",
        description="system.dataset of the data map that stores the footage",
    )
    sample: bool = False

    @field_validator("retention")
    @classmethod
    def _period(cls, value: str) -> str:
        if not any(parse_period(value)):
            msg = "retention must be an ISO 8601 period like P30D"
            raise ValueError(msg)
        return value


class FaceData(Strict):
    items: list[Ident] = Field(default_factory=list, description="data items that are face data")
    joint_use: bool = Field(default=False, description="face data may be jointly used")
    provision: bool = Field(default=False, description="face data may be provided to third parties")


class Cameras(Strict):
    face_data: FaceData = Field(default_factory=FaceData)
    entries: list[Camera] = Field(default_factory=list, alias="register", description="one per camera")


def period_days(period: str) -> int:
    """The length of a period in days, measured from a fixed date (to compare two periods)."""
    from mamori.retention.rules import subtract_period

    return (_CLOCK_ORIGIN - subtract_period(_CLOCK_ORIGIN, period)).days


def face_items(cameras: Cameras | None) -> frozenset[str]:
    return frozenset(cameras.face_data.items) if cameras else frozenset()


def face_data_refusal(
    cameras: Cameras | None, items: list[str] | tuple[str, ...], *, joint: bool
) -> list[str]:
    """The face-data items of ``items`` that this sharing may not carry (empty when allowed)."""
    if cameras is None:
        return []
    allowed = cameras.face_data.joint_use if joint else cameras.face_data.provision
    return [] if allowed else sorted(set(items) & face_items(cameras))


def camera_problems(bundle: PolicyBundle) -> list[tuple[Loc, str]]:
    """Register entries that name unknown purposes, items or datasets, or break the face-data rules."""
    cameras = bundle.cameras
    if cameras is None:
        return []
    known = {item.id for item in bundle.data_items}
    purposes = bundle.purposes()
    datasets = {f"{s.id}.{d.id}": d for s in bundle.datamap for d in s.datasets}
    problems: list[tuple[Loc, str]] = [
        (("cameras", "face_data", "items", i), f"undeclared data item {item!r}")
        for i, item in enumerate(cameras.face_data.items)
        if item not in known
    ]
    seen: set[str] = set()
    for index, camera in enumerate(cameras.entries):
        where: Loc = ("cameras", "register", index)
        if camera.id in seen:
            problems.append(((*where, "id"), f"duplicate id {camera.id!r}"))
        seen.add(camera.id)
        problems += _camera_problems(where, camera, known, purposes, datasets, face_items(cameras))
    faces = face_items(cameras)
    if bundle.joint_use is not None and not cameras.face_data.joint_use:
        problems += [
            (
                ("joint_use", "items", i),
                f"face data {item!r} in joint use needs cameras.face_data.joint_use: true",
            )
            for i, item in enumerate(bundle.joint_use.items)
            if item in faces
        ]
    return problems


def _camera_problems(  # noqa: PLR0913 - the sets the entry is checked against
    where: Loc,
    camera: Camera,
    known: set[str],
    purposes: Mapping[str, Purpose],
    datasets: Mapping[str, Dataset],
    faces: frozenset[str],
) -> list[tuple[Loc, str]]:
    problems = [
        ((*where, "items", i), f"undeclared data item {it!r}")
        for i, it in enumerate(camera.items)
        if it not in known
    ]
    purpose = purposes.get(camera.purpose)
    if purpose is None:
        problems.append(((*where, "purpose"), f"undeclared purpose {camera.purpose!r}"))
    else:
        if "camera_images" not in {str(f) for f in purpose.flags}:
            problems.append(((*where, "purpose"), f"purpose {camera.purpose!r} lacks the camera_images flag"))
        if period_days(camera.retention) > period_days(purpose.retention):
            problems.append(((*where, "retention"), "longer than the retention of its purpose"))
        if camera.face_templates and not faces & set(purpose.items):
            problems.append(
                ((*where, "face_templates"), "face templates need a purpose whose items include face data")
            )
    if camera.face_templates and not faces & set(camera.items):
        problems.append(((*where, "items"), "a camera that makes face templates must list a face_data item"))
    if camera.footage is not None:
        dataset = datasets.get(camera.footage)
        if dataset is None:
            problems.append(((*where, "footage"), f"unknown data-map dataset {camera.footage!r}"))
        elif dataset.expiry is None or dataset.retention is None:
            problems.append(((*where, "footage"), "the footage dataset needs retention and expiry"))
        elif period_days(dataset.retention) > period_days(camera.retention):
            problems.append(
                ((*where, "footage"), "the footage dataset keeps it longer than the camera's retention")
            )
    return problems
