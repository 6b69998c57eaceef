"""The PP+ gate: which PEPs' quality assurance releases PP+ (on a table of cases, in one
query), and the Virtual School Head's decision on a grade that releases it only by
decision."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from epep.audit.models import AuditEvent
from epep.tenancy import clock
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from quality.models import QaReview, ReviewOutcome, ReviewStatus
from quality.selectors.funding_gate import ppplus_release
from quality.services import funding_gate
from quality.services.rubrics import rubric_for_new_review
from tests.quality.queue_factories import submitted_pep

pytestmark = pytest.mark.django_db


APPROVED = (ReviewStatus.COMPLETED, ReviewOutcome.APPROVED)
RETURNED = (ReviewStatus.COMPLETED, ReviewOutcome.RETURNED)
OPEN = (ReviewStatus.IN_PROGRESS, "")


def make_review(world, pep, *, round, state, grade=None, decision=None, reason=""):
    status, outcome = state
    rubric = rubric_for_new_review(local_authority=world.a.la)
    grade_row = rubric.grades.get(label=grade) if grade else None
    return QaReview.objects.create(
        local_authority=world.a.la,
        pep=pep,
        round=round,
        submitted_at=pep.submitted_at,
        officer=world.a.users[Role.VS_OFFICER],
        assigned_at=clock.now(),
        rubric=rubric,
        started_at=clock.now(),
        status=status,
        outcome=outcome,
        return_reason="Targets need dates." if outcome == ReviewOutcome.RETURNED else "",
        computed_grade=grade_row,
        grade=grade_row,
        completed_at=clock.now() + timedelta(minutes=round) if status == "completed" else None,
        funding_decision=decision,
        funding_decision_reason=reason,
    )


#: the PEP's QA rounds [(state, grade, decision)] -> (released, grade shown, words in why)
GATE = {
    "approved Green": ([(APPROVED, "Green", None)], (True, "Green", "releases PP+")),
    "approved Amber, no decision": (
        [(APPROVED, "Amber", None)],
        (False, "Amber", "none is recorded yet"),
    ),
    "approved Amber, released by decision": (
        [(APPROVED, "Amber", True)],
        (True, "Amber", "released by decision: agreed at panel"),
    ),
    "approved Amber, withheld by decision": (
        [(APPROVED, "Amber", False)],
        (False, "Amber", "withheld by decision: agreed at panel"),
    ),
    "approved Red": ([(APPROVED, "Red", None)], (False, "Red", "does not release PP+")),
    "approved without a grade": ([(APPROVED, None, None)], (False, "", "without an overall")),
    "no QA": ([], (False, "", "no approved quality assurance")),
    "returned only": ([(RETURNED, "Red", None)], (False, "", "no approved quality assurance")),
    "being graded": ([(OPEN, "Green", None)], (False, "", "no approved quality assurance")),
    "returned then approved Green": (
        [(RETURNED, "Red", None), (APPROVED, "Green", None)],
        (True, "Green", "releases PP+"),
    ),
    "the latest approval counts": (
        [(APPROVED, "Green", None), (APPROVED, "Red", None)],
        (False, "Red", "does not release PP+"),
    ),
}


def test_the_gate_on_a_table_of_cases(world, clock_at, django_assert_num_queries):
    clock_at(date(2026, 11, 2))
    peps = {}
    for n, (case, (rounds, _)) in enumerate(GATE.items()):
        pep = submitted_pep(world.a, submitted_on=date(2026, 10, 20), last_name=f"Gate{n}")
        peps[case] = pep
        with authority_context(local_authority_ids=[world.a.la.pk]):
            for round, (state, grade, decision) in enumerate(rounds, start=1):
                make_review(
                    world,
                    pep,
                    round=round,
                    state=state,
                    grade=grade,
                    decision=decision,
                    reason="agreed at panel" if decision is not None else "",
                )
    with authority_context(local_authority_ids=[world.a.la.pk]):
        with django_assert_num_queries(1):
            gate = ppplus_release(pep_ids=[p.pk for p in peps.values()])
    for case, (_, (released, grade, why)) in GATE.items():
        release = gate[peps[case].pk]
        assert (release.released, release.grade) == (released, grade), case
        assert why in release.why, (case, release.why)
    with authority_context(local_authority_ids=[world.b.la.pk]):
        # another authority's context sees none of them
        assert not any(
            r.released for r in ppplus_release(pep_ids=[p.pk for p in peps.values()]).values()
        )


@pytest.fixture
def amber(world, clock_at):
    clock_at(date(2026, 11, 2))
    pep = submitted_pep(world.a, submitted_on=date(2026, 10, 20))
    with authority_context(local_authority_ids=[world.a.la.pk]):
        return make_review(world, pep, round=1, state=APPROVED, grade="Amber")


def _decide(user, review, **kwargs):
    with acting_as(user) as actor:
        review = QaReview.objects.select_related("grade", "pep__child").get(pk=review.pk)
        return funding_gate.review_decide_funding(actor=actor, review=review, **kwargs)


def test_the_head_releases_pp_plus_for_amber_with_a_reason(world, amber):
    head = world.a.users[Role.VS_HEAD]
    decided = _decide(head, amber, release=True, reason="Strong plan; panel agreed.", version=1)
    assert (decided.funding_decision, decided.version) == (True, 2)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert ppplus_release(pep_ids=[amber.pep_id])[amber.pep_id].released
        assert AuditEvent.objects.filter(
            action="decide_funding", object_id=str(amber.public_id)
        ).exists()


def test_a_decision_needs_a_reason_and_a_fresh_form(world, amber):
    head = world.a.users[Role.VS_HEAD]
    with pytest.raises(ValidationError) as refused:
        _decide(head, amber, release=True, reason="   ", version=1)
    assert list(refused.value.message_dict) == ["reason"]
    _decide(head, amber, release=False, reason="Targets too weak.", version=1)
    with pytest.raises(ValidationError, match="has changed since you opened it"):
        _decide(head, amber, release=True, reason="Changed my mind.", version=1)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        amber.refresh_from_db()
        assert (amber.funding_decision, amber.funding_decision_reason) == (
            False,
            "Targets too weak.",
        )


def test_only_a_by_decision_grade_on_an_approved_review_is_decided(world, clock_at):
    clock_at(date(2026, 11, 2))
    head = world.a.users[Role.VS_HEAD]
    cases = {"green": (APPROVED, "Green"), "open": (OPEN, "Amber"), "returned": (RETURNED, "Amber")}
    for n, (state, grade) in enumerate(cases.values()):
        pep = submitted_pep(world.a, submitted_on=date(2026, 10, 20), last_name=f"Dec{n}")
        with authority_context(local_authority_ids=[world.a.la.pk]):
            review = make_review(world, pep, round=1, state=state, grade=grade)
        with pytest.raises(ValidationError):
            _decide(head, review, release=True, reason="Because.", version=1)


def test_only_the_head_of_the_authority_decides(world, amber):
    for user in [world.a.users[Role.VS_OFFICER], world.a.users[Role.LA_ADMIN]]:
        with pytest.raises(PermissionDenied):
            _decide(user, amber, release=True, reason="Because.", version=1)
    with acting_as(world.b.users[Role.VS_HEAD], Role.VS_HEAD) as other:
        # another authority's head cannot even read the review ...
        assert not QaReview.objects.filter(pk=amber.pk).exists()
        # ... and is refused if handed it
        with pytest.raises(PermissionDenied):
            funding_gate.review_decide_funding(
                actor=other, review=amber, release=True, reason="Because.", version=1
            )
    with authority_context(local_authority_ids=[world.a.la.pk]):
        amber.refresh_from_db()
        assert amber.funding_decision is None


def test_the_decision_form_the_grading_page_links_to(client, world, amber):
    url = reverse("admin:quality_qareview_funding", args=[amber.pk])
    client.force_login(world.a.users[Role.VS_HEAD])
    page = client.get(url).content.decode()
    assert "releases PP+ only by a decision; none is recorded yet" in page
    refused = client.post(url, {"release": "yes", "reason": " ", "version": 1})
    body = refused.content.decode()
    assert "There is a problem" in body
    assert "Give the reason for the decision" in body
    done = client.post(url, {"release": "yes", "reason": "Panel agreed.", "version": 1})
    assert done.status_code == 302
    stale = client.post(url, {"release": "no", "reason": "Second thoughts.", "version": 1})
    assert "has changed since you opened it" in stale.content.decode()
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert ppplus_release(pep_ids=[amber.pep_id])[amber.pep_id].released

    client.force_login(world.a.users[Role.VS_OFFICER])
    assert client.get(url).status_code == 403
    client.force_login(world.b.users[Role.VS_HEAD])
    assert client.get(url).status_code == 404
    assert client.post(url, {"release": "no", "reason": "x", "version": 2}).status_code == 404
