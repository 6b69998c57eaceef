"""The Django admin is for Virtual School quality assurance and platform operators.

It is reached only by staff accounts acting in a Virtual School or LA-administrator role
(or platform superusers). Child data in the admin goes through the same scoping mechanism
as the portal (see ``children.admin``), and row-level security applies underneath.
"""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from epep.tenancy.permissions import can_use_admin


class EpepAdminSite(admin.AdminSite):
    site_header = "ePEP administration"
    site_title = "ePEP administration"
    index_title = "Virtual School quality assurance"

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        actor = getattr(request, "actor", None)
        if request.user.is_superuser:
            return True
        return can_use_admin(actor)


class EpepAdminConfig(AdminConfig):
    default_site = "epep.admin_site.EpepAdminSite"
