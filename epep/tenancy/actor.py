"""Who is acting: the :class:`Actor` (a person in one role, with the authorities and
schools that role covers) and :func:`acting_as`, which gives a task, a management command
or a test the same actor and database context a request gets.

The rules that work an actor out need the domain's rows (enrolments, placements, grants,
endorsements), so the resolver lives in the domain and is named by the
``EPEP_ACTOR_RESOLVER`` setting (``children.permissions.resolve_actor``). Its signature is
``resolver(user, requested_role=None, day=None) -> Actor``; it must run inside a
transaction and sets the row-level-security context for it (``epep.tenancy.context``).
This module imports no domain app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string

from .context import DbContext, current_db_context, set_db_context
from .roles import PROFESSIONAL_ROLES, SCHOOL_ROLES, Role

if TYPE_CHECKING:
    from .models import LocalAuthority, Membership


@dataclass(frozen=True)
class Actor:
    """A signed-in person acting in one role."""

    user: object
    role: Role | None
    memberships: tuple[Membership, ...] = ()
    available_roles: tuple[Role, ...] = ()
    #: authorities named by the memberships of this role
    authorities: tuple[LocalAuthority, ...] = ()
    #: designated teacher's schools (``children.School`` rows)
    schools: tuple[Any, ...] = ()
    #: a young person's own record
    child_ids: frozenset[int] = frozenset()
    #: a school role's endorsements in force: (school id, authority id) pairs
    endorsed: frozenset[tuple[int, int]] = frozenset()
    #: the row-level-security boundary for this transaction
    db_authority_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def user_id(self) -> int:
        return self.user.pk

    @property
    def authority_ids(self) -> frozenset[int]:
        return frozenset(a.pk for a in self.authorities)

    @property
    def school_ids(self) -> frozenset[int]:
        return frozenset(s.pk for s in self.schools)

    def endorsed_authority_ids(self, school_id: int | None = None) -> frozenset[int]:
        """The authorities that endorse this school role (at ``school_id``, or anywhere)."""
        return frozenset(
            la for school, la in self.endorsed if school_id is None or school == school_id
        )

    @property
    def role_label(self) -> str:
        return self.role.label if self.role else "No role"

    @property
    def where_label(self) -> str:
        """Where the actor acts: their authority, or their school(s)."""
        if self.role in SCHOOL_ROLES:
            return ", ".join(s.name for s in self.schools)
        return ", ".join(a.name for a in self.authorities)

    @property
    def is_professional(self) -> bool:
        return self.role in PROFESSIONAL_ROLES


@cache
def actor_resolver() -> Callable[..., Actor]:
    """The registered resolver (``settings.EPEP_ACTOR_RESOLVER``), imported once."""
    return import_string(settings.EPEP_ACTOR_RESOLVER)


def resolve_actor(user, requested_role: str | None = None, day=None) -> Actor:
    """Resolve ``user`` acting in ``requested_role`` through the registered resolver and
    set the database context for the current transaction."""
    return actor_resolver()(user, requested_role, day)


@contextmanager
def acting_as(user, role: str | None = None) -> Iterator[Actor]:
    """Work as ``user`` in ``role`` (their first role when ``None``) inside one
    transaction, with the actor and database context a request in that role would get.

    For tasks, management commands and tests: no job reaches tenant rows without saying
    whose context it runs in. The previous database context is restored afterwards (an
    enclosing transaction keeps its own)."""
    with transaction.atomic():
        previous = current_db_context() if connection.in_atomic_block else DbContext()
        yield resolve_actor(user, role)
        set_db_context(
            user_id=previous.user_id, la_ids=previous.la_ids, school_ids=previous.school_ids
        )
