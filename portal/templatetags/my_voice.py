"""The PEP page's link to the child's My Voice, for the professionals who read it:
answered from the actor alone (no query)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from voice import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def my_voice_link(context, pep) -> str:
    actor = getattr(context.get("request"), "actor", None)
    if actor is None or not permissions.can_note_my_voice(actor):
        return ""
    return format_html(
        '<p class="govuk-body"><a class="govuk-link" href="{}">My Voice: what the child '
        "shared before the meeting</a></p>",
        reverse("portal:my_voice:pep", kwargs={"pep_id": pep.public_id}),
    )
