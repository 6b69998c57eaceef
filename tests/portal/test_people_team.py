"""The LA administrator sets a worker's team on the People pages."""

import pytest

from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context
from epep.tenancy.models import Membership
from epep.tenancy.roles import Role

pytestmark = pytest.mark.django_db


def _membership(world, role=Role.SOCIAL_WORKER, side="a"):
    with all_authorities_context():
        return Membership.objects.get(user=getattr(world, side).users[role], role=role)


def _url(world, membership, side="a", role=Role.SOCIAL_WORKER):
    person = getattr(world, side).users[role]
    return f"/people/{person.public_id}/roles/{membership.pk}/team/"


def test_the_la_admin_sets_and_clears_a_social_workers_team(client, world):
    membership = _membership(world)
    client.force_login(world.a.users[Role.LA_ADMIN])
    person = client.get(f"/people/{world.a.users[Role.SOCIAL_WORKER].public_id}/")
    assert _url(world, membership) in person.content.decode()
    response = client.post(_url(world, membership), {"team": "  Children in  Care Team 2 "})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.team == "Children in Care Team 2"
    with all_authorities_context():
        assert AuditEvent.objects.filter(action="set_team").count() == 1
    too_long = client.post(_url(world, membership), {"team": "x" * 81})
    html = too_long.content.decode()
    assert "<title>Error: " in html and 'id="id_team-error"' in html
    assert "Enter a team name of 80 characters or fewer." in html
    membership.refresh_from_db()
    assert membership.team == "Children in Care Team 2"
    client.post(_url(world, membership), {"team": ""})
    membership.refresh_from_db()
    assert membership.team == ""


@pytest.mark.parametrize("role", [Role.VS_HEAD, Role.VS_OFFICER, Role.SOCIAL_WORKER])
def test_only_the_la_admin_sets_teams(client, world, role):
    membership = _membership(world)
    client.force_login(world.a.users[role])
    assert client.post(_url(world, membership), {"team": "T"}).status_code == 404


def test_not_for_another_authority_or_a_role_without_children(client, world):
    client.force_login(world.a.users[Role.LA_ADMIN])
    theirs = _membership(world, side="b")
    assert client.get(_url(world, theirs, side="b")).status_code == 404
    head = _membership(world, role=Role.VS_HEAD)
    assert client.get(_url(world, head, role=Role.VS_HEAD)).status_code == 404
