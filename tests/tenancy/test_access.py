"""One refusal behaviour (``epep.tenancy.access.fetch_or_404``): a 404 identical to a
missing id, the refusal recorded once, in the child's authority when the object belongs
to a child."""

import uuid

import pytest
from django.http import Http404

from children.selectors import children_for
from epep.audit.models import AuditEvent
from epep.tenancy.access import fetch_or_404
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps import services
from peps.models import Pep

pytestmark = pytest.mark.django_db(transaction=False)


def refusals(authority_ids, user_id=None):
    with authority_context(local_authority_ids=authority_ids, user_id=user_id):
        return list(AuditEvent.objects.filter(action="access_refused").order_by("pk"))


def start_pep(world):
    with acting_as(world.a.users[Role.SOCIAL_WORKER]) as sw:
        return services.pep_start(actor=sw, child=world.a.child)


def test_a_refused_pep_is_recorded_once_in_the_childs_authority(world):
    pep = start_pep(world)
    outsider = world.b.users[Role.VS_HEAD]
    with acting_as(outsider) as actor, pytest.raises(Http404) as refused:
        fetch_or_404(
            Pep.objects.all(), actor=actor, object_type="peps.pep", public_id=pep.public_id
        )
    (event,) = refusals([world.a.la.pk])
    assert event.object_type == "peps.pep"
    assert event.object_id == str(pep.public_id)
    assert event.local_authority_id == world.a.la.pk
    assert event.child_public_id == world.a.child.public_id
    assert event.user_id == outsider.pk
    assert event.detail == {"reason": "outside circle"}
    # A missing id: the same 404, recorded without an authority (the person's own row).
    with acting_as(outsider) as actor, pytest.raises(Http404) as missing:
        fetch_or_404(Pep.objects.all(), actor=actor, object_type="peps.pep", public_id=uuid.uuid4())
    assert str(missing.value) == str(refused.value)
    (own,) = refusals([], user_id=outsider.pk)
    assert own.local_authority_id is None
    assert own.detail == {"reason": "no such object"}
    assert len(refusals([world.a.la.pk])) == 1


def test_a_reachable_object_is_returned_and_nothing_recorded(world):
    with acting_as(world.a.users[Role.VS_HEAD]) as actor:
        child = fetch_or_404(
            children_for(actor=actor),
            actor=actor,
            object_type="children.child",
            public_id=world.a.child.public_id,
        )
    assert child == world.a.child
    assert refusals([world.a.la.pk, world.b.la.pk]) == []


def test_an_object_of_no_child_is_refused_in_the_actors_authority(world):
    actor_user = world.a.users[Role.VS_HEAD]
    with acting_as(actor_user) as actor, pytest.raises(Http404):
        fetch_or_404(
            Pep.objects.none(),
            actor=actor,
            object_type="accounts.invitation",
            public_id="not-a-uuid",
            belongs_to_child=False,
        )
    (event,) = refusals([world.a.la.pk])
    assert (event.object_type, event.object_id) == ("accounts.invitation", "not-a-uuid")
    assert event.child_public_id is None
