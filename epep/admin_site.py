"""The Django admin is the Virtual School's quality-assurance workspace and the operators'
console.

It is reached by role, not by a hand-set flag: a person acting as Virtual School staff or
LA administrator (``epep.tenancy.permissions.can_use_admin``), or a platform superuser.
What each page shows and allows is asked of the owning app's permissions module through
:class:`RoleAdmin` (never Django's per-model permission table), and the rows come from the
same scoped selectors as the portal, with row-level security underneath. A superuser
without a membership therefore reaches the operators' pages but no child's data.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from epep.tenancy.permissions import can_use_admin


def _actor(request):
    return getattr(request, "actor", None)


class EpepAdminSite(admin.AdminSite):
    site_header = "ePEP administration"
    site_title = "ePEP administration"
    index_title = "Virtual School quality assurance"

    def has_permission(self, request):
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return False
        return user.is_superuser or can_use_admin(_actor(request))


class RoleAdmin(admin.ModelAdmin):
    """A model admin whose every "may this person …" is a question to a permissions
    module. Subclasses set the ``may_*`` callables (``fn(actor, obj=None) -> bool``) from
    their app's ``permissions.py``; an unset one answers no. ``request.actor`` is the
    person in the role they chose (``None`` for a superuser without a membership)."""

    may_view = None
    may_add = None
    may_change = None
    may_delete = None

    def _ask(self, rule, request, obj=None) -> bool:
        if rule is None:
            return False
        actor = _actor(request)
        if actor is None:
            return False
        return bool(rule(actor, obj))

    def has_module_permission(self, request):
        return self._ask(type(self).may_view, request)

    def has_view_permission(self, request, obj=None):
        return self._ask(type(self).may_view, request, obj) or self.has_change_permission(
            request, obj
        )

    def has_add_permission(self, request):
        return self._ask(type(self).may_add, request)

    def has_change_permission(self, request, obj=None):
        return self._ask(type(self).may_change, request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._ask(type(self).may_delete, request, obj)


class EpepAdminConfig(AdminConfig):
    default_site = "epep.admin_site.EpepAdminSite"
