"""Local authorities (the tenants) and memberships (who holds which role where)."""

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


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)


class Membership(models.Model):
    """One role held by one person.

    Authority-bound roles (Virtual School, LA admin, social worker, personal adviser, IRO,
    carer, young person) name their local authority. A designated teacher's membership
    names a school instead: they see the children on roll there from any authority. School
    staff also name a school, and see only the children a designated teacher shares with them.
    A young person's membership names their own child record.
    """

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        db_index=True,
    )
    school = models.ForeignKey(
        "children.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designated_teachers",
    )
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="young_person_memberships",
    )
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
                name="tenancy_membership_authority_roles_have_la",
                condition=Q(role__in=_SCHOOL_ROLES) | Q(local_authority__isnull=False),
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
        ]

    def __str__(self) -> str:
        where = self.school or self.local_authority
        return f"{self.user} — {self.get_role_display()} ({where})"

    @property
    def is_authority_wide(self) -> bool:
        return self.role in AUTHORITY_WIDE_ROLES
