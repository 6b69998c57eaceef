"""The PEP page does not offer "Finalise and lock" to the officer who approved the PEP
where the authority asks for a second person, and says why."""

import pytest

from epep.tenancy.roles import Role

from ..peps.test_second_person import another_officer, approved_pep

pytestmark = pytest.mark.django_db

EXPLANATION = (
    "Another Virtual School officer must finalise this PEP: your authority asks for a "
    "second person."
)


def page(client, user, pep):
    client.force_login(user)
    response = client.get(f"/peps/{pep.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_approver_sees_no_finalise_button_and_why(client, world):
    pep = approved_pep(world, second_person=True)
    html = page(client, world.a.users[Role.VS_OFFICER], pep)
    assert "Finalise and lock" not in html
    assert EXPLANATION in html


def test_another_officer_sees_the_finalise_button(client, world):
    pep = approved_pep(world, second_person=True)
    html = page(client, world.a.users[another_officer(world)], pep)
    assert "Finalise and lock" in html
    assert EXPLANATION not in html


def test_the_approver_sees_the_button_where_the_authority_does_not_ask(client, world):
    pep = approved_pep(world, second_person=False)
    html = page(client, world.a.users[Role.VS_OFFICER], pep)
    assert "Finalise and lock" in html
    assert EXPLANATION not in html
