"""Moves: a school move ends the old enrolment and starts the new one on the same day (no
gap, no overlap), waits for the Virtual School's authorisation when the authority's
policy asks for it, switches the designated teachers' access on the date, keeps the PEP
history and creates the new-school PEP deadline. Placement moves and allocations the
same way; schools added by hand. Bad input changes nothing."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from children import services
from children.models import Enrolment, Placement, School, SchoolMoveRequest
from children.selectors import children_for, schools_search
from deadlines.models import Deadline
from epep.audit.models import AuditEvent
from epep.notifications.models import Notification
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import Role
from peps.models import Pep

from ..factories import MembershipFactory, UserFactory, school_membership

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 2)
MOVE_ON = date(2026, 11, 16)  # in-year


@pytest.fixture
def moving(world, clock_at):
    clock_at(TODAY)
    return world


def _policy(la, needs: bool):
    with authority_context(local_authority_ids=[la.pk]):
        LocalAuthority.objects.filter(pk=la.pk).update(in_year_transfers_need_authorisation=needs)
    la.refresh_from_db()


def _enrolments(child):
    with authority_context(local_authority_ids=[child.local_authority_id]):
        return list(
            Enrolment.objects.filter(child=child)
            .order_by("start_date")
            .values_list("school__name", "start_date", "end_date")
        )


def _move(world, role, **kwargs):
    child = kwargs.pop("child", world.a.child)
    with acting_as(world.a.users[role], role) as actor:
        child.local_authority.refresh_from_db()
        return services.school_move(actor=actor, child=child, **kwargs)


def test_in_year_means_outside_the_start_of_the_school_year():
    assert services.is_in_year_transfer(date(2026, 11, 16))
    assert services.is_in_year_transfer(date(2027, 7, 31))
    assert not services.is_in_year_transfer(date(2026, 9, 3))
    assert not services.is_in_year_transfer(date(2026, 8, 1))


def test_a_move_ends_the_old_enrolment_the_day_the_new_one_starts(moving):
    _policy(moving.a.la, False)
    enrolment = _move(moving, Role.SOCIAL_WORKER, school=moving.school_a, start_date=MOVE_ON)
    assert isinstance(enrolment, Enrolment)
    assert _enrolments(moving.a.child) == [
        ("Shared Academy", date(2023, 9, 1), MOVE_ON),
        ("Kent Primary", MOVE_ON, None),
    ]


def test_the_designated_teachers_access_switches_on_the_start_date(moving, clock_at):
    _policy(moving.a.la, False)
    new_dt = UserFactory(full_name="New DT")
    school_membership(user=new_dt, school=moving.school_a, endorsed_by=[moving.a.la])
    old_dt = moving.a.users[Role.DESIGNATED_TEACHER]
    _move(moving, Role.VS_OFFICER, school=moving.school_a, start_date=MOVE_ON)

    def sees(user, day):
        clock_at(day)
        with acting_as(user, Role.DESIGNATED_TEACHER) as actor:
            return children_for(actor=actor).filter(pk=moving.a.child.pk).exists()

    day_before = date(2026, 11, 15)
    assert sees(old_dt, day_before) and not sees(new_dt, day_before)
    assert not sees(old_dt, MOVE_ON) and sees(new_dt, MOVE_ON)


def test_the_pep_history_stays_with_the_child_and_a_new_school_pep_is_due(moving):
    _policy(moving.a.la, False)
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        pep = Pep.objects.create(
            child=moving.a.child,
            local_authority_id=moving.a.la.pk,
            academic_year="2026-27",
            term="autumn",
            created_by=moving.a.users[Role.VS_HEAD],
        )
    _move(moving, Role.VS_OFFICER, school=moving.school_a, start_date=MOVE_ON)
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        assert moving.a.child.peps.filter(pk=pep.pk).exists()
        new_school = Deadline.objects.get(
            child=moving.a.child, kind="new_school", trigger_date=MOVE_ON
        )
        assert new_school.due_date > MOVE_ON


def test_an_in_year_move_waits_for_the_virtual_school_when_the_policy_says_so(moving):
    _policy(moving.a.la, True)
    request = _move(moving, Role.SOCIAL_WORKER, school=moving.school_a, start_date=MOVE_ON)
    assert isinstance(request, SchoolMoveRequest)
    assert request.status == "pending"
    assert _enrolments(moving.a.child) == [("Shared Academy", date(2023, 9, 1), None)]
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        emailed = set(
            Notification.objects.filter(dedupe_key__startswith="school-move:").values_list(
                "recipient__email", flat=True
            )
        )
    assert emailed == {
        moving.a.users[Role.VS_HEAD].email,
        moving.a.users[Role.VS_OFFICER].email,
    }

    with acting_as(moving.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        services.school_move_authorise(actor=actor, request=request)
    assert request.status == "authorised"
    assert _enrolments(moving.a.child)[-1] == ("Kent Primary", MOVE_ON, None)
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        actions = set(
            AuditEvent.objects.filter(object_id=str(request.public_id)).values_list(
                "action", flat=True
            )
        )
    assert {"request", "authorise"} <= actions


def test_a_move_at_the_start_of_the_school_year_needs_no_authorisation(moving):
    _policy(moving.a.la, True)
    result = _move(moving, Role.SOCIAL_WORKER, school=moving.school_a, start_date=date(2027, 9, 2))
    assert isinstance(result, Enrolment)


def test_the_virtual_schools_own_move_needs_no_authorisation(moving):
    _policy(moving.a.la, True)
    result = _move(moving, Role.VS_OFFICER, school=moving.school_a, start_date=MOVE_ON)
    assert isinstance(result, Enrolment)


def test_declining_needs_a_reason_and_moves_nothing(moving):
    _policy(moving.a.la, True)
    request = _move(moving, Role.SOCIAL_WORKER, school=moving.school_a, start_date=MOVE_ON)
    with acting_as(moving.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        with pytest.raises(ValidationError) as caught:
            services.school_move_decline(actor=actor, request=request, reason="  ")
        assert "reason" in caught.value.message_dict
        services.school_move_decline(actor=actor, request=request, reason="Stay until Easter")
        with pytest.raises(ValidationError):
            services.school_move_authorise(actor=actor, request=request)
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        request.refresh_from_db()
    assert (request.status, request.decline_reason) == ("declined", "Stay until Easter")
    assert _enrolments(moving.a.child) == [("Shared Academy", date(2023, 9, 1), None)]


def test_only_the_virtual_school_authorises(moving):
    _policy(moving.a.la, True)
    request = _move(moving, Role.SOCIAL_WORKER, school=moving.school_a, start_date=MOVE_ON)
    with acting_as(moving.a.users[Role.LA_ADMIN], Role.LA_ADMIN) as actor:
        with pytest.raises(PermissionDenied):
            services.school_move_authorise(actor=actor, request=request)


def test_whoever_asked_withdraws_a_waiting_move_and_may_then_ask_for_another(moving):
    _policy(moving.a.la, True)
    request = _move(moving, Role.SOCIAL_WORKER, school=moving.school_a, start_date=MOVE_ON)
    with acting_as(moving.a.users[Role.PERSONAL_ADVISER], Role.PERSONAL_ADVISER) as actor:
        with pytest.raises(PermissionDenied):
            services.school_move_withdraw(actor=actor, request=request)
    with acting_as(moving.a.users[Role.SOCIAL_WORKER], Role.SOCIAL_WORKER) as actor:
        services.school_move_withdraw(actor=actor, request=request)
        with pytest.raises(ValidationError):
            services.school_move_withdraw(actor=actor, request=request)
    with acting_as(moving.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        with pytest.raises(ValidationError):
            services.school_move_authorise(actor=actor, request=request)
    assert request.status == "withdrawn"
    assert _enrolments(moving.a.child) == [("Shared Academy", date(2023, 9, 1), None)]
    again = _move(moving, Role.SOCIAL_WORKER, school=moving.school_b, start_date=MOVE_ON)
    assert again.status == "pending"


def test_a_second_request_for_the_same_child_is_refused(moving):
    _policy(moving.a.la, True)
    _move(moving, Role.SOCIAL_WORKER, school=moving.school_a, start_date=MOVE_ON)
    with pytest.raises(ValidationError) as caught:
        _move(moving, Role.SOCIAL_WORKER, school=moving.school_b, start_date=MOVE_ON)
    assert "school" in caught.value.message_dict


@pytest.mark.parametrize(
    ("school", "start_date", "field"),
    [
        (None, MOVE_ON, "school"),
        ("school_a", None, "start_date"),
        ("school_a", date(2023, 9, 1), "start_date"),  # the old school's start: overlap
        ("school_a", date(2022, 1, 1), "start_date"),
        ("shared_school", MOVE_ON, "school"),  # already there
    ],
)
def test_bad_moves_are_refused_beside_the_field_and_change_nothing(
    moving, school, start_date, field
):
    _policy(moving.a.la, False)
    before = _enrolments(moving.a.child)
    with pytest.raises(ValidationError) as caught:
        _move(
            moving,
            Role.VS_OFFICER,
            school=getattr(moving, school) if school else None,
            start_date=start_date,
        )
    assert field in caught.value.message_dict
    assert _enrolments(moving.a.child) == before


def test_a_carer_cannot_move_a_school(moving):
    with acting_as(moving.a.users[Role.CARER], Role.CARER) as actor:
        with pytest.raises(PermissionDenied):
            services.school_move(
                actor=actor, child=moving.a.child, school=moving.school_a, start_date=MOVE_ON
            )


def test_a_placement_move_ends_the_old_placement_and_links_the_new_carers(moving):
    carer = UserFactory(full_name="New Carer")
    MembershipFactory(user=carer, role=Role.CARER, local_authority=moving.a.la)
    with acting_as(moving.a.users[Role.SOCIAL_WORKER], Role.SOCIAL_WORKER) as actor:
        placement = services.placement_move(
            actor=actor,
            child=moving.a.child,
            placement_type=Placement.Type.RESIDENTIAL,
            carers=[carer],
            start_date=MOVE_ON,
        )
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        rows = list(
            Placement.objects.filter(child=moving.a.child)
            .order_by("start_date")
            .values_list("start_date", "end_date")
        )
        assert list(placement.carers.all()) == [carer]
        assert Deadline.objects.filter(child=moving.a.child, kind="new_placement").exists()
    assert rows == [(date(2023, 1, 1), MOVE_ON), (MOVE_ON, None)]


def test_a_placement_with_someone_who_is_not_the_authoritys_carer_is_refused(moving):
    stranger = UserFactory()
    with acting_as(moving.a.users[Role.SOCIAL_WORKER], Role.SOCIAL_WORKER) as actor:
        with pytest.raises(ValidationError) as caught:
            services.placement_move(
                actor=actor,
                child=moving.a.child,
                placement_type=Placement.Type.FOSTER,
                carers=[stranger],
                start_date=MOVE_ON,
            )
    assert "carers" in caught.value.message_dict
    with authority_context(local_authority_ids=[moving.a.la.pk]):
        assert Placement.objects.filter(child=moving.a.child).count() == 1


def test_a_new_social_worker_takes_over_on_the_start_date(moving, clock_at):
    new_worker = UserFactory(full_name="New Worker")
    MembershipFactory(user=new_worker, role=Role.SOCIAL_WORKER, local_authority=moving.a.la)
    old_worker = moving.a.users[Role.SOCIAL_WORKER]
    with acting_as(moving.a.users[Role.LA_ADMIN], Role.LA_ADMIN) as actor:
        services.allocation_change(
            actor=actor,
            child=moving.a.child,
            kind=Role.SOCIAL_WORKER,
            worker=new_worker,
            start_date=MOVE_ON,
        )

    def sees(user, day):
        clock_at(day)
        with acting_as(user, Role.SOCIAL_WORKER) as actor:
            return children_for(actor=actor).filter(pk=moving.a.child.pk).exists()

    assert sees(old_worker, date(2026, 11, 15)) and not sees(new_worker, date(2026, 11, 15))
    assert sees(new_worker, MOVE_ON) and not sees(old_worker, MOVE_ON)


def test_allocating_someone_without_that_role_is_refused(moving):
    with acting_as(moving.a.users[Role.LA_ADMIN], Role.LA_ADMIN) as actor:
        with pytest.raises(ValidationError) as caught:
            services.allocation_change(
                actor=actor,
                child=moving.a.child,
                kind=Role.IRO,
                worker=moving.a.users[Role.CARER],
                start_date=MOVE_ON,
            )
    assert "worker" in caught.value.message_dict


def test_the_virtual_school_adds_a_school_by_hand_without_a_urn(moving):
    with acting_as(moving.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        school = services.school_add_by_hand(
            actor=actor,
            name="St Andrew's Independent",
            phase=School.Phase.SECONDARY,
            type=School.Type.INDEPENDENT,
            postcode="eh1 1aa",
            la_code="",
        )
    assert (school.urn, school.added_by_hand, school.postcode) == (None, True, "EH1 1AA")
    assert school.added_by_authority == moving.a.la
    assert str(school) == "St Andrew's Independent (added by hand)"
    assert schools_search(query="andrew") == [school]


def test_a_school_added_by_hand_with_a_listed_urn_is_refused(moving):
    with acting_as(moving.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        with pytest.raises(ValidationError) as caught:
            services.school_add_by_hand(
                actor=actor,
                name="Copy",
                phase=School.Phase.PRIMARY,
                type=School.Type.ACADEMY,
                urn=moving.school_a.urn,
            )
    assert "urn" in caught.value.message_dict


def test_only_a_hand_added_school_may_lack_a_urn(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        School.objects.create(
            name="No URN", phase="primary", type="academy", la_code="886", postcode="X"
        )


def test_schools_are_found_by_name_urn_or_postcode(moving):
    assert schools_search(query="kent prim") == [moving.school_a]
    assert schools_search(query=moving.school_a.urn) == [moving.school_a]
    assert moving.school_a in schools_search(query="me14 1x")
    assert schools_search(query="k") == []
