"""What the school sees of QA: the grade and feedback on the PEP page (every earlier round
under QA history), the latest outcome on the designated teacher's home page, and the
automatic pre-checks before submission."""

from __future__ import annotations

import pytest

from epep.tenancy import clock
from epep.tenancy.roles import Role
from tests.peps.conftest import acting
from tests.peps.test_cycle import fill, move, start

from .grading_support import reload, small_rubric, submitted_pep
from .test_grading import all_grades, complete, save

pytestmark = pytest.mark.django_db


def graded(world, rubric, *, outcome, grades, **kwargs):
    from quality.services import grading

    officer = world.a.users[Role.VS_OFFICER]
    pep = submitted_pep(world) if "pep" not in kwargs else kwargs.pop("pep")
    with acting(officer) as actor:
        review = grading.review_start(actor=actor, pep=pep)
    review = save(
        officer,
        review,
        grades,
        sections={rubric.plan_section.pk: "Targets need owners."},
        summary=kwargs.pop("summary", "A clear plan."),
    )
    complete(officer, review, outcome=outcome, **kwargs)
    return reload(pep)


def pep_page(client, world, pep, role=Role.DESIGNATED_TEACHER) -> str:
    client.force_login(world.a.users[role])
    response = client.get(f"/peps/{pep.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def rubric(world):
    return small_rubric(world.a.la)


def test_the_school_sees_the_grade_the_reason_and_what_to_fix(client, world, rubric):
    grades = all_grades(rubric, rubric.green, rubric.red, rubric.red)
    pep = graded(
        world,
        rubric,
        outcome="returned",
        grades=grades,
        return_reason="The targets are not SMART.",
        fixes=["Name who is responsible for each target", "Tie PP+ to a target"],
        summary="The child's voice is strong.",
    )
    page = pep_page(client, world, pep)
    assert 'data-testid="qa-feedback"' in page
    assert 'govuk-tag--red" data-testid="qa-grade">Red</strong>' in page
    assert "The child&#x27;s voice is strong." in page
    assert "The targets are not SMART." in page
    assert "<li>Name who is responsible for each target</li>" in page
    assert "<li>Tie PP+ to a target</li>" in page
    assert "Targets need owners." in page  # the comment on the section
    assert "QA history" not in page  # only one round so far


def test_every_earlier_round_is_kept_under_qa_history(client, world, rubric):
    pep = graded(
        world,
        rubric,
        outcome="returned",
        grades=all_grades(rubric, rubric.green, rubric.red, rubric.red),
        return_reason="Weak targets.",
    )
    move(world, pep, Role.DESIGNATED_TEACHER, "submitted")
    pep = graded(
        world,
        rubric,
        pep=reload(pep),
        outcome="approved",
        grades=all_grades(rubric, rubric.green, rubric.green, rubric.green),
    )
    page = pep_page(client, world, pep)
    latest, history = page.split('data-testid="qa-history"')
    assert 'data-testid="qa-grade">Green</strong>' in latest
    assert "QA history: 1 earlier round" in history
    assert "Weak targets." in history and 'data-testid="qa-round-1"' in history


def test_the_carer_does_not_see_the_qa_feedback(client, world, rubric):
    pep = graded(
        world,
        rubric,
        outcome="returned",
        grades=all_grades(rubric, rubric.red, rubric.red, rubric.red),
        return_reason="Poor.",
    )
    page = pep_page(client, world, pep, role=Role.CARER)
    assert 'data-testid="qa-feedback"' not in page


def test_the_designated_teacher_sees_the_prechecks_before_submitting_only(client, world):
    pep = start(world)
    fill(world, pep)
    assert 'data-testid="qa-prechecks"' not in pep_page(client, world, pep)  # draft
    move(world, pep, Role.SOCIAL_WORKER, "meeting_held", meeting_date=clock.today())
    page = pep_page(client, world, pep)
    assert 'data-testid="qa-prechecks"' in page
    section = page.split('data-testid="precheck-next_meeting"')[1].split("</div>")[0]
    assert "Needs attention" in section and "No next PEP meeting is booked." in section
    assert 'data-testid="qa-prechecks"' not in pep_page(client, world, pep, role=Role.CARER)
    move(world, pep, Role.DESIGNATED_TEACHER, "submitted")
    assert 'data-testid="qa-prechecks"' not in pep_page(client, world, pep)


def test_the_designated_teachers_home_shows_each_childs_latest_qa_outcome(client, world, rubric):
    graded(
        world,
        rubric,
        outcome="returned",
        grades=all_grades(rubric, rubric.green, rubric.red, rubric.red),
        return_reason="Weak targets.",
        fixes=["One", "Two", "Three"],
    )
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get("/designated-teacher/").content.decode()
    (row,) = page.split('data-testid="qa-outcome"')[1:]
    assert world.a.child.display_name in row
    assert "Returned: 3 things to fix" in row
    assert 'data-testid="qa-grade">Red</strong>' in row
    assert f"/peps/{_pep(world).public_id}/#qa-feedback" in row


def _pep(world):
    from epep.tenancy.context import all_authorities_context
    from peps.models import Pep

    with all_authorities_context():
        return Pep.objects.get(child=world.a.child)


def test_the_home_page_says_nothing_of_qa_before_any_pep_is_quality_assured(client, world):
    client.force_login(world.a.users[Role.DESIGNATED_TEACHER])
    page = client.get("/designated-teacher/").content.decode()
    assert world.a.child.display_name in page
    assert 'data-testid="qa-feedback-home"' not in page
