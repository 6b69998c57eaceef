"""Signed-in sessions (allauth's usersessions) in the admin, searchable by email.

allauth's own admin searches ``user__username``, which ePEP's users do not have (they
sign in with their email), so every search of that list was a server error."""

from allauth.usersessions.admin import UserSessionAdmin as AllauthUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin

from epep.admin_site import RoleAdmin

from .permissions import can_manage_sessions_in_admin

admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(RoleAdmin, AllauthUserSessionAdmin):
    """ePEP support sees signed-in sessions and may end one (delete)."""

    may_view = can_manage_sessions_in_admin
    may_delete = can_manage_sessions_in_admin
    search_fields = ["user__email", "ip"]
