"""PP+ on the school's side: the PEP page's PP+ section (the lines, the policy in a line,
"Ask for PP+" while the PEP is editable), the request page (each bad input beside its
field, nothing saved), recording the impact (a stale form refused), the designated
teacher's home panel (queries constant in the number of children) and the public page of
published policies (no sign-in, no child data)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.roles import Role
from funding.models import PpLine, PpPolicy
from funding.services.lines import Decision
from peps import services as peps_services
from peps.models import Pep, Status, Target
from tests.factories import ChildFactory, EnrolmentFactory, endorse

from ..funding.support import DAY, allocation, budget, pep_with_targets, policy
from ..funding.test_lines import approved_by_qa, ask, decide
from ..peps.conftest import acting
from ..peps.test_cycle import next_term
from .test_query_budget import _count

pytestmark = pytest.mark.django_db


def started_pep(world, *, targets=2, **kwargs) -> Pep:
    """A PEP of ``world.a.child`` started as the service starts it (with its sections,
    so its page renders), with ``targets`` SMART targets."""
    with acting(world.a.users[Role.SOCIAL_WORKER]) as sw:
        pep = peps_services.pep_start(actor=sw, child=world.a.child, **kwargs)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        pep.target_ids = [
            Target.objects.create(
                local_authority=world.a.la,
                pep=pep,
                description=f"Reach the expected standard in maths ({n + 1})",
                success_measure="Termly assessment at the expected standard",
                responsible="Maths lead",
                due_date=DAY + timedelta(days=60),
                strategy="Weekly one-to-one tuition",
                expected_outcome="Catches up with her class",
            ).pk
            for n in range(targets)
        ]
    return pep


@pytest.fixture
def pp(world, clock_at):
    clock_at(DAY)
    policy(
        world.a.la,
        published_at=timezone.now(),
        not_funded="School trips\nUniform",
        summary="Kent funds tuition and mentoring tied to the PEP's targets.",
    )
    budget(world.a.la)
    allocation(world.a.child)
    return started_pep(world)


def dt(client, world, authority="a"):
    client.force_login(getattr(world, authority).users[Role.DESIGNATED_TEACHER])
    return client


def request_url(pep) -> str:
    return reverse("portal:ppplus:line_request", kwargs={"pep_id": pep.public_id})


def impact_url(line) -> str:
    return reverse("portal:ppplus:line_impact", kwargs={"line_id": line.public_id})


def pep_page(client, pep) -> str:
    response = client.get(reverse("portal:pep_detail", kwargs={"pep_id": pep.public_id}))
    assert response.status_code == 200
    return response.content.decode()


def lines_url(pep) -> str:
    return reverse("portal:ppplus:pep_lines", kwargs={"pep_id": pep.public_id})


def ppplus_page(client, pep) -> str:
    response = client.get(lines_url(pep))
    assert response.status_code == 200
    return response.content.decode()


def field_error(page: str, field: str) -> str:
    match = re.search(
        rf'<p id="id_{field}-error" class="govuk-error-message">'
        r'<span class="govuk-visually-hidden">Error:</span> (.*?)</p>',
        page,
    )
    return match.group(1) if match else ""


def request_data(pep, **overrides) -> dict:
    return {
        "what": "One-to-one maths tutor, 10 sessions",
        "provider": "Kent Tutors Ltd",
        "category": "tuition",
        "amount": "£450",
        "targets": [pep.target_ids[0]],
        **overrides,
    }


def lines() -> list[PpLine]:
    with all_authorities_context():
        return list(PpLine.objects.all())


# --- The PEP page -----------------------------------------------------------------------


def test_the_pep_page_links_to_its_ppplus_and_offers_to_ask(client, world, pp):
    page = pep_page(dt(client, world), pp)
    section = re.search(r'data-testid="ppplus-section".*?</section>', page, re.S).group(0)
    assert lines_url(pp) in section and request_url(pp) in section


def test_the_ppplus_page_shows_the_policy_in_a_line_and_offers_to_ask(client, world, pp):
    page = ppplus_page(dt(client, world), pp)
    line = re.search(r'data-testid="ppplus-policy-line">(.*?)</p>', page, re.S).group(1)
    assert "up to £700.00 a request" in line and "£2,000.00 per child a year" in line
    assert "not funded: School trips, Uniform" in line
    assert "/pupil-premium-plus/policies/?authority=886" in line
    assert request_url(pp) in page
    assert "No PP+ asked for in this PEP." in page


def test_the_ppplus_page_lists_the_lines_with_targets_status_and_decision(client, world, pp):
    ask(world, pp, target_ids=pp.target_ids)
    declined = ask(world, pp, what="Laptop", category="equipment", amount_pence=30000)
    decide(world, declined, Decision.DECLINE, reason="The school provides laptops.")
    page = ppplus_page(dt(client, world), pp)
    cards = page.split('data-testid="ppplus-line"')[1:]
    assert len(cards) == 2
    assert "One-to-one maths tutor" in cards[0] and "£450.00" in cards[0]
    assert "Waiting for a decision" in cards[0] and "govuk-tag--blue" in cards[0]
    assert "Reach the expected standard in maths (1)" in cards[0]
    assert "Reach the expected standard in maths (2)" in cards[0]
    assert "Declined" in cards[1] and "govuk-tag--red" in cards[1]
    assert "Why: The school provides laptops." in cards[1]
    assert "Virtual School officer 886" in cards[1]  # who decided


def test_carers_and_the_young_person_do_not_see_ppplus(client, world, pp):
    ask(world, pp)
    for role in (Role.CARER, Role.YOUNG_PERSON):
        client.force_login(world.a.users[role])
        response = client.get(reverse("portal:pep_detail", kwargs={"pep_id": pp.public_id}))
        if response.status_code == 200:
            assert 'data-testid="ppplus-section"' not in response.content.decode()
        assert client.get(lines_url(pp)).status_code == 404
        assert client.get(request_url(pp)).status_code == 404


def test_a_social_worker_sees_the_lines_but_cannot_ask(client, world, pp):
    ask(world, pp)
    client.force_login(world.a.users[Role.SOCIAL_WORKER])
    assert request_url(pp) not in pep_page(client, pp)
    page = ppplus_page(client, pp)
    assert "One-to-one maths tutor" in page
    assert request_url(pp) not in page
    assert client.get(request_url(pp)).status_code == 404


def test_a_pep_with_the_virtual_school_offers_no_request(client, world, pp):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        Pep.objects.filter(pk=pp.pk).update(status=Status.SUBMITTED)
    dt(client, world)
    assert request_url(pp) not in pep_page(client, pp)
    assert request_url(pp) not in ppplus_page(client, pp)
    page = client.get(request_url(pp)).content.decode()
    assert 'data-testid="locked"' in page and "Ask for PP+</button>" not in page
    assert client.post(request_url(pp), request_data(pp)).status_code == 200
    assert lines() == []


def test_the_ppplus_page_asks_the_same_queries_however_many_lines(client, world, pp):
    ask(world, pp)
    one = _count(dt(client, world), lines_url(pp))
    assert one > 0
    for n in range(4):
        ask(world, pp, what=f"Mentor {n}", category="mentoring", amount_pence=10000)
    assert ppplus_page(client, pp).count('data-testid="ppplus-line"') == 5
    assert _count(client, lines_url(pp)) == one


# --- The request page -------------------------------------------------------------------


def test_the_designated_teacher_asks_for_450_pounds_tied_to_a_target(client, world, pp):
    dt(client, world)
    page = client.get(request_url(pp)).content.decode()
    assert "Tuition and catch-up" in page and "Enrichment" not in page  # the policy's
    assert "Reach the expected standard in maths (1)" in page
    response = client.post(request_url(pp), request_data(pp))
    assert response.status_code == 302
    assert response["Location"] == lines_url(pp)
    [line] = lines()
    assert line.amount_pence == 45000 and line.what == "One-to-one maths tutor, 10 sessions"
    with all_authorities_context():
        assert [t.pk for t in line.targets.all()] == [pp.target_ids[0]]
    page = client.get(response["Location"]).content.decode()
    assert "PP+ asked for: One-to-one maths tutor" in page
    assert "Waiting for a decision" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": "£4a0"}, "amount", "Enter the amount in pounds and pence, like 250 or 250.50."),
        ({"amount": "12.345"}, "amount", "no more than 2 digits of pence"),
        ({"amount": "-5"}, "amount", "The amount must be £0 or more."),
        ({"amount": "0"}, "amount", "Enter an amount above £0."),
        ({"amount": "1000000"}, "amount", "The amount must be £100,000 or less."),
        ({"amount": "701"}, "amount", "The most one request can be is £700"),
        ({"what": " "}, "what", "Say what the money will pay for."),
        ({"category": "enrichment"}, "category", "Choose one of the kinds of spending listed."),
        ({"category": ""}, "category", "Choose what kind of spending it is."),
        ({"targets": []}, "targets", "Choose at least one of this PEP&#x27;s targets"),
        ({"targets": ["999999"]}, "targets", "Choose targets of this PEP."),
        ({"exceptional": "on"}, "end_date", "Enter the date the exceptional support ends."),
        ({"exceptional": "on", "end_date": "2026-11-11"}, "exit_plan", "the exit plan"),
        ({"exceptional": "on", "end_date": "2026-13-40"}, "end_date", "Enter a real date."),
    ],
)
def test_bad_input_is_shown_beside_the_field_and_in_the_summary_and_nothing_saved(
    client, world, pp, overrides, field, message
):
    dt(client, world)
    response = client.post(request_url(pp), request_data(pp, **overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in field_error(page, field)
    summary = re.search(r'class="govuk-error-summary".*?</ul>', page, re.S).group(0)
    assert message in summary and f'href="#id_{field}"' in summary
    assert f'id="id_{field}"' in page  # the summary's link lands on the field
    assert lines() == []


def test_an_amount_above_the_childs_yearly_cap_says_what_is_left(client, world, pp):
    ask(world, pp, amount_pence=70000)
    ask(world, pp, amount_pence=70000)
    dt(client, world)
    page = client.post(request_url(pp), request_data(pp, amount="700")).content.decode()
    assert "£600 is left" in field_error(page, "amount")
    assert len(lines()) == 2


def test_an_exceptional_request_above_the_cap_is_taken_with_end_date_and_exit_plan(
    client, world, pp
):
    dt(client, world)
    data = request_data(
        pp,
        amount="900",
        exceptional="on",
        end_date="2027-03-31",
        exit_plan="The school carries on the sessions from its own budget.",
    )
    assert client.post(request_url(pp), data).status_code == 302
    [line] = lines()
    assert line.exceptional and str(line.end_date) == "2027-03-31"


def test_a_pep_without_targets_says_add_a_target_first(client, world, clock_at):
    clock_at(DAY)
    policy(world.a.la)
    pep = pep_with_targets(world.a, world.a.child, world.shared_school, targets=0)
    page = dt(client, world).get(request_url(pep)).content.decode()
    assert "Add a target first" in page


def test_without_a_policy_for_the_year_the_page_says_ask_the_virtual_school(
    client, world, clock_at
):
    clock_at(DAY)
    pep = pep_with_targets(world.a, world.a.child, world.shared_school)
    page = dt(client, world).get(request_url(pep)).content.decode()
    assert "has no Pupil Premium Plus policy for 2026-27 yet" in page
    assert client.post(request_url(pep), request_data(pep)).status_code == 200
    assert lines() == []


def test_another_authoritys_pep_and_line_are_404(client, world, pp, clock_at):
    policy(world.b.la)
    other = pep_with_targets(world.b, world.b.child, world.shared_school)
    dt(client, world)
    assert client.get(lines_url(other)).status_code == 404
    assert client.get(request_url(other)).status_code == 404
    assert client.post(request_url(other), request_data(other)).status_code == 404
    line = ask(world, pp)
    approved_by_qa(world, pp)
    decide(world, line)
    dt(client, world, "b")
    assert client.get(impact_url(line)).status_code == 404
    assert client.post(impact_url(line), {"impact_rating": "big"}).status_code == 404


# --- Impact -----------------------------------------------------------------------------


@pytest.fixture
def funded(world, pp):
    line = ask(world, pp)
    approved_by_qa(world, pp)
    return decide(world, line)


def test_a_waiting_line_has_no_impact_page(client, world, pp):
    line = ask(world, pp)
    assert dt(client, world).get(impact_url(line)).status_code == 404


def test_the_school_records_the_impact_of_a_funded_line(client, world, funded):
    dt(client, world)
    page = client.get(impact_url(funded)).content.decode()
    assert "Made a big difference" in page and "Reach the expected standard in maths (1)" in page
    data = {
        "impact_rating": "big",
        "impact": "Reached the expected standard in the spring assessment.",
        "version": funded.version,
    }
    response = client.post(impact_url(funded), data)
    assert response.status_code == 302
    [line] = lines()
    assert line.impact_rating == "big" and line.impact.startswith("Reached")
    page = client.get(response["Location"]).content.decode()
    assert "Made a big difference: Reached the expected standard" in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"impact": "Better"}, "impact_rating", "Choose how much difference it made."),
        ({"impact_rating": "huge", "impact": "x"}, "impact_rating", "Choose how much"),
        ({"impact_rating": "some"}, "impact", "Say what difference it made"),
    ],
)
def test_bad_impact_is_shown_beside_the_field_and_nothing_saved(
    client, world, funded, data, field, message
):
    dt(client, world)
    response = client.post(impact_url(funded), {**data, "version": funded.version})
    assert response.status_code == 400
    assert message in field_error(response.content.decode(), field)
    assert lines()[0].impact_rating == ""


def test_a_stale_impact_form_is_refused_and_changes_nothing(client, world, funded):
    dt(client, world)
    first = {"impact_rating": "some", "impact": "Reads more fluently.", "version": funded.version}
    assert client.post(impact_url(funded), first).status_code == 302
    stale = {"impact_rating": "none", "impact": "No change.", "version": funded.version}
    response = client.post(impact_url(funded), stale)
    assert response.status_code == 400
    assert "has changed since you opened it" in response.content.decode()
    assert lines()[0].impact == "Reads more fluently."


def test_the_next_pep_asks_what_difference_the_funded_lines_made(client, world, funded):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        Pep.objects.filter(pk=funded.pep_id).update(status=Status.FINALISED)
    nxt = started_pep(world, targets=0, **next_term(funded.pep))
    dt(client, world)
    page = ppplus_page(client, nxt)
    due = re.search(r'data-testid="ppplus-impact-due">(.*?)</div>', page, re.S).group(1)
    assert "One-to-one maths tutor" in due and impact_url(funded) in due
    assert "Say what difference it made" in due
    data = {"impact_rating": "some", "impact": "Better", "version": funded.version}
    client.post(impact_url(funded), data)
    assert 'data-testid="ppplus-impact-due"' not in ppplus_page(client, nxt)


# --- The designated teacher's home ------------------------------------------------------


def home(client) -> str:
    response = client.get(reverse("portal:designated_teacher:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_lists_waiting_decided_and_needing_impact(client, world, pp):
    waiting = ask(world, pp, what="Maths tutor")
    funded = ask(world, pp, what="Reading mentor", category="mentoring", amount_pence=20000)
    approved_by_qa(world, pp)
    decide(world, funded)
    page = home(dt(client, world))
    panel = re.search(r'data-testid="ppplus-home".*?</section>', page, re.S).group(0)
    decided = re.search(r'data-testid="ppplus-decided">(.*?)</ul>', panel, re.S).group(1)
    assert "Reading mentor" in decided and "Approved" in decided
    assert "Maths tutor" in re.search(r'ppplus-waiting">(.*?)</ul>', panel, re.S).group(1)
    needing = re.search(r'ppplus-needing-impact">(.*?)</ul>', panel, re.S).group(1)
    assert impact_url(funded) in needing and waiting.what not in needing
    assert "/pupil-premium-plus/policies/?authority=886" in panel


def test_the_home_panel_asks_the_same_queries_however_many_children(client, world, pp):
    ask(world, pp)
    url = reverse("portal:designated_teacher:home")
    before = _count(dt(client, world), url)
    assert before > 0
    for n in range(3):
        child = ChildFactory(local_authority=world.a.la, legal_first_name=f"More{n}")
        EnrolmentFactory(child=child, school=world.shared_school)
        allocation(child)
        ask(world, pep_with_targets(world.a, child, world.shared_school))
    waiting = re.search(r'ppplus-waiting">(.*?)</ul>', home(client), re.S).group(1)
    assert waiting.count("One-to-one maths tutor") == 4  # the new children's lines are there
    assert _count(client, url) == before


# --- The public policies page -----------------------------------------------------------

POLICIES = "/pupil-premium-plus/policies/"


def test_the_policies_page_needs_no_sign_in_and_shows_no_child_data(client, world, pp):
    ask(world, pp)
    response = client.get(POLICIES)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kent" in page and "2026-27" in page
    assert "£2,570.00" in page and "Tuition and catch-up" in page and "School trips" in page
    assert "Kent funds tuition and mentoring" in page
    for child in world.all_children:
        assert child.legal_last_name not in page
    assert "One-to-one maths tutor" not in page


def test_unpublished_policies_are_not_shown_and_the_filter_reads_la_codes(client, world, pp):
    with authority_context(local_authority_ids=[world.b.la.pk]):
        PpPolicy.objects.create(
            local_authority=world.b.la, financial_year=2026, grant_rate_pence=257000
        )
    assert 'id="la-343"' not in client.get(POLICIES).content.decode()
    with authority_context(local_authority_ids=[world.b.la.pk]):
        PpPolicy.objects.filter(local_authority=world.b.la).update(published_at=timezone.now())
    both = client.get(POLICIES).content.decode()
    assert 'id="la-886"' in both and 'id="la-343"' in both
    only = client.get(POLICIES + "?authority=343").content.decode()
    assert 'id="la-343"' in only and 'id="la-886"' not in only
    assert "Showing Sefton" in only
    two = client.get(POLICIES + "?authority=886&authority=343").content.decode()
    assert 'id="la-886"' in two and 'id="la-343"' in two and "Kent and Sefton" in two
    none = client.get(POLICIES + "?authority=999&authority=<script>").content.decode()
    assert "No published policies for these authorities yet." in none


def test_a_school_with_children_of_two_authorities_links_to_both_policies(client, world, pp):
    endorse(world.a.users[Role.DESIGNATED_TEACHER], world.b.la)
    page = home(dt(client, world))
    link = re.search(r'href="([^"]*)" data-testid="ppplus-policies-link"', page).group(1)
    assert link == "/pupil-premium-plus/policies/?authority=343&amp;authority=886"
    policy(world.b.la, published_at=timezone.now())
    both = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'id="la-886"' in both and 'id="la-343"' in both
