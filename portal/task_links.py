"""Where each in-tray task opens: the form that does the task.

"Arrange the PEP meeting" opens the meeting-schedule form of the child's open PEP when the
viewer arranges meetings (``meetings.permissions``); "Complete the PEP" opens that PEP.
Without an open PEP, either opens the form that starts one (for those who may start a
PEP); anything else opens the child's page."""

from __future__ import annotations

from django.urls import reverse

from deadlines.models import TaskKind
from meetings import permissions as meeting_permissions
from peps import permissions as pep_permissions
from peps.models import Status
from peps.selectors import peps_for


def task_href(actor, task, open_pep_id) -> str:
    """The address ``task`` opens for ``actor``; ``open_pep_id``: the public id of the
    child's PEP in progress (None: there is none)."""
    if open_pep_id is not None:
        if task.kind == TaskKind.ARRANGE_MEETING and meeting_permissions.can_arrange_meetings(
            actor
        ):
            return reverse("portal:meeting_schedule", kwargs={"pep_id": open_pep_id})
        return reverse("portal:pep_detail", kwargs={"pep_id": open_pep_id})
    if pep_permissions.can_start_pep(actor, task.child):
        return reverse("portal:pep_start", kwargs={"child_id": task.child.public_id})
    return reverse("portal:child_detail", kwargs={"child_id": task.child.public_id})


def with_links(actor, rows: list[dict]) -> list[dict]:
    """``rows`` (``{"task": ...}``) each with the ``href`` its task opens: one query for
    the children's PEPs in progress, whatever the number of tasks."""
    if not rows:
        return rows
    child_ids = {row["task"].child_id for row in rows}
    open_peps = dict(
        peps_for(actor=actor)
        .filter(child_id__in=child_ids)
        .exclude(status=Status.FINALISED)
        .order_by()
        .values_list("child_id", "public_id")
    )
    for row in rows:
        task = row["task"]
        row["href"] = task_href(actor, task, open_peps.get(task.child_id))
    return rows
