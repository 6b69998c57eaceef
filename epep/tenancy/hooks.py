"""What the domain does when an authority's own settings change, without
``epep.tenancy`` importing it.

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
