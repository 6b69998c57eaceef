"""QA selectors: the queue of submitted PEPs, the authority's QA policy and its officers.

Everything starts from ``peps.selectors.peps_for(actor=...)`` (the same access path as the
portal, row-level security underneath)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import F, FilteredRelation, Q, QuerySet

from calendars.days import add_working_days, local_date, working_days_between
from epep.tenancy.access import fetch_or_404
from epep.tenancy.roles import VIRTUAL_SCHOOL_ROLES
from peps.models import Status
from peps.selectors import peps_for

from ..models import OPEN_REVIEW_STATUSES, QaPolicy, QaQueueEntry, ReviewKind

#: The turnaround an authority without a QA policy row works to.
DEFAULT_TURNAROUND_WORKING_DAYS = 10


def qa_policy_for(local_authority_id: int) -> QaPolicy:
    """The authority's QA policy, or the defaults (an unsaved row, ``pk`` None)."""
    policy = QaPolicy.objects.filter(local_authority_id=local_authority_id).first()
    return policy or QaPolicy(
        local_authority_id=local_authority_id,
        turnaround_working_days=DEFAULT_TURNAROUND_WORKING_DAYS,
        version=0,
    )


def qa_policies_for(*, actor) -> QuerySet[QaPolicy]:
    return QaPolicy.objects.filter(local_authority_id__in=actor.authority_ids)


def qa_officers_for(*, actor) -> QuerySet:
    """The Virtual School staff of the actor's authorities (active accounts), by name."""
    User = get_user_model()
    return (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=list(VIRTUAL_SCHOOL_ROLES),
            memberships__local_authority_id__in=actor.authority_ids,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def is_qa_officer_of(user, local_authority_id: int) -> bool:
    """Is ``user`` an active member of the authority's Virtual School staff?"""
    return (
        user is not None
        and user.is_active
        and user.memberships.filter(
            is_active=True,
            role__in=list(VIRTUAL_SCHOOL_ROLES),
            local_authority_id=local_authority_id,
        ).exists()
    )


def queue_for(*, actor) -> QuerySet[QaQueueEntry]:
    """The submitted PEPs of the actor's authorities, oldest submission first, each with
    its open primary review's id and officer (``open_review_id``, ``officer_id``,
    ``officer_name``) in the same query."""
    scoped = peps_for(actor=actor).filter(status=Status.SUBMITTED).values("pk")
    return (
        QaQueueEntry.objects.filter(pk__in=scoped)
        .annotate(
            open_review=FilteredRelation(
                "qa_reviews",
                condition=Q(
                    qa_reviews__kind=ReviewKind.PRIMARY,
                    qa_reviews__status__in=OPEN_REVIEW_STATUSES,
                ),
            ),
            open_review_id=F("open_review__id"),
            officer_id=F("open_review__officer_id"),
            officer_name=F("open_review__officer__full_name"),
        )
        .select_related("child", "school", "local_authority")
        .order_by("submitted_at", "pk")
    )


def waiting_working_days(submitted_at, on: date) -> int:
    """Working days since submission (0 on the day it came in)."""
    if submitted_at is None:
        return 0
    return working_days_between(local_date(submitted_at), on)


def qa_due_date(submitted_at, turnaround_working_days: int) -> date | None:
    if submitted_at is None:
        return None
    return add_working_days(local_date(submitted_at), turnaround_working_days)


def access_queue_entry_by_id(*, actor, pep_id: int, queryset=None) -> QaQueueEntry:
    """One PEP of the queue (by primary key, as the admin names it): 404 for missing and
    refused alike. ``queryset`` narrows ``queue_for(actor=actor)`` (the admin's own
    annotations)."""
    return fetch_or_404(
        queryset if queryset is not None else queue_for(actor=actor),
        actor=actor,
        object_type="peps.pep",
        public_id=pep_id,
        lookup="pk",
        message="No PEP found",
    )


__all__ = [
    "DEFAULT_TURNAROUND_WORKING_DAYS",
    "access_queue_entry_by_id",
    "is_qa_officer_of",
    "qa_due_date",
    "qa_officers_for",
    "qa_policies_for",
    "qa_policy_for",
    "queue_for",
    "waiting_working_days",
]
