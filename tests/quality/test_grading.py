"""Grading a submitted PEP: starting a round against the rubric in force, saving grades
(the overall grade worked out), approving or returning; every bad input refused whole."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epep.audit.models import AuditEvent
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from peps.models import Status
from quality.models import (
    CriterionGrade,
    QaReview,
    RubricStatus,
    SectionComment,
)
from quality.selectors.reviews import latest_feedback, pep_qa_history
from quality.services import grading
from tests.peps.conftest import acting
from tests.peps.test_cycle import start

from .grading_support import open_review, reload, small_rubric, submitted_pep

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric(world):
    return small_rubric(world.a.la)


@pytest.fixture
def officer(world):
    return world.a.users[Role.VS_OFFICER]


def started(world, rubric, officer):
    pep = submitted_pep(world)
    with acting(officer) as actor:
        return grading.review_start(actor=actor, pep=pep)


def all_grades(rubric, voice, targets, ppplus, comment=""):
    return {
        rubric.voice.pk: (voice.pk, comment),
        rubric.targets.pk: (targets.pk, comment),
        rubric.ppplus.pk: (ppplus.pk, comment),
    }


def save(officer, review, grades, *, version=None, sections=None, summary="Good PEP."):
    with acting(officer) as actor:
        return grading.review_save(
            actor=actor,
            review=review,
            version=review.version if version is None else version,
            grades=grades,
            section_comments=sections or {},
            summary=summary,
        )


def complete(officer, review, **kwargs):
    with acting(officer) as actor:
        return grading.review_complete(actor=actor, review=review, version=review.version, **kwargs)


def test_starting_grading_self_assigns_and_keeps_the_rubric_in_force(world, rubric, officer):
    review = started(world, rubric, officer)
    assert review.officer_id == officer.pk and review.round == 1
    assert review.status == "in_progress" and review.started_at is not None
    assert review.rubric_id == rubric.rubric.pk
    # A new version published later does not change what this round is graded against.
    with all_authorities_context():
        rubric.rubric.status = RubricStatus.RETIRED
        rubric.rubric.save(update_fields=["status"])
    newer = small_rubric(world.a.la, version=2)
    with all_authorities_context():
        assert QaReview.objects.get(pk=review.pk).rubric_id == rubric.rubric.pk != newer.rubric.pk


def test_starting_again_carries_on_the_same_round(world, rubric, officer):
    review = started(world, rubric, officer)
    with acting(officer) as actor:
        again = grading.review_start(actor=actor, pep=review.pep)
    assert again.pk == review.pk


def test_only_a_submitted_pep_can_be_graded(world, rubric, officer):
    pep = start(world)
    with acting(officer) as actor:
        with pytest.raises(ValidationError, match="Only a submitted PEP can be quality-assured"):
            grading.review_start(actor=actor, pep=pep)
    with all_authorities_context():
        assert not QaReview.objects.filter(pep=pep).exists()


def test_another_authoritys_officer_and_the_school_cannot_grade(world, rubric, officer):
    pep = submitted_pep(world)
    with acting(world.b.users[Role.VS_OFFICER]) as actor:
        with pytest.raises(PermissionDenied):
            grading.review_start(actor=actor, pep=pep)
    with acting(world.a.users[Role.DESIGNATED_TEACHER]) as actor:
        with pytest.raises(PermissionDenied):
            grading.review_start(actor=actor, pep=pep)


def test_an_officer_cannot_grade_a_pep_assigned_to_another(world, rubric, officer):
    pep = submitted_pep(world)
    head = world.a.users[Role.VS_HEAD]
    review = open_review(pep, head, rubric=rubric.rubric)
    with acting(officer) as actor:
        with pytest.raises(PermissionDenied, match="assigned to another officer"):
            grading.review_start(actor=actor, pep=pep)
        with pytest.raises(PermissionDenied):
            grading.review_save(
                actor=actor, review=review, version=1, grades={}, section_comments={}, summary=""
            )


def test_saving_grades_works_out_the_overall_grade_once_all_are_graded(world, rubric, officer):
    review = started(world, rubric, officer)
    partial = {rubric.voice.pk: (rubric.green.pk, "The child's own words.")}
    review = save(officer, review, partial)
    assert review.computed_grade_id is None
    # 40 green + 30 amber + 30 red = 40 + 15 + 0 = 55: Amber (50 or more).
    review = save(
        officer,
        review,
        all_grades(rubric, rubric.green, rubric.amber, rubric.red, "Needs work"),
        sections={rubric.plan_section.pk: "Targets need dates."},
    )
    assert review.computed_grade_id == rubric.amber.pk
    with all_authorities_context():
        assert CriterionGrade.objects.filter(review=review).count() == 3
        assert SectionComment.objects.get(review=review).comment == "Targets need dates."
    # 40 green + 30 green + 30 amber = 85: Green.
    review = save(officer, review, all_grades(rubric, rubric.green, rubric.green, rubric.amber))
    assert review.computed_grade_id == rubric.green.pk
    with all_authorities_context():
        assert not SectionComment.objects.filter(review=review).exists()


def test_a_grade_outside_the_scale_is_refused_beside_the_criterion_and_nothing_saved(
    world, rubric, officer
):
    review = started(world, rubric, officer)
    other = small_rubric(world.b.la)
    with pytest.raises(ValidationError) as error:
        save(
            officer,
            review,
            {
                rubric.voice.pk: (rubric.green.pk, ""),
                rubric.targets.pk: (other.green.pk, "From another rubric"),
            },
        )
    assert error.value.message_dict == {
        f"grade_{rubric.targets.pk}": ["Choose one of: Green, Amber, Red"]
    }
    with all_authorities_context():
        assert not CriterionGrade.objects.filter(review=review).exists()
        assert QaReview.objects.get(pk=review.pk).version == review.version


def test_a_comment_without_a_grade_is_refused_rather_than_lost(world, rubric, officer):
    review = started(world, rubric, officer)
    with pytest.raises(ValidationError) as error:
        save(officer, review, {rubric.voice.pk: (None, "Where is the child's voice?")})
    assert error.value.message_dict == {
        f"grade_{rubric.voice.pk}": ["Choose a grade to go with your comment."]
    }


def test_two_officers_saving_at_once_the_second_is_refused_and_changes_nothing(
    world, rubric, officer
):
    review = started(world, rubric, officer)
    head = world.a.users[Role.VS_HEAD]
    opened = review.version
    save(head, review, {rubric.voice.pk: (rubric.red.pk, "Head's view")}, version=opened)
    with pytest.raises(ValidationError, match="Another officer saved grades for this PEP"):
        save(officer, review, {rubric.voice.pk: (rubric.green.pk, "Mine")}, version=opened)
    with all_authorities_context():
        kept = CriterionGrade.objects.get(review=review)
    assert (kept.grade_id, kept.comment) == (rubric.red.pk, "Head's view")


def test_approving_moves_the_pep_and_records_the_grade(world, rubric, officer):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.green, rubric.green, rubric.green))
    review = complete(officer, review, outcome="approved")
    assert (review.status, review.outcome, review.grade_id) == (
        "completed",
        "approved",
        rubric.green.pk,
    )
    assert review.completed_at is not None
    assert reload(review.pep).status == Status.APPROVED
    with all_authorities_context():
        actions = set(
            AuditEvent.objects.filter(object_type="quality.qareview").values_list(
                "action", flat=True
            )
        )
    assert {"assign", "start", "grade", "complete"} <= actions


def test_completing_needs_every_criterion_graded(world, rubric, officer):
    review = started(world, rubric, officer)
    review = save(officer, review, {rubric.voice.pk: (rubric.green.pk, "")})
    with pytest.raises(ValidationError, match="Not graded yet: Targets are SMART"):
        complete(officer, review, outcome="approved")
    assert reload(review.pep).status == Status.SUBMITTED


def test_an_override_needs_a_reason_which_is_recorded(world, rubric, officer):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.green, rubric.amber, rubric.red))
    with pytest.raises(ValidationError) as error:
        complete(officer, review, outcome="approved", grade_id=rubric.green.pk)
    assert error.value.message_dict == {
        "override_reason": [
            "Say why the overall grade is Green and not Amber, the grade the rubric gives."
        ]
    }
    assert reload(review.pep).status == Status.SUBMITTED
    review = complete(
        officer,
        review,
        outcome="approved",
        grade_id=rubric.green.pk,
        override_reason="PP+ is tied to targets in the EHCP, read together.",
    )
    assert (review.grade_id, review.computed_grade_id) == (rubric.green.pk, rubric.amber.pk)
    assert review.override_reason == "PP+ is tied to targets in the EHCP, read together."


def test_an_overall_grade_outside_the_scale_is_refused(world, rubric, officer):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.green, rubric.green, rubric.green))
    other = small_rubric(world.b.la)
    with pytest.raises(ValidationError) as error:
        complete(officer, review, outcome="approved", grade_id=other.green.pk, override_reason="x")
    assert error.value.message_dict == {"grade": ["Choose one of: Green, Amber, Red"]}


def test_a_return_needs_a_reason_and_lists_the_worst_graded_criteria_to_fix(world, rubric, officer):
    review = started(world, rubric, officer)
    grades = all_grades(rubric, rubric.green, rubric.red, rubric.red)
    grades[rubric.targets.pk] = (rubric.red.pk, "No dates on any target.")
    review = save(officer, review, grades)
    with pytest.raises(ValidationError) as error:
        complete(officer, review, outcome="returned")
    assert error.value.message_dict == {
        "return_reason": ["Say why the PEP is returned, so the school can amend it."]
    }
    with all_authorities_context():
        fixes = grading.default_fixes(review=review)
    assert fixes == [
        "Targets are SMART with owners and dates: No dates on any target.",
        "PP+ costs are linked to targets",
    ]
    review = complete(officer, review, outcome="returned", return_reason="Targets are weak.")
    assert review.outcome == "returned"
    assert review.fixes == [
        "Targets are SMART with owners and dates: No dates on any target.",
        "PP+ costs are linked to targets",
    ]
    pep = reload(review.pep)
    assert (pep.status, pep.return_reason) == (Status.RETURNED, "Targets are weak.")


def test_a_return_keeps_the_fixes_the_officer_wrote(world, rubric, officer):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.green, rubric.green, rubric.green))
    review = complete(
        officer,
        review,
        outcome="returned",
        return_reason="One thing missing.",
        fixes=["Add the date of the next meeting", "  "],
    )
    assert review.fixes == ["Add the date of the next meeting"]


def test_a_return_of_an_all_best_graded_pep_with_nothing_to_fix_is_refused(world, rubric, officer):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.green, rubric.green, rubric.green))
    with pytest.raises(ValidationError) as error:
        complete(officer, review, outcome="returned", return_reason="Hmm.")
    assert error.value.message_dict == {"fixes": ["List at least one thing the school must fix."]}


def test_a_finished_round_cannot_change(world, rubric, officer):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.green, rubric.green, rubric.green))
    review = complete(officer, review, outcome="approved")
    with pytest.raises(ValidationError, match="This QA round is finished"):
        save(officer, review, all_grades(rubric, rubric.red, rubric.red, rubric.red))


def test_a_moderation_round_completes_without_an_outcome_and_leaves_the_pep_alone(
    world, rubric, officer
):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.green, rubric.green, rubric.green))
    complete(officer, review, outcome="approved")
    head = world.a.users[Role.VS_HEAD]
    moderation = open_review(review.pep, head, rubric=rubric.rubric, kind="moderation")
    moderation = save(
        head, moderation, all_grades(rubric, rubric.amber, rubric.amber, rubric.amber)
    )
    with pytest.raises(ValidationError) as error:
        complete(head, moderation, outcome="returned", return_reason="x")
    assert "outcome" in error.value.message_dict
    moderation = complete(head, moderation, outcome=None)
    assert (moderation.status, moderation.outcome) == ("completed", "")
    assert moderation.grade_id == rubric.amber.pk
    assert reload(review.pep).status == Status.APPROVED


def test_the_history_keeps_every_round_and_the_latest_feedback_is_one_query(
    world, rubric, officer, django_assert_num_queries
):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.green, rubric.red, rubric.red))
    complete(officer, review, outcome="returned", return_reason="Weak targets.")
    pep = reload(review.pep)
    from tests.peps.test_cycle import move

    move(world, pep, Role.DESIGNATED_TEACHER, "submitted")
    with acting(officer) as actor:
        second = grading.review_start(actor=actor, pep=pep)
    assert second.round == 2
    second = save(officer, second, all_grades(rubric, rubric.green, rubric.green, rubric.green))
    complete(officer, second, outcome="approved")
    with all_authorities_context():
        with django_assert_num_queries(3):
            rounds = [
                (r.round, r.outcome, r.grade.label, len(r.criterion_grades.all()))
                for r in pep_qa_history(pep=pep)
            ]
        assert rounds == [(2, "approved", "Green", 3), (1, "returned", "Red", 3)]
        with django_assert_num_queries(1):
            latest = latest_feedback(pep_ids=[pep.pk])
        assert latest[pep.pk].round == 2


# --- The grading page in the admin ----------------------------------------------------


def page_url(review) -> str:
    return f"/admin/quality/qareview/{review.pk}/change/"


def form_data(review, rubric, grades, **extra) -> dict:
    data = {"version": review.version, "summary": "", "action": "save"}
    for criterion, (grade, comment) in grades.items():
        data[f"grade_{criterion.pk}"] = grade.pk if grade else ""
        data[f"comment_{criterion.pk}"] = comment
    data.update(extra)
    return data


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def test_the_grading_page_starts_grades_and_shows_the_overall_grade(
    world, rubric, officer, officer_client
):
    pep = submitted_pep(world)
    review = open_review(pep, officer)
    page = officer_client.get(page_url(review)).content.decode()
    assert "Start grading" in page and "Automatic pre-checks" in page
    assert "The child&#x27;s voice is recorded this term" in page
    officer_client.post(f"/admin/quality/qareview/{review.pk}/start/")
    with all_authorities_context():
        review = QaReview.objects.get(pk=review.pk)
    page = officer_client.get(page_url(review)).content.decode()
    assert "Save grades" in page and "Green: the child&#x27;s voice is present and recent" in page
    response = officer_client.post(
        page_url(review),
        form_data(
            review,
            rubric,
            {
                rubric.voice: (rubric.green, "Own words"),
                rubric.targets: (rubric.green, ""),
                rubric.ppplus: (rubric.amber, "Costs vague"),
            },
        ),
        follow=True,
    )
    page = response.content.decode()
    assert "Grades saved." in page
    # 40 + 30 + 15 = 85: Green, shown after the save without JavaScript.
    assert "from the rubric's roll-up rule" in page
    assert 'qa-grade--green">Green</strong>' in page


def test_a_refused_save_keeps_what_was_typed_and_shows_the_errors(
    world, rubric, officer, officer_client
):
    review = started(world, rubric, officer)
    response = officer_client.post(
        page_url(review),
        form_data(
            review,
            rubric,
            {rubric.voice: (None, "Typed but no grade"), rubric.targets: (rubric.red, "Weak")},
            **{f"grade_{rubric.ppplus.pk}": "999999"},
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#id_grade_{rubric.voice.pk}_0">Choose a grade to go with your comment.' in page
    assert "Choose one of: Green, Amber, Red" in page
    assert "Typed but no grade" in page
    with all_authorities_context():
        assert not CriterionGrade.objects.filter(review=review).exists()


def test_returning_from_the_page_needs_a_reason_then_returns_with_what_to_fix(
    world, rubric, officer, officer_client
):
    review = started(world, rubric, officer)
    grades = {
        rubric.voice: (rubric.green, ""),
        rubric.targets: (rubric.red, "No owners"),
        rubric.ppplus: (rubric.green, ""),
    }
    refused = officer_client.post(
        page_url(review), form_data(review, rubric, grades, action="return", return_reason="")
    )
    assert refused.status_code == 400
    assert "Say why the PEP is returned" in refused.content.decode()
    with all_authorities_context():
        # The save and the return are one: the refused return saved no grade either.
        assert not CriterionGrade.objects.filter(review=review).exists()
    done = officer_client.post(
        page_url(review),
        form_data(
            review,
            rubric,
            grades,
            action="return",
            return_reason="Targets need owners.",
            fixes="Name who is responsible for each target",
        ),
        follow=True,
    )
    assert "The PEP is returned to the school." in done.content.decode()
    assert reload(review.pep).status == Status.RETURNED
    with all_authorities_context():
        assert QaReview.objects.get(pk=review.pk).fixes == [
            "Name who is responsible for each target"
        ]
    assert "Round 1: Completed, returned for amendments" in done.content.decode()


def test_a_moderation_page_never_shows_the_first_grading(world, rubric, officer, client):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.red, rubric.red, rubric.red, "Poor"))
    complete(officer, review, outcome="returned", return_reason="Very weak.")
    head = world.a.users[Role.VS_HEAD]
    moderation = open_review(review.pep, head, rubric=rubric.rubric, kind="moderation")
    with all_authorities_context():
        QaReview.objects.filter(pk=moderation.pk).update(status="in_progress")
    client.force_login(head)
    page = client.get(page_url(moderation)).content.decode()
    assert "Complete the moderation grading" in page
    assert "QA history" not in page and "Very weak." not in page and "Poor" not in page


def test_another_authoritys_review_is_not_found(world, rubric, officer, client):
    review = started(world, rubric, officer)
    client.force_login(world.b.users[Role.VS_OFFICER])
    assert client.get(page_url(review)).status_code in (302, 404)
    client.force_login(world.a.users[Role.LA_ADMIN])
    assert client.get(page_url(review)).status_code in (302, 403, 404)


def test_an_authority_without_a_rubric_grades_against_the_default_with_its_prechecks(
    world, officer
):
    from quality.models import Criterion
    from quality.prechecks import prechecks

    pep = submitted_pep(world)
    with acting(officer) as actor:
        review = grading.review_start(actor=actor, pep=pep)
        assert review.rubric.status == RubricStatus.IN_FORCE
        keys = set(
            Criterion.objects.filter(rubric=review.rubric)
            .exclude(precheck="")
            .values_list("precheck", flat=True)
        )
        assert keys == {check.key for check in prechecks(pep=pep)}


def test_an_approval_at_a_grade_releasing_ppplus_by_decision_links_the_head_to_it(
    world, rubric, officer, client
):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.amber, rubric.amber, rubric.amber))
    complete(officer, review, outcome="approved")
    client.force_login(world.a.users[Role.VS_HEAD])
    page = client.get(page_url(review)).content.decode()
    assert "Amber releases PP+ only by a recorded decision" in page
    assert f'href="/admin/quality/qareview/{review.pk}/funding/">Record the PP+ decision' in page
    client.force_login(officer)
    page = client.get(page_url(review)).content.decode()
    assert "Amber releases PP+ only by a recorded decision" in page
    assert "Record the PP+ decision" not in page


def test_a_moderator_sees_no_first_grading_anywhere_while_moderating(
    world, rubric, officer, client
):
    review = started(world, rubric, officer)
    review = save(officer, review, all_grades(rubric, rubric.red, rubric.red, rubric.red, "Poor"))
    complete(officer, review, outcome="returned", return_reason="Very weak.")
    head = world.a.users[Role.VS_HEAD]
    moderation = open_review(review.pep, head, rubric=rubric.rubric, kind="moderation")
    client.force_login(head)
    # The first round's own page and the list of reviews.
    page = client.get(page_url(review)).content.decode()
    assert "Hidden while you moderate this PEP" in page
    assert "Very weak." not in page and "Poor" not in page
    listing = client.get("/admin/quality/qareview/").content.decode()
    assert "Hidden while you moderate this PEP" in listing
    # The PEP in the portal.
    portal = client.get(f"/peps/{review.pep.public_id}/").content.decode()
    assert 'data-testid="qa-feedback"' not in portal
    # Once the moderation is finished, the first grading shows again.
    with all_authorities_context():
        QaReview.objects.filter(pk=moderation.pk).update(status="withdrawn")
    page = client.get(page_url(review)).content.decode()
    assert "Very weak." in page
    assert (
        'data-testid="qa-feedback"' in client.get(f"/peps/{review.pep.public_id}/").content.decode()
    )
