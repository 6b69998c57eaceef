"""PP+ jobs: one per authority, each declared with its authority context
(``epep.tenancy.jobs``).

Nightly, each authority's termly PP+ is released for the PEPs approved with a grade that
releases it (``funding.services.release.pp_termly_release``, idempotent).
"""

from __future__ import annotations

from children.stages import academic_year_label
from epep.tenancy import clock
from epep.tenancy.jobs import authority_task, every_authority_task
from epep.tenancy.models import LocalAuthority
from peps.terms import term_for

from .services.release import pp_termly_release
from .services.year_end import pp_year_end_warn


@authority_task(
    name="funding.tasks.release_authority_termly_ppplus",
    max_retries=5,
    soft_time_limit=300,
    time_limit=540,
)
def release_authority_termly_ppplus(local_authority_id: int) -> int:
    """Release this term's fixed PP+ for the authority's approved PEPs (the system acts)."""
    day = clock.today()
    result = pp_termly_release(
        local_authority_id=local_authority_id,
        academic_year=academic_year_label(day),
        term=term_for(day),
    )
    return len(result.released)


@every_authority_task(
    name="funding.tasks.release_all_termly_ppplus", soft_time_limit=60, time_limit=120
)
def release_all_termly_ppplus() -> int:
    ids = list(LocalAuthority.objects.values_list("id", flat=True))
    for authority_id in ids:
        release_authority_termly_ppplus.delay(authority_id)
    return len(ids)


# --- The year-end warning (helper F) ------------------------------------------------------


@authority_task(
    name="funding.tasks.warn_authority_unspent_ppplus",
    max_retries=5,
    soft_time_limit=120,
    time_limit=240,
)
def warn_authority_unspent_ppplus(local_authority_id: int) -> int:
    """Email the Virtual School Head the PP+ allocated but not spent, in the first week of
    February and of March (``funding.services.year_end``; idempotent)."""
    return pp_year_end_warn(local_authority_id=local_authority_id, day=clock.today())


@every_authority_task(
    name="funding.tasks.warn_all_unspent_ppplus", soft_time_limit=60, time_limit=120
)
def warn_all_unspent_ppplus() -> int:
    ids = list(LocalAuthority.objects.values_list("id", flat=True))
    for authority_id in ids:
        warn_authority_unspent_ppplus.delay(authority_id)
    return len(ids)
