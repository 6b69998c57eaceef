"""Links to the data pages (portal.imports.school_views) on the designated teacher's and
the Virtual School's home, each shown only to whom may use it (imports.permissions)."""

from django import template

from imports.permissions import can_export_children_data, can_upload_school_data

register = template.Library()


@register.inclusion_tag("portal/imports/_school_data_links.html")
def school_data_links(actor):
    return {
        "upload": can_upload_school_data(actor),
        "data_out": can_export_children_data(actor),
    }
