"""Who sees which PEP deadlines and in-tray tasks."""

from __future__ import annotations

from epep.tenancy.roles import Role

from .models import TaskKind

#: Which of a person's tasks each role works on (a person holding several roles sees the
#: tasks of the role they act in).
TASK_KINDS_BY_ROLE = {
    Role.DESIGNATED_TEACHER: (TaskKind.COMPLETE_PEP,),
    Role.SOCIAL_WORKER: (TaskKind.ARRANGE_MEETING,),
    Role.PERSONAL_ADVISER: (TaskKind.ARRANGE_MEETING,),
}


def task_kinds_for(actor) -> tuple[str, ...]:
    """The kinds of in-tray task ``actor`` works on in the role they act in (none for a
    role without an in-tray)."""
    if actor is None:
        return ()
    return TASK_KINDS_BY_ROLE.get(actor.role, ())


def can_see_task(actor, task) -> bool:
    """A task is seen by the person it is assigned to, acting in the role that works on
    it (whether they still see the child is the selectors' filter,
    ``deadlines.selectors.open_tasks_for``)."""
    return (
        actor is not None
        and task.assignee_id == actor.user_id
        and task.kind in task_kinds_for(actor)
    )


def can_see_deadlines(actor) -> bool:
    """The deadlines section of a child's page is for professionals (of a child they can
    see: the page itself is reached through ``access_child_by_id``)."""
    return actor is not None and actor.is_professional
