"""A task whose worker was killed is handed out again within minutes, and no task is ever
handed out twice while it is still running or waiting for its retry.

With the Redis broker, a delivered but unacknowledged message (acks late) goes back to
the queue ``visibility_timeout`` seconds after delivery. So that timeout must be short
(kombu's default is an hour) yet longer than any task can legitimately hold a message: its
hard time limit, plus the countdown of a retry (a retried task is held, unacknowledged,
until its countdown ends). The real redelivery after SIGKILL is exercised with a real
worker in tests/notifications/test_worker.py."""

from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from epep.celery import app

MINUTES = 60


def longest_retry_countdown(task) -> float:
    """The longest countdown Celery can give this task's automatic retries."""
    if not getattr(task, "autoretry_for", ()):
        return 0
    backoff = getattr(task, "retry_backoff", False)
    if not backoff:
        return task.default_retry_delay or 0
    maximum = int(getattr(task, "retry_backoff_max", 600))  # Celery's default
    if task.max_retries is None:
        return maximum
    # As celery.app.autoretry computes it; the last retry's countdown is the longest and
    # jitter only ever shortens it.
    return get_exponential_backoff_interval(
        factor=int(max(1.0, float(backoff))),
        retries=task.max_retries - 1,
        maximum=maximum,
        full_jitter=False,
    )


def test_a_killed_workers_task_is_handed_out_again_within_ten_minutes():
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert 2 * MINUTES <= timeout <= 10 * MINUTES


def test_no_task_outlives_the_visibility_timeout():
    app.loader.import_default_modules()
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    checked = 0
    for name, task in app.tasks.items():
        if name.startswith("celery."):
            continue
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        assert hard, f"{name} has no hard time limit"
        held = hard + longest_retry_countdown(task)
        assert held < timeout, f"{name}: up to {held}s unacknowledged, timeout {timeout}s"
        checked += 1
    assert checked >= 8
