"""``{% if actor|arranges_meetings %}``: ask ``meetings.permissions`` from a template (the
PEP page, reached through ``access_pep_by_id``, so the circle is already checked)."""

from __future__ import annotations

from django import template

from ..permissions import can_arrange_meetings

register = template.Library()


@register.filter
def arranges_meetings(actor) -> bool:
    return can_arrange_meetings(actor)
