"""calendars.services: the term dates of a year, closures and submission dates as the
authority's settings pages change them: validated, audited, and the deadlines follow."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from calendars import services
from calendars.models import SchoolClosure, SchoolTerm, SubmissionDate
from calendars.selectors import published_terms, years_without_terms
from deadlines.models import Deadline, DeadlineKind
from epep.audit.models import AuditEvent
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role

from ..deadlines.test_deadlines import TERMS, add_terms, new_child, refresh
from ..peps.conftest import acting

pytestmark = pytest.mark.django_db

YEAR = "2026-27"


def terms_of(la, year=YEAR):
    with authority_context(local_authority_ids=[la.pk]):
        return list(
            SchoolTerm.objects.filter(local_authority=la, academic_year=year)
            .order_by("start_date")
            .values_list("name", "start_date", "end_date")
        )


def as_terms(pairs, names=None):
    names = names or [f"Half term {i}" for i in range(1, len(pairs) + 1)]
    return [
        {"name": n, "start_date": s, "end_date": e} for n, (s, e) in zip(names, pairs, strict=True)
    ]


def set_terms(user, la, terms, year=YEAR, role=None):
    with acting(user, role) as actor:
        return services.term_dates_set(actor=actor, authority=la, academic_year=year, terms=terms)


def test_the_virtual_school_sets_a_years_terms_and_it_is_audited(world):
    la = world.a.la
    set_terms(world.a.users[Role.VS_OFFICER], la, as_terms(TERMS))
    assert [t[1:] for t in terms_of(la)] == TERMS
    with authority_context(local_authority_ids=[la.pk]):
        event = AuditEvent.objects.get(object_type="calendars.schoolterm")
    assert event.detail["before"] == []
    assert event.detail["after"][0] == ["Half term 1", "2026-09-03", "2026-10-23"]


def test_saving_again_replaces_the_years_terms(world):
    la = world.a.la
    add_terms(la)
    three = [(date(2026, 9, 3), date(2026, 12, 18)), (date(2027, 1, 5), date(2027, 3, 26))]
    set_terms(world.a.users[Role.VS_HEAD], la, as_terms(three, ["Autumn", "Spring"]))
    assert terms_of(la) == [("Autumn", *three[0]), ("Spring", *three[1])]


@pytest.mark.parametrize("role", [Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.CARER])
def test_other_roles_cannot_set_terms(world, role):
    with pytest.raises(PermissionDenied):
        set_terms(world.a.users[role], world.a.la, as_terms(TERMS))
    assert terms_of(world.a.la) == []


def test_another_authoritys_calendar_is_refused(world):
    with pytest.raises(PermissionDenied):
        set_terms(world.a.users[Role.VS_HEAD], world.b.la, as_terms(TERMS))


@pytest.mark.parametrize(
    "pairs, field, message",
    [
        ([(date(2026, 9, 3), date(2026, 9, 1))], "end_date_1", "same as or after the first day"),
        ([(date(2025, 9, 3), date(2025, 10, 1))], "start_date_1", "between 1 August 2026"),
        (
            [(date(2026, 9, 3), date(2026, 10, 23)), (date(2026, 10, 20), date(2026, 12, 18))],
            "start_date_2",
            "after the last day of Half term 1 (23 October 2026)",
        ),
        (
            [(date(2026, 11, 2), date(2026, 12, 18)), (date(2026, 9, 3), date(2026, 10, 23))],
            "start_date_2",
            "in order",
        ),
        ([(None, date(2026, 10, 23))], "start_date_1", "Enter the first day"),
    ],
)
def test_bad_terms_are_refused_beside_the_field_and_change_nothing(world, pairs, field, message):
    la = world.a.la
    add_terms(la)
    with pytest.raises(ValidationError) as error:
        set_terms(world.a.users[Role.VS_HEAD], la, as_terms(pairs))
    assert message in error.value.message_dict[field][0]
    assert [t[1:] for t in terms_of(la)] == TERMS


def test_a_term_overlapping_another_years_is_refused(world):
    la, head = world.a.la, world.a.users[Role.VS_HEAD]
    set_terms(head, la, as_terms([(date(2027, 7, 1), date(2027, 8, 10))], ["Summer"]))
    with pytest.raises(ValidationError) as error:
        set_terms(head, la, as_terms([(date(2027, 8, 2), date(2027, 9, 10))]), year="2027-28")
    assert "overlaps 2026-27 Summer" in error.value.message_dict["start_date_1"][0]


def test_a_term_change_moves_the_due_date_at_once(world, clock_at):
    day = date(2026, 11, 3)
    clock_at(day)
    la = world.a.la
    add_terms(la)
    with authority_context(local_authority_ids=[la.pk]):
        la.first_pep_limit, la.first_pep_unit = 10, "school_days"
        la.save()
    child = new_child(la)
    assert refresh(child, day)[DeadlineKind.FIRST_PEP].due_date == date(2026, 11, 16)
    longer = list(TERMS)
    # The second half term starts a week later: 10 school days end later too.
    longer[1] = (date(2026, 11, 9), date(2026, 12, 18))
    set_terms(world.a.users[Role.VS_HEAD], la, as_terms(longer))
    with authority_context(local_authority_ids=[la.pk]):
        due = Deadline.objects.get(child=child, kind=DeadlineKind.FIRST_PEP).due_date
    assert due == date(2026, 11, 20)


def test_the_warning_about_missing_years_is_dropped_when_terms_are_saved(world, clock_at):
    clock_at(date(2026, 11, 3))
    la = world.a.la
    with acting(world.a.users[Role.VS_HEAD]):
        assert years_without_terms(local_authority_id=la.pk) == ["2026-27", "2027-28"]
    add_terms(la)  # not through a service: the cached answer stands
    with acting(world.a.users[Role.VS_HEAD]):
        assert years_without_terms(local_authority_id=la.pk) == ["2026-27", "2027-28"]
    cache.clear()
    set_terms(
        world.a.users[Role.VS_HEAD],
        la,
        as_terms([(date(2027, 9, 2), date(2027, 10, 22))]),
        year="2027-28",
    )
    with acting(world.a.users[Role.VS_HEAD]):
        assert years_without_terms(local_authority_id=la.pk) == []


def test_published_terms_come_from_the_reference_data():
    terms = published_terms(la_code="886", academic_year="2025-26")
    assert [t["name"] for t in terms] == [f"Term {i}" for i in range(1, 7)]
    assert terms[0]["start_date"] == date(2025, 9, 1)
    assert published_terms(la_code="886", academic_year="2030-31") == []


# --- closures ------------------------------------------------------------------------------


def add_closure(user, la, day, reason="INSET day", school=None):
    with acting(user) as actor:
        return services.closure_add(
            actor=actor, authority=la, date=day, reason=reason, school=school
        )


def test_a_closure_is_added_and_removed_and_audited(world):
    la = world.a.la
    add_terms(la)
    head = world.a.users[Role.VS_HEAD]
    closure = add_closure(head, la, date(2026, 11, 5), school=world.school_a)
    with acting(head) as actor:
        services.closure_remove(actor=actor, closure=closure)
        assert not SchoolClosure.objects.filter(local_authority=la).exists()
        actions = list(
            AuditEvent.objects.filter(object_type="calendars.schoolclosure").values_list(
                "action", flat=True
            )
        )
    assert sorted(actions) == ["create", "delete"]


@pytest.mark.parametrize(
    "day, reason, field, message",
    [
        (date(2026, 11, 7), "INSET day", "date", "weekend"),
        (date(2026, 10, 28), "INSET day", "date", "no term of this authority"),
        (date(2026, 11, 5), "  ", "reason", "Enter the reason"),
        (None, "INSET day", "date", "Enter the date"),
    ],
)
def test_bad_closures_are_refused_beside_the_field(world, day, reason, field, message):
    la = world.a.la
    add_terms(la)
    with pytest.raises(ValidationError) as error:
        add_closure(world.a.users[Role.VS_HEAD], la, day, reason)
    assert message in error.value.message_dict[field][0]
    with authority_context(local_authority_ids=[la.pk]):
        assert not SchoolClosure.objects.exists()


def test_the_same_closure_twice_is_refused(world):
    la = world.a.la
    add_terms(la)
    add_closure(world.a.users[Role.VS_HEAD], la, date(2026, 11, 5))
    with pytest.raises(ValidationError) as error:
        add_closure(world.a.users[Role.VS_HEAD], la, date(2026, 11, 5))
    assert "already recorded" in error.value.message_dict["date"][0]


# --- submission dates ----------------------------------------------------------------------


def set_dates(user, la, dates, year=YEAR):
    with acting(user) as actor:
        return services.submission_date_set(
            actor=actor, authority=la, academic_year=year, dates=dates
        )


def test_submission_dates_are_set_changed_and_removed(world):
    la = world.a.la
    head = world.a.users[Role.VS_HEAD]
    set_dates(head, la, {"autumn": date(2026, 11, 20), "spring": date(2027, 3, 19)})
    set_dates(head, la, {"autumn": date(2026, 11, 27), "spring": None, "summer": date(2027, 6, 18)})
    with authority_context(local_authority_ids=[la.pk]):
        rows = dict(SubmissionDate.objects.filter(local_authority=la).values_list("term", "date"))
        assert AuditEvent.objects.filter(object_type="calendars.submissiondate").count() == 2
    assert rows == {"autumn": date(2026, 11, 27), "summer": date(2027, 6, 18)}


@pytest.mark.parametrize(
    "dates, field, message",
    [
        ({"autumn": date(2027, 11, 20)}, "autumn", "in the 2026-27 school year"),
        ({"autumn": date(2026, 11, 21)}, "autumn", "weekday"),
        ({"autumn": date(2027, 3, 19), "spring": date(2027, 3, 12)}, "spring", "after the autumn"),
    ],
)
def test_bad_submission_dates_are_refused_and_change_nothing(world, dates, field, message):
    la = world.a.la
    with pytest.raises(ValidationError) as error:
        set_dates(world.a.users[Role.VS_HEAD], la, dates)
    assert message in error.value.message_dict[field][0]
    with authority_context(local_authority_ids=[la.pk]):
        assert not SubmissionDate.objects.exists()


def test_a_carer_cannot_set_submission_dates(world):
    with pytest.raises(PermissionDenied):
        set_dates(world.a.users[Role.CARER], world.a.la, {"autumn": date(2026, 11, 20)})
