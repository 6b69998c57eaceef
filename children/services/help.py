"""A young person asks for help, or says something is wrong, in one tap: a message to
their social worker through the outbox, or to the Virtual School when no social worker
is allocated. The message says only that they asked and how to reach the child's record:
what is wrong is for the adult to ask, kindly, in person."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from epep.audit.services import audit_record
from epep.notifications.models import NotificationKind
from epep.notifications.services import notification_enqueue
from epep.tenancy import clock
from epep.tenancy.models import Membership
from epep.tenancy.roles import VIRTUAL_SCHOOL_ROLES, Role

from .. import permissions
from ..models import Allocation, Child, current_on
from ..permissions import Actor


@dataclass(frozen=True)
class HelpSent:
    #: who the young person is told has been asked: a first name or "the Virtual School"
    told: str
    #: False when this tap repeated one already sent (a double tap): nothing new was sent
    new: bool


def _social_worker(child: Child):
    allocation = (
        Allocation.objects.filter(current_on(clock.today()), child=child, kind=Role.SOCIAL_WORKER)
        .select_related("worker")
        .order_by("-start_date")
        .first()
    )
    return allocation.worker if allocation is not None else None


@transaction.atomic
def help_request_send(*, actor: Actor, child: Child, tap_id: UUID) -> HelpSent:
    """Tell ``child``'s social worker (or, without one, each member of the Virtual
    School) that the child asked for help. ``tap_id`` is the id of the form the child
    pressed: the same form sent twice (a double tap, a reload) sends one message."""
    if not permissions.can_ask_for_help(actor, child):
        raise PermissionDenied("You cannot ask for help for this child.")
    name = child.preferred_name or child.legal_first_name
    when = clock.now()
    subject = f"ePEP: {name} has asked for help"
    body = (
        f"{name} pressed 'I need help or something is wrong' on their ePEP page "
        f"on {timezone.localtime(when):%-d %B %Y at %H:%M}.\n\n"
        "They were told that you will get in touch. Please contact them soon, and "
        "follow your safeguarding procedures if you are worried about their safety.\n"
    )
    worker = _social_worker(child)
    if worker is not None:
        recipients = [worker]
        told = worker.get_short_name()
    else:
        staff = Membership.objects.active().filter(
            local_authority_id=child.local_authority_id,
            role__in=sorted(r.value for r in VIRTUAL_SCHOOL_ROLES),
        )
        recipients = [m.user for m in staff.select_related("user").order_by("pk")]
        told = "the Virtual School"
    new = False
    for user in recipients:
        new |= notification_enqueue(
            local_authority_id=child.local_authority_id,
            recipient=user,
            kind=NotificationKind.OTHER,
            dedupe_key=f"help:{child.public_id}:{tap_id}:{user.pk}",
            subject=subject,
            body=body,
        )
    if new:
        audit_record(
            acting_user=actor.user,
            role=actor.role,
            action="help_request",
            object_type="children.child",
            object_id=str(child.public_id),
            local_authority_id=child.local_authority_id,
            child_public_id=child.public_id,
            detail={"told": "social_worker" if worker is not None else "virtual_school"},
        )
    return HelpSent(told=told, new=new)
