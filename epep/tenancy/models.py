"""Local authorities (the tenants) and memberships (who holds which role where)."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from .roles import AUTHORITY_WIDE_ROLES, SCHOOL_ROLES, Role

_SCHOOL_ROLES = sorted(r.value for r in SCHOOL_ROLES)

la_code_validator = RegexValidator(r"^\d{3}$", "Enter the 3-digit DfE local authority code.")


class LocalAuthority(models.Model):
    """A local authority: the tenant. Its PEP policy settings drive every deadline."""

    class PepDayUnit(models.TextChoices):
        WORKING_DAYS = "working_days", "working days"
        SCHOOL_DAYS = "school_days", "school days"

    class ReviewCadence(models.TextChoices):
        TERMLY = "termly", "Every term"
        SIX_MONTHLY = "six_monthly", "Every six months"

    name = models.CharField(max_length=100, unique=True)
    code = models.CharField(
        "DfE LA code", max_length=3, unique=True, validators=[la_code_validator]
    )
    virtual_school_name = models.CharField(max_length=150)
    first_pep_limit = models.PositiveSmallIntegerField(
        "first PEP within",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How many days after entering care the first PEP must be held.",
    )
    first_pep_unit = models.CharField(
        max_length=20, choices=PepDayUnit.choices, default=PepDayUnit.WORKING_DAYS
    )
    review_cadence = models.CharField(
        max_length=20, choices=ReviewCadence.choices, default=ReviewCadence.TERMLY
    )
    max_targets_per_term = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    finalising_needs_second_person = models.BooleanField(
        "finalising needs a second person",
        default=False,
        db_default=False,
        help_text="The Virtual School officer who approved a PEP cannot also finalise it: "
        "another officer must.",
    )
    in_year_transfers_need_authorisation = models.BooleanField(
        "in-year school moves need authorisation",
        default=False,
        db_default=False,
        help_text="A child's move to another school during the school year must be "
        "authorised by the Virtual School.",
    )
    two_step_optional_under_13 = models.BooleanField(
        "two-step sign-in optional for children under 13",
        default=True,
        db_default=True,
        help_text="A young person under 13 may sign in with a password alone. Otherwise a "
        "young person needs a password of at least 15 characters or two-step sign-in.",
    )
    policy_version = models.PositiveIntegerField(
        default=1,
        db_default=1,
        editable=False,
        help_text="Raised by every change of the policy: a form opened before another "
        "person's change is refused instead of overwriting it.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^\d{3}$"), name="tenancy_la_code_three_digits"
            ),
            models.CheckConstraint(
                condition=Q(first_pep_limit__gte=1, first_pep_limit__lte=60),
                name="tenancy_la_first_pep_limit_range",
            ),
            models.CheckConstraint(
                condition=Q(max_targets_per_term__gte=1, max_targets_per_term__lte=10),
                name="tenancy_la_max_targets_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TenantModel(models.Model):
    """Base of every tenant-owned table: a direct, indexed ``local_authority`` foreign key.

    Row-level security compares this column with the transaction's authority context
    (``epep.tenancy.context``), so every tenant table carries it itself, even where the
    authority could be reached through a relation. A subclass that wants a reverse
    accessor on the authority (``la.children``) declares the field again with its
    ``related_name``, keeping ``on_delete=PROTECT`` and the index.
    """

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", db_index=True
    )

    class Meta:
        abstract = True


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)


class Membership(TenantModel):
    """One role held by one person, always recorded by one authority (a tenant row).

    Authority-bound roles (Virtual School, LA admin, social worker, personal adviser, IRO,
    carer, young person) act for that authority. A school role (designated teacher, school
    staff) also names a school: one account, one school role there, whichever authorities
    work with it. The authority that added the person owns the row; what the person may
    see at the school rests on each authority's :class:`SchoolRoleEndorsement`, never on
    the membership alone. A young person's membership names their own child record.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="memberships",
        db_index=True,
        help_text="The authority that recorded this role (for a school role: that added "
        "the person; other authorities endorse them separately).",
    )
    school = models.ForeignKey(
        "children.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="school_memberships",
    )
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="young_person_memberships",
    )
    #: The worker's team in the authority ("Children in Care Team 2"), for a social
    #: worker, personal adviser or IRO: the Virtual School's figures break down by it.
    team = models.CharField(max_length=80, blank=True, default="")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role"]
        constraints = [
            models.CheckConstraint(
                name="tenancy_membership_school_role_has_school",
                condition=~Q(role__in=_SCHOOL_ROLES) | Q(school__isnull=False),
            ),
            models.CheckConstraint(
                name="tenancy_membership_school_only_for_school_roles",
                condition=Q(role__in=_SCHOOL_ROLES) | Q(school__isnull=True),
            ),
            models.CheckConstraint(
                name="tenancy_membership_young_person_has_child",
                condition=~Q(role=Role.YOUNG_PERSON) | Q(child__isnull=False),
            ),
            models.CheckConstraint(
                name="tenancy_membership_child_only_for_young_person",
                condition=Q(role=Role.YOUNG_PERSON) | Q(child__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "local_authority"],
                condition=~Q(role__in=_SCHOOL_ROLES),
                name="tenancy_membership_unique_role_per_la",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=Q(role__in=_SCHOOL_ROLES),
                name="tenancy_membership_unique_school_role",
            ),
            # Endorsements copy (user, school) and must match: see SchoolRoleEndorsement.
            models.UniqueConstraint(
                fields=["id", "user", "school"], name="tenancy_membership_id_user_school"
            ),
        ]

    def __str__(self) -> str:
        where = self.school if self.role in SCHOOL_ROLES else self.local_authority
        return f"{self.user} — {self.get_role_display()} ({where})"

    @property
    def is_authority_wide(self) -> bool:
        return self.role in AUTHORITY_WIDE_ROLES


class EndorsementQuerySet(models.QuerySet):
    def in_force(self):
        """Endorsements that give access today: endorsed, not withdrawn, on an active
        membership of an active account."""
        return self.filter(
            state=SchoolRoleEndorsement.State.ENDORSED,
            membership__is_active=True,
            user__is_active=True,
        )


class SchoolRoleEndorsement(TenantModel):
    """One authority's say-so for one person's school role at one school.

    A designated teacher (or school staff member) sees an authority's children on roll at
    their school only while that authority endorses them. The authority that adds the
    person endorses them at once; every other authority with children on roll there is
    asked. Withdrawing ends access the same day.

    A tenant row of the endorsing authority (row-level security: that authority reads and
    writes it; the person reads their own, to know their boundary, and cannot write it).
    ``user``, ``school`` and ``role`` repeat the membership's, held equal by a composite
    foreign key, so the policy and the access filter need no join.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        ENDORSED = "endorsed", "Can see our children"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="school_role_endorsements",
        db_index=True,
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="endorsements"
    )
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("children.School", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, choices=Role.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    #: the authority whose adding of the person led to this request (None when this
    #: authority added them itself)
    requested_by_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = EndorsementQuerySet.as_manager()

    class Meta:
        ordering = ["school__name", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "local_authority"],
                name="tenancy_endorsement_one_per_authority",
            ),
            models.CheckConstraint(
                name="tenancy_endorsement_school_role",
                condition=Q(role__in=_SCHOOL_ROLES),
            ),
            models.CheckConstraint(
                name="tenancy_endorsement_state_valid",
                condition=Q(state__in=["pending", "endorsed", "declined", "withdrawn"]),
            ),
            models.CheckConstraint(
                name="tenancy_endorsement_decision_recorded",
                condition=Q(state="pending") | Q(decided_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["user", "state"], name="endorsement_user_state_idx"),
            models.Index(fields=["school", "local_authority"], name="endorsement_school_la_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.local_authority.name}: {self.user} at {self.school} ({self.state})"

    @property
    def in_force(self) -> bool:
        return self.state == self.State.ENDORSED
