"""The year-end warning: in the first week of February and of March the Virtual School
Head is emailed through the outbox how much PP+ is allocated but not committed or paid;
once per authority, year and month (a second run queues nothing), nothing outside those
weeks, nothing when all is spent, and never about another authority's children."""

from __future__ import annotations

from datetime import date

import pytest

from epep.notifications.models import Notification
from epep.tenancy.context import all_authorities_context, authority_context
from epep.tenancy.roles import Role
from funding import tasks
from funding.models import ChildAllocation
from funding.services.year_end import year_end_warning_due

from .support import allocation

pytestmark = pytest.mark.django_db


def outbox(world):
    with all_authorities_context():
        return list(Notification.objects.filter(dedupe_key__startswith="pp-year-end:"))


@pytest.mark.parametrize(
    ("day", "due"),
    [
        (date(2027, 1, 31), False),
        (date(2027, 2, 1), True),
        (date(2027, 2, 7), True),
        (date(2027, 2, 8), False),
        (date(2027, 3, 3), True),
        (date(2027, 3, 8), False),
        (date(2026, 11, 2), False),
    ],
)
def test_the_warning_is_due_in_the_first_week_of_february_and_march(day, due):
    assert year_end_warning_due(day) is due


def test_the_head_is_warned_once_in_february_and_again_in_march(world, clock_at):
    allocation(world.a.child, allocated=257000)
    allocation(world.b.child, allocated=100000)
    clock_at(date(2027, 2, 2))
    assert tasks.warn_authority_unspent_ppplus.run(world.a.la.pk) == 1
    assert tasks.warn_authority_unspent_ppplus.run(world.a.la.pk) == 0
    [email] = outbox(world)
    assert email.recipient_id == world.a.users[Role.VS_HEAD].pk
    assert email.local_authority_id == world.a.la.pk
    assert "£2,570 of this year's PP+ is allocated to 1 child" in email.body
    assert "31 March" in email.body and "unspent=1" in email.body
    clock_at(date(2027, 2, 20))
    assert tasks.warn_authority_unspent_ppplus.run(world.a.la.pk) == 0
    clock_at(date(2027, 3, 1))
    assert tasks.warn_authority_unspent_ppplus.run(world.a.la.pk) == 1
    assert len(outbox(world)) == 2


def test_nothing_is_sent_when_every_allocation_is_spent(world, clock_at):
    allocation(world.a.child, allocated=50000)
    with authority_context(local_authority_ids=[world.a.la.pk]):
        ChildAllocation.objects.filter(child=world.a.child).update(
            committed_pence=20000, paid_pence=30000
        )
    clock_at(date(2027, 2, 2))
    assert tasks.warn_authority_unspent_ppplus.run(world.a.la.pk) == 0
    assert outbox(world) == []
