"""``{% child_deadlines child %}``: the PEP deadlines section of a child's page, shown to
professionals only."""

from __future__ import annotations

from django import template

from children.permissions import today

from ..permissions import can_see_deadlines
from ..selectors import StateCalendars, deadlines_for_child

register = template.Library()


@register.inclusion_tag("deadlines/_child_deadlines.html", takes_context=True)
def child_deadlines(context, child) -> dict:
    actor = context.get("actor")
    if not can_see_deadlines(actor):
        return {"show": False}
    states = StateCalendars(today())
    rows = [
        {
            "deadline": d,
            "state": states.state(la_id=d.local_authority_id, due=d.due_date, met_on=d.met_on),
        }
        for d in deadlines_for_child(child=child)
    ]
    return {"show": True, "rows": rows}
