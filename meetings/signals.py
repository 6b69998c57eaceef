"""Keep a child's deadlines and tasks up to date when their records change.

The services that start enrolments and placements and move PEPs belong to other apps;
rather than call into this one they save rows, and these receivers refresh the child's
deadlines (``meetings.services.deadlines_refresh``):

- a child, an enrolment, a placement or a PEP saved: after the transaction commits, in
  its own transaction and authority context (``robust``: a failure is logged and never
  undoes the change);
- a PEP moving on (``Transition``; ``pep_transition`` moves the PEP with ``update()``,
  which sends no signal) or a meeting saved: at once, inside the service's transaction
  in a savepoint, so the deadline met and the tasks closed commit with the change (and
  finalising a PEP still queues exactly one after-commit job, its PDF archive). A failure
  is logged and rolled back on its own.

Loading fixtures (``raw``) refreshes nothing. The nightly ``deadlines_refresh_all``
catches anything missed.
"""

from __future__ import annotations

from django.db.models.signals import post_save


def child_record_saved(sender, instance, raw=False, **kwargs):
    """Enrolment, Placement, Pep: rows with ``child_id`` and ``local_authority_id``."""
    if raw:
        return
    from .services import deadlines_refresh_later

    deadlines_refresh_later(
        child_id=instance.child_id, local_authority_id=instance.local_authority_id
    )


def child_saved(sender, instance, raw=False, **kwargs):
    """A new child, or a changed date of entering or leaving care."""
    if raw:
        return
    from .services import deadlines_refresh_later

    deadlines_refresh_later(child_id=instance.pk, local_authority_id=instance.local_authority_id)


def pep_row_saved(sender, instance, raw=False, **kwargs):
    """Transition, Meeting: rows pointing at a PEP."""
    if raw:
        return
    from peps.models import Pep

    from .services import deadlines_refresh_now

    child_id = Pep.objects.filter(pk=instance.pep_id).values_list("child_id", flat=True).first()
    if child_id is not None:
        deadlines_refresh_now(child_id=child_id, local_authority_id=instance.local_authority_id)


def connect() -> None:
    from children.models import Child, Enrolment, Placement
    from peps.models import Pep, Transition

    from .models import Meeting

    post_save.connect(child_saved, sender=Child, dispatch_uid="deadlines_Child")
    for model in (Enrolment, Placement, Pep):
        post_save.connect(
            child_record_saved, sender=model, dispatch_uid=f"deadlines_{model.__name__}"
        )
    for model in (Transition, Meeting):
        post_save.connect(pep_row_saved, sender=model, dispatch_uid=f"deadlines_{model.__name__}")
