"""What the child page and the homes show of the care screens: which links, from pure
permission checks on the actor and the child already loaded (no query)."""

from django import template

from children import permissions

register = template.Library()


@register.simple_tag
def care_links(actor, child) -> dict:
    """Leaving care (a child in care) or entering it again (a former child)."""
    may = permissions.can_record_care(actor, child)
    return {
        "leave": may and child.left_care_on is None,
        "enter_again": may and child.left_care_on is not None,
    }


@register.simple_tag
def care_home_links(actor) -> dict:
    return {
        "add": permissions.can_add_child(actor),
        "former": permissions.can_see_former_children(actor),
    }
