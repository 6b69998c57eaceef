"""Nightly: move every child's deadlines and in-tray tasks on with the date.

One task per authority, each declaring its own authority context (in the service)."""

from __future__ import annotations

from celery import shared_task

from epep.tenancy.models import LocalAuthority

from .services import deadlines_refresh_all


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=480,
    time_limit=540,
)
def refresh_authority_deadlines(local_authority_id: int) -> int:
    return deadlines_refresh_all(local_authority_id=local_authority_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=120)
def refresh_all_deadlines() -> int:
    """Queue one refresh per authority (idempotent: running twice refreshes twice, harmlessly)."""
    ids = list(LocalAuthority.objects.values_list("id", flat=True))
    for authority_id in ids:
        refresh_authority_deadlines.delay(authority_id)
    return len(ids)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=300,
    time_limit=540,
)
def sweep_authority_reminders(local_authority_id: int) -> int:
    from .reminders import reminders_sweep

    return reminders_sweep(local_authority_id=local_authority_id)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=120)
def sweep_all_reminders() -> int:
    """The frequent deadline sweep: one job per authority. Running it twice queues each
    email once (the outbox's dedupe keys)."""
    ids = list(LocalAuthority.objects.values_list("id", flat=True))
    for authority_id in ids:
        sweep_authority_reminders.delay(authority_id)
    return len(ids)
