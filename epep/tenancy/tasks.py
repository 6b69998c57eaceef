"""Nightly: ask authorities about school staff at schools where they now have children."""

from __future__ import annotations

from .jobs import every_authority_task
from .services import school_role_endorsements_catch_up


@every_authority_task(soft_time_limit=240, time_limit=300)
def request_school_role_endorsements() -> int:
    return school_role_endorsements_catch_up()
