"""Reminders at 10, 5 and 1 school days before a PEP deadline, escalation when overdue,
each email queued exactly once however often the sweep runs."""

from datetime import date

import pytest

from calendars.days import add_working_days
from deadlines.models import Deadline, Task
from deadlines.reminders import escalations_due, reminder_due, reminders_sweep
from epep.notifications.models import Notification
from epep.tenancy.context import all_authorities_context
from epep.tenancy.roles import Role

MONDAY = date(2026, 11, 16)


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [
        (12, None),
        (11, None),
        (10, "reminder_10"),
        (6, "reminder_10"),
        (5, "reminder_5"),
        (2, "reminder_5"),
        (1, "reminder_1"),
        (0, "reminder_1"),
        (-1, None),
    ],
)
def test_the_most_urgent_reminder_that_applies(days_left, kind):
    assert reminder_due(days_left) == kind


@pytest.mark.parametrize(
    ("overdue", "kinds"),
    [
        (0, []),
        (1, ["escalation_officer"]),
        (9, ["escalation_officer"]),
        (10, ["escalation_officer", "escalation_head"]),
    ],
)
def test_escalation_to_the_officer_then_the_head(overdue, kinds):
    assert escalations_due(overdue) == kinds


def deadline(world, due, *, assignee=None, met=False):
    with all_authorities_context():
        made = Deadline.objects.create(
            local_authority=world.a.la,
            child=world.a.child,
            kind="first_pep",
            trigger_date=date(2026, 10, 1),
            due_date=due,
            source="test",
            met_on=date(2026, 11, 1) if met else None,
        )
        if assignee is not None:
            Task.objects.create(
                local_authority=world.a.la,
                child=world.a.child,
                deadline=made,
                assignee=assignee,
                kind="complete_pep",
                title="Complete the PEP",
                due_date=due,
            )
    return made


def outbox():
    with all_authorities_context():
        return list(Notification.objects.order_by("id").values_list("recipient__email", "kind"))


@pytest.mark.django_db
def test_a_reminder_goes_to_the_person_responsible_once(world):
    dt = world.a.users[Role.DESIGNATED_TEACHER]
    deadline(world, add_working_days(MONDAY, 5), assignee=dt)
    assert reminders_sweep(local_authority_id=world.a.la.pk, today=MONDAY) == 1
    assert reminders_sweep(local_authority_id=world.a.la.pk, today=MONDAY) == 0
    assert outbox() == [(dt.email, "reminder_5")]
    # Four working days later the 1-day reminder follows, once.
    later = add_working_days(MONDAY, 4)
    assert reminders_sweep(local_authority_id=world.a.la.pk, today=later) == 1
    assert outbox() == [(dt.email, "reminder_5"), (dt.email, "reminder_1")]


@pytest.mark.django_db
def test_an_overdue_pep_escalates_to_the_officer_then_the_head(world):
    deadline(world, MONDAY)
    officer = world.a.users[Role.VS_OFFICER]
    head = world.a.users[Role.VS_HEAD]
    reminders_sweep(local_authority_id=world.a.la.pk, today=add_working_days(MONDAY, 3))
    assert outbox() == [(officer.email, "escalation_officer")]
    reminders_sweep(local_authority_id=world.a.la.pk, today=add_working_days(MONDAY, 12))
    reminders_sweep(local_authority_id=world.a.la.pk, today=add_working_days(MONDAY, 13))
    assert outbox() == [(officer.email, "escalation_officer"), (head.email, "escalation_head")]
    with all_authorities_context():
        assert all(n.is_escalation for n in Notification.objects.all())
    # Another authority's Virtual School hears nothing.
    assert world.b.users[Role.VS_OFFICER].email not in {email for email, _ in outbox()}


@pytest.mark.django_db
def test_a_met_deadline_sends_nothing(world):
    deadline(world, MONDAY, assignee=world.a.users[Role.DESIGNATED_TEACHER], met=True)
    assert reminders_sweep(local_authority_id=world.a.la.pk, today=add_working_days(MONDAY, 3)) == 0
    assert outbox() == []


@pytest.mark.django_db
def test_the_email_names_the_child_by_initials_only(world):
    deadline(world, add_working_days(MONDAY, 1), assignee=world.a.users[Role.DESIGNATED_TEACHER])
    reminders_sweep(local_authority_id=world.a.la.pk, today=MONDAY)
    with all_authorities_context():
        [note] = Notification.objects.all()
    assert world.a.child.legal_last_name not in note.subject + note.body
    assert "PEP due for" in note.subject


@pytest.mark.django_db
def test_the_beat_sweep_queues_one_job_per_authority(world):
    from unittest import mock

    from deadlines import tasks

    with mock.patch.object(tasks.sweep_authority_reminders, "delay") as delay:
        assert tasks.sweep_all_reminders.run() == 2
    assert sorted(c.args[0] for c in delay.call_args_list) == sorted([world.a.la.pk, world.b.la.pk])
