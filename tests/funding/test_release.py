"""PP+ without a request: the termly amount released on an approved PEP whose grade
releases it, and committed PP+ following a child who moves school mid-term."""

from __future__ import annotations

from datetime import date

import pytest

from calendars.models import SchoolTerm
from children.services.moves import school_move
from epep.tenancy.actor import acting_as
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.roles import Role
from funding.models import ChildAllocation, LineKind, PpBudget, PpLine
from funding.services.payments import payment_run_build, payment_run_confirm
from funding.services.release import pp_termly_release
from peps.models import Pep, Status

from .support import DAY, allocation, budget, pep_with_targets, policy, release_ppplus
from .test_lines import approved_by_qa, ask, decide


def approved_pep(world, *, grade="Green"):
    pep = pep_with_targets(world.a, world.a.child, world.shared_school)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        Pep.objects.filter(pk=pep.pk).update(
            status=Status.APPROVED, approved_by=world.a.users[Role.VS_OFFICER]
        )
    release_ppplus(world.a, pep, grade=grade)
    return pep


def release(world):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        return pp_termly_release(
            local_authority_id=world.a.la.pk, academic_year="2026-27", term="autumn"
        )


def committed(world):
    with all_authorities_context():
        return (
            PpBudget.objects.get(local_authority=world.a.la).committed_pence,
            ChildAllocation.objects.get(child=world.a.child).committed_pence,
        )


@pytest.fixture
def termly(world, clock_at):
    clock_at(DAY)
    policy(world.a.la, release_model="both", termly_amount_pence=62000)
    budget(world.a.la)
    allocation(world.a.child)


@pytest.mark.django_db
def test_an_approved_green_pep_releases_the_termly_amount_once(world, termly):
    pep = approved_pep(world)
    assert release(world).released == [pep.pk]
    assert release(world).released == []  # idempotent: nothing twice
    with all_authorities_context():
        [line] = PpLine.objects.filter(pep=pep)
    assert (line.kind, line.approved_pence, line.school_id) == (
        LineKind.TERMLY,
        62000,
        world.shared_school.pk,
    )
    assert committed(world) == (62000, 62000)


@pytest.mark.django_db
def test_a_grade_that_releases_only_by_decision_releases_nothing_without_one(world, termly):
    approved_pep(world, grade="Amber")
    assert release(world).released == []
    assert committed(world) == (0, 0)


@pytest.mark.django_db
def test_a_child_with_too_little_left_is_skipped_not_part_funded(world, termly):
    with authority_context(local_authority_ids=[world.a.la.pk]):
        ChildAllocation.objects.filter(child=world.a.child).update(allocated_pence=50000)
    pep = approved_pep(world)
    result = release(world)
    assert result.released == [] and "Too little left" in result.skipped[pep.pk]
    assert committed(world) == (0, 0)


@pytest.mark.django_db
def test_requests_only_policies_release_no_termly_amount(world, clock_at):
    clock_at(DAY)
    policy(world.a.la)
    budget(world.a.la)
    allocation(world.a.child)
    approved_pep(world)
    assert release(world).released == []


def autumn_term(la):
    with authority_context(local_authority_ids=[la.pk]):
        SchoolTerm.objects.create(
            local_authority=la,
            academic_year="2026-27",
            name="Autumn",
            start_date=date(2026, 9, 1),
            end_date=date(2026, 12, 18),
        )


def funded_line(world, amount=62000):
    pep = pep_with_targets(world.a, world.a.child, world.shared_school)
    line = ask(world, pep, amount_pence=amount)
    approved_by_qa(world, pep)
    return decide(world, line, role=Role.VS_HEAD)


def move(world, on):
    with acting_as(world.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        school_move(actor=actor, child=world.a.child, school=world.school_a, start_date=on)


def lines_by_school(world):
    with all_authorities_context():
        return dict(
            PpLine.objects.filter(child=world.a.child).values_list("school_id", "approved_pence")
        )


@pytest.mark.django_db
def test_committed_ppplus_is_split_by_school_days_when_a_child_moves_mid_term(world, clock_at):
    clock_at(DAY)
    policy(world.a.la, line_cap_pence=None, head_approval_above_pence=None)
    budget(world.a.la)
    allocation(world.a.child)
    autumn_term(world.a.la)
    funded_line(world, 62000)
    move(world, date(2026, 11, 16))
    shares = lines_by_school(world)
    # 1 Sep-13 Nov: 54 school days at the old school; 16 Nov-18 Dec: 25 at the new one.
    assert shares == {world.shared_school.pk: 42380, world.school_a.pk: 19620}
    assert sum(shares.values()) == 62000
    assert committed(world) == (62000, 62000)  # the money is the same, only who gets it


@pytest.mark.django_db
def test_with_the_new_school_rule_all_of_it_follows_the_child(world, clock_at):
    clock_at(DAY)
    policy(world.a.la, transfer_rule="new_school", head_approval_above_pence=None)
    budget(world.a.la)
    allocation(world.a.child)
    autumn_term(world.a.la)
    funded_line(world, 45000)
    move(world, date(2026, 11, 16))
    assert lines_by_school(world) == {world.school_a.pk: 45000}


@pytest.mark.django_db
def test_a_line_already_in_a_payment_run_stays_with_the_old_school(world, clock_at):
    clock_at(DAY)
    policy(world.a.la, head_approval_above_pence=None)
    budget(world.a.la)
    allocation(world.a.child)
    autumn_term(world.a.la)
    funded_line(world, 45000)
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        run = payment_run_build(
            actor=actor, local_authority=world.a.la, academic_year="2026-27", term="autumn"
        )
        payment_run_confirm(actor=actor, run=run, version=run.version)
    move(world, date(2026, 11, 16))
    assert lines_by_school(world) == {world.shared_school.pk: 45000}
