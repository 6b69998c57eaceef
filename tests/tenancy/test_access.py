"""One refusal behaviour (``epep.tenancy.access.fetch_or_404``): a 404 identical to a
missing id, the refusal recorded once, in the child's authority when the object belongs
to a child."""

import uuid
from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from children.selectors import access_grant_by_id, children_for
from children.services import child_access_grant
from epep.accounts.models import Invitation
from epep.accounts.selectors import access_invitation_by_id, access_person_by_id
from epep.audit.models import AuditEvent
from epep.tenancy import clock
from epep.tenancy.access import fetch_or_404
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps import services
from peps.models import Pep
from peps.selectors import access_target_by_id

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


def test_every_access_by_id_refuses_another_authoritys_object_the_same_way(world):
    """Kent's target, grant, person and invitation, asked for by Sefton's Virtual School
    Head: the same 404 as a missing id; a refusal about a child's object is in Kent's log,
    about a person or an invitation in Sefton's own."""
    pep = start_pep(world)
    kent_vs = world.a.users[Role.VS_HEAD]
    kent_iro = world.a.users[Role.IRO]
    with acting_as(world.a.users[Role.SOCIAL_WORKER]) as sw:
        target = services.target_save(
            actor=sw,
            pep=pep,
            fields={
                "description": "Read a book of 100 pages independently",
                "success_measure": "Reading age rises by 6 months",
                "responsible": "Class teacher",
                "due_date": clock.today() + timedelta(days=60),
                "strategy": "Daily reading",
                "expected_outcome": "Reads fluently",
                "ppplus_cost_pence": 0,
            },
        )
    with acting_as(kent_vs) as actor:
        grant = child_access_grant(
            actor=actor,
            child=world.a.other_child,
            grantee=kent_iro,
            reason="Covering a colleague",
            expires_on=clock.today() + timedelta(days=30),
        )
        invitation = Invitation.objects.create(
            local_authority=world.a.la,
            email="new.person@example.org",
            full_name="New Person",
            role=Role.SOCIAL_WORKER,
            token_hash="h2-test-token",
            invited_by=kent_vs,
            expires_at=timezone.now() + timedelta(days=7),
        )
        # Kent's own Virtual School reaches each of them.
        assert access_target_by_id(actor=actor, target_id=target.public_id) == target
        assert access_grant_by_id(actor=actor, grant_id=grant.public_id) == grant
        found = access_invitation_by_id(actor=actor, invitation_id=invitation.public_id)
        assert found == invitation
        assert access_person_by_id(actor=actor, person_id=kent_iro.public_id) == kent_iro
    sefton_vs = world.b.users[Role.VS_HEAD]
    lookups = [
        (access_target_by_id, "target_id", target.public_id),
        (access_grant_by_id, "grant_id", grant.public_id),
        (access_invitation_by_id, "invitation_id", invitation.public_id),
        (access_person_by_id, "person_id", kent_iro.public_id),
    ]
    for lookup, name, public_id in lookups:
        with acting_as(sefton_vs) as actor:
            with pytest.raises(Http404) as refused:
                lookup(actor=actor, **{name: public_id})
            with pytest.raises(Http404) as missing:
                lookup(actor=actor, **{name: uuid.uuid4()})
        assert str(refused.value) == str(missing.value), lookup.__name__
    in_kent = {(e.object_type, e.object_id, e.child_public_id) for e in refusals([world.a.la.pk])}
    assert in_kent == {
        ("peps.target", str(target.public_id), world.a.child.public_id),
        ("children.childaccessgrant", str(grant.public_id), world.a.other_child.public_id),
    }
    # A person or an invitation is no child's: refused and missing ids alike are in the
    # actor's own authority.
    in_sefton = [(e.object_type, e.object_id) for e in refusals([world.b.la.pk])]
    assert len(in_sefton) == 4
    assert ("accounts.invitation", str(invitation.public_id)) in in_sefton
    assert ("accounts.user", str(kent_iro.public_id)) in in_sefton
