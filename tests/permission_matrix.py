"""Helpers for the permission matrices (tests/<app>/test_permissions.py): an actor of any
role in a given authority and school, built without the database (the permission
functions answer from the actor and the object alone)."""

from __future__ import annotations

from types import SimpleNamespace

from children.models import School
from epep.tenancy.actor import Actor
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import Role

#: Our authority and school, and another authority and school.
HOME, AWAY = 1, 2
HOME_SCHOOL, AWAY_SCHOOL = 10, 20
ME, SOMEONE_ELSE = 100, 200
ROLES = list(Role)


def actor(role: Role, *, authorities=(HOME,), schools=(HOME_SCHOOL,), user_id=ME) -> Actor:
    return Actor(
        user=SimpleNamespace(pk=user_id, is_authenticated=True, is_superuser=False),
        role=role,
        authorities=tuple(LocalAuthority(pk=pk) for pk in authorities),
        schools=tuple(School(pk=pk) for pk in schools),
    )


def allowed(function, *args, **kwargs) -> set[Role]:
    """The roles for which ``function(actor_of_that_role, *args)`` answers yes."""
    return {role for role in ROLES if function(actor(role), *args, **kwargs)}
