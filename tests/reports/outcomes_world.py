"""A small world for the outcome figures: PEPs with education, post-16 and attainment data
written directly in the authority's database context, and the report filters for Kent's
autumn term and academic year 2026/27."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from peps.models import AttainmentEntry, Pep, PepSection, Status
from reports.filters import ReportFilter
from tests.factories import ChildFactory, EnrolmentFactory

DAY = date(2026, 12, 10)

#: Born so that in 2026/27 they are in Year 7 (KS3), Year 5 (KS2) and Year 12 (post-16).
KS3_BORN = date(2015, 3, 14)
KS2_BORN = date(2017, 1, 10)
POST_16_BORN = date(2009, 5, 1)


def autumn(la, **kwargs) -> ReportFilter:
    return ReportFilter(
        local_authority_id=la.pk,
        academic_year=2026,
        term="autumn",
        period_start=date(2026, 9, 1),
        period_end=date(2026, 12, 19),
        census_date=DAY,
        **kwargs,
    )


def whole_year(la, **kwargs) -> ReportFilter:
    return ReportFilter(
        local_authority_id=la.pk,
        academic_year=2026,
        term=None,
        period_start=date(2026, 9, 1),
        period_end=date(2027, 9, 1),
        census_date=DAY,
        **kwargs,
    )


def child_with_pep(
    authority,
    *,
    school,
    born=KS3_BORN,
    education=None,
    p16_status=None,
    p16_course=None,
    attainment=(),
    status=Status.SUBMITTED,
    term="autumn",
    key_stage="KS3",
    child=None,
    **child_fields,
):
    """A child of ``authority`` (a World authority) on roll at ``school`` since 2023, with
    a PEP of ``term`` 2026-27 holding the given sections and attainment rows
    (subject, baseline, current)."""
    la = authority.la
    if child is None:
        child = ChildFactory(local_authority=la, date_of_birth=born, **child_fields)
        EnrolmentFactory(child=child, school=school)
    with authority_context(local_authority_ids=[la.pk]):
        pep = Pep.objects.create(
            local_authority=la,
            child=child,
            academic_year="2026-27",
            term=term,
            school=school,
            key_stage=key_stage,
            variant="post_16" if key_stage == "Post-16" else "school_age",
            status=status,
            submitted_at=timezone.make_aware(datetime(2026, 11, 20, 10)),
            created_by=authority.users[Role.DESIGNATED_TEACHER],
        )
        for key, data in (
            ("education", education),
            ("p16_status", p16_status),
            ("p16_course", p16_course),
        ):
            if data is not None:
                PepSection.objects.create(local_authority=la, pep=pep, key=key, data=data)
        for position, (subject, baseline, current) in enumerate(attainment):
            AttainmentEntry.objects.create(
                local_authority=la,
                pep=pep,
                subject=subject,
                baseline=baseline,
                current=current,
                position=position,
            )
    return child
