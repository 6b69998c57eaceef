"""``{% child_documents child %}``: the Documents section of a child's page (list, download
links, delete links, "Add a document"), shown to professionals only (see
``peps.permissions``). ``{% pep_documents pep %}`` does the same for one PEP's documents.
"""

from __future__ import annotations

from django import template

from peps import attachments, permissions
from peps.models import Attachment

register = template.Library()


def _section(context, queryset, child, *, pep=None) -> dict:
    actor = context.get("actor")
    if not permissions.can_read_attachments(actor):
        return {"show": False}
    rows = [
        {
            "attachment": a,
            "type_label": getattr(attachments.BY_CONTENT_TYPE.get(a.content_type), "short", "File"),
            "can_delete": permissions.can_delete_attachment(actor, a),
        }
        for a in queryset.select_related("pep", "uploaded_by")
    ]
    can_upload = permissions.can_upload_attachment(actor, pep=pep)
    return {
        "show": True,
        "child": child,
        "pep": pep,
        "documents": rows,
        "any_deletable": any(r["can_delete"] for r in rows),
        "can_upload": can_upload,
    }


@register.inclusion_tag("portal/attachments/_documents.html", takes_context=True)
def child_documents(context, child):
    """``child`` must come from ``access_child_by_id`` (the page's own look-up)."""
    return _section(context, Attachment.objects.filter(child=child), child)


@register.inclusion_tag("portal/attachments/_documents.html", takes_context=True)
def pep_documents(context, pep):
    """``pep`` must come from ``access_pep_by_id``."""
    return _section(context, Attachment.objects.filter(pep=pep), pep.child, pep=pep)
