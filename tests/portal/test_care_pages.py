"""The care screens: adding a child (form, check your answers with the duplicate question,
confirmation), leaving care and entering it again from the child's page, and the Virtual
School's former children (its queries do not grow with its length). Another authority's
child is a 404; bad input is refused beside the field and changes nothing."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import Allocation, CarePeriod, Child
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role

from ..factories import ChildFactory, make_upn

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 2)


@pytest.fixture
def w(world, clock_at):
    clock_at(TODAY)
    return world


def _child_form(**overrides):
    data = {
        "legal_first_name": "Amara",
        "legal_last_name": "Okafor",
        "preferred_name": "",
        "date_of_birth": "2016-04-01",
        "gender": "female",
        "upn": make_upn("886"),
        "uln": "",
        "legal_status": "C2",
        "sen_status": "none",
        "is_uasc": "no",
        "first_language": "English",
        "entered_care_on": "2026-10-30",
    }
    return data | overrides


def _count_children(la):
    with authority_context(local_authority_ids=[la.pk]):
        return Child.objects.filter(local_authority=la).count()


def test_a_social_worker_adds_a_child_checks_the_answers_and_is_their_social_worker(client, w):
    client.force_login(w.a.users[Role.SOCIAL_WORKER])
    assert "/children/add/" in client.get("/caseload/").content.decode()
    form_page = client.get("/children/add/").content.decode()
    assert "Social worker (optional)" not in form_page  # they are the social worker
    response = client.post("/children/add/", _child_form())
    assert response.status_code == 302 and response["Location"] == "/children/add/check/"
    check = client.get("/children/add/check/").content.decode()
    assert "Okafor" in check and "30 October 2026" in check
    assert "Is this a different child?" not in check
    assert _count_children(w.a.la) == 2  # nothing yet
    response = client.post("/children/add/check/", {})
    assert response.status_code == 302
    with authority_context(local_authority_ids=[w.a.la.pk]):
        child = Child.objects.get(legal_last_name="Okafor")
        assert Allocation.objects.get(child=child).worker == w.a.users[Role.SOCIAL_WORKER]
        assert CarePeriod.objects.filter(child=child, ended_on__isnull=True).count() == 1
    assert response["Location"] == f"/children/add/{child.public_id}/done/"
    done = client.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in done and f"/children/{child.public_id}/" in done


def test_bad_details_are_refused_beside_the_field_and_change_nothing(client, w):
    client.force_login(w.a.users[Role.VS_OFFICER])
    response = client.post(
        "/children/add/",
        _child_form(legal_first_name="", date_of_birth="2016-02-30", gender="x"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_legal_first_name-error"' in page and "Enter the child&#x27;s legal first" in page
    assert 'id="id_date_of_birth-error"' in page
    assert 'id="id_gender-error"' in page
    # A date the form takes but the record cannot hold: back to the form, beside the field.
    client.post("/children/add/", _child_form(entered_care_on="2026-11-03"))
    page = client.post("/children/add/check/", {}).content.decode()
    assert 'id="id_entered_care_on-error"' in page and "today or in the past" in page
    assert _count_children(w.a.la) == 2


def test_a_possible_duplicate_is_shown_and_asked_about_before_creating(client, w):
    existing = w.a.child
    client.force_login(w.a.users[Role.VS_OFFICER])
    client.post(
        "/children/add/",
        _child_form(
            legal_first_name=existing.legal_first_name.upper(),
            legal_last_name=existing.legal_last_name,
            date_of_birth=existing.date_of_birth.isoformat(),
        ),
    )
    check = client.get("/children/add/check/").content.decode()
    assert "Is this a different child?" in check
    assert f"/children/{existing.public_id}/" in check
    response = client.post("/children/add/check/", {})
    assert 'id="id_different-error"' in response.content.decode()
    assert _count_children(w.a.la) == 2
    response = client.post("/children/add/check/", {"different": "no"})
    assert response.status_code == 302 and _count_children(w.a.la) == 2
    # Again, and this time it is a different child.
    client.post(
        "/children/add/",
        _child_form(
            legal_first_name=existing.legal_first_name,
            legal_last_name=existing.legal_last_name,
            date_of_birth=existing.date_of_birth.isoformat(),
        ),
    )
    response = client.post("/children/add/check/", {"different": "yes"})
    assert response.status_code == 302 and _count_children(w.a.la) == 3


def test_a_upn_already_in_use_goes_back_to_the_form_beside_the_field(client, w):
    client.force_login(w.a.users[Role.VS_OFFICER])
    client.post("/children/add/", _child_form(upn=w.a.child.upn))
    response = client.post("/children/add/check/", {"different": "yes"})
    page = response.content.decode()
    assert 'id="id_upn-error"' in page and "Another child in this authority has this UPN." in page
    assert _count_children(w.a.la) == 2


@pytest.mark.parametrize("role", [Role.DESIGNATED_TEACHER, Role.CARER, Role.IRO])
def test_other_roles_cannot_add_children(client, w, role):
    client.force_login(w.a.users[role])
    assert client.get("/children/add/").status_code == 404
    assert client.post("/children/add/", _child_form()).status_code == 404
    assert client.get("/virtual-school/former-children/").status_code == 404


def test_leaving_care_from_the_child_page(client, w):
    child = w.a.child
    client.force_login(w.a.users[Role.VS_OFFICER])
    page = client.get(f"/children/{child.public_id}/").content.decode()
    assert f"/children/{child.public_id}/leave-care/" in page
    url = f"/children/{child.public_id}/leave-care/"
    # Bad input: beside the field, nothing changes.
    for data, field in [
        ({"left_on": "2026-11-03", "reason": "E13"}, "left_on"),
        ({"left_on": "2026-02-30", "reason": "E13"}, "left_on"),
        ({"left_on": "2026-10-30", "reason": "X1"}, "reason"),
        ({"left_on": "2026-10-30"}, "reason"),
    ]:
        response = client.post(url, data)
        assert response.status_code == 200
        assert f'id="id_{field}-error"' in response.content.decode(), data
    with authority_context(local_authority_ids=[w.a.la.pk]):
        child.refresh_from_db()
    assert child.left_care_on is None
    response = client.post(url, {"left_on": "2026-10-30", "reason": "E13"})
    assert response.status_code == 302 and response["Location"] == f"/children/{child.public_id}/"
    page = client.get(response["Location"]).content.decode()
    assert "left care 30 October 2026" in page
    assert f"/children/{child.public_id}/enter-care-again/" in page
    # Gone from the current list, on the former children's.
    assert child.display_name not in client.get("/virtual-school/").content.decode()
    former = client.get("/virtual-school/former-children/").content.decode()
    assert child.display_name in former and "E13" in former
    # Entering care again.
    url = f"/children/{child.public_id}/enter-care-again/"
    response = client.post(url, {"entered_on": "2026-10-30"})
    assert 'id="id_entered_on-error"' in response.content.decode()
    response = client.post(url, {"entered_on": "2026-11-02"})
    assert response.status_code == 302
    assert child.display_name in client.get("/virtual-school/").content.decode()


def test_the_social_worker_no_longer_sees_a_child_after_leaving_care(client, w):
    child = w.a.child
    client.force_login(w.a.users[Role.SOCIAL_WORKER])
    response = client.post(
        f"/children/{child.public_id}/leave-care/", {"left_on": "2026-10-30", "reason": "E4A"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get(f"/children/{child.public_id}/").status_code == 404


def test_another_authoritys_child_is_not_found(client, w):
    client.force_login(w.b.users[Role.VS_OFFICER])
    child = w.a.child
    for url in (
        f"/children/{child.public_id}/leave-care/",
        f"/children/{child.public_id}/enter-care-again/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"left_on": "2026-10-30", "reason": "E13"}).status_code == 404
    client.force_login(w.a.users[Role.DESIGNATED_TEACHER])
    assert client.get(f"/children/{child.public_id}/leave-care/").status_code == 404


def _former(la, count):
    with authority_context(local_authority_ids=[la.pk]):
        for _ in range(count):
            child = ChildFactory(local_authority=la, upn=make_upn(la.code))
            CarePeriod.objects.create(
                child=child,
                local_authority=la,
                started_on=child.entered_care_on,
                ended_on=date(2026, 9, 1),
                reason_ended="E8",
            )
            Child.objects.filter(pk=child.pk).update(left_care_on=date(2026, 9, 1))


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_former_children_list_runs_the_same_queries_at_2_and_20(client, w):
    client.force_login(w.a.users[Role.VS_OFFICER])
    _former(w.a.la, 2)
    small = _queries(client, "/virtual-school/former-children/")
    _former(w.a.la, 18)
    assert _queries(client, "/virtual-school/former-children/") == small
