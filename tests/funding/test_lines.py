"""PP+ requests in a PEP and the Virtual School's decisions: within the policy, tied to
targets, gated by QA, never taking the budget or a child's allocation below nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from epep.audit.models import AuditEvent
from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.roles import Role
from funding.models import ChildAllocation, LineStatus, PpBudget, PpLine
from funding.services.lines import Decision, pp_line_decide, pp_line_request
from peps.models import Pep, Status
from tests.factories import ChildFactory, EnrolmentFactory, build_world

from .support import DAY, allocation, budget, pep_with_targets, policy, release_ppplus


@pytest.fixture
def pp(world, clock_at):
    clock_at(DAY)
    policy(world.a.la)
    budget(world.a.la)
    allocation(world.a.child)
    return pep_with_targets(world.a, world.a.child, world.shared_school)


def ask(world, pep, *, role=Role.DESIGNATED_TEACHER, **overrides):
    values = {
        "what": "One-to-one maths tutor, 10 sessions",
        "provider": "Kent Tutors Ltd",
        "category": "tuition",
        "amount_pence": 45000,
        "target_ids": pep.target_ids[:1],
    }
    with acting_as(world.a.users[role], role) as actor:
        return pp_line_request(actor=actor, pep=pep, **{**values, **overrides})


def approved_by_qa(world, pep, grade="Green"):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        Pep.objects.filter(pk=pep.pk).update(status=Status.APPROVED)
    release_ppplus(world.a, pep, grade=grade)


def decide(world, line, decision=Decision.APPROVE, *, role=Role.VS_OFFICER, **kwargs):
    with acting_as(world.a.users[role], role) as actor:
        line = PpLine.objects.get(pk=line.pk)
        return pp_line_decide(
            actor=actor, line=line, decision=decision, version=line.version, **kwargs
        )


def totals(world):
    with all_authorities_context():
        b = PpBudget.objects.get(local_authority=world.a.la)
        a = ChildAllocation.objects.get(child=world.a.child)
    return b.committed_pence, a.committed_pence


@pytest.mark.django_db
def test_the_designated_teacher_asks_for_450_pounds_tied_to_a_target(world, pp):
    line = ask(world, pp)
    with all_authorities_context():
        line = PpLine.objects.get(pk=line.pk)
        assert line.status == LineStatus.REQUESTED
        assert line.amount_pence == 45000
        assert line.financial_year == 2026
        assert list(line.targets.all()) == [pp.targets.first()]
        assert AuditEvent.objects.filter(object_type="funding.ppline", action="create").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"target_ids": []}, "targets", "at least one of this PEP's targets"),
        ({"amount_pence": 0}, "amount_pence", "above £0"),
        ({"amount_pence": 70001}, "amount_pence", "most one request can be is £700"),
        ({"category": "enrichment"}, "category", "does not fund enrichment"),
        ({"what": "  "}, "what", "what the money will pay for"),
        ({"exceptional": True}, "end_date", "date the exceptional support ends"),
        ({"exceptional": True, "end_date": DAY, "exit_plan": "x"}, "end_date", "future"),
    ],
)
def test_a_request_outside_the_policy_is_refused_beside_the_field_and_nothing_saved(
    world, pp, overrides, field, words
):
    with pytest.raises(ValidationError) as refused:
        ask(world, pp, **overrides)
    assert words in " ".join(refused.value.message_dict[field])
    with all_authorities_context():
        assert not PpLine.objects.exists()


@pytest.mark.django_db
def test_a_target_of_another_pep_is_refused(world, pp):
    other = pep_with_targets(world.a, world.a.other_child, world.school_a)
    with pytest.raises(ValidationError) as refused:
        ask(world, pp, target_ids=other.target_ids[:1])
    assert "Choose targets of this PEP." in refused.value.message_dict["targets"]


@pytest.mark.django_db
def test_above_the_cap_an_exceptional_request_with_end_date_and_exit_plan_is_taken(world, pp):
    line = ask(
        world,
        pp,
        amount_pence=90000,
        exceptional=True,
        end_date=DAY + timedelta(days=120),
        exit_plan="School funds the sessions from its own budget from Easter.",
    )
    assert line.exceptional and line.end_date == DAY + timedelta(days=120)


@pytest.mark.django_db
def test_a_childs_requests_in_the_year_cannot_pass_the_cap(world, pp):
    for _ in range(4):
        ask(world, pp, amount_pence=45000)  # £1,800 of £2,000
    with pytest.raises(ValidationError) as refused:
        ask(world, pp, amount_pence=45000)
    assert "£200 is left" in refused.value.message_dict["amount_pence"][0]


@pytest.mark.django_db
def test_no_request_for_a_child_who_has_left_the_school(world, pp):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        world.a.child.enrolments.update(end_date=DAY - timedelta(days=1))
    with pytest.raises(ValidationError, match="no longer on roll at the PEP's school"):
        ask(world, pp)


@pytest.mark.django_db
def test_carers_and_social_workers_do_not_ask_for_ppplus(world, pp):
    for role in (Role.CARER, Role.SOCIAL_WORKER, Role.YOUNG_PERSON):
        with pytest.raises(PermissionDenied):
            ask(world, pp, role=role)


@pytest.mark.django_db
def test_approving_without_qa_that_releases_ppplus_is_refused(world, pp):
    line = ask(world, pp)
    with pytest.raises(ValidationError, match="no approved quality assurance"):
        decide(world, line)
    approved_by_qa(world, pp, grade="Red")
    with pytest.raises(ValidationError, match="does not release PP\\+"):
        decide(world, line)
    assert totals(world) == (0, 0)


@pytest.mark.django_db
def test_an_approval_commits_the_budget_and_the_childs_allocation(world, pp):
    line = ask(world, pp)
    approved_by_qa(world, pp)
    line = decide(world, line)
    assert line.status == LineStatus.APPROVED and line.approved_pence == 45000
    assert totals(world) == (45000, 45000)


@pytest.mark.django_db
def test_part_approval_needs_an_amount_below_the_request_and_a_reason(world, pp):
    line = ask(world, pp)
    approved_by_qa(world, pp)
    with pytest.raises(ValidationError) as refused:
        decide(world, line, Decision.PART_APPROVE, approved_pence=30000)
    assert "only part is approved" in refused.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as refused:
        decide(world, line, Decision.PART_APPROVE, approved_pence=45000, reason="Fewer sessions")
    assert "below the £450 asked for" in refused.value.message_dict["approved_pence"][0]
    line = decide(world, line, Decision.PART_APPROVE, approved_pence=30000, reason="6 sessions")
    assert (line.status, line.approved_pence) == (LineStatus.PART_APPROVED, 30000)
    assert totals(world) == (30000, 30000)


@pytest.mark.django_db
def test_declining_needs_a_reason_and_commits_nothing(world, pp):
    line = ask(world, pp)
    with pytest.raises(ValidationError) as refused:
        decide(world, line, Decision.DECLINE)
    assert "why the request is declined" in refused.value.message_dict["reason"][0]
    line = decide(world, line, Decision.DECLINE, reason="School-funded already")
    assert line.status == LineStatus.DECLINED
    assert totals(world) == (0, 0)


@pytest.mark.django_db
def test_a_decision_made_on_an_old_copy_is_refused(world, pp):
    line = ask(world, pp)
    approved_by_qa(world, pp)
    decide(world, line)
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        with pytest.raises(ValidationError, match="changed since you opened it"):
            pp_line_decide(actor=actor, line=line, decision=Decision.APPROVE, version=1)
    assert totals(world) == (45000, 45000)


@pytest.mark.django_db
def test_above_the_threshold_only_the_virtual_school_head_decides(world, pp):
    line = ask(world, pp, amount_pence=60000)
    approved_by_qa(world, pp)
    with pytest.raises(PermissionDenied, match="above £500 are decided by the Virtual School Head"):
        decide(world, line)
    assert decide(world, line, role=Role.VS_HEAD).status == LineStatus.APPROVED


@pytest.mark.django_db
def test_no_approval_takes_the_budget_below_nothing(world, pp):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        PpBudget.objects.filter(local_authority=world.a.la).update(grant_pence=40000)
    line = ask(world, pp)
    approved_by_qa(world, pp)
    with pytest.raises(ValidationError) as refused:
        decide(world, line)
    assert "Only £400 is left in the 2026-27 PP+ budget." in refused.value.messages
    with all_authorities_context():
        assert PpLine.objects.get(pk=line.pk).status == LineStatus.REQUESTED
    assert totals(world) == (0, 0)


@pytest.mark.django_db
def test_no_approval_takes_a_childs_allocation_below_nothing(world, pp):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        ChildAllocation.objects.filter(child=world.a.child).update(allocated_pence=20000)
    line = ask(world, pp)
    approved_by_qa(world, pp)
    with pytest.raises(ValidationError, match="Only £200 is left of this child's PP\\+"):
        decide(world, line)
    assert totals(world) == (0, 0)


@pytest.mark.django_db
def test_the_database_itself_refuses_an_overspent_budget(world, pp):
    from django.db import IntegrityError, transaction

    with authority_context(local_authority_ids=[world.a.la.pk]):
        with pytest.raises(IntegrityError, match="pp_budget_never_overspent"):
            with transaction.atomic():
                PpBudget.objects.filter(local_authority=world.a.la).update(
                    committed_pence=1_000_001
                )


@pytest.mark.django_db(transaction=True)
def test_two_officers_approving_at_once_for_the_last_500_pounds_exactly_one_wins(clock_at):
    """Two real transactions on two connections race for the last £500 of the budget:
    one approval stands, the other is told how little is left, and nothing is
    over-committed."""
    clock_at(DAY)
    world = build_world()
    policy(world.a.la, head_approval_above_pence=None)
    budget(world.a.la, grant=100000, committed=50000)  # £500 left
    second = ChildFactory(local_authority=world.a.la, legal_first_name="Second")
    EnrolmentFactory(child=second, school=world.shared_school)
    lines = []
    for child in (world.a.child, second):
        allocation(child)
        pep = pep_with_targets(world.a, child, world.shared_school)
        lines.append(ask(world, pep, amount_pence=50000))
        approved_by_qa(world, pep)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(line, role):
        try:
            start.wait()
            decide(world, line, role=role)
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(line, role))
        for line, role in zip(lines, (Role.VS_OFFICER, Role.VS_HEAD), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["Only £0 is left in the 2026-27 PP+ budget.", "approved"]
    with all_authorities_context():
        assert PpBudget.objects.get(local_authority=world.a.la).committed_pence == 100000
        assert PpLine.objects.filter(status=LineStatus.APPROVED).count() == 1
