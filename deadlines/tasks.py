"""Nightly: move every child's deadlines and in-tray tasks on with the date; every
quarter of an hour: reminders and escalations through the outbox.

One job per authority, each declared with its authority context (``authority_task``:
its body runs in that authority's database context); the sweeps that queue them run in
the all-authorities context (``every_authority_task``). Retries, late acknowledgement and
time limits come from ``epep.tenancy.jobs.EpepTask``.
"""

from __future__ import annotations

from epep.tenancy.jobs import authority_task, every_authority_task
from epep.tenancy.models import LocalAuthority

from .reminders import reminders_sweep
from .services import deadlines_refresh_all


@authority_task(
    name="deadlines.tasks.refresh_authority_deadlines",
    max_retries=5,
    soft_time_limit=480,
    time_limit=540,
)
def refresh_authority_deadlines(local_authority_id: int, changed_only: bool = True) -> int:
    """The nightly refresh of one authority: only the children the passing of a day can
    have changed (``changed_only``); ``changed_only=False`` reads and compares every child
    (the weekly check)."""
    return deadlines_refresh_all(local_authority_id=local_authority_id, changed_only=changed_only)


@every_authority_task(
    name="deadlines.tasks.refresh_all_deadlines", soft_time_limit=60, time_limit=120
)
def refresh_all_deadlines(changed_only: bool = True) -> int:
    """Queue one refresh per authority (idempotent: running twice refreshes twice,
    harmlessly). Nightly: the children the day can have changed; weekly
    (``changed_only=False``): every child's inputs compared with their digest."""
    ids = list(LocalAuthority.objects.values_list("id", flat=True))
    for authority_id in ids:
        refresh_authority_deadlines.delay(authority_id, changed_only)
    return len(ids)


@authority_task(
    name="deadlines.tasks.sweep_authority_reminders",
    max_retries=5,
    soft_time_limit=300,
    time_limit=540,
)
def sweep_authority_reminders(local_authority_id: int) -> int:
    return reminders_sweep(local_authority_id=local_authority_id)


@every_authority_task(
    name="deadlines.tasks.sweep_all_reminders", soft_time_limit=60, time_limit=120
)
def sweep_all_reminders() -> int:
    """The frequent deadline sweep: one job per authority. Running it twice queues each
    email once (the outbox's dedupe keys)."""
    ids = list(LocalAuthority.objects.values_list("id", flat=True))
    for authority_id in ids:
        sweep_authority_reminders.delay(authority_id)
    return len(ids)
