"""Nobody sees a child before accepting their role's current user agreement."""

import pytest
from django.db import transaction

from epep.accounts import services
from epep.accounts.models import AgreementAcceptance, UserAgreement
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.roles import Role

from ..factories import MembershipFactory, UserFactory, ready_for_work

pytestmark = pytest.mark.django_db


def new_social_worker(world):
    user = UserFactory(email="fresh.sw@example.org")
    MembershipFactory(user=user, role=Role.SOCIAL_WORKER, local_authority=world.a.la)
    ready_for_work(user, [])  # MFA only, no agreement yet
    return user


def test_a_user_must_accept_the_agreement_before_seeing_any_child(client, world):
    user = new_social_worker(world)
    client.force_login(user)
    child_url = f"/children/{world.a.child.public_id}/"
    response = client.get(child_url)
    assert response.status_code == 302
    assert response["Location"] == f"/agreement/?next={child_url.replace('/', '%2F')}"
    page = client.get(response["Location"])
    assert "Data sharing and acceptable use: Social worker" in page.content.decode()
    refused = client.post("/agreement/", {"next": child_url})
    assert "Confirm that you agree to the terms to continue." in refused.content.decode()
    accepted = client.post("/agreement/", {"next": child_url, "confirm": "on"})
    assert accepted["Location"] == child_url
    with authority_context(local_authority_ids=[], user_id=user.pk):
        [acceptance] = AgreementAcceptance.objects.filter(user=user)
    assert acceptance.agreement.version == 1
    assert acceptance.accepted_at is not None
    assert client.get("/caseload/").status_code == 200


def test_a_new_version_asks_again(client, world):
    sw = world.a.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    assert client.get("/caseload/").status_code == 200
    admin = world.a.users[Role.LA_ADMIN]
    # As the admin publishes it: in Kent's context, with the administrator acting.
    with authority_context(local_authority_ids=[world.a.la.pk], user_id=admin.pk):
        services.agreement_publish(
            acting_user=admin,
            local_authority=world.a.la,
            role="social_worker",
            title="Kent social workers' agreement",
            body="Kent's own terms.\n\nSecond paragraph.",
        )
    response = client.get("/caseload/")
    assert response["Location"].startswith("/agreement/")
    page = client.get(response["Location"]).content.decode()
    assert "Kent social workers&#x27; agreement" in page and "Kent&#x27;s own terms." in page
    client.post("/agreement/", {"confirm": "on"})
    assert client.get("/caseload/").status_code == 200
    # Sefton's social worker is not affected by Kent's agreement.
    client.force_login(world.b.users[Role.SOCIAL_WORKER])
    assert client.get("/caseload/").status_code == 200


def test_a_designated_teacher_accepts_each_authoritys_agreement_for_its_children(world):
    """Children of two authorities on roll, both endorsing them: each authority's own
    agreement applies."""
    from ..factories import endorse

    endorse(world.a.users[Role.DESIGNATED_TEACHER], world.b.la)
    with all_authorities_context():
        sefton = services.agreement_publish(
            acting_user=None,
            local_authority=world.b.la,
            role="designated_teacher",
            title="Sefton DT agreement",
            body="Sefton terms.",
        )
    from children.permissions import resolve_actor

    with transaction.atomic():
        actor = resolve_actor(world.a.users[Role.DESIGNATED_TEACHER])
        outstanding = services.agreements_outstanding(actor)
    assert [a.pk for a in outstanding] == [sefton.pk]


def test_versions_are_numbered_per_authority_and_role(world):
    with all_authorities_context():
        first = services.agreement_publish(
            acting_user=None, local_authority=world.a.la, role="carer", title="A", body="a"
        )
        second = services.agreement_publish(
            acting_user=None, local_authority=world.a.la, role="carer", title="B", body="b"
        )
        assert (first.version, second.version) == (1, 2)
        assert UserAgreement.objects.filter(local_authority=None, role="carer").count() == 1
