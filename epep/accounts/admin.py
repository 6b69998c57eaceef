"""Accounts in the admin: people, invitations and user agreements.

Everything here goes through the same services (and rules) as the portal's People pages
(``epep.accounts.services``): deactivating, resetting two-step sign-in, sending an
invitation again or withdrawing it, publishing an agreement, each with its audit event.

Scoping: invitations, agreements and acceptances are tenant rows under row-level
security; on top of that, someone acting for an authority sees only the people of that
authority (``people_of_authority``). Platform superusers see everyone.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from epep.admin_site import RoleAdmin
from epep.tenancy.context import authority_context

from . import services
from .mfa import HasSecondFactor
from .models import AgreementAcceptance, Invitation, User, UserAgreement
from .permissions import can_manage_accounts_in_admin


def _actor(request):
    return getattr(request, "actor", None)


def _people_visible_to(request):
    """People a non-superuser may see in the admin: those of their authorities."""
    actor = _actor(request)
    if actor is None or not actor.authorities:
        return User.objects.none()
    visible = Q(pk__in=[])
    for authority in actor.authorities:
        visible |= Q(pk__in=services.people_of_authority(authority).values("pk"))
    return User.objects.filter(visible)


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You cannot do this."


def _run_for_each(modeladmin, request, queryset, action, done):
    """Run a service for each selected object, reporting successes and refusals."""
    succeeded, refused = [], []
    for obj in queryset:
        try:
            action(obj)
        except (PermissionDenied, ValidationError) as error:
            refused.append(f"{obj}: {_error_text(error)}")
        else:
            succeeded.append(str(obj))
    if succeeded:
        modeladmin.message_user(request, f"{done}: {', '.join(succeeded)}.", messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, f"Not done for {line}", messages.ERROR)


# Django's groups and per-model permissions are not how ePEP decides who may do what
# (the permissions modules are): no page for them.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(RoleAdmin, BaseUserAdmin):
    may_view = can_manage_accounts_in_admin
    may_change = can_manage_accounts_in_admin
    ordering = ["full_name"]
    list_display = ["email", "full_name", "is_active", "is_staff", "two_step", "last_login"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["deactivate", "reactivate", "reset_two_step"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(pk__in=_people_visible_to(request).values("pk"))
        return queryset.annotate(mfa_enabled=HasSecondFactor("pk"))

    @admin.display(description="Two-step sign-in set up", boolean=True, ordering="mfa_enabled")
    def two_step(self, obj):
        return getattr(obj, "mfa_enabled", None)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # Only platform support sets passwords: an authority's staff could otherwise take
        # over the account of someone who also works for another authority.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Status changes go through the actions (with their rules and audit events);
            # the address is the sign-in name and where password resets are sent.
            readonly += ["email", "is_active", "is_staff", "is_superuser"]
        return readonly

    def has_add_permission(self, request):
        # Accounts come from invitations; platform support may still create one.
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.action(description="Deactivate the selected accounts (signs them out at once)")
    def deactivate(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset,
            lambda user: services.user_deactivate(actor=_actor(request), user=user),
            "Deactivated",
        )

    @admin.action(description="Reactivate the selected accounts")
    def reactivate(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset,
            lambda user: services.user_reactivate(actor=_actor(request), user=user),
            "Reactivated",
        )

    @admin.action(description="Reset two-step sign-in of the selected people")
    def reset_two_step(self, request, queryset):
        _run_for_each(
            self,
            request,
            queryset,
            lambda user: services.user_mfa_reset(actor=_actor(request), user=user),
            "Two-step sign-in reset (set up again at next sign-in)",
        )


@admin.register(Invitation)
class InvitationAdmin(RoleAdmin):
    """Read-only: invitations are made on the People pages; here they can be sent again
    or withdrawn."""

    may_view = can_manage_accounts_in_admin

    list_display = [
        "email",
        "full_name",
        "role",
        "local_authority",
        "state_label",
        "created_at",
        "expires_at",
    ]
    list_filter = ["role", "local_authority"]
    search_fields = ["email", "full_name"]
    ordering = ["-created_at"]
    # Never the token hash.
    fields = [
        "email",
        "full_name",
        "role",
        "local_authority",
        "school",
        "child",
        "placement",
        "invited_by",
        "created_at",
        "last_sent_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "withdrawn_at",
    ]
    readonly_fields = fields
    actions = ["send_again", "withdraw"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("local_authority", "school", "invited_by", "accepted_by")
        )

    @admin.display(description="State")
    def state_label(self, obj):
        return obj.state.capitalize()

    @admin.action(description="Send again (a new link; the old one stops working)")
    def send_again(self, request, queryset):
        base_url = request.build_absolute_uri("/")
        _run_for_each(
            self,
            request,
            queryset,
            lambda invitation: services.invitation_resend(
                actor=_actor(request), invitation=invitation, base_url=base_url
            ),
            "Sent again",
        )

    @admin.action(description="Withdraw (the link stops working)")
    def withdraw(self, request, queryset):
        def withdraw_one(invitation):
            if invitation.state != "pending":
                raise ValidationError("it is not waiting to be accepted.")
            services.invitation_withdraw(actor=_actor(request), invitation=invitation)

        _run_for_each(self, request, queryset, withdraw_one, "Withdrawn")


@admin.register(UserAgreement)
class UserAgreementAdmin(RoleAdmin):
    """A published version is never edited: saving the form publishes a new version
    (``agreement_publish``), which everyone affected must accept."""

    may_view = can_manage_accounts_in_admin
    may_add = can_manage_accounts_in_admin
    list_display = ["__str__", "role", "version", "local_authority", "published_at"]
    list_filter = ["role", ("local_authority", admin.RelatedOnlyFieldListFilter)]
    fields = ["local_authority", "role", "title", "body"]
    readonly_fields_for_published = [
        "local_authority",
        "role",
        "version",
        "title",
        "body",
        "published_at",
        "created_by",
    ]

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.readonly_fields_for_published
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields_for_published if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        field = form.base_fields.get("local_authority")
        if field is not None and not request.user.is_superuser:
            actor = _actor(request)
            ids = actor.authority_ids if actor is not None else ()
            field.queryset = field.queryset.filter(pk__in=ids)
            field.required = True
            field.empty_label = None
            field.help_text = "Your authority's agreement replaces the default for this role."
        return form

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied("A published agreement cannot be changed.")
        authority = obj.local_authority
        actor = _actor(request)
        if not request.user.is_superuser and (
            authority is None or actor is None or authority.pk not in actor.authority_ids
        ):
            raise PermissionDenied("You can publish agreements only for your own authority.")
        publish = {
            "acting_user": request.user,
            "local_authority": authority,
            "role": obj.role,
            "title": obj.title,
            "body": obj.body,
        }
        if request.user.is_superuser and authority is not None:
            # Platform support publishing for an authority: in that authority's context.
            with authority_context(local_authority_ids=[authority.pk], user_id=request.user.pk):
                agreement = services.agreement_publish(**publish)
        else:
            agreement = services.agreement_publish(**publish)
        for name in ("pk", "version", "published_at", "created_by_id"):
            setattr(obj, name, getattr(agreement, name))


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(RoleAdmin):
    may_view = can_manage_accounts_in_admin

    list_display = ["user", "agreement", "local_authority", "accepted_at"]
    list_filter = ["agreement__role"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "agreement", "local_authority", "accepted_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .select_related("user", "agreement", "agreement__local_authority", "local_authority")
        )
        if request.user.is_superuser:
            return queryset
        actor = _actor(request)
        ids = actor.authority_ids if actor is not None else ()
        # Acceptances of the product defaults are readable by all: show only those of
        # this authority's people.
        return queryset.filter(
            Q(local_authority_id__in=ids) | Q(user__in=_people_visible_to(request).values("pk"))
        )
