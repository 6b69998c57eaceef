"""``{% if actor|may_set_team:membership %}`` on the People pages (no query)."""

from django import template

from epep.accounts.permissions import can_set_team

register = template.Library()


@register.filter
def may_set_team(actor, membership) -> bool:
    return can_set_team(actor, membership)
