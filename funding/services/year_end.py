"""The year-end warning: in the first week of February and of March the Virtual School
Head is emailed (through the outbox) how much of this financial year's PP+ is allocated
to children but neither committed nor paid, with 31 March coming. One email per Head,
authority, year and month: running the job again queues nothing new."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from epep.notifications.models import NotificationKind
from epep.notifications.services import notification_enqueue
from epep.tenancy.context import authority_context
from epep.tenancy.roles import Role
from epep.tenancy.selectors import people_in_role

from ..models import ChildAllocation
from ..money import format_pounds
from ..years import financial_year_label, financial_year_of

#: The months the warning goes out in, and the first days of them it may.
WARNING_MONTHS = (2, 3)
WARNING_DAYS = 7


def year_end_warning_due(day: date) -> bool:
    """Is ``day`` in the first week of February or of March?"""
    return day.month in WARNING_MONTHS and day.day <= WARNING_DAYS


def pp_year_end_warn(*, local_authority_id: int, day: date) -> int:
    """Queue the year-end warning to the authority's Virtual School Heads when due and
    some allocation is left. Returns how many emails went into the outbox."""
    if not year_end_warning_due(day):
        return 0
    year = financial_year_of(day)
    with authority_context(local_authority_ids=[local_authority_id]):
        left = F("allocated_pence") - F("committed_pence") - F("paid_pence")
        unspent = (
            ChildAllocation.objects.filter(
                local_authority_id=local_authority_id, financial_year=year
            )
            .annotate(left=left)
            .aggregate(
                pence=Coalesce(Sum("left", filter=Q(left__gt=0)), 0),
                children=Count("pk", filter=Q(left__gt=0)),
            )
        )
        if not unspent["pence"]:
            return 0
        label = financial_year_label(year)
        link = (
            f"{getattr(settings, 'SITE_URL', '').rstrip('/')}"
            f"/virtual-school/pp-plus/budget/children/?year={year}&unspent=1"
        )
        children = unspent["children"]
        subject = f"PP+ {label}: {format_pounds(unspent['pence'])} not yet spent"
        body = (
            f"{format_pounds(unspent['pence'])} of this year's PP+ is allocated to "
            f"{children} child{'ren' if children != 1 else ''} but not committed or paid, "
            f"and the {label} financial year ends on 31 March.\n\n"
            f"See the children with PP+ left: {link}"
        )
        queued = 0
        for head in people_in_role(authority_id=local_authority_id, role=Role.VS_HEAD):
            queued += notification_enqueue(
                local_authority_id=local_authority_id,
                recipient=head,
                kind=NotificationKind.OTHER,
                dedupe_key=f"pp-year-end:{local_authority_id}:{year}:{day.month}:{head.pk}",
                subject=subject,
                body=body,
            )
    return queued
