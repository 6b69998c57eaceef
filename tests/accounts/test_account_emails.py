"""Account emails go through the outbox: written with the change that asked for them,
sent once by a task, and not kept once sent (they carry secret links)."""

from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from children.permissions import resolve_actor
from epep.accounts import emails, services, tasks
from epep.accounts.models import AccountEmail
from epep.tenancy.roles import Role
from tests.outbox import deliver_outbox

pytestmark = pytest.mark.django_db


def invite(world, email="olu.iro@example.org"):
    with transaction.atomic():
        actor = resolve_actor(world.a.users[Role.LA_ADMIN])
        return services.invitation_create(
            actor=actor,
            email=email,
            full_name="Olu Iro",
            role="iro",
            base_url="https://epep.example.org",
        )


def test_an_invitation_is_a_row_in_the_outbox_until_the_task_sends_it(world):
    invitation, token = invite(world)
    assert mail.outbox == []
    [row] = AccountEmail.objects.filter(to="olu.iro@example.org")
    assert row.sent_at is None and token in row.body
    assert deliver_outbox() == 1
    [message] = mail.outbox
    assert message.to == ["olu.iro@example.org"] and token in message.body
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1
    assert token not in row.body  # the link is not kept once the mail server has it


def test_delivering_again_sends_nothing_twice(world):
    invite(world)
    row = AccountEmail.objects.get()
    assert tasks.send_account_email(row.pk) == "sent"
    assert tasks.send_account_email(row.pk) == "already sent"
    assert deliver_outbox() == 0
    assert len(mail.outbox) == 1


def test_an_invitation_rolled_back_leaves_no_email(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        invite(world)
        raise RuntimeError("the request failed after the invitation")
    assert not AccountEmail.objects.exists()
    assert deliver_outbox() == 0 and mail.outbox == []


def test_a_failed_send_is_recorded_and_the_next_delivery_sends_once(world):
    invite(world)
    row = AccountEmail.objects.get()
    with mock.patch.object(tasks, "_message", side_effect=OSError("mail server down")):
        with pytest.raises(OSError):
            tasks.send_account_email(row.pk)
    row.refresh_from_db()
    assert row.sent_at is None and "mail server down" in row.last_error
    assert mail.outbox == []
    assert tasks.send_account_email(row.pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_password_reset_is_written_to_the_outbox_not_sent_from_the_request(client, world):
    worker = world.a.users[Role.SOCIAL_WORKER]
    client.post("/accounts/password/reset/", {"email": worker.email})
    assert mail.outbox == []
    [row] = AccountEmail.objects.filter(to=worker.email)
    assert "/accounts/password/reset/key/" in row.body
    deliver_outbox()
    [message] = mail.outbox
    assert message.to == [worker.email] and message.subject.startswith("ePEP: ")


def test_the_doorbell_rings_after_commit_and_the_dispatcher_catches_what_it_missed(
    world, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.send_account_email, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            row = emails.account_email_enqueue(to="a@example.org", subject="S", body="B")
            delay.assert_not_called()  # not before the row is committed
        delay.assert_called_once_with(row.pk)
        delay.reset_mock()
        # queued just now: the dispatcher leaves it to the doorbell
        assert tasks.dispatch_account_emails() == 0
        AccountEmail.objects.filter(pk=row.pk).update(queued_at=None)
        assert tasks.dispatch_account_emails() == 1
        delay.assert_called_once_with(row.pk)
        assert tasks.dispatch_account_emails() == 0  # a second beat


def test_the_same_reason_makes_one_email():
    first = emails.account_email_enqueue(to="a@example.org", subject="S", body="B", dedupe_key="k")
    again = emails.account_email_enqueue(to="a@example.org", subject="S", body="B", dedupe_key="k")
    assert first is not None and again is None
    assert AccountEmail.objects.count() == 1
