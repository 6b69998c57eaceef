"""The admin site for Virtual School quality assurance: scoped and audited."""

import pytest

from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role

pytestmark = pytest.mark.django_db


def test_virtual_school_officer_sees_only_their_authority_in_the_admin(client, world):
    officer = world.a.users[Role.VS_OFFICER]
    client.force_login(officer)
    page = client.get("/admin/children/child/").content.decode()
    assert world.a.child.legal_last_name in page
    assert world.b.child.legal_last_name not in page
    other = client.get(f"/admin/children/child/{world.b.child.pk}/change/")
    assert other.status_code == 302  # the admin's "does not exist" redirect to the index
    with all_authorities_context():
        assert not AuditEvent.objects.filter(action="view").exists()


def test_viewing_a_child_in_the_admin_is_audited(client, world):
    officer = world.a.users[Role.VS_OFFICER]
    client.force_login(officer)
    assert client.get(f"/admin/children/child/{world.a.child.pk}/change/").status_code == 200
    with all_authorities_context():
        [event] = AuditEvent.objects.filter(action="view")
    assert event.user == officer
    assert event.child_public_id == world.a.child.public_id
    assert event.detail == {"via": "admin"}


@pytest.mark.parametrize("role", [Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER, Role.CARER])
def test_staff_flag_alone_does_not_open_the_admin_to_other_roles(client, world, role):
    user = world.a.users[role]
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
