"""The child page's link to invite the child to their own account, for whoever may
(``epep.accounts.permissions.can_invite_young_person``): answered from the actor alone
(no query)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from epep.accounts import permissions, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def young_person_invite_link(context, child) -> str:
    actor = getattr(context.get("request"), "actor", None)
    if actor is None or not permissions.can_invite_young_person(actor):
        return ""
    return format_html(
        '<p class="govuk-body"><a class="govuk-link" href="{}" data-testid="invite-young-person">'
        "Invite {} to their own account</a></p>",
        reverse("portal:people:invite_young_person", kwargs={"child_id": child.public_id}),
        child.preferred_name or child.legal_first_name,
    )


@register.inclusion_tag("portal/people/_help_invitations.html", takes_context=True)
def help_invitations(context) -> dict:
    """The carer's home: invitations waiting for them to help a child placed with them
    set up their own account (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"invitations": []}
    return {"invitations": list(selectors.help_invitations_for(user))}
