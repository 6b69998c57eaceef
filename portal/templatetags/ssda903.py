"""The link to the SSDA903 import (portal.imports.ssda903_views) on the Virtual School's
home, shown only to whom may import (imports.permissions)."""

from django import template

from imports.permissions import can_import_ssda903

register = template.Library()


@register.inclusion_tag("portal/imports/ssda903/_link.html")
def ssda903_link(actor):
    return {"show": can_import_ssda903(actor)}
