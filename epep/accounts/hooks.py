"""What the domain does when accounts change, without ``epep.accounts`` importing it.

Domain apps register callables here from their ``AppConfig.ready()`` (``children.apps``).
The accounts services call them inside their own transaction and database context, so
what a hook writes and audits commits or rolls back with the account change.

- ``invited_role_granted(invitation=..., user=..., membership=...)``: an invitation was
  accepted and its role granted (e.g. a carer linked to the placement they were invited
  for).
- ``removed_from_authority(actor=..., user=..., authority=...) -> int``: ``user`` was
  removed from ``authority`` by ``actor``; return how many access grants were withdrawn
  (counted in the ``membership_remove`` audit event).
"""

from __future__ import annotations

from collections.abc import Callable

invited_role_granted: list[Callable[..., None]] = []
removed_from_authority: list[Callable[..., int]] = []


def register(hooks: list[Callable], func: Callable) -> Callable:
    """Add ``func`` to ``hooks`` once (``ready()`` may run more than once in tests)."""
    if func not in hooks:
        hooks.append(func)
    return func
