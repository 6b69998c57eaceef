"""Assigning submitted PEPs to Virtual School officers, and the authority's QA policy."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from epep.audit.models import AuditEvent
from epep.tenancy.actor import acting_as
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps.models import Status
from quality.models import QaPolicy, QaReview, ReviewStatus
from quality.selectors.queue import DEFAULT_TURNAROUND_WORKING_DAYS, qa_policy_for
from quality.services.assignment import review_assign
from quality.services.policy import qa_policy_update

from .queue_factories import submitted_pep

pytestmark = pytest.mark.django_db


@pytest.fixture
def today(clock_at):
    clock_at(date(2026, 11, 20))
    return date(2026, 11, 20)


def _reviews(world, pep):
    with authority_context(local_authority_ids=[world.a.la.pk, world.b.la.pk]):
        return list(QaReview.objects.filter(pep=pep).order_by("round", "pk"))


def test_assigning_creates_the_first_round_for_the_officer(world, today):
    pep = submitted_pep(world.a, submitted_on=date(2026, 11, 16))
    head, officer = world.a.users[Role.VS_HEAD], world.a.users[Role.VS_OFFICER]
    with acting_as(head, Role.VS_HEAD) as actor:
        (review,) = review_assign(actor=actor, pep_ids=[pep.pk], officer=officer)
    assert review.officer == officer
    assert review.assigned_by == head
    assert review.round == 1
    assert review.status == ReviewStatus.ASSIGNED
    assert review.submitted_at == pep.submitted_at
    with authority_context(local_authority_ids=[world.a.la.pk]):
        assert AuditEvent.objects.filter(
            action="assign", object_id=str(review.public_id), local_authority=world.a.la
        ).exists()


def test_assigning_again_hands_the_open_review_over(world, today):
    pep = submitted_pep(world.a, submitted_on=date(2026, 11, 16))
    head, officer = world.a.users[Role.VS_HEAD], world.a.users[Role.VS_OFFICER]
    with acting_as(officer, Role.VS_OFFICER) as actor:
        review_assign(actor=actor, pep_ids=[pep.pk], officer=officer)
    with acting_as(officer, Role.VS_OFFICER) as actor:
        (again,) = review_assign(actor=actor, pep_ids=[pep.pk], officer=head)
    reviews = _reviews(world, pep)
    assert [(r.round, r.officer_id) for r in reviews] == [(1, head.pk)]
    assert again.pk == reviews[0].pk


def test_the_round_counts_earlier_primary_reviews_but_not_withdrawn_ones(world, today):
    pep = submitted_pep(world.a, submitted_on=date(2026, 11, 16))
    officer = world.a.users[Role.VS_OFFICER]
    with acting_as(officer, Role.VS_OFFICER) as actor:
        (first,) = review_assign(actor=actor, pep_ids=[pep.pk], officer=officer)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        QaReview.objects.filter(pk=first.pk).update(status=ReviewStatus.COMPLETED)
    with acting_as(officer, Role.VS_OFFICER) as actor:
        (second,) = review_assign(actor=actor, pep_ids=[pep.pk], officer=officer)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        QaReview.objects.filter(pk=second.pk).update(status=ReviewStatus.WITHDRAWN)
    with acting_as(officer, Role.VS_OFFICER) as actor:
        (third,) = review_assign(actor=actor, pep_ids=[pep.pk], officer=officer)
    assert (first.round, second.round, third.round) == (1, 2, 2)


def test_bulk_assignment_gives_each_pep_one_review(world, today):
    peps = [submitted_pep(world.a, submitted_on=date(2026, 11, d)) for d in (10, 11, 12)]
    officer = world.a.users[Role.VS_OFFICER]
    with acting_as(officer, Role.VS_OFFICER) as actor:
        reviews = review_assign(actor=actor, pep_ids=[p.pk for p in peps], officer=officer)
    assert sorted(r.pep_id for r in reviews) == sorted(p.pk for p in peps)
    assert all(len(_reviews(world, p)) == 1 for p in peps)


def test_only_the_authoritys_virtual_school_staff_can_be_given_a_pep(world, today):
    pep = submitted_pep(world.a, submitted_on=date(2026, 11, 16))
    officer = world.a.users[Role.VS_OFFICER]
    for wrong in (world.a.users[Role.LA_ADMIN], world.b.users[Role.VS_OFFICER]):
        with acting_as(officer, Role.VS_OFFICER) as actor:
            with pytest.raises(ValidationError) as error:
                review_assign(actor=actor, pep_ids=[pep.pk], officer=wrong)
        assert "Virtual School staff" in str(error.value.message_dict["officer"])
    assert _reviews(world, pep) == []


def test_a_pep_that_is_not_submitted_cannot_be_assigned_and_nothing_is_half_saved(world, today):
    waiting = submitted_pep(world.a, submitted_on=date(2026, 11, 16))
    approved = submitted_pep(world.a, submitted_on=date(2026, 11, 16), status=Status.APPROVED)
    officer = world.a.users[Role.VS_OFFICER]
    with acting_as(officer, Role.VS_OFFICER) as actor:
        with pytest.raises(ValidationError, match="no longer submitted"):
            review_assign(actor=actor, pep_ids=[waiting.pk, approved.pk], officer=officer)
    assert _reviews(world, waiting) == []


def test_another_authoritys_pep_is_not_found(world, today):
    theirs = submitted_pep(world.b, submitted_on=date(2026, 11, 16))
    officer = world.a.users[Role.VS_OFFICER]
    with acting_as(officer, Role.VS_OFFICER) as actor:
        with pytest.raises(ValidationError, match="not found"):
            review_assign(actor=actor, pep_ids=[theirs.pk], officer=officer)
    assert _reviews(world, theirs) == []


@pytest.mark.parametrize(
    "role", [Role.LA_ADMIN, Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER, Role.CARER]
)
def test_only_virtual_school_staff_assign(world, today, role):
    pep = submitted_pep(world.a, submitted_on=date(2026, 11, 16))
    with acting_as(world.a.users[role], role) as actor:
        with pytest.raises(PermissionDenied):
            review_assign(actor=actor, pep_ids=[pep.pk], officer=world.a.users[Role.VS_OFFICER])
    assert _reviews(world, pep) == []


# -- QA policy ------------------------------------------------------------------------------


def test_an_authority_without_a_policy_works_to_the_defaults(world):
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD):
        policy = qa_policy_for(world.a.la.pk)
    assert policy.pk is None
    assert policy.turnaround_working_days == DEFAULT_TURNAROUND_WORKING_DAYS == 10
    assert policy.moderation_share_percent == 10
    assert policy.version == 0


def test_the_head_sets_the_policy_and_a_stale_form_changes_nothing(world):
    head = world.a.users[Role.VS_HEAD]
    with acting_as(head, Role.VS_HEAD) as actor:
        policy = qa_policy_update(
            actor=actor,
            local_authority=world.a.la,
            turnaround_working_days=15,
            moderation_share_percent=20,
            version=0,
        )
    assert (policy.turnaround_working_days, policy.moderation_share_percent) == (15, 20)
    with acting_as(world.a.users[Role.LA_ADMIN], Role.LA_ADMIN) as actor:
        policy = qa_policy_update(
            actor=actor,
            local_authority=world.a.la,
            turnaround_working_days=12,
            moderation_share_percent=20,
            version=policy.version,
        )
    assert policy.turnaround_working_days == 12
    with acting_as(head, Role.VS_HEAD) as actor:
        with pytest.raises(ValidationError, match="has changed since you opened it"):
            qa_policy_update(
                actor=actor,
                local_authority=world.a.la,
                turnaround_working_days=30,
                moderation_share_percent=5,
                version=1,
            )
        assert qa_policy_for(world.a.la.pk).turnaround_working_days == 12


@pytest.mark.parametrize(
    ("turnaround", "share", "field"),
    [
        (0, 10, "turnaround_working_days"),
        (61, 10, "turnaround_working_days"),
        (10, 101, "moderation_share_percent"),
    ],
)
def test_a_policy_out_of_range_is_refused_beside_the_field(world, turnaround, share, field):
    with acting_as(world.a.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        with pytest.raises(ValidationError) as error:
            qa_policy_update(
                actor=actor,
                local_authority=world.a.la,
                turnaround_working_days=turnaround,
                moderation_share_percent=share,
                version=0,
            )
        assert field in error.value.message_dict
        assert not QaPolicy.objects.filter(local_authority=world.a.la).exists()


def test_an_officer_or_another_authority_cannot_change_the_policy(world):
    with acting_as(world.a.users[Role.VS_OFFICER], Role.VS_OFFICER) as actor:
        with pytest.raises(PermissionDenied):
            qa_policy_update(
                actor=actor,
                local_authority=world.a.la,
                turnaround_working_days=5,
                moderation_share_percent=10,
                version=0,
            )
    with acting_as(world.b.users[Role.VS_HEAD], Role.VS_HEAD) as actor:
        with pytest.raises(PermissionDenied):
            qa_policy_update(
                actor=actor,
                local_authority=world.a.la,
                turnaround_working_days=5,
                moderation_share_percent=10,
                version=0,
            )


@pytest.mark.django_db(transaction=True)
def test_two_officers_assigning_the_same_pep_at_once_make_one_review(clock_at):
    """Two real transactions on two connections: the PEP is locked, so the second hands
    over the review the first created instead of creating another."""
    import threading

    from django.db import connection

    from tests.factories import build_world

    clock_at(date(2026, 11, 20))
    world = build_world()
    pep = submitted_pep(world.a, submitted_on=date(2026, 11, 16))
    start = threading.Barrier(2)
    outcomes: list = []

    def assign(role):
        user = world.a.users[role]
        try:
            start.wait()
            with acting_as(user, role) as actor:
                (review,) = review_assign(actor=actor, pep_ids=[pep.pk], officer=user)
            outcomes.append(review.pk)
        except Exception as error:  # reported below: the test fails on any
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=assign, args=(r,)) for r in (Role.VS_OFFICER, Role.VS_HEAD)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    reviews = _reviews(world, pep)
    assert len(reviews) == 1 and reviews[0].round == 1
    assert outcomes == [reviews[0].pk, reviews[0].pk]
