"""What the domain does when an authority's own settings, or the school staff it lets
see its children, change, without ``epep.tenancy`` importing it.

Domain apps register callables from their ``AppConfig.ready()`` (``deadlines.apps``).
Whatever changes an authority's first-PEP or review policy (``POLICY_FIELDS``; today the
authorities' admin) calls :func:`authority_policy_changed` inside its transaction, so
what the receivers write commits or rolls back with the change.
"""

from __future__ import annotations

from collections.abc import Callable

#: The authority's fields that the PEP deadlines are worked out from.
POLICY_FIELDS = frozenset({"first_pep_limit", "first_pep_unit", "review_cadence"})

#: Receivers of ``authority_policy_changed(local_authority_id=...)``.
receivers: list[Callable[..., object]] = []


def register(func: Callable[..., object]) -> Callable[..., object]:
    """Add ``func`` once (``ready()`` may run more than once in tests)."""
    if func not in receivers:
        receivers.append(func)
    return func


def authority_policy_changed(*, local_authority_id: int) -> None:
    """The authority's first-PEP limit or unit, or its review cadence, changed."""
    for receiver in list(receivers):
        receiver(local_authority_id=local_authority_id)


#: Receivers of ``school_staff_changed(school_ids=..., local_authority_id=...)``.
school_staff_receivers: list[Callable[..., object]] = []


def register_school_staff(func: Callable[..., object]) -> Callable[..., object]:
    """Add ``func`` once to the receivers of :func:`school_staff_changed`."""
    if func not in school_staff_receivers:
        school_staff_receivers.append(func)
    return func


def school_staff_changed(*, school_ids, local_authority_id: int) -> None:
    """Who the authority lets act at these schools changed (a school role endorsed,
    declined or withdrawn; a person's account closed or opened again). Called inside the
    change's transaction."""
    school_ids = sorted({int(i) for i in school_ids if i is not None})
    if not school_ids:
        return
    for receiver in list(school_staff_receivers):
        receiver(school_ids=school_ids, local_authority_id=local_authority_id)
