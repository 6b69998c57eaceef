"""School calendars in the database: terms, closures, their validation, row-level
security, the admin and ``calendar_for``."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client

from calendars.days import add_school_days
from calendars.models import SchoolClosure, SchoolTerm
from calendars.selectors import calendar_for
from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context, authority_context, set_db_context
from epep.tenancy.roles import Role

from ..factories import LocalAuthorityFactory, SchoolFactory, UserFactory, ready_for_work

pytestmark = pytest.mark.django_db

D = date.fromisoformat

KENT_2025_26 = [
    ("Term 1", "2025-09-01", "2025-10-17"),
    ("Term 2", "2025-10-27", "2025-12-19"),
    ("Term 3", "2026-01-05", "2026-02-13"),
    ("Term 4", "2026-02-23", "2026-04-02"),
    ("Term 5", "2026-04-20", "2026-05-22"),
    ("Term 6", "2026-06-01", "2026-07-21"),
]


def make_term(la, name, start, end, academic_year="2025-26", *, validate=True) -> SchoolTerm:
    with authority_context(local_authority_ids=[la.pk]):
        term = SchoolTerm(
            local_authority=la,
            academic_year=academic_year,
            name=name,
            start_date=D(start),
            end_date=D(end),
        )
        if validate:
            term.full_clean()
        term.save()
    return term


def make_closure(la, day, school=None, reason="INSET day") -> SchoolClosure:
    with authority_context(local_authority_ids=[la.pk]):
        closure = SchoolClosure(local_authority=la, school=school, date=D(day), reason=reason)
        closure.full_clean()
        closure.save()
    return closure


def errors_of(instance) -> dict[str, list[str]]:
    with authority_context(local_authority_ids=[instance.local_authority_id]):
        with pytest.raises(ValidationError) as caught:
            instance.full_clean()
    return caught.value.message_dict


@pytest.fixture
def kent():
    return LocalAuthorityFactory(name="Kent", code="886")


@pytest.fixture
def sefton():
    return LocalAuthorityFactory(name="Sefton", code="343")


@pytest.fixture
def kent_terms(kent):
    return [make_term(kent, *row) for row in KENT_2025_26]


# --------------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------------


def test_an_overlapping_term_is_refused_with_a_clear_message(kent_terms, kent):
    clash = SchoolTerm(
        local_authority=kent,
        academic_year="2025-26",
        name="Autumn 2",
        start_date=D("2025-10-13"),
        end_date=D("2025-12-19"),
    )
    assert errors_of(clash) == {
        NON_FIELD_ERRORS: [
            "This term overlaps another term of the same authority: 2025-26 Term 1 "
            "(1 September 2025 to 17 October 2025); 2025-26 Term 2 (27 October 2025 to "
            "19 December 2025). Change its dates so that no day is in two terms."
        ]
    }


def test_a_term_starting_on_the_last_day_of_another_overlaps(kent_terms, kent):
    """Term end dates are inclusive: the constraint compares inclusive ranges."""
    touching = SchoolTerm(
        local_authority=kent,
        academic_year="2025-26",
        name="Extra",
        start_date=D("2025-10-17"),  # Term 1's last day
        end_date=D("2025-10-20"),
    )
    assert "overlaps" in errors_of(touching)[NON_FIELD_ERRORS][0]
    # and the database itself refuses it, without full_clean
    with authority_context(local_authority_ids=[kent.pk]):
        with pytest.raises(IntegrityError, match="term_no_overlap"):
            with transaction.atomic():
                touching.save()
    # the next day is free
    make_term(kent, "Half-term club", "2025-10-18", "2025-10-26")


def test_another_authority_may_have_the_same_dates(kent_terms, sefton):
    make_term(sefton, "Autumn 1", "2025-09-01", "2025-10-17")


def test_a_term_does_not_overlap_itself_when_edited(kent_terms):
    term = kent_terms[0]
    term.name = "Autumn 1"
    term.end_date = D("2025-10-24")  # still before Term 2 (27 Oct)
    with authority_context(local_authority_ids=[term.local_authority_id]):
        term.full_clean()
        term.save()
    term.end_date = D("2025-10-27")  # Term 2's first day
    assert errors_of(term)[NON_FIELD_ERRORS] == [
        "This term overlaps another term of the same authority: 2025-26 Term 2 "
        "(27 October 2025 to 19 December 2025). Change its dates so that no day is in two terms."
    ]


def test_a_term_must_end_on_or_after_its_start(kent):
    term = SchoolTerm(
        local_authority=kent,
        academic_year="2025-26",
        name="Backwards",
        start_date=D("2025-10-17"),
        end_date=D("2025-10-13"),
    )
    assert errors_of(term)[NON_FIELD_ERRORS] == ["A term must end on or after the day it starts."]


@pytest.mark.parametrize(
    ("academic_year", "start", "end", "field", "message"),
    [
        (
            "2025-26",
            "2026-09-01",
            "2026-10-16",
            "start_date",
            "A term of 2025-26 must fall between 1 August 2025 and 31 August 2026.",
        ),
        (
            "2025-27",
            "2025-09-01",
            "2025-10-17",
            "academic_year",
            "The second year must follow the first, like 2025-26.",
        ),
        ("2025/26", "2025-09-01", "2025-10-17", "academic_year", "Write the academic year"),
    ],
)
def test_a_term_belongs_to_its_academic_year(kent, academic_year, start, end, field, message):
    term = SchoolTerm(
        local_authority=kent,
        academic_year=academic_year,
        name="Term 1",
        start_date=D(start),
        end_date=D(end),
    )
    assert errors_of(term)[field][0].startswith(message)


# --------------------------------------------------------------------------------------------
# Closures
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "why"),
    [
        ("2025-10-18", "it is a weekend day"),  # Saturday in Term 1
        ("2026-05-04", "it is a bank holiday"),  # early May, inside Term 5
        ("2025-10-22", "no term of this authority includes it (add the term first)"),
        ("2026-09-01", "no term of this authority includes it (add the term first)"),
    ],
)
def test_a_closure_must_be_a_school_day_in_a_term(kent_terms, kent, day, why):
    closure = SchoolClosure(local_authority=kent, date=D(day), reason="INSET day")
    assert errors_of(closure) == {"date": [f"This date is not a school day in any term: {why}."]}


def test_a_closure_on_a_school_day_is_accepted(kent_terms, kent):
    school = SchoolFactory(name="Great Chart Primary")
    make_closure(kent, "2025-09-01", school)
    make_closure(kent, "2026-05-07", reason="Polling day")  # authority-wide


def test_one_closure_per_school_and_day_counting_authority_wide_ones(kent_terms, kent):
    school, other = SchoolFactory(), SchoolFactory()
    make_closure(kent, "2025-10-27", reason="Polling day")
    again = SchoolClosure(local_authority=kent, date=D("2025-10-27"), reason="Again")
    assert errors_of(again) == {
        NON_FIELD_ERRORS: ["This closure is already recorded for that day."]
    }
    with authority_context(local_authority_ids=[kent.pk]):
        with pytest.raises(IntegrityError), transaction.atomic():
            again.save()  # nulls_distinct=False: two empty schools are the same
    # the same day for a school, and for another school, is fine
    make_closure(kent, "2025-10-27", school)
    make_closure(kent, "2025-10-27", other)
    duplicate = SchoolClosure(local_authority=kent, school=school, date=D("2025-10-27"))
    duplicate.reason = "INSET day"
    assert NON_FIELD_ERRORS in errors_of(duplicate)


def test_closures_are_under_row_level_security(kent_terms, kent, sefton):
    make_term(sefton, "Autumn 1", "2025-09-01", "2025-10-24")
    make_closure(kent, "2025-10-13", reason="Polling day")
    make_closure(sefton, "2025-10-13", reason="Polling day")
    with authority_context(local_authority_ids=[sefton.pk]):
        assert set(SchoolClosure.objects.values_list("local_authority_id", flat=True)) == {
            sefton.pk
        }
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM meetings_schoolclosure WHERE local_authority_id = %s",
                [kent.pk],
            )
            assert cursor.fetchone()[0] == 0
        # nor can a row for Kent be written from Sefton's context
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                SchoolClosure.objects.create(
                    local_authority=kent, date=D("2025-10-14"), reason="Sneaky"
                )
    with transaction.atomic():
        set_db_context()
        assert SchoolClosure.objects.count() == 0
    with all_authorities_context():
        assert SchoolClosure.objects.count() == 2


def test_closure_table_has_rls_enabled_and_forced():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class"
            " WHERE relname = 'meetings_schoolclosure'"
        )
        assert cursor.fetchone() == (True, True)


# --------------------------------------------------------------------------------------------
# calendar_for
# --------------------------------------------------------------------------------------------


def test_calendar_for_returns_the_authority_wide_and_the_schools_closures(kent_terms, kent, sefton):
    great_chart = SchoolFactory(name="Great Chart Primary")
    wouldham = SchoolFactory(name="Wouldham")
    for day in ("2025-09-01", "2025-09-02", "2025-10-27", "2026-07-20", "2026-07-21"):
        make_closure(kent, day, great_chart)
    for day in ("2025-10-27", "2025-10-28", "2025-10-29", "2025-10-30", "2025-10-31"):
        make_closure(kent, day, wouldham)
    make_closure(kent, "2026-05-07", reason="Polling day")
    make_term(sefton, "Summer 1", "2026-04-20", "2026-05-22")
    make_closure(sefton, "2026-05-08", great_chart, reason="Sefton's own record")

    with authority_context(local_authority_ids=[kent.pk]):
        terms, closures = calendar_for(local_authority=kent, school=great_chart)
        _, wouldham_closures = calendar_for(local_authority=kent, school=wouldham.pk)
        _, authority_wide = calendar_for(local_authority=kent)

    assert terms == [(D(start), D(end)) for _, start, end in KENT_2025_26]
    assert closures == {
        D("2025-09-01"),
        D("2025-09-02"),
        D("2025-10-27"),
        D("2026-07-20"),
        D("2026-07-21"),
        D("2026-05-07"),
    }
    assert wouldham_closures == {D(f"2025-10-{d}") for d in (27, 28, 29, 30, 31)} | {
        D("2026-05-07")
    }
    assert authority_wide == {D("2026-05-07")}
    # the new-school rule for a child starting at Great Chart on 1 Sep 2025: 30 Sep
    assert add_school_days(D("2025-09-01"), 20, terms, closures) == D("2025-09-30")


def test_calendar_for_needs_the_authoritys_context(kent_terms, kent, sefton):
    with authority_context(local_authority_ids=[sefton.pk]):
        with pytest.raises(RuntimeError, match="context that includes that authority"):
            calendar_for(local_authority=kent)
    with transaction.atomic():
        set_db_context()
        with pytest.raises(RuntimeError):
            calendar_for(local_authority=kent.pk)


# --------------------------------------------------------------------------------------------
# The admin
# --------------------------------------------------------------------------------------------


def staff_client(user, *codenames) -> Client:
    client = Client()
    client.force_login(user)
    return client


TERM_PERMISSIONS = ("view_schoolterm", "add_schoolterm", "change_schoolterm", "delete_schoolterm")
CLOSURE_PERMISSIONS = (
    "view_schoolclosure",
    "add_schoolclosure",
    "change_schoolclosure",
    "delete_schoolclosure",
)


def term_form(la, name, start, end, academic_year="2025-26"):
    return {
        "local_authority": la.pk,
        "academic_year": academic_year,
        "name": name,
        "start_date": start,
        "end_date": end,
        "source": "",
        "_save": "Save",
    }


def events(action):
    with all_authorities_context():
        return list(AuditEvent.objects.filter(action=action, object_type__startswith="calendars."))


def test_admin_shows_the_overlap_message_instead_of_a_server_error(world):
    kent = world.a.la
    make_term(kent, "Term 1", "2025-09-01", "2025-10-17")
    client = staff_client(world.a.users[Role.VS_OFFICER], *TERM_PERMISSIONS)
    response = client.post(
        "/admin/calendars/schoolterm/add/", term_form(kent, "Term 2", "2025-10-13", "2025-12-19")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This term overlaps another term of the same authority: 2025-26 Term 1" in page
    with authority_context(local_authority_ids=[kent.pk]):
        assert SchoolTerm.objects.count() == 1
    assert events("create") == []


def test_admin_shows_backwards_dates_as_a_form_error(world):
    """A backwards range would make PostgreSQL fail the overlap query (and abort the
    request's transaction): the end-after-start message is shown instead."""
    kent = world.a.la
    make_term(kent, "Term 1", "2025-09-01", "2025-10-17")
    client = staff_client(world.a.users[Role.VS_OFFICER], *TERM_PERMISSIONS)
    response = client.post(
        "/admin/calendars/schoolterm/add/", term_form(kent, "Term 2", "2025-12-19", "2025-10-27")
    )
    assert response.status_code == 200
    assert "A term must end on or after the day it starts." in response.content.decode()


def test_admin_creates_a_term_for_the_officers_authority_and_audits_it(world):
    kent = world.a.la
    officer = world.a.users[Role.VS_OFFICER]
    client = staff_client(officer, *TERM_PERMISSIONS)
    response = client.post(
        "/admin/calendars/schoolterm/add/", term_form(kent, "Term 2", "2025-10-27", "2025-12-19")
    )
    assert response.status_code == 302
    with authority_context(local_authority_ids=[kent.pk]):
        term = SchoolTerm.objects.get()
    [event] = events("create")
    assert (event.user, event.local_authority_id, event.object_id) == (
        officer,
        kent.pk,
        str(term.pk),
    )
    assert event.detail["via"] == "admin"


def test_admin_cannot_write_another_authoritys_calendar(world):
    client = staff_client(world.a.users[Role.VS_OFFICER], *TERM_PERMISSIONS)
    response = client.post(
        "/admin/calendars/schoolterm/add/",
        term_form(world.b.la, "Term 1", "2025-09-01", "2025-10-17"),
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with all_authorities_context():
        assert not SchoolTerm.objects.exists()


def test_admin_lists_only_the_officers_authority_and_superusers_see_all(world):
    make_term(world.a.la, "Kent Term 1", "2025-09-01", "2025-10-17")
    sefton_term = make_term(world.b.la, "Sefton Autumn 1", "2025-09-01", "2025-10-24")
    officer = staff_client(world.a.users[Role.VS_OFFICER], *TERM_PERMISSIONS)
    page = officer.get("/admin/calendars/schoolterm/").content.decode()
    assert "Kent Term 1" in page and "Sefton Autumn 1" not in page
    other = officer.get(f"/admin/calendars/schoolterm/{sefton_term.pk}/change/")
    assert other.status_code == 302  # "does not exist" back to the index

    root = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    ready_for_work(root, [])
    client = Client()
    client.force_login(root)
    page = client.get("/admin/calendars/schoolterm/").content.decode()
    assert "Kent Term 1" in page and "Sefton Autumn 1" in page
    assert client.get(f"/admin/calendars/schoolterm/{sefton_term.pk}/change/").status_code == 200
    [view] = events("view")
    assert view.local_authority_id == world.b.la.pk


def test_admin_refuses_a_closure_outside_the_school_days(world):
    kent = world.a.la
    make_term(kent, "Term 1", "2025-09-01", "2025-10-17")
    client = staff_client(world.a.users[Role.VS_OFFICER], *CLOSURE_PERMISSIONS)
    form = {"local_authority": kent.pk, "school": "", "reason": "Polling day", "_save": "Save"}
    response = client.post("/admin/calendars/schoolclosure/add/", {**form, "date": "2025-10-22"})
    assert response.status_code == 200
    assert "This date is not a school day in any term" in response.content.decode()
    response = client.post("/admin/calendars/schoolclosure/add/", {**form, "date": "2025-10-16"})
    assert response.status_code == 302
    with authority_context(local_authority_ids=[kent.pk]):
        assert SchoolClosure.objects.get().date == D("2025-10-16")
    assert len(events("create")) == 1


def test_admin_bulk_delete_is_audited(world):
    kent = world.a.la
    terms = [make_term(kent, *row) for row in KENT_2025_26[:2]]
    client = staff_client(world.a.users[Role.VS_OFFICER], *TERM_PERMISSIONS)
    response = client.post(
        "/admin/calendars/schoolterm/",
        {"action": "delete_selected", "_selected_action": [t.pk for t in terms], "post": "yes"},
    )
    assert response.status_code == 302
    with authority_context(local_authority_ids=[kent.pk]):
        assert not SchoolTerm.objects.exists()
    assert sorted(e.object_id for e in events("delete")) == sorted(str(t.pk) for t in terms)
