"""Submitted PEPs for the QA queue's tests: each for a new child of the authority (a
child has one open PEP), written directly in the authority's database context."""

from __future__ import annotations

from datetime import datetime, time

from calendars.days import LONDON
from epep.tenancy.context import authority_context
from peps.models import Pep, Status
from tests.factories import ChildFactory


def submitted_pep(
    authority,
    *,
    submitted_on,
    first_name="Sam",
    last_name="Queue",
    school=None,
    year_group=5,
    key_stage="KS2",
    academic_year="2026-27",
    term="autumn",
    status=Status.SUBMITTED,
    upn=None,
) -> Pep:
    """A PEP of a new child of ``authority`` (a ``World`` authority) submitted on
    ``submitted_on`` (a date: 10:00 London time)."""
    la = authority.la
    with authority_context(local_authority_ids=[la.pk]):
        extra = {"upn": upn} if upn else {}
        child = ChildFactory(
            local_authority=la, legal_first_name=first_name, legal_last_name=last_name, **extra
        )
        return Pep.objects.create(
            local_authority=la,
            child=child,
            academic_year=academic_year,
            term=term,
            school=school,
            year_group=year_group,
            key_stage=key_stage,
            status=status,
            submitted_at=datetime.combine(submitted_on, time(10), tzinfo=LONDON),
            created_by=next(iter(authority.users.values())),
        )
