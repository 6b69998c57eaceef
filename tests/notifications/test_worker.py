"""The outbox against a REAL Celery worker and a REAL Redis broker.

Each test starts ``celery worker`` subprocesses (solo pool, a queue of their own) with
``epep.settings.worker_test``: the application role on this test's database (hence
``transaction=True``: the worker must see committed rows), the broker from REDIS_URL, and
a file-based mail backend writing into a temporary directory the test counts.

Only the Redis database named by REDIS_URL is touched (FLUSHDB in one test): it is this
run's own (`make test` starts a private Redis; in a shared one, give the run its own
database number).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings

from epep.notifications import tasks
from epep.notifications.models import Notification, NotificationKind
from epep.notifications.services import notification_enqueue
from epep.tenancy import clock
from epep.tenancy.context import all_authorities_context

pytestmark = pytest.mark.django_db(transaction=True)

CELERY = Path(sys.executable).with_name("celery")
VISIBILITY_TIMEOUT = 3  # seconds before Redis hands an unacknowledged task out again
WAIT = 45  # upper bound on any single wait


def wait_for(predicate: Callable[[], object], what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


def row(pk: int) -> Notification:
    with all_authorities_context():
        return Notification.objects.get(pk=pk)


class Workers:
    """Starts workers on one unique queue; every process is killed at the end."""

    def __init__(self, tmp_path: Path):
        self.queue = f"test-notify-{uuid.uuid4().hex[:12]}"
        self.mail_dir = tmp_path / "mail"
        self.mail_dir.mkdir()
        self.tmp_path = tmp_path
        self.processes: list[tuple[subprocess.Popen, Path]] = []
        app = settings.APP_DATABASE
        database = settings.DATABASES["default"]
        self.database_url = (
            f"postgres://{quote(app['USER'], safe='')}:{quote(app['PASSWORD'], safe='')}"
            f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
        )
        self.broker_url = settings.CELERY_BROKER_URL
        self.redis = redis.Redis.from_url(self.broker_url)

    def start(self, *, send_delay: float = 0) -> subprocess.Popen:
        index = len(self.processes)
        log = self.tmp_path / f"worker-{index}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "epep.settings.worker_test",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.broker_url,
            "EPEP_TEST_EMAIL_DIR": str(self.mail_dir),
            "EPEP_TEST_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "EPEP_TEST_SEND_DELAY": str(send_delay),
        }
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "epep",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=INFO",
                    "-Q",
                    self.queue,
                    "-n",
                    f"{self.queue}-{index}@%h",
                ],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append((process, log))
        wait_for(
            lambda: " ready." in log.read_text(errors="replace") or process.poll() is not None,
            "the worker to start",
        )
        assert process.poll() is None, self.logs()
        return process

    def kill(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}"
            for _, log in self.processes
        )

    def emails(self) -> list[str]:
        """Every message the workers wrote (one file per mail connection; count messages)."""
        subjects = []
        for path in sorted(self.mail_dir.iterdir()):
            subjects += [
                line.removeprefix("Subject: ")
                for line in path.read_text().splitlines()
                if line.startswith("Subject: ")
            ]
        return subjects

    def drained(self) -> bool:
        """Nothing waiting in our queue and nothing delivered but unacknowledged."""
        return self.redis.llen(self.queue) == 0 and self.redis.hlen("unacked") == 0


@pytest.fixture
def workers(tmp_path, monkeypatch):
    pool = Workers(tmp_path)
    real = tasks.send_notification

    class OnTestQueue:
        """What the dispatcher calls, routed to this test's queue."""

        @staticmethod
        def delay(*args):
            return real.apply_async(args=args, queue=pool.queue)

    monkeypatch.setattr(tasks, "send_notification", OnTestQueue)
    try:
        yield pool
    finally:
        pool.stop_all()
        pool.redis.delete(pool.queue)


def enqueue(people, key: str) -> int:
    assert notification_enqueue(
        local_authority_id=people.kent.pk,
        recipient=people.teacher,
        kind=NotificationKind.REMINDER_5,
        dedupe_key=key,
        subject=f"Reminder {key}",
        body="A PEP is due in 5 days.",
    )
    with all_authorities_context():
        return Notification.objects.get(dedupe_key=key).pk


def test_a_real_worker_sends_a_due_reminder_once(people, workers):
    workers.start()
    pk = enqueue(people, "worker:a")
    assert tasks.dispatch_due_notifications() == 1
    wait_for(lambda: row(pk).sent_at, "the worker to send", timeout=30)
    wait_for(workers.drained, "the queue to drain")
    assert workers.emails() == ["Reminder worker:a"], workers.logs()
    sent = row(pk)
    assert sent.attempts == 1 and sent.sent_at <= clock.now()
    assert tasks.dispatch_due_notifications() == 0


def test_a_worker_killed_mid_send_is_redelivered_and_sends_exactly_once(people, workers):
    """acks_late + reject_on_worker_lost: SIGKILL while sending leaves the message
    unacknowledged; Redis hands it out again after the visibility timeout; the database
    transaction of the dead worker rolled back, so the next worker sends it once."""
    slow = workers.start(send_delay=60)
    pk = enqueue(people, "worker:b")
    assert tasks.dispatch_due_notifications() == 1
    # Claimed (attempt 1 committed) and now inside the send, holding the row lock.
    wait_for(lambda: row(pk).attempts == 1, "the first attempt to start")
    time.sleep(0.5)
    workers.kill(slow)
    assert workers.emails() == []
    assert row(pk).sent_at is None
    assert workers.redis.hlen("unacked") >= 1  # the broker still holds it

    workers.start()
    wait_for(lambda: row(pk).sent_at, "redelivery to the new worker", timeout=30)
    wait_for(workers.drained, "the queue to drain")
    time.sleep(VISIBILITY_TIMEOUT + 1)  # any further redelivery would have happened by now
    assert workers.emails() == ["Reminder worker:b"], workers.logs()
    assert row(pk).attempts == 2


def test_dispatching_twice_and_losing_redis_neither_loses_nor_duplicates(people, workers):
    """The outbox in PostgreSQL drives delivery: dispatching twice queues once; a broker
    that loses everything (FLUSHDB of the broker's database, as a Redis restart without
    persistence would) only delays delivery; queueing the same rows twice sends once."""
    first, second = enqueue(people, "worker:c1"), enqueue(people, "worker:c2")
    assert tasks.dispatch_due_notifications() == 2
    assert tasks.dispatch_due_notifications() == 0  # a second sweep, a second beat
    workers.redis.flushdb()  # the broker loses the queued messages (and its bindings)

    workers.start()
    time.sleep(2)
    assert row(first).sent_at is None and row(second).sent_at is None
    assert workers.emails() == []

    # The next sweep after REQUEUE_AFTER queues them again; twice, to prove it harmless.
    assert tasks.dispatch_due_notifications(requeue_after_seconds=0) == 2
    assert tasks.dispatch_due_notifications(requeue_after_seconds=0) == 2
    wait_for(lambda: row(first).sent_at and row(second).sent_at, "both to be sent")
    wait_for(workers.drained, "the queue to drain")
    assert sorted(workers.emails()) == ["Reminder worker:c1", "Reminder worker:c2"]
    # The duplicate messages found the rows sent before claiming them.
    assert row(first).attempts == 1 and row(second).attempts == 1
    assert tasks.dispatch_due_notifications(requeue_after_seconds=0) == 0
