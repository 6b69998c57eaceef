"""The database side of tenancy: which authorities' rows the current transaction may see.

PostgreSQL row-level security on every tenant table compares each row's
``local_authority_id`` with ``app.la_ids``, a transaction-local setting. With no
setting, tenant tables show nothing and refuse inserts. Requests get their context from
``TenantContextMiddleware``; background jobs and commands must declare theirs with
``authority_context`` (or ``all_authorities_context`` for cross-authority sweeps).

Settings are always transaction-local (``set_config(..., true)``), so nothing leaks to
the next request on a pooled or persistent connection.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction


@dataclass(frozen=True)
class DbContext:
    user_id: int | None = None
    la_ids: frozenset[int] = frozenset()
    school_ids: frozenset[int] = frozenset()


def _join(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in sorted(set(ids)))


def set_db_context(
    *,
    user_id: int | None = None,
    la_ids: Iterable[int] = (),
    school_ids: Iterable[int] = (),
) -> None:
    """Set the context for the rest of the current transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError(
            "The authority context lasts for one transaction: call this inside "
            "transaction.atomic() (or use authority_context)."
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('app.user_id', %s, true),"
            " set_config('app.la_ids', %s, true),"
            " set_config('app.school_ids', %s, true)",
            ["" if user_id is None else str(int(user_id)), _join(la_ids), _join(school_ids)],
        )


def current_db_context() -> DbContext:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('app.user_id', true),"
            " current_setting('app.la_ids', true),"
            " current_setting('app.school_ids', true)"
        )
        user_id, la_ids, school_ids = cursor.fetchone()

    def ids(value: str | None) -> frozenset[int]:
        return frozenset(int(v) for v in (value or "").split(",") if v)

    return DbContext(
        user_id=int(user_id) if user_id else None, la_ids=ids(la_ids), school_ids=ids(school_ids)
    )


@contextmanager
def authority_context(
    *,
    local_authority_ids: Iterable[int],
    user_id: int | None = None,
    school_ids: Iterable[int] = (),
) -> Iterator[None]:
    """Run a block (a job, a command, an on-commit callback) inside one transaction that
    may see exactly the given authorities' rows. The previous context is restored after."""
    with transaction.atomic():
        previous = current_db_context() if connection.in_atomic_block else DbContext()
        set_db_context(user_id=user_id, la_ids=local_authority_ids, school_ids=school_ids)
        yield
        set_db_context(
            user_id=previous.user_id, la_ids=previous.la_ids, school_ids=previous.school_ids
        )


@contextmanager
def all_authorities_context(*, user_id: int | None = None) -> Iterator[None]:
    """For cross-authority work (the deadline sweep, demo seeding, platform support in the
    admin): every authority. ``user_id``: the person doing it, when it is a person (their
    audit events must name them)."""
    from .models import LocalAuthority

    ids = list(LocalAuthority.objects.values_list("id", flat=True))
    with authority_context(local_authority_ids=ids, user_id=user_id):
        yield
