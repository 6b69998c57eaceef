"""The PEP cycle: who may move a PEP from one state to the next (pure data)."""

from __future__ import annotations

from dataclasses import dataclass

from epep.tenancy.roles import Role

from .models import Status

VS = frozenset({Role.VS_HEAD, Role.VS_OFFICER})


@dataclass(frozen=True)
class Move:
    source: Status
    target: Status
    roles: frozenset[Role]
    label: str
    needs_reason: bool = False
    needs_complete: bool = False


MOVES: tuple[Move, ...] = (
    Move(
        Status.DRAFT,
        Status.MEETING_HELD,
        frozenset({Role.SOCIAL_WORKER, Role.PERSONAL_ADVISER, Role.DESIGNATED_TEACHER}) | VS,
        "Record that the meeting was held",
    ),
    Move(
        Status.MEETING_HELD,
        Status.SUBMITTED,
        frozenset({Role.DESIGNATED_TEACHER}),
        "Submit to the Virtual School",
        needs_complete=True,
    ),
    Move(
        Status.RETURNED,
        Status.SUBMITTED,
        frozenset({Role.DESIGNATED_TEACHER}),
        "Submit again to the Virtual School",
        needs_complete=True,
    ),
    Move(
        Status.SUBMITTED,
        Status.RETURNED,
        VS,
        "Return for amendments",
        needs_reason=True,
    ),
    Move(Status.SUBMITTED, Status.APPROVED, VS, "Approve"),
    Move(Status.APPROVED, Status.FINALISED, VS, "Finalise and lock"),
)


def move_between(source: str, target: str) -> Move | None:
    return next((m for m in MOVES if m.source == source and m.target == target), None)


def moves_for(status: str, role: Role | None) -> list[Move]:
    return [m for m in MOVES if m.source == status and role in m.roles]
