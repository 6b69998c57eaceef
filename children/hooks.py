"""What follows a change to children's records, without ``children`` (or ``peps`` and
``meetings``) importing the apps built on them.

Apps above register callables from their ``AppConfig.ready()`` (``deadlines.apps``: the
children's PEP deadlines and in-tray tasks are worked out again). The services that
change what those depend on (a child's care dates, enrolments, placements, allocations,
PEPs, meetings) call :func:`children_changed` once per change, inside their transaction;
bulk work (an import) calls it once for all the children it touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

#: Receivers of ``children_changed(child_ids=..., local_authority_id=..., robust=...)``.
receivers: list[Callable[..., object]] = []


def register(func: Callable[..., object]) -> Callable[..., object]:
    """Add ``func`` once (``ready()`` may run more than once in tests)."""
    if func not in receivers:
        receivers.append(func)
    return func


def children_changed(
    *, child_ids: Iterable[int], local_authority_id: int | None = None, robust: bool = False
) -> None:
    """The records of ``child_ids`` (all of ``local_authority_id`` when it is given)
    changed. ``robust``: a receiver's failure is logged and rolled back on its own and the
    caller's change stands (the services' calls; the nightly refresh catches up)."""
    ids = sorted(set(child_ids))
    if not ids:
        return
    for receiver in list(receivers):
        receiver(child_ids=ids, local_authority_id=local_authority_id, robust=robust)


#: Receivers of ``school_moved(actor=..., child_id=..., local_authority_id=...,
#: from_school_id=..., to_school_id=..., on=...)``: a child moved school (the old place
#: ends the day the new one starts). Called inside the move's transaction; a receiver's
#: failure undoes the move (what follows it, PP+ committed to the old school, must follow).
school_moved_receivers: list[Callable[..., object]] = []


def register_school_moved(func: Callable[..., object]) -> Callable[..., object]:
    if func not in school_moved_receivers:
        school_moved_receivers.append(func)
    return func


def school_moved(
    *, actor, child_id: int, local_authority_id: int, from_school_id: int, to_school_id: int, on
) -> None:
    for receiver in list(school_moved_receivers):
        receiver(
            actor=actor,
            child_id=child_id,
            local_authority_id=local_authority_id,
            from_school_id=from_school_id,
            to_school_id=to_school_id,
            on=on,
        )
