"""Payment runs: approved lines batched per term, confirmed, paid once; remittance advice
by initials and reference only; the impact a funded line made."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role
from funding.exports import finance_csv, initials, remittance_csv, run_reference
from funding.models import ChildAllocation, Payment, PaymentRunStatus, PpBudget, PpLine
from funding.selectors import funded_lines_without_impact, spend_by
from funding.services.lines import Decision, pp_line_record_impact
from funding.services.payments import (
    payment_run_build,
    payment_run_confirm,
    payment_run_mark_paid,
)

from .support import DAY, allocation, budget, pep_with_targets, policy
from .test_lines import approved_by_qa, ask, decide


@pytest.fixture
def funded(world, clock_at):
    """£450 approved for ``world.a.child`` in the autumn term."""
    clock_at(DAY)
    policy(world.a.la)
    budget(world.a.la)
    allocation(world.a.child)
    pep = pep_with_targets(world.a, world.a.child, world.shared_school)
    line = ask(world, pep)
    approved_by_qa(world, pep)
    return decide(world, line, Decision.APPROVE)


def head(world):
    return acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD)


def build(world):
    with head(world) as actor:
        return payment_run_build(
            actor=actor, local_authority=world.a.la, academic_year="2026-27", term="autumn"
        )


def money(world):
    with all_authorities_context():
        b = PpBudget.objects.get(local_authority=world.a.la)
        a = ChildAllocation.objects.get(child=world.a.child)
    return (b.committed_pence, b.paid_pence), (a.committed_pence, a.paid_pence)


@pytest.mark.django_db
def test_a_run_pays_the_approved_line_once_and_moves_the_money_from_committed_to_paid(
    world, funded
):
    run = build(world)
    again = build(world)
    assert again.pk == run.pk
    with all_authorities_context():
        assert Payment.objects.filter(run=run).count() == 1
    with head(world) as actor:
        run = payment_run_confirm(actor=actor, run=run, version=again.version)
        run = payment_run_mark_paid(
            actor=actor, run=run, version=run.version, paid_on=DAY, reference="FIN-2026-0042"
        )
    assert run.status == PaymentRunStatus.PAID
    assert money(world) == ((0, 45000), (0, 45000))
    # A new run for the term finds nothing left to pay.
    second = build(world)
    assert second.pk != run.pk
    with all_authorities_context():
        assert not Payment.objects.filter(run=second).exists()


@pytest.mark.django_db
def test_a_paid_run_is_locked_and_cannot_be_paid_twice(world, funded):
    run = build(world)
    with head(world) as actor:
        run = payment_run_confirm(actor=actor, run=run, version=run.version)
        run = payment_run_mark_paid(
            actor=actor, run=run, version=run.version, paid_on=DAY, reference="FIN-1"
        )
        with pytest.raises(ValidationError, match="has been paid"):
            payment_run_mark_paid(
                actor=actor, run=run, version=run.version, paid_on=DAY, reference="FIN-2"
            )
    assert money(world) == ((0, 45000), (0, 45000))


@pytest.mark.django_db
def test_marking_paid_needs_a_date_not_in_the_future_and_a_reference(world, funded):
    run = build(world)
    with head(world) as actor:
        run = payment_run_confirm(actor=actor, run=run, version=run.version)
        with pytest.raises(ValidationError) as refused:
            payment_run_mark_paid(
                actor=actor,
                run=run,
                version=run.version,
                paid_on=DAY + timedelta(days=1),
                reference=" ",
            )
    assert refused.value.message_dict == {
        "paid_on": ["The date paid cannot be in the future."],
        "reference": ["Enter the finance system's reference for the payment."],
    }
    assert money(world) == ((45000, 0), (45000, 0))


@pytest.mark.django_db
def test_an_empty_run_cannot_be_confirmed(world, clock_at):
    clock_at(DAY)
    run = build(world)
    with head(world) as actor, pytest.raises(ValidationError, match="nothing to pay"):
        payment_run_confirm(actor=actor, run=run, version=run.version)


@pytest.mark.django_db
def test_the_remittance_names_children_by_initials_and_reference_never_name_or_upn(world, funded):
    run = build(world)
    with all_authorities_context():
        text = remittance_csv(run)
        finance = finance_csv(run)
        line = PpLine.objects.get()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2] == "I.C." and rows[1][6] == "450.00"
    child = world.a.child
    assert child.legal_last_name not in text and child.upn not in text
    assert str(line.public_id)[:8] in text
    finance_rows = list(csv.reader(io.StringIO(finance)))
    assert finance_rows[1][:4] == ["Shared Academy", world.shared_school.urn, "45000", "450.00"]
    assert finance_rows[1][4] == run_reference(run)


def test_initials():
    assert initials("Amira", "Khan") == "A.K."
    assert initials("  ", "O'Neill") == "O."


@pytest.mark.django_db
def test_the_school_records_the_impact_and_the_line_leaves_the_missing_impact_list(world, funded):
    with head(world) as actor:
        assert list(funded_lines_without_impact(actor=actor)) == [funded]
    with acting_as(world.a.users[Role.DESIGNATED_TEACHER], Role.DESIGNATED_TEACHER) as actor:
        with pytest.raises(ValidationError) as refused:
            pp_line_record_impact(
                actor=actor, line=funded, version=funded.version, rating="", impact=""
            )
        assert set(refused.value.message_dict) == {"impact_rating", "impact"}
        pp_line_record_impact(
            actor=actor,
            line=funded,
            version=funded.version,
            rating="big",
            impact="Maths assessment up from working towards to expected.",
        )
    with head(world) as actor:
        assert list(funded_lines_without_impact(actor=actor)) == []


@pytest.mark.django_db
def test_spend_by_school_adds_up_in_sql(world, funded, django_assert_max_num_queries):
    with head(world) as actor, django_assert_max_num_queries(1):
        [row] = list(spend_by(actor=actor, financial_year=2026, by="school"))
    assert (row["requested"], row["approved"], row["paid"]) == (45000, 45000, 0)
