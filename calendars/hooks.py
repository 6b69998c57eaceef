"""What follows a change of an authority's school calendar, without ``calendars``
importing the apps built on it.

Apps above (``deadlines``) register callables from their ``AppConfig.ready()``; whatever
changes terms, closures or submission dates calls :func:`calendar_changed` once per
authority, inside its transaction (so what the receivers write commits or rolls back
with the change).
"""

from __future__ import annotations

from collections.abc import Callable

#: Receivers of ``calendar_changed(local_authority_id=...)``.
receivers: list[Callable[..., object]] = []


def register(func: Callable[..., object]) -> Callable[..., object]:
    """Add ``func`` once (``ready()`` may run more than once in tests)."""
    if func not in receivers:
        receivers.append(func)
    return func


def calendar_changed(*, local_authority_id: int) -> None:
    """The authority's terms, closures or submission dates changed."""
    for receiver in list(receivers):
        receiver(local_authority_id=local_authority_id)
