"""``deadlines_refresh``, the one way deadlines are worked out: called by the services
that change a child's records (no signals), by the admin when an authority's policy or
term dates change (at once, not at night), and set-based (a fixed number of queries for
any number of children; children whose inputs have not changed are skipped)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models.signals import post_save
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from calendars.models import SchoolTerm, SubmissionDate
from children.models import Child, Enrolment, Placement
from children.services import enrolment_start
from deadlines import services
from deadlines.models import Deadline, DeadlineKind
from epep.tenancy.actor import resolve_actor
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import Role
from meetings.models import Meeting
from peps.models import Pep, Transition
from tests.factories import AllocationFactory, EnrolmentFactory

from .test_deadlines import add_terms, new_child, refresh, set_policy

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 3)


def deadlines(child) -> dict:
    with authority_context(local_authority_ids=[child.local_authority_id]):
        return {d.kind: d for d in Deadline.objects.filter(child=child).order_by("due_date")}


def test_no_signal_refreshes_deadlines():
    for model in (Child, Enrolment, Placement, Pep, Transition, Meeting):
        keys = [key for key, *_ in post_save.receivers]
        assert not [k for k in keys if isinstance(k[0], str) and k[0].startswith("deadlines_")]
        assert not post_save.has_listeners(model), model


def test_an_enrolment_started_through_the_service_refreshes_at_once(world):
    child = new_child(world.a.la)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        enrolment_start(
            actor=None, child=child, school=world.school_a, start_date=date(2026, 12, 7)
        )
    assert deadlines(child)[DeadlineKind.NEW_SCHOOL].due_date == date(2027, 1, 7)


def test_a_policy_change_in_the_admin_moves_the_due_date_at_once(world):
    add_terms(world.a.la)
    child = new_child(world.a.la)
    assert refresh(child, DAY)[DeadlineKind.FIRST_PEP].due_date == date(2026, 11, 16)
    head = world.a.users[Role.VS_HEAD]
    model_admin = admin.site._registry[LocalAuthority]
    request = RequestFactory().get("/")
    request.user = head
    request.actor = resolve_actor(head, Role.VS_HEAD)
    la = LocalAuthority.objects.get(pk=world.a.la.pk)
    form_fields = list(model_admin.get_form(request, la).base_fields)
    data = {k: "" if v is None else v for k, v in model_to_dict(la, fields=form_fields).items()}
    data.update(first_pep_limit=20, first_pep_unit="school_days", _save="Save")
    client = Client()
    client.force_login(head)
    response = client.post(f"/admin/tenancy/localauthority/{la.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/admin/tenancy/localauthority/"
    after = deadlines(child)
    assert after[DeadlineKind.FIRST_PEP].due_date == date(2026, 11, 30)
    assert "20 school days" in after[DeadlineKind.FIRST_PEP].source
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert Deadline.objects.filter(child=child, kind="first_pep").count() == 1


def test_a_term_date_change_in_the_admin_moves_the_due_date_at_once(world):
    add_terms(world.a.la)
    child = new_child(world.a.la)
    EnrolmentFactory(child=child, school=world.school_a, start_date=date(2026, 12, 7))
    assert refresh(child, date(2026, 12, 7))[DeadlineKind.NEW_SCHOOL].due_date == date(2027, 1, 19)
    officer = world.a.users[Role.VS_OFFICER]
    client = Client()
    client.force_login(officer)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        term = SchoolTerm.objects.get(local_authority=world.a.la, name="Term 3")
    response = client.post(
        f"/admin/calendars/schoolterm/{term.pk}/change/",
        {
            "local_authority": world.a.la.pk,
            "academic_year": "2026-27",
            "name": "Term 3",
            "start_date": "2027-01-11",
            "end_date": "2027-02-12",
            "source": "",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert deadlines(child)[DeadlineKind.NEW_SCHOOL].due_date == date(2027, 1, 25)


def test_a_submission_date_changed_in_the_admin_moves_the_termly_review_at_once(world, clock_at):
    clock_at(DAY)
    child = new_child(world.a.la)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        autumn = SubmissionDate.objects.create(
            local_authority=world.a.la,
            academic_year="2026-27",
            term="autumn",
            date=date(2026, 12, 11),
        )
    assert refresh(child, DAY)[DeadlineKind.TERMLY_REVIEW].due_date == date(2026, 12, 11)
    officer = world.a.users[Role.VS_OFFICER]
    client = Client()
    client.force_login(officer)
    response = client.post(
        f"/admin/calendars/submissiondate/{autumn.pk}/change/",
        {
            "local_authority": world.a.la.pk,
            "academic_year": "2026-27",
            "term": "autumn",
            "date": "2026-12-04",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert deadlines(child)[DeadlineKind.TERMLY_REVIEW].due_date == date(2026, 12, 4)


def test_the_deadlines_app_follows_the_hooks_of_the_apps_below_it():
    """children, calendars and the tenancy core call hooks; deadlines registers itself."""
    from calendars import hooks as calendar_hooks
    from children import hooks as children_hooks
    from epep.tenancy import hooks as authority_hooks

    assert services.deadlines_refresh in children_hooks.receivers
    assert services.deadlines_refresh_all in calendar_hooks.receivers
    assert services.deadlines_refresh_all in authority_hooks.receivers


def children_of(world, side, school, count) -> list[Child]:
    made = []
    for i in range(count):
        child = new_child(side.la, legal_first_name=f"Batch{i}")
        EnrolmentFactory(child=child, school=school, start_date=date(2026, 11, 20))
        AllocationFactory(
            child=child,
            worker=side.users[Role.SOCIAL_WORKER],
            kind=Role.SOCIAL_WORKER,
            start_date=date(2020, 9, 1),
        )
        made.append(child)
    return made


def refresh_all(la, day=DAY):
    with CaptureQueriesContext(connection) as queries:
        services.deadlines_refresh_all(local_authority_id=la.pk, today=day)
    return [q["sql"] for q in queries.captured_queries]


def writes(queries) -> list[str]:
    return [q for q in queries if q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_the_query_count_does_not_grow_with_the_number_of_children(world):
    children_of(world, world.a, world.school_a, 5)
    children_of(world, world.b, world.school_b, 50)
    few, many = refresh_all(world.a.la), refresh_all(world.b.la)
    assert len(few) == len(many)
    assert len(many) < 40
    with authority_context(local_authority_ids=[world.b.la.pk]):
        assert Deadline.objects.filter(child__legal_first_name__startswith="Batch").count() >= 100


def test_a_second_refresh_without_changes_writes_nothing_and_a_change_is_picked_up(world):
    made = children_of(world, world.a, world.school_a, 5)
    assert writes(refresh_all(world.a.la))
    assert writes(refresh_all(world.a.la)) == []
    changed = made[2]
    with authority_context(local_authority_ids=[world.a.la.pk]):
        Enrolment.objects.filter(child=changed).update(end_date=date(2026, 12, 7))
    EnrolmentFactory(child=changed, school=world.shared_school, start_date=date(2026, 12, 7))
    ids = [c.pk for c in made]
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert services.deadlines_refresh(child_ids=ids, today=DAY) == 1
    with authority_context(local_authority_ids=[world.a.la.pk]):
        triggers = set(
            Deadline.objects.filter(child=changed, kind="new_school").values_list(
                "trigger_date", flat=True
            )
        )
    assert triggers == {date(2026, 11, 20), date(2026, 12, 7)}
    # A policy change redoes every child of the authority.
    set_policy(world.a.la, first_pep_limit=5)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert services.deadlines_refresh(child_ids=ids, today=DAY) == 5
