"""The moves screens: school search, date, check and done; the Virtual School's list of
moves to authorise (its queries do not grow with its length); placement and worker
changes; adding a school by hand. Another authority's child is a 404; bad input is
refused beside the field and changes nothing."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import Enrolment, Placement, School, SchoolMoveRequest
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority, Membership
from epep.tenancy.roles import Role

from ..factories import ChildFactory, EnrolmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 2)


@pytest.fixture
def moving(world, clock_at):
    clock_at(TODAY)
    return world


def _policy(la, needs: bool):
    with authority_context(local_authority_ids=[la.pk]):
        LocalAuthority.objects.filter(pk=la.pk).update(in_year_transfers_need_authorisation=needs)


def _enrolments(child):
    with authority_context(local_authority_ids=[child.local_authority_id]):
        return list(
            Enrolment.objects.filter(child=child)
            .order_by("start_date")
            .values_list("school_id", "end_date")
        )


def _move_url(world, school, child=None):
    child = child or world.a.child
    return f"/children/{child.public_id}/move-school/{school.public_id}/"


def test_the_child_page_offers_the_moves_to_those_who_may_make_them(client, moving):
    client.force_login(moving.a.users[Role.SOCIAL_WORKER])
    page = client.get(f"/children/{moving.a.child.public_id}/").content.decode()
    assert "Move to a new school" in page and "Move to a new placement" in page
    assert "Change a worker" not in page
    client.force_login(moving.a.users[Role.DESIGNATED_TEACHER])
    page = client.get(f"/children/{moving.a.child.public_id}/").content.decode()
    assert "Move to a new school" not in page


def test_the_school_search_finds_by_name(client, moving):
    client.force_login(moving.a.users[Role.SOCIAL_WORKER])
    page = client.get(
        f"/children/{moving.a.child.public_id}/move-school/", {"q": "kent prim"}
    ).content.decode()
    assert _move_url(moving, moving.school_a) in page
    assert "Ask your Virtual School to add it" in page


def test_a_too_short_search_is_refused_beside_the_field(client, moving):
    client.force_login(moving.a.users[Role.SOCIAL_WORKER])
    response = client.get(f"/children/{moving.a.child.public_id}/move-school/", {"q": "k"})
    assert response.status_code == 400
    assert 'id="id_q-error"' in response.content.decode()


def test_another_authoritys_child_is_not_found(client, moving):
    client.force_login(moving.a.users[Role.VS_OFFICER])
    for url in (
        f"/children/{moving.b.child.public_id}/move-school/",
        _move_url(moving, moving.school_a, child=moving.b.child),
        f"/children/{moving.b.child.public_id}/move-placement/",
        f"/children/{moving.b.child.public_id}/change-worker/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_school_move_is_checked_then_made(client, moving):
    _policy(moving.a.la, False)
    client.force_login(moving.a.users[Role.VS_OFFICER])
    url = _move_url(moving, moving.school_a)
    check = client.post(url, {"start_date": "2026-11-16"}).content.decode()
    assert "govuk-summary-list" in check and "16 November 2026" in check
    assert _enrolments(moving.a.child)[-1][1] is None  # nothing yet
    done = client.post(url, {"start_date": "2026-11-16", "confirm": "yes"}).content.decode()
    assert "School move recorded" in done
    assert _enrolments(moving.a.child)[-1] == (moving.school_a.pk, None)


def test_a_bad_start_date_is_refused_beside_the_field_and_changes_nothing(client, moving):
    client.force_login(moving.a.users[Role.VS_OFFICER])
    before = _enrolments(moving.a.child)
    url = _move_url(moving, moving.school_a)
    for value in ("", "2026-02-31", "2020-01-01"):
        response = client.post(url, {"start_date": value, "confirm": "yes"})
        assert response.status_code == 400, value
        assert 'id="id_start_date-error"' in response.content.decode()
    assert _enrolments(moving.a.child) == before


def test_an_in_year_move_by_a_social_worker_waits_and_the_virtual_school_sees_it(client, moving):
    _policy(moving.a.la, True)
    client.force_login(moving.a.users[Role.SOCIAL_WORKER])
    url = _move_url(moving, moving.school_a)
    check = client.post(url, {"start_date": "2026-11-16"}).content.decode()
    assert "the Virtual School must authorise it" in check
    done = client.post(url, {"start_date": "2026-11-16", "confirm": "yes"}).content.decode()
    assert "Move requested" in done
    client.force_login(moving.a.users[Role.VS_OFFICER])
    home = client.get("/", follow=True).content.decode()
    assert "1 school move to authorise" in home
    listing = client.get("/virtual-school/school-moves/").content.decode()
    assert moving.a.child.display_name in listing


def test_the_social_worker_sees_their_waiting_move_and_withdraws_it(client, moving):
    _policy(moving.a.la, True)
    client.force_login(moving.a.users[Role.SOCIAL_WORKER])
    client.post(_move_url(moving, moving.school_a), {"start_date": "2026-11-16", "confirm": "yes"})
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        request = SchoolMoveRequest.objects.get(child=moving.a.child)
    search = f"/children/{moving.a.child.public_id}/move-school/"
    page = client.get(search).content.decode()
    assert "waiting for the Virtual School" in page and "Withdraw this request" in page
    withdraw = f"/school-moves/{request.public_id}/withdraw/"
    # Someone else at the authority who did not ask cannot withdraw it.
    client.force_login(moving.a.users[Role.PERSONAL_ADVISER])
    assert "Withdraw this request" not in client.get(search).content.decode()
    assert client.post(withdraw).status_code == 404
    client.force_login(moving.a.users[Role.SOCIAL_WORKER])
    response = client.post(withdraw, follow=True)
    assert "The move to Kent Primary was withdrawn." in response.content.decode()
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        request.refresh_from_db()
    assert request.status == "withdrawn"
    assert "Withdraw this request" not in client.get(search).content.decode()
    # Another authority's Virtual School: the same 404 as a missing request.
    client.force_login(moving.b.users[Role.VS_OFFICER])
    assert client.post(withdraw).status_code == 404


def _requests(la, count):
    with authority_context(local_authority_ids=[la.pk]):
        asker = Membership.objects.filter(local_authority=la, role=Role.SOCIAL_WORKER).first()
        school = School.objects.order_by("pk").first()
        for _ in range(count):
            enrolment = EnrolmentFactory(child=ChildFactory(local_authority=la))
            SchoolMoveRequest.objects.create(
                local_authority=la,
                child=enrolment.child,
                from_enrolment=enrolment,
                to_school=school,
                start_date=date(2026, 11, 16),
                requested_by=asker.user,
            )


def _list_queries(client):
    client.get("/virtual-school/school-moves/")  # the first request of a session costs more
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/virtual-school/school-moves/")
    assert response.status_code == 200
    return len(queries)


def test_the_list_of_moves_to_authorise_costs_the_same_at_2_and_20(client, moving):
    client.force_login(moving.a.users[Role.VS_OFFICER])
    _requests(moving.a.la, 2)
    two = _list_queries(client)
    _requests(moving.a.la, 18)
    assert _list_queries(client) == two
    assert client.get("/virtual-school/school-moves/").content.decode().count("Authorise") >= 20


def test_declining_without_a_reason_is_refused_beside_the_field(client, moving):
    _policy(moving.a.la, True)
    _requests(moving.a.la, 1)
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        move = SchoolMoveRequest.objects.get()
    client.force_login(moving.a.users[Role.VS_OFFICER])
    url = f"/virtual-school/school-moves/{move.public_id}/decline/"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert 'id="id_reason-error"' in response.content.decode()
    assert client.post(url, {"reason": "Wait for the spring term"}).status_code == 302
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        assert SchoolMoveRequest.objects.get().status == "declined"


def test_another_authoritys_request_is_not_found(client, moving):
    _requests(moving.b.la, 1)
    with authority_context(local_authority_ids=[moving.b.la.pk]):
        move = SchoolMoveRequest.objects.get()
    client.force_login(moving.a.users[Role.VS_OFFICER])
    assert (
        client.post(f"/virtual-school/school-moves/{move.public_id}/authorise/").status_code == 404
    )
    assert client.get(f"/virtual-school/school-moves/{move.public_id}/decline/").status_code == 404


def test_the_virtual_school_adds_a_school_by_hand_and_goes_on_to_the_move(client, moving):
    client.force_login(moving.a.users[Role.VS_HEAD])
    response = client.post(
        f"/schools/add/?child={moving.a.child.public_id}",
        {"name": "Glasgow Academy", "phase": "secondary", "type": "independent", "la_code": ""},
    )
    school = School.objects.get(name="Glasgow Academy")
    assert school.added_by_hand and school.urn is None
    assert response.status_code == 302
    assert response["Location"] == _move_url(moving, school)


def test_a_bad_urn_for_a_school_added_by_hand_is_refused_beside_the_field(client, moving):
    client.force_login(moving.a.users[Role.VS_HEAD])
    response = client.post(
        "/schools/add/",
        {"name": "Copy", "phase": "primary", "type": "academy", "urn": moving.school_a.urn},
    )
    assert response.status_code == 400
    assert 'id="id_urn-error"' in response.content.decode()
    assert not School.objects.filter(name="Copy").exists()


def test_a_social_worker_cannot_add_a_school(client, moving):
    client.force_login(moving.a.users[Role.SOCIAL_WORKER])
    assert client.get("/schools/add/").status_code == 404


def test_a_placement_move_with_a_new_carer_invites_them(client, moving):
    client.force_login(moving.a.users[Role.VS_OFFICER])
    url = f"/children/{moving.a.child.public_id}/move-placement/"
    data = {
        "placement_type": "residential",
        "start_date": "2026-11-16",
        "new_carer_name": "Robin Keyworker",
        "new_carer_email": "robin@example.org",
    }
    check = client.post(url, data).content.decode()
    assert "Robin Keyworker (robin@example.org, invited)" in check
    assert client.post(url, {**data, "confirm": "yes"}).status_code == 302
    from epep.accounts.models import Invitation

    with authority_context(local_authority_ids=[moving.a.la.pk]):
        current = Placement.objects.get(child=moving.a.child, end_date__isnull=True)
        assert current.placement_type == "residential"
        invitation = Invitation.objects.get(email="robin@example.org")
        assert invitation.placement_id == current.pk


def test_a_placement_move_without_a_type_is_refused_beside_the_field(client, moving):
    client.force_login(moving.a.users[Role.VS_OFFICER])
    url = f"/children/{moving.a.child.public_id}/move-placement/"
    response = client.post(url, {"start_date": "2026-11-16", "confirm": "yes"})
    assert response.status_code == 400
    assert 'id="id_placement_type-error"' in response.content.decode()
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        assert Placement.objects.filter(child=moving.a.child).count() == 1


def test_a_new_iro_is_allocated_from_the_authoritys_people(client, moving):
    iro = UserFactory(full_name="Iris Reviewer")
    MembershipFactory(user=iro, role=Role.IRO, local_authority=moving.a.la)
    client.force_login(moving.a.users[Role.LA_ADMIN])
    url = f"/children/{moving.a.child.public_id}/change-worker/"
    form = client.get(url).content.decode()
    assert "Iris Reviewer" in form
    data = {"kind": "iro", "worker": iro.pk, "start_date": "2026-11-16", "confirm": "yes"}
    assert client.post(url, data).status_code == 302
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        assert moving.a.child.allocations.get(kind="iro", end_date__isnull=True).worker == iro


def test_a_worker_in_the_wrong_role_is_refused_beside_the_field(client, moving):
    client.force_login(moving.a.users[Role.LA_ADMIN])
    url = f"/children/{moving.a.child.public_id}/change-worker/"
    data = {
        "kind": "iro",
        "worker": moving.a.users[Role.SOCIAL_WORKER].pk,
        "start_date": "2026-11-16",
        "confirm": "yes",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert 'id="id_worker-error"' in response.content.decode()
