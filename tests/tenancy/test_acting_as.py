"""acting_as: the actor and database context a request gets, for jobs, commands and tests."""

import pytest
from django.db import transaction

from children.selectors import children_for
from epep.tenancy.actor import Actor, acting_as, actor_resolver
from epep.tenancy.context import authority_context, current_db_context
from epep.tenancy.roles import Role

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_resolver_comes_from_the_setting(settings):
    assert settings.EPEP_ACTOR_RESOLVER == "children.permissions.resolve_actor"
    from children.permissions import resolve_actor

    assert actor_resolver() is resolve_actor


def test_acting_as_sets_the_actor_and_database_context(world):
    vsh = world.a.users[Role.VS_HEAD]
    with acting_as(vsh) as actor:
        assert isinstance(actor, Actor)
        assert actor.role == Role.VS_HEAD
        context = current_db_context()
        assert context.user_id == vsh.pk
        assert context.la_ids == frozenset({world.a.la.pk})
        seen = set(children_for(actor=actor))
        assert {world.a.child, world.a.other_child} <= seen
        assert world.b.child not in seen


def test_acting_as_a_chosen_role_and_restoring_the_previous_context(world):
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    with transaction.atomic():
        with authority_context(local_authority_ids=[world.b.la.pk]):
            before = current_db_context()
            with acting_as(dt, Role.DESIGNATED_TEACHER) as actor:
                assert actor.role == Role.DESIGNATED_TEACHER
                assert current_db_context().user_id == dt.pk
            assert current_db_context() == before


def test_without_a_role_no_authority_is_reachable(world):
    nobody = UserFactory()
    with acting_as(nobody) as actor:
        assert actor.role is None
        assert current_db_context().la_ids == frozenset()
