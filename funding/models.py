"""Pupil Premium Plus: each authority's policy and budget per financial year, each child's
allocation, the PP+ lines a school asks for in a PEP (tied to the PEP's SMART targets),
the Virtual School's decision on each, the payment runs that pay schools, and the impact
recorded at the next PEP.

Money is integer pence in every column (``funding.money`` turns what people type into
pence). Budgets and allocations carry their own running totals, guarded by check
constraints (nothing committed beyond what there is): an approval takes row locks on the
budget and the child's allocation, so two officers approving at once cannot over-commit.
Every row carries its authority (row-level security); rows about a child or a PEP
reference it through the composite key (migration).
"""

from __future__ import annotations

import uuid

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q

from children.models import Child, School
from epep.tenancy.models import TenantModel
from peps.models import Pep, Target, Term

from .years import financial_year_label

_YEAR_RANGE = Q(financial_year__gte=2000, financial_year__lte=2100)


class ReleaseModel(models.TextChoices):
    TERMLY = "termly", "A fixed amount each term, released when the PEP is approved"
    REQUESTS = "requests", "Requests against the PEP's targets, up to a cap"
    BOTH = "both", "A fixed termly amount, and requests against targets"


class TransferRule(models.TextChoices):
    """What happens to committed, unpaid PP+ when a child moves school mid-term."""

    PRO_RATA = "pro_rata", "Split between the schools by the days of the term at each"
    NEW_SCHOOL = "new_school", "All of it goes to the new school"


class Category(models.TextChoices):
    """What PP+ buys (an authority allows some and can refuse others)."""

    TUITION = "tuition", "Tuition and catch-up"
    MENTORING = "mentoring", "Mentoring and coaching"
    THERAPEUTIC = "therapeutic", "Therapeutic and emotional support"
    LITERACY_NUMERACY = "literacy_numeracy", "Literacy and numeracy programmes"
    EQUIPMENT = "equipment", "Equipment and learning resources"
    ENRICHMENT = "enrichment", "Enrichment, music, sport and activities"
    TRANSITION = "transition", "Transition support"
    STAFF_TRAINING = "staff_training", "Staff training"
    OTHER = "other", "Something else"


class PpPolicy(TenantModel):
    """How the authority manages PP+ in one financial year: the published policy."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year it starts in: 2026 is April 2026 to March 2027."
    )
    grant_rate_pence = models.PositiveIntegerField(
        "grant per child", help_text="The government's rate per eligible child this year."
    )
    retention_pence = models.PositiveBigIntegerField(
        "kept centrally (amount)", null=True, blank=True
    )
    retention_percent = models.PositiveSmallIntegerField(
        "kept centrally (share of the grant, %)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    retention_funds = models.TextField(
        "what the central amount funds", blank=True, help_text="Published with the policy."
    )
    release_model = models.CharField(
        max_length=10, choices=ReleaseModel.choices, default=ReleaseModel.REQUESTS
    )
    termly_amount_pence = models.PositiveIntegerField(
        "termly amount per child", null=True, blank=True
    )
    child_year_cap_pence = models.PositiveIntegerField(
        "most a child's requests can total in the year", null=True, blank=True
    )
    line_cap_pence = models.PositiveIntegerField("most one request can be", null=True, blank=True)
    head_approval_above_pence = models.PositiveIntegerField(
        "requests above this need the Virtual School Head", null=True, blank=True
    )
    exceptional_allowed = models.BooleanField(
        "exceptional requests allowed",
        default=True,
        help_text="Above the cap, with an end date and an exit plan.",
    )
    transfer_rule = models.CharField(
        max_length=12, choices=TransferRule.choices, default=TransferRule.PRO_RATA
    )
    allowed_categories = ArrayField(
        models.CharField(max_length=30, choices=Category.choices), default=list, blank=True
    )
    not_funded = models.TextField(
        "not funded", blank=True, help_text="What PP+ will not pay for, one item per line."
    )
    summary = models.TextField("policy summary for schools", blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    #: raised by every change: a form opened before another person's change is refused
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-financial_year"]
        verbose_name = "PP+ policy"
        verbose_name_plural = "PP+ policies"
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "financial_year"],
                name="pp_policy_one_per_year",
                violation_error_message="The authority already has a policy for that year.",
            ),
            models.CheckConstraint(condition=_YEAR_RANGE, name="pp_policy_year_range"),
            models.CheckConstraint(
                condition=Q(retention_pence__isnull=True) | Q(retention_percent__isnull=True),
                name="pp_policy_retention_amount_or_share",
                violation_error_message="Keep back an amount or a share, not both.",
            ),
            models.CheckConstraint(
                condition=Q(retention_percent__isnull=True) | Q(retention_percent__lte=100),
                name="pp_policy_retention_share_range",
            ),
            models.CheckConstraint(
                condition=Q(release_model="requests") | Q(termly_amount_pence__gt=0),
                name="pp_policy_termly_amount_set",
                violation_error_message="Enter the termly amount per child.",
            ),
            models.CheckConstraint(
                condition=Q(release_model__in=["termly", "requests", "both"]),
                name="pp_policy_release_model_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"PP+ policy {financial_year_label(self.financial_year)}"


class GrantStage(models.TextChoices):
    PROVISIONAL = "provisional", "Provisional (June)"
    FINAL = "final", "Final (December)"


class PpGrant(TenantModel):
    """The grant as the authority was told it: provisional, then final."""

    financial_year = models.PositiveSmallIntegerField()
    stage = models.CharField(max_length=12, choices=GrantStage.choices)
    amount_pence = models.PositiveBigIntegerField()
    eligible_children = models.PositiveIntegerField(null=True, blank=True)
    received_on = models.DateField()
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["financial_year", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "financial_year", "stage"],
                name="pp_grant_one_per_stage",
                violation_error_message="That stage of the grant is already recorded.",
            ),
            models.CheckConstraint(condition=_YEAR_RANGE, name="pp_grant_year_range"),
            models.CheckConstraint(
                condition=Q(stage__in=["provisional", "final"]), name="pp_grant_stage_valid"
            ),
        ]


class PpBudget(TenantModel):
    """The authority's PP+ money in one financial year, with running totals in pence:
    what the grant is, what is kept centrally, committed to schools and paid. The check
    constraints are the rule "never below zero": an approval that would take the
    remaining budget below nothing fails in the database whatever the code."""

    financial_year = models.PositiveSmallIntegerField()
    grant_pence = models.BigIntegerField(default=0)
    retained_pence = models.BigIntegerField(default=0)
    committed_pence = models.BigIntegerField(default=0)
    paid_pence = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-financial_year"]
        verbose_name = "PP+ budget"
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "financial_year"], name="pp_budget_one_per_year"
            ),
            models.CheckConstraint(condition=_YEAR_RANGE, name="pp_budget_year_range"),
            models.CheckConstraint(
                condition=Q(grant_pence__gte=0)
                & Q(retained_pence__gte=0)
                & Q(committed_pence__gte=0)
                & Q(paid_pence__gte=0),
                name="pp_budget_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    grant_pence__gte=F("retained_pence") + F("committed_pence") + F("paid_pence")
                ),
                name="pp_budget_never_overspent",
                violation_error_message="There is not enough left in this year's PP+ budget.",
            ),
        ]

    @property
    def remaining_pence(self) -> int:
        return self.grant_pence - self.retained_pence - self.committed_pence - self.paid_pence


class ChildAllocation(TenantModel):
    """One child's PP+ in one financial year: allocated, committed (approved, unpaid)
    and paid, in pence. Never more committed and paid than allocated."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="pp_allocations")
    financial_year = models.PositiveSmallIntegerField()
    allocated_pence = models.BigIntegerField(default=0)
    committed_pence = models.BigIntegerField(default=0)
    paid_pence = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-financial_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "financial_year"], name="pp_allocation_one_per_child_year"
            ),
            models.CheckConstraint(condition=_YEAR_RANGE, name="pp_allocation_year_range"),
            models.CheckConstraint(
                condition=Q(allocated_pence__gte=0)
                & Q(committed_pence__gte=0)
                & Q(paid_pence__gte=0),
                name="pp_allocation_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(allocated_pence__gte=F("committed_pence") + F("paid_pence")),
                name="pp_allocation_never_overspent",
                violation_error_message="There is not enough left in this child's PP+ allocation.",
            ),
        ]

    @property
    def remaining_pence(self) -> int:
        return self.allocated_pence - self.committed_pence - self.paid_pence


class LineKind(models.TextChoices):
    REQUEST = "request", "Request against targets"
    TERMLY = "termly", "Termly amount"


class LineStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    PART_APPROVED = "part_approved", "Part approved"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


#: Lines whose approved amount is committed (until paid).
FUNDED_STATUSES = [LineStatus.APPROVED, LineStatus.PART_APPROVED]


class ImpactRating(models.TextChoices):
    BIG = "big", "Made a big difference"
    SOME = "some", "Made some difference"
    NONE = "none", "Made no difference"
    TOO_EARLY = "too_early", "Too early to tell"


class PpLine(TenantModel):
    """One costed line of PP+ in a PEP: what, from whom, how much, in which term, tied to
    one or more of the PEP's SMART targets (``PpLineTarget``); or the policy's fixed
    termly amount. The Virtual School approves, part-approves or declines it, with a
    reason for anything but a full approval."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pep = models.ForeignKey(Pep, on_delete=models.PROTECT, related_name="pp_lines")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="pp_lines")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.REQUEST)
    financial_year = models.PositiveSmallIntegerField()
    academic_year = models.CharField(max_length=7)
    term = models.CharField(max_length=10, choices=Term.choices)
    what = models.CharField("what it pays for", max_length=300)
    provider = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=30, choices=Category.choices)
    amount_pence = models.PositiveIntegerField("amount requested")
    approved_pence = models.PositiveIntegerField(null=True, blank=True)
    targets = models.ManyToManyField(Target, through="PpLineTarget", related_name="pp_lines")
    exceptional = models.BooleanField(default=False)
    end_date = models.DateField(null=True, blank=True)
    exit_plan = models.TextField(blank=True)
    status = models.CharField(
        max_length=15, choices=LineStatus.choices, default=LineStatus.REQUESTED
    )
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    impact = models.TextField(blank=True)
    impact_rating = models.CharField(max_length=10, choices=ImpactRating.choices, blank=True)
    impact_recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    impact_recorded_at = models.DateTimeField(null=True, blank=True)
    #: raised by every change: two people changing the line at once cannot overwrite
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = "PP+ line"
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="pp_line_amount_positive"),
            models.CheckConstraint(
                condition=Q(approved_pence__isnull=True) | Q(approved_pence__lte=F("amount_pence")),
                name="pp_line_approved_within_request",
            ),
            models.CheckConstraint(
                condition=~Q(exceptional=True) | (Q(end_date__isnull=False) & ~Q(exit_plan="")),
                name="pp_line_exceptional_has_end_and_exit",
                violation_error_message="An exceptional request needs an end date and an exit "
                "plan.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["part_approved", "declined"]) | ~Q(decision_reason=""),
                name="pp_line_decision_reason",
                violation_error_message="Say why the request was not approved in full.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "part_approved"]) | Q(approved_pence__gt=0),
                name="pp_line_funded_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["requested", "approved", "part_approved", "declined", "withdrawn"]
                ),
                name="pp_line_status_valid",
            ),
            models.CheckConstraint(condition=_YEAR_RANGE, name="pp_line_year_range"),
            models.UniqueConstraint(fields=["id", "local_authority"], name="pp_line_id_la_unique"),
            models.UniqueConstraint(
                fields=["pep", "school"],
                condition=Q(kind="termly"),
                name="pp_line_one_termly_per_pep_school",
                violation_error_message="This PEP's termly PP+ has already been released.",
            ),
        ]
        indexes = [
            models.Index(fields=["local_authority", "status"], name="pp_line_la_status_idx"),
            models.Index(fields=["school", "financial_year"], name="pp_line_school_year_idx"),
        ]

    def __str__(self) -> str:
        return self.what[:60]


class PpLineTarget(TenantModel):
    """A PP+ line tied to one of its PEP's targets."""

    line = models.ForeignKey(PpLine, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line", "target"], name="pp_line_target_unique"),
        ]


class PaymentRunStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONFIRMED = "confirmed", "Confirmed"
    PAID = "paid", "Paid"


class PaymentRun(TenantModel):
    """The approved, unpaid lines of one term batched for payment to schools: draft,
    confirmed, then paid with a date and the finance system's reference. A paid run is
    locked."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academic_year = models.CharField(max_length=7)
    term = models.CharField(max_length=10, choices=Term.choices)
    status = models.CharField(
        max_length=10, choices=PaymentRunStatus.choices, default=PaymentRunStatus.DRAFT
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="paid") | (Q(paid_on__isnull=False) & ~Q(reference="")),
                name="payment_run_paid_has_date_and_reference",
                violation_error_message="Enter the date it was paid and the finance reference.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "confirmed", "paid"]),
                name="payment_run_status_valid",
            ),
            models.UniqueConstraint(
                fields=["id", "local_authority"], name="payment_run_id_la_unique"
            ),
        ]


class Payment(TenantModel):
    """One line in one run, to the line's school. A line is paid once: it can be in one
    run only (the unique constraint), whatever happens at once."""

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="payments")
    line = models.ForeignKey(PpLine, on_delete=models.PROTECT, related_name="payments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    amount_pence = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                name="payment_line_once",
                violation_error_message="This line is already in a payment run.",
            ),
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="payment_amount_positive"),
        ]
