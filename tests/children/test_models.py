"""Database constraints on children's dated records and identifiers."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from children import services
from children.models import Child, Enrolment
from epep.tenancy.context import authority_context

from ..factories import (
    AllocationFactory,
    ChildFactory,
    EnrolmentFactory,
    LocalAuthorityFactory,
    PlacementFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def child():
    return ChildFactory(local_authority=LocalAuthorityFactory(name="Kent", code="886"))


def in_context(child):
    return authority_context(local_authority_ids=[child.local_authority_id])


def test_overlapping_enrolments_are_refused_by_the_database(child):
    EnrolmentFactory(child=child, start_date=date(2024, 9, 1), end_date=None)
    with pytest.raises(IntegrityError, match="enrolment_no_overlap"), transaction.atomic():
        EnrolmentFactory(child=child, start_date=date(2025, 1, 6))


def test_back_to_back_enrolments_are_fine(child):
    EnrolmentFactory(child=child, start_date=date(2024, 9, 1), end_date=date(2025, 1, 6))
    EnrolmentFactory(child=child, start_date=date(2025, 1, 6))
    with in_context(child):
        assert Enrolment.objects.filter(child=child).count() == 2


def test_overlapping_placements_are_refused(child):
    PlacementFactory(child=child, start_date=date(2024, 1, 1), end_date=date(2024, 6, 1))
    with pytest.raises(IntegrityError, match="placement_no_overlap"), transaction.atomic():
        PlacementFactory(child=child, start_date=date(2024, 5, 1))


def test_two_social_workers_at_once_are_refused_but_a_social_worker_and_an_iro_are_not(child):
    AllocationFactory(child=child, kind="social_worker", start_date=date(2024, 1, 1))
    AllocationFactory(child=child, kind="iro", start_date=date(2024, 1, 1))
    with pytest.raises(IntegrityError, match="allocation_no_overlap"), transaction.atomic():
        AllocationFactory(child=child, kind="social_worker", start_date=date(2024, 3, 1))


@pytest.mark.parametrize("factory", [EnrolmentFactory, PlacementFactory, AllocationFactory])
def test_an_end_date_before_the_start_date_is_refused(child, factory):
    with pytest.raises(IntegrityError, match="end_after_start"), transaction.atomic():
        factory(child=child, start_date=date(2024, 9, 1), end_date=date(2024, 8, 31))


def test_the_service_gives_a_clear_message_for_overlapping_dates(child):
    school = SchoolFactory()
    EnrolmentFactory(child=child, start_date=date(2024, 9, 1))
    with pytest.raises(ValidationError) as error, in_context(child):
        services.enrolment_start(
            actor=None, child=child, school=school, start_date=date(2025, 2, 1)
        )
    assert "These dates overlap another record for this child." in error.value.messages


def test_the_service_gives_a_clear_message_for_an_end_before_the_start(child):
    enrolment = EnrolmentFactory(child=child, start_date=date(2024, 9, 1))
    with pytest.raises(ValidationError) as error, in_context(child):
        services.enrolment_end(actor=None, enrolment=enrolment, end_date=date(2024, 1, 1))
    assert "The end date must be after the start date." in error.value.messages


def test_child_create_validates_the_upn_with_a_specific_message(child):
    la = child.local_authority
    with pytest.raises(ValidationError) as error, in_context(child):
        services.child_create(
            actor=None,
            local_authority=la,
            legal_first_name="Amira",
            legal_last_name="Hassan",
            date_of_birth=date(2014, 5, 2),
            gender="female",
            upn="A12345",
            entered_care_on=date(2024, 1, 10),
            legal_status="C2",
        )
    assert error.value.message_dict["upn"] == ["A UPN must be 13 characters long; this one has 6."]
    with in_context(child):
        assert not Child.objects.filter(legal_last_name="Hassan").exists()


def test_an_ehcp_review_date_needs_an_ehcp(child):
    with pytest.raises(ValidationError) as error, in_context(child):
        services.child_create(
            actor=None,
            local_authority=child.local_authority,
            legal_first_name="Leo",
            legal_last_name="Park",
            date_of_birth=date(2014, 5, 2),
            gender="male",
            entered_care_on=date(2024, 1, 10),
            legal_status="C2",
            sen_status="sen_support",
            ehcp_review_date=date(2025, 1, 1),
        )
    assert "Only a child with an EHCP has an EHCP review date." in error.value.messages


def test_left_care_before_entering_is_refused(child):
    with (
        pytest.raises(IntegrityError, match="child_left_care_after_entering"),
        transaction.atomic(),
    ):
        ChildFactory(
            local_authority=child.local_authority,
            entered_care_on=date(2024, 1, 10),
            left_care_on=date(2023, 1, 1),
        )


def test_school_urn_must_be_six_digits():
    with pytest.raises(IntegrityError, match="school_urn_six_digits"), transaction.atomic():
        SchoolFactory(urn="12345")


def test_local_authority_code_must_be_three_digits():
    with pytest.raises(IntegrityError, match="tenancy_la_code_three_digits"), transaction.atomic():
        LocalAuthorityFactory(code="88")
