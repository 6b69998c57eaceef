"""The authority's settings pages (/virtual-school/settings/): who reaches them, errors
beside the fields that change nothing, the published term dates prefilled, the banner
after saving, and the warning every Virtual School page shows while the current or next
academic year has no term dates."""

from __future__ import annotations

from datetime import date

import pytest

from calendars.models import SchoolClosure, SchoolTerm, SubmissionDate
from epep.tenancy.context import authority_context
from epep.tenancy.models import LocalAuthority
from epep.tenancy.roles import AUTHORITY_WIDE_ROLES, Role

from ..deadlines.test_deadlines import TERMS, add_terms

pytestmark = pytest.mark.django_db

BASE = "/virtual-school/settings/"
DAY = date(2026, 11, 3)  # 2026-27; the next year is 2027-28


def get(client, user, url, status=200):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def terms_2027_28(la):
    with authority_context(local_authority_ids=[la.pk]):
        SchoolTerm.objects.create(
            local_authority=la,
            academic_year="2027-28",
            name="Autumn 1",
            start_date=date(2027, 9, 2),
            end_date=date(2027, 10, 22),
        )


@pytest.mark.parametrize("role", sorted(AUTHORITY_WIDE_ROLES))
def test_the_virtual_school_and_la_admin_open_the_settings(client, world, clock_at, role):
    clock_at(DAY)
    html = get(client, world.a.users[role], BASE)
    assert "PEP policy" in html and "Academic year 2026-27" in html
    assert "Academic year 2027-28" in html
    assert 'href="/virtual-school/settings/2026-27/term-dates/"' in html
    home = get(client, world.a.users[role], "/virtual-school/")
    assert 'data-testid="settings-link"' in home


@pytest.mark.parametrize("role", [r for r in Role if r not in AUTHORITY_WIDE_ROLES])
def test_other_roles_get_not_found(client, world, role):
    user = world.a.users[role]
    for url in (
        BASE,
        f"{BASE}policy/",
        f"{BASE}2026-27/term-dates/",
        f"{BASE}2026-27/closures/add/",
    ):
        get(client, user, url, status=404)


def test_an_officer_sees_the_policy_but_cannot_change_it(client, world, clock_at):
    clock_at(DAY)
    officer = world.a.users[Role.VS_OFFICER]
    html = get(client, officer, BASE)
    assert f'href="{BASE}policy/' not in html
    assert "Your LA administrator or Virtual School Head can change" in html
    get(client, officer, f"{BASE}policy/", status=404)


def policy_data(la, **changes):
    data = {
        "first_pep_limit": la.first_pep_limit,
        "first_pep_unit": la.first_pep_unit,
        "review_cadence": la.review_cadence,
        "max_targets_per_term": la.max_targets_per_term,
        "in_year_transfers_need_authorisation": "no",
        "finalising_needs_second_person": "no",
        "two_step_optional_under_13": "yes",
        "version": la.policy_version,
    }
    return {**data, **changes}


def test_the_head_changes_the_policy_and_sees_that_deadlines_were_recalculated(
    client, world, clock_at
):
    clock_at(DAY)
    head, la = world.a.users[Role.VS_HEAD], world.a.la
    response = post(client, head, f"{BASE}policy/", policy_data(la, first_pep_limit=15))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "PEP policy saved." in html and "Open PEP deadlines were recalculated." in html
    assert "15 working days of entering care" in html
    assert LocalAuthority.objects.get(pk=la.pk).first_pep_limit == 15


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"first_pep_limit": "61"}, "Enter a number of days from 1 to 60"),
        ({"first_pep_limit": "ten"}, "Enter the number of days as a whole number"),
        ({"max_targets_per_term": "0"}, "Enter a number of targets from 1 to 10"),
        ({"first_pep_unit": "weeks"}, "Choose one of the options"),
    ],
)
def test_bad_policy_input_is_shown_beside_the_field_and_changes_nothing(
    client, world, changes, message
):
    la = world.a.la
    response = post(
        client, world.a.users[Role.LA_ADMIN], f"{BASE}policy/", policy_data(la, **changes)
    )
    assert response.status_code == 400
    html = response.content.decode()
    field = next(iter(changes))
    assert f'id="id_{field}-error"' in html and message in html
    assert 'class="govuk-error-summary"' in html
    stored = LocalAuthority.objects.get(pk=la.pk)
    assert (stored.first_pep_limit, stored.policy_version) == (10, la.policy_version)


def test_a_stale_policy_form_says_someone_else_changed_it(client, world):
    la = world.a.la
    stale = policy_data(la, max_targets_per_term=7)
    LocalAuthority.objects.filter(pk=la.pk).update(max_targets_per_term=3, policy_version=9)
    response = post(client, world.a.users[Role.VS_HEAD], f"{BASE}policy/", stale)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Someone else changed these settings since you opened this page" in html
    assert 'name="version" value="9"' in html
    assert LocalAuthority.objects.get(pk=la.pk).max_targets_per_term == 3


def test_the_term_dates_form_is_prefilled_with_the_published_dates(client, world, clock_at):
    clock_at(date(2025, 6, 2))  # the next year, 2025-26, is in the reference data
    html = get(client, world.a.users[Role.VS_HEAD], f"{BASE}2025-26/term-dates/")
    assert "Prefilled with the dates published for Kent; check them and save" in html
    assert 'value="Term 1"' in html and 'value="2025-09-01"' in html


def test_saving_the_term_dates_shows_the_banner(client, world, clock_at):
    clock_at(DAY)
    data = {}
    for i, (start, end) in enumerate(TERMS, 1):
        data |= {f"name_{i}": f"Term {i}", f"start_date_{i}": start, f"end_date_{i}": end}
    response = post(client, world.a.users[Role.VS_OFFICER], f"{BASE}2026-27/term-dates/", data)
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Term dates for 2026-27 saved." in html
    assert "Open PEP deadlines were recalculated." in html
    assert "Term 1: 3 September 2026 to 23 October 2026" in html


def test_bad_term_dates_are_shown_beside_the_field_and_change_nothing(client, world, clock_at):
    clock_at(DAY)
    add_terms(world.a.la)
    data = {
        "name_1": "Autumn",
        "start_date_1": "2026-09-03",
        "end_date_1": "2026-12-18",
        "name_2": "Spring",
        "start_date_2": "2026-12-01",
        "end_date_2": "2027-03-26",
        "name_3": "Summer",
        "start_date_3": "2027-02-30",
        "end_date_3": "2027-07-21",
    }
    response = post(client, world.a.users[Role.VS_HEAD], f"{BASE}2026-27/term-dates/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_start_date_3-error"' in html and "Enter a real date" in html
    data["start_date_3"] = "2027-04-12"
    response = post(client, world.a.users[Role.VS_HEAD], f"{BASE}2026-27/term-dates/", data)
    html = response.content.decode()
    assert 'id="id_start_date_2-error"' in html
    assert "must be after the last day of Autumn (18 December 2026)" in html
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert SchoolTerm.objects.filter(local_authority=world.a.la).count() == len(TERMS)


def test_a_year_that_is_not_one_is_not_found(client, world):
    get(client, world.a.users[Role.VS_HEAD], f"{BASE}2026-28/term-dates/", status=404)


def test_closures_are_added_and_removed(client, world, clock_at):
    clock_at(DAY)
    add_terms(world.a.la)
    head = world.a.users[Role.VS_HEAD]
    url = f"{BASE}2026-27/closures/add/"
    response = post(client, head, url, {"date": "2026-11-07", "reason": "INSET day"})
    assert response.status_code == 400
    assert 'id="id_date-error"' in response.content.decode()
    response = post(client, head, url, {"date": "2026-11-05", "reason": "Polling day"})
    assert response.status_code == 302
    html = client.get(BASE).content.decode()
    assert "Polling day, 5 November 2026 (all schools)" in html
    with authority_context(local_authority_ids=[world.a.la.pk]):
        closure = SchoolClosure.objects.get()
    remove = f"{BASE}closures/{closure.public_id}/remove/"
    assert "Remove this closure?" in get(client, head, remove)
    assert client.post(remove).status_code == 302
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert not SchoolClosure.objects.exists()


def test_another_authoritys_closure_is_not_found(client, world):
    add_terms(world.b.la)
    with authority_context(local_authority_ids=[world.b.la.pk]):
        closure = SchoolClosure.objects.create(
            local_authority=world.b.la, date=date(2026, 11, 5), reason="INSET day"
        )
    head = world.a.users[Role.VS_HEAD]
    get(client, head, f"{BASE}closures/{closure.public_id}/remove/", status=404)
    assert client.post(f"{BASE}closures/{closure.public_id}/remove/").status_code == 404


def test_submission_dates_are_saved_and_bad_ones_refused(client, world):
    head = world.a.users[Role.VS_HEAD]
    url = f"{BASE}2026-27/submission-dates/"
    response = post(client, head, url, {"autumn": "2027-11-19", "spring": "", "summer": ""})
    assert response.status_code == 400
    assert 'id="id_autumn-error"' in response.content.decode()
    response = post(
        client, head, url, {"autumn": "2026-11-20", "spring": "2027-03-19", "summer": ""}
    )
    assert response.status_code == 302
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert SubmissionDate.objects.filter(local_authority=world.a.la).count() == 2


def test_the_warning_shows_on_virtual_school_pages_while_the_next_year_has_no_terms(
    client, world, clock_at
):
    clock_at(DAY)
    add_terms(world.a.la)
    head = world.a.users[Role.VS_HEAD]
    for url in ("/virtual-school/", f"/children/{world.a.child.public_id}/", "/people/"):
        html = get(client, head, url)
        assert 'data-testid="term-dates-warning"' in html, url
        assert "There are no term dates for 2027-28." in html
        assert f'href="{BASE}2027-28/term-dates/"' in html
    # Not for the people who do not keep the calendar.
    html = get(client, world.a.users[Role.SOCIAL_WORKER], "/caseload/")
    assert 'data-testid="term-dates-warning"' not in html


def test_the_warning_goes_once_the_next_years_terms_are_saved(client, world, clock_at):
    clock_at(DAY)
    add_terms(world.a.la)
    head = world.a.users[Role.VS_HEAD]
    assert 'data-testid="term-dates-warning"' in get(client, head, "/virtual-school/")
    response = post(
        client,
        head,
        f"{BASE}2027-28/term-dates/",
        {"name_1": "Autumn 1", "start_date_1": "2027-09-02", "end_date_1": "2027-10-22"},
    )
    assert response.status_code == 302
    assert 'data-testid="term-dates-warning"' not in get(client, head, "/virtual-school/")


def test_no_warning_when_both_years_have_terms(client, world, clock_at):
    clock_at(DAY)
    add_terms(world.a.la)
    terms_2027_28(world.a.la)
    assert 'data-testid="term-dates-warning"' not in get(
        client, world.a.users[Role.LA_ADMIN], "/virtual-school/"
    )
