"""What the child page and the Virtual School home show of the moves screens: which
links (pure permission checks, no query) and how many school moves wait (one query)."""

from django import template

from children import permissions, selectors

register = template.Library()


@register.simple_tag
def move_links(actor, child) -> dict:
    """Which move links ``actor`` gets on ``child``'s page: answered from the actor and
    the child already loaded (no query)."""
    return {
        "school": permissions.can_move_school(actor, child),
        "placement": permissions.can_move_placement(actor, child),
        "workers": permissions.can_change_allocation(actor, child),
    }


@register.simple_tag
def school_moves_waiting(actor) -> int:
    """How many school moves wait for ``actor``'s Virtual School (one query; none asked
    of anyone else)."""
    if not permissions.can_authorise_school_move(actor):
        return 0
    return selectors.school_move_requests_waiting(actor=actor).count()
