"""The custom user: one account per person, signing in with an email address.

A person's roles come from their memberships (``epep.tenancy.Membership``), never from
groups compared as strings.
"""

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from epep.tenancy.models import TenantModel
from epep.tenancy.roles import SCHOOL_ROLES, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    #: How a person is named in URLs (account administration): never the sequential key.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField("full name", max_length=150)
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        help_text="Can sign in to the admin site (Virtual School quality assurance).",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Invitation(TenantModel):
    """An invitation by email into one role. The link carries a random token; only its
    SHA-256 is stored. Single use, expires after seven days."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=30, choices=Role.choices)
    school = models.ForeignKey(
        "children.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    placement = models.ForeignKey(
        "children.Placement", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="invitation_school_roles_have_school",
                condition=~Q(role__in=sorted(r.value for r in SCHOOL_ROLES))
                | Q(school__isnull=False),
            ),
            models.CheckConstraint(
                name="invitation_young_person_has_child",
                condition=~Q(role=Role.YOUNG_PERSON) | Q(child__isnull=False),
            ),
            models.CheckConstraint(
                name="invitation_carer_has_placement",
                condition=~Q(role=Role.CARER) | Q(placement__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} as {self.get_role_display()}"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.withdrawn_at:
            return "withdrawn"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class UserAgreement(models.Model):
    """A versioned data-sharing and acceptable-use agreement for one role.

    The product provides a default per role (``local_authority`` empty); an authority can
    publish its own, which then applies to its staff and to anyone seeing its children.
    A published version is never edited: a change is a new version, which everyone
    affected must accept again."""

    local_authority = models.ForeignKey(
        "tenancy.LocalAuthority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agreements",
        db_index=True,
        help_text="Leave empty for the product's default agreement.",
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text. Blank lines separate paragraphs.")
    published_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["role", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "role", "version"],
                name="agreement_unique_version",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        who = self.local_authority.name if self.local_authority_id else "Default"
        return f"{who}: {self.get_role_display()} agreement v{self.version}"

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


class AgreementAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="agreement_acceptances")
    agreement = models.ForeignKey(
        UserAgreement, on_delete=models.PROTECT, related_name="acceptances"
    )
    local_authority = models.ForeignKey(
        "tenancy.LocalAuthority",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=True,
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agreement"], name="acceptance_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} accepted {self.agreement} on {self.accepted_at:%Y-%m-%d}"


class AccountEmail(models.Model):
    """The outbox for account emails: invitations, password resets and allauth's other
    messages about a person's account (``epep.accounts.emails``).

    Not a tenant row: the addressee may have no account yet, no authority (someone asking
    for a password reset) or several. The row commits with the request that wrote it and
    a task sends it, exactly once as far as the database can tell (the same claim, then
    send-under-lock as the notifications outbox). The message carries a secret link, so
    its text is removed once the mail server has it.
    """

    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    #: One row per email, e.g. "invitation:<public id>:<token hash>".
    dedupe_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="account_email_unsent_idx",
                condition=Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} to {self.to}"
