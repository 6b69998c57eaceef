"""The QA queue in the admin: the authority's submitted PEPs, oldest first, how long each
has waited and whether QA is late, filters, search, and assignment (bulk and single)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps.models import Status
from quality.models import QaReview
from quality.services.assignment import review_assign
from quality.services.policy import qa_policy_update

from .queue_factories import submitted_pep

pytestmark = pytest.mark.django_db

QUEUE = "/admin/quality/qaqueueentry/"
TODAY = date(2026, 11, 20)  # a Friday


@pytest.fixture
def today(clock_at):
    clock_at(TODAY)
    return TODAY


@pytest.fixture
def officer_client(client, world):
    client.force_login(world.a.users[Role.VS_OFFICER])
    return client


def rows(response) -> list[str]:
    """The queue's rows as text, in order, cells separated by " | "."""
    html = response.content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [
        " | ".join(
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        )
        for row in re.findall(r"<tr.*?</tr>", body, re.S)
    ]


def names(response) -> list[str]:
    return [row.split(" | ")[1].split(" UPN")[0] for row in rows(response)]


def test_the_queue_lists_submitted_peps_of_the_authority_oldest_first(officer_client, world, today):
    submitted_pep(world.a, submitted_on=date(2026, 11, 18), first_name="Newer")
    submitted_pep(
        world.a, submitted_on=date(2026, 11, 2), first_name="Older", school=world.school_a
    )
    submitted_pep(world.a, submitted_on=date(2026, 11, 2), first_name="Draft", status=Status.DRAFT)
    submitted_pep(world.b, submitted_on=date(2026, 11, 1), first_name="Sefton")
    response = officer_client.get(QUEUE)
    assert response.status_code == 200
    assert names(response) == ["Older Queue", "Newer Queue"]
    older, newer = rows(response)
    assert "Kent Primary" in older
    assert "KS2, Year 5" in older
    assert "Autumn 2026-27" in older
    assert "Unassigned" in older
    # 2 November (Monday) to 20 November (Friday): 14 working days; due 10 after: 16 Nov
    assert "| 14 working days | 16 Nov 2026 Late" in older
    assert newer.endswith("| 2 working days | 2 Dec 2026")


def test_the_authoritys_turnaround_decides_what_is_late(officer_client, world, today):
    submitted_pep(world.a, submitted_on=date(2026, 11, 13), first_name="Week")
    assert "Late" not in rows(officer_client.get(QUEUE))[0]
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        qa_policy_update(
            actor=actor,
            local_authority=world.a.la,
            turnaround_working_days=4,
            moderation_share_percent=10,
            version=0,
        )
    (row,) = rows(officer_client.get(QUEUE))
    assert row.endswith("| 5 working days | 19 Nov 2026 Late")
    assert names(officer_client.get(QUEUE + "?overdue=yes")) == ["Week Queue"]
    assert names(officer_client.get(QUEUE + "?overdue=no")) == []


def test_filters_narrow_the_queue(officer_client, world, today):
    officer = world.a.users[Role.VS_OFFICER]
    nursery = submitted_pep(
        world.a,
        submitted_on=date(2026, 11, 19),
        first_name="Nursery",
        year_group=-1,
        key_stage="EYFS",
        school=world.school_a,
    )
    submitted_pep(
        world.a,
        submitted_on=date(2026, 10, 1),
        first_name="Sixth",
        year_group=12,
        key_stage="Post-16",
        term="summer",
        academic_year="2025-26",
    )
    submitted_pep(
        world.a, submitted_on=date(2026, 11, 9), first_name="Middle", year_group=8, key_stage="KS3"
    )
    with acting_as(officer, Role.VS_OFFICER) as actor:
        review_assign(actor=actor, pep_ids=[nursery.pk], officer=officer)
    cases = {
        f"school={world.school_a.pk}": ["Nursery Queue"],
        "key_stage=KS3": ["Middle Queue"],
        "cohort=early_years": ["Nursery Queue"],
        "cohort=school_age": ["Middle Queue"],
        "cohort=post_16": ["Sixth Queue"],
        "term=2025-26:summer": ["Sixth Queue"],
        f"officer={officer.pk}": ["Nursery Queue"],
        "officer=unassigned": ["Sixth Queue", "Middle Queue"],
        "waiting=0-5": ["Nursery Queue"],
        "waiting=6-10": ["Middle Queue"],
        "waiting=over-20": ["Sixth Queue"],
        "overdue=yes": ["Sixth Queue"],
    }
    for query, expected in cases.items():
        assert names(officer_client.get(f"{QUEUE}?{query}")) == expected, query


def test_search_by_name_or_upn(officer_client, world, today):
    submitted_pep(
        world.a,
        submitted_on=date(2026, 11, 9),
        first_name="Ada",
        last_name="Lovelace",
        upn="A886000000001",
    )
    submitted_pep(world.a, submitted_on=date(2026, 11, 9), first_name="Alan", last_name="Turing")
    assert names(officer_client.get(QUEUE + "?q=lovelace")) == ["Ada Lovelace"]
    assert names(officer_client.get(QUEUE + "?q=A886000000001")) == ["Ada Lovelace"]
    assert names(officer_client.get(QUEUE + "?q=Turing")) == ["Alan Turing"]


def test_filter_choices_are_the_authoritys_own(officer_client, world, today):
    submitted_pep(world.a, submitted_on=date(2026, 11, 9), school=world.school_a)
    submitted_pep(
        world.b,
        submitted_on=date(2026, 11, 9),
        school=world.school_b,
        term="spring",
        academic_year="2024-25",
    )
    page = officer_client.get(QUEUE).content.decode()
    assert "Kent Primary" in page
    assert world.a.users[Role.VS_HEAD].full_name in page
    assert "Sefton Primary" not in page
    assert "2024-25" not in page
    assert world.b.users[Role.VS_OFFICER].full_name not in page


def test_bulk_assignment_confirms_the_officer_then_assigns(officer_client, world, today):
    peps = [
        submitted_pep(world.a, submitted_on=date(2026, 11, d), first_name=n)
        for d, n in ((9, "One"), (10, "Two"), (11, "Three"))
    ]
    head = world.a.users[Role.VS_HEAD]
    chosen = {"action": "assign_to_officer", "_selected_action": [peps[0].pk, peps[1].pk]}
    confirm = officer_client.post(QUEUE, chosen)
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "One Queue" in page and "Two Queue" in page and "Three Queue" not in page
    assert world.b.users[Role.VS_OFFICER].full_name not in page
    missing = officer_client.post(QUEUE, {**chosen, "apply": "1", "officer": ""})
    assert "Choose the officer to assign to." in missing.content.decode()
    done = officer_client.post(QUEUE, {**chosen, "apply": "1", "officer": head.pk}, follow=True)
    assert "2 PEPs assigned to" in done.content.decode()
    queue = rows(officer_client.get(QUEUE))
    assert [head.full_name in row for row in queue] == [True, True, False]


def test_a_pep_is_assigned_from_its_page(officer_client, world, today):
    pep = submitted_pep(world.a, submitted_on=date(2026, 11, 9), first_name="Single")
    page = officer_client.get(f"{QUEUE}{pep.pk}/change/")
    assert page.status_code == 200
    assert "Assign to me and start" in page.content.decode()
    response = officer_client.post(f"{QUEUE}{pep.pk}/assign/", {"assign_to_me": "1"})
    assert response.status_code == 302
    with authority_context(local_authority_ids=[world.a.la.pk]):
        review = QaReview.objects.get(pep=pep)
    assert review.officer == world.a.users[Role.VS_OFFICER]
    assert response["Location"] == reverse("admin:quality_qareview_change", args=[review.pk])
    # The queue's row now leads to the review.
    assert (
        f'href="/admin/quality/qareview/{review.pk}/change/"'
        in officer_client.get(QUEUE).content.decode()
    )
    head = world.a.users[Role.VS_HEAD]
    again = officer_client.post(f"{QUEUE}{pep.pk}/assign/", {"officer": head.pk}, follow=True)
    assert f"The PEP is assigned to {head.full_name}." in again.content.decode()
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert QaReview.objects.get(pep=pep).officer == head


def test_another_authoritys_pep_is_not_found(officer_client, world, today):
    theirs = submitted_pep(world.b, submitted_on=date(2026, 11, 9))
    assert officer_client.get(f"{QUEUE}{theirs.pk}/change/").status_code == 404
    assert (
        officer_client.post(f"{QUEUE}{theirs.pk}/assign/", {"assign_to_me": "1"}).status_code == 404
    )
    with authority_context(local_authority_ids=[world.b.la.pk]):
        assert not QaReview.objects.filter(pep=theirs).exists()


@pytest.mark.parametrize("count", [3, 30])
def test_the_queue_takes_the_same_queries_however_long(
    officer_client, world, today, count, django_assert_max_num_queries
):
    officer = world.a.users[Role.VS_OFFICER]
    peps = [
        submitted_pep(
            world.a,
            submitted_on=date(2026, 11, 2 + i % 15),
            first_name=f"N{i}",
            school=world.school_a,
        )
        for i in range(count)
    ]
    with acting_as(officer, Role.VS_OFFICER) as actor:
        review_assign(actor=actor, pep_ids=[p.pk for p in peps[::2]], officer=officer)
    with django_assert_max_num_queries(37):
        response = officer_client.get(QUEUE + "?o=-7")
    assert len(rows(response)) == count


def test_the_qa_policy_page_sets_the_turnaround(client, world):
    client.force_login(world.a.users[Role.VS_HEAD])
    url = "/admin/quality/qapolicy/"
    page = client.get(url).content.decode()
    assert 'value="10"' in page and "these are the defaults" in page
    bad = client.post(
        url, {"turnaround_working_days": "0", "moderation_share_percent": "10", "version": "0"}
    )
    assert "Enter a turnaround between 1 and 60 working days." in bad.content.decode()
    ok = client.post(
        url,
        {"turnaround_working_days": "15", "moderation_share_percent": "20", "version": "0"},
        follow=True,
    )
    assert "The QA policy is saved." in ok.content.decode()
    stale = client.post(
        url, {"turnaround_working_days": "5", "moderation_share_percent": "20", "version": "0"}
    )
    assert "has changed since you opened it" in stale.content.decode()
    assert 'value="15"' in client.get(url).content.decode()


def test_an_officer_cannot_change_the_qa_policy_page(officer_client):
    assert officer_client.get("/admin/quality/qapolicy/").status_code == 403
