"""Nightly: ask authorities about school staff at schools where they now have children."""

from __future__ import annotations

from celery import shared_task

from .services import school_role_endorsements_catch_up


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=240, time_limit=300)
def request_school_role_endorsements() -> int:
    return school_role_endorsements_catch_up()
