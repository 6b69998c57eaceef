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

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

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

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        """The admin has no password form of its own: someone not signed in is sent to
        the sign-in page (allauth: two-step sign-in, rate limits) and comes back;
        someone signed in whom the admin does not admit is refused (403); someone it
        admits goes on (never to a password form, which would sign in as someone else
        without their second factor)."""
        index = reverse("admin:index", current_app=self.name)
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or index
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            next_url = index
        if not request.user.is_authenticated:
            login_url = resolve_url(settings.LOGIN_URL)
            return HttpResponseRedirect(f"{login_url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
        if not self.has_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(next_url)


class RolePermissions:
    """Every "may this person …" of an admin page is a question to a permissions module.
    Subclasses set the ``may_*`` callables (``fn(actor, obj=None) -> bool``) from their
    app's ``permissions.py``; an unset one answers no. ``request.actor`` is the person in
    the role they chose (a superuser without a membership acts in no role)."""

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

    def has_change_permission(self, request, obj=None):
        return self._ask(type(self).may_change, request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._ask(type(self).may_delete, request, obj)


class RoleAdmin(RolePermissions, admin.ModelAdmin):
    """A model admin whose permissions are :class:`RolePermissions`."""

    def has_add_permission(self, request):
        return self._ask(type(self).may_add, request)


class RoleInline(RolePermissions):
    """An inline asking the same questions about the object it is shown on (``obj``:
    the parent)."""

    def has_add_permission(self, request, obj=None):
        return self._ask(type(self).may_add, request, obj)


class EpepAdminConfig(AdminConfig):
    default_site = "epep.admin_site.EpepAdminSite"
