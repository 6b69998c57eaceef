"""What the Virtual School's home page shows of the PP+ screens: how many requests wait
for a decision and how many funded lines have no impact recorded (two counts), and which
PP+ pages the actor reaches (permission checks, no query)."""

from django import template

from funding import permissions, selectors

register = template.Library()


@register.simple_tag
def ppplus_vs_links(actor) -> dict:
    """Which PP+ pages ``actor`` reaches (no query)."""
    staff = permissions.can_decide_ppplus(actor) or permissions.can_edit_pp_policy(actor)
    return {
        "staff": staff,
        "decide": permissions.can_decide_ppplus(actor),
        "pay": staff and permissions.can_pay_ppplus(actor),
    }


@register.simple_tag
def ppplus_vs_counts(actor) -> dict:
    """Requests waiting for ``actor``'s Virtual School and funded lines with no impact
    (two queries; none asked of anyone else)."""
    if not permissions.can_decide_ppplus(actor):
        return {}
    return {
        "waiting": selectors.lines_waiting_for_decision(actor=actor).count(),
        "no_impact": selectors.funded_lines_without_impact(actor=actor).count(),
    }
