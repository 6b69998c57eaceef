"""The outbox in PostgreSQL, without a worker: enqueueing, dispatching, sending once,
daily digests, escalations and the authority boundary."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection, transaction

from epep.notifications import tasks
from epep.notifications.models import Notification, NotificationKind
from epep.notifications.services import notification_enqueue, notification_preference_set
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context, authority_context, set_db_context

pytestmark = pytest.mark.django_db


def enqueue(people, user, key, *, kind=NotificationKind.REMINDER_5, la=None, due_at=None, **extra):
    return notification_enqueue(
        local_authority_id=(la or people.kent).pk,
        recipient=user,
        kind=kind,
        dedupe_key=key,
        subject=f"Subject {key}",
        body=f"Body {key}",
        due_at=due_at,
        **extra,
    )


def rows(**filters):
    with all_authorities_context():
        return list(Notification.objects.filter(**filters).order_by("id"))


@pytest.fixture
def queued():
    """Patch the broker: record what the tasks queue."""
    with mock.patch.object(tasks.send_notification, "delay") as delay:
        yield delay


def test_enqueue_twice_makes_one_row(people):
    assert enqueue(people, people.teacher, "deadline:1:reminder_5:1") is True
    assert enqueue(people, people.teacher, "deadline:1:reminder_5:1") is False
    assert len(rows()) == 1


def test_enqueue_conflict_leaves_the_callers_transaction_usable(people):
    with all_authorities_context():
        assert enqueue(people, people.teacher, "k1") is True
        assert enqueue(people, people.teacher, "k1") is False
        assert enqueue(people, people.teacher, "k2") is True
        assert Notification.objects.count() == 2


def test_escalation_kinds_are_always_escalations(people):
    enqueue(people, people.officer, "esc", kind=NotificationKind.ESCALATION_OFFICER)
    assert rows()[0].is_escalation is True


def test_dispatcher_queues_each_due_unsent_row_once(people, queued):
    enqueue(people, people.teacher, "due-kent")
    enqueue(people, people.officer, "due-sefton", la=people.sefton)
    enqueue(people, people.teacher, "later", due_at=clock.now() + timedelta(days=1))
    enqueue(people, people.teacher, "already-sent")
    with all_authorities_context():
        Notification.objects.filter(dedupe_key="already-sent").update(sent_at=clock.now())

    assert tasks.dispatch_due_notifications() == 2
    assert tasks.dispatch_due_notifications() == 0  # a second run (or a second beat)
    expected = {(n.pk, n.local_authority_id) for n in rows(dedupe_key__startswith="due-")}
    assert sorted(c.args for c in queued.call_args_list) == sorted(expected)


def test_dispatcher_queues_again_a_row_queued_long_ago_and_still_unsent(people, queued):
    """A lost broker message (Redis flushed, retries exhausted) is not lost for good."""
    enqueue(people, people.teacher, "k")
    assert tasks.dispatch_due_notifications() == 1
    with all_authorities_context():
        Notification.objects.update(queued_at=clock.now() - tasks.REQUEUE_AFTER * 2)
    assert tasks.dispatch_due_notifications() == 1
    assert queued.call_count == 2


def test_dispatcher_leaves_alone_rows_that_failed_too_often(people, queued):
    enqueue(people, people.teacher, "k")
    with all_authorities_context():
        Notification.objects.update(attempts=tasks.MAX_ATTEMPTS)
    assert tasks.dispatch_due_notifications() == 0


def test_send_twice_sends_one_email_and_records_it(people):
    enqueue(people, people.teacher, "deadline:7:reminder_1:3")
    (row,) = rows()
    assert tasks.send_notification(row.pk, people.kent.pk) == "sent"
    assert tasks.send_notification(row.pk, people.kent.pk) == "already sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["teacher@example.org"]
    assert message.subject == "Subject deadline:7:reminder_1:3"
    assert "Body deadline:7:reminder_1:3" in message.body and "Email settings" in message.body
    (row,) = rows()
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""


def test_send_in_the_wrong_authority_finds_nothing(people):
    enqueue(people, people.teacher, "k")
    (row,) = rows()
    with pytest.raises(Notification.DoesNotExist):
        tasks.send_notification(row.pk, people.sefton.pk)
    assert mail.outbox == []


def test_a_failed_send_is_recorded_and_not_marked_sent(people):
    enqueue(people, people.teacher, "k")
    (row,) = rows()
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=ConnectionRefusedError("SMTP down"),
    ):
        with pytest.raises(ConnectionRefusedError):
            tasks.send_notification(row.pk, people.kent.pk)
    (row,) = rows()
    assert row.sent_at is None and row.attempts == 1
    assert "SMTP down" in row.last_error
    # The retry (or the dispatcher) sends it.
    assert tasks.send_notification(row.pk, people.kent.pk) == "sent"
    assert len(mail.outbox) == 1
    (row,) = rows()
    assert row.attempts == 2 and row.last_error == ""


def test_daily_digest_users_get_one_digest(people, queued):
    notification_preference_set(user=people.worker, daily_digest=True)
    enqueue(people, people.worker, "r1", kind=NotificationKind.REMINDER_10)
    enqueue(people, people.worker, "r2", kind=NotificationKind.REMINDER_5)
    enqueue(people, people.teacher, "t1")

    # The dispatcher holds the digest person's reminders.
    assert tasks.dispatch_due_notifications() == 1
    (teacher_row,) = rows(recipient=people.teacher)
    queued.assert_called_once_with(teacher_row.pk, people.kent.pk)
    queued.reset_mock()

    assert tasks.send_daily_digests() == 1
    assert tasks.send_daily_digests() == 0  # twice the same day: still one digest
    (digest,) = rows(kind=NotificationKind.DIGEST)
    assert digest.recipient == people.worker
    assert digest.dedupe_key == (
        f"digest:{people.kent.pk}:{people.worker.pk}:{clock.today().isoformat()}"
    )
    queued.assert_called_once_with(digest.pk, people.kent.pk)
    assert {r.dedupe_key for r in rows(digest=digest)} == {"r1", "r2"}
    # The dispatcher sends the digest, never its items.
    queued.reset_mock()
    with all_authorities_context():
        Notification.objects.filter(pk=digest.pk).update(queued_at=None)
    assert tasks.dispatch_due_notifications() == 1
    queued.assert_called_once_with(digest.pk, people.kent.pk)

    assert tasks.send_notification(digest.pk, people.kent.pk) == "sent"
    assert tasks.send_notification(digest.pk, people.kent.pk) == "already sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["worker@example.org"]
    assert message.subject == "ePEP: 2 reminders from Kent VS"
    assert "Subject r1" in message.body and "Body r2" in message.body
    assert all(r.sent_at is not None for r in rows(recipient=people.worker))


def test_a_digest_person_working_for_two_authorities_gets_one_from_each(people, queued):
    notification_preference_set(user=people.worker, daily_digest=True)
    enqueue(people, people.worker, "kent")
    enqueue(people, people.worker, "sefton", la=people.sefton)
    assert tasks.send_daily_digests() == 2
    assert {d.local_authority_id for d in rows(kind=NotificationKind.DIGEST)} == {
        people.kent.pk,
        people.sefton.pk,
    }


def test_escalations_bypass_the_digest(people, queued):
    """Nobody can switch off escalations to Virtual School staff, or hold them for a day."""
    notification_preference_set(user=people.officer, daily_digest=True)
    enqueue(people, people.officer, "reminder", kind=NotificationKind.REMINDER_1)
    enqueue(people, people.officer, "escalation", kind=NotificationKind.ESCALATION_OFFICER)
    enqueue(people, people.officer, "flagged", kind=NotificationKind.OTHER, escalation=True)

    assert tasks.dispatch_due_notifications() == 2
    sent_at_once = {n.dedupe_key for n in rows(pk__in=[c.args[0] for c in queued.call_args_list])}
    assert sent_at_once == {"escalation", "flagged"}
    for call in queued.call_args_list:
        tasks.send_notification(*call.args)
    assert sorted(m.subject for m in mail.outbox) == ["Subject escalation", "Subject flagged"]

    queued.reset_mock()
    assert tasks.send_daily_digests() == 1
    (digest,) = rows(kind=NotificationKind.DIGEST)
    assert [r.dedupe_key for r in rows(digest=digest)] == ["reminder"]


def test_rows_are_invisible_from_another_authority(people):
    enqueue(people, people.teacher, "kent-row")
    enqueue(people, people.teacher, "sefton-row", la=people.sefton)
    with authority_context(local_authority_ids=[people.sefton.pk]):
        assert list(Notification.objects.values_list("dedupe_key", flat=True)) == ["sefton-row"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM notifications_notification WHERE local_authority_id = %s",
                [people.kent.pk],
            )
            assert cursor.fetchone()[0] == 0
        # Nor can it write one for Kent.
        with pytest.raises(Exception, match="row-level security"), transaction.atomic():
            Notification.objects.create(
                local_authority=people.kent,
                recipient=people.teacher,
                kind=NotificationKind.OTHER,
                dedupe_key="forged",
                subject="s",
                body="b",
            )
    with transaction.atomic():
        set_db_context()
        assert Notification.objects.count() == 0


def test_the_dedupe_key_is_unique_across_authorities(people):
    """A key names one reason once, whichever authority asks (keys carry global ids)."""
    enqueue(people, people.teacher, "same")
    assert enqueue(people, people.teacher, "same", la=people.sefton) is False
    assert [r.local_authority_id for r in rows()] == [people.kent.pk]


def test_email_settings_page_saves_the_choice_and_explains_escalations(client, world):
    from epep.notifications.services import notification_preference_get
    from epep.tenancy.roles import Role

    user = world.a.users[Role.SOCIAL_WORKER]
    client.force_login(user)
    page = client.get("/notifications/").content.decode()
    assert "Send me each reminder as it happens" in page and "Send me one email a day" in page
    assert "Escalations are always sent straight away" in page
    assert 'href="/notifications/"' in page  # "Email settings" in the navigation
    response = client.post("/notifications/", {"delivery": "daily"})
    assert response.status_code == 302
    assert notification_preference_get(user).daily_digest is True
    assert "checked" in client.get("/notifications/").content.decode()
    response = client.post("/notifications/", {})
    assert response.status_code == 200
    assert "Select how you want to get reminders" in response.content.decode()
    client.post("/notifications/", {"delivery": "each"})
    assert notification_preference_get(user).daily_digest is False
