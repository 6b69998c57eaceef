"""The Virtual School's quality assurance of PEPs: the rubric each authority sets
(versioned), the QA rounds of each submitted PEP with a grade per criterion, the overall
grade and whether it releases PP+, and the termly moderation sample.

Every row carries its authority (row-level security); rows that belong to a PEP reference
it through the composite key (pep, authority) like every PEP table.
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from epep.tenancy.models import TenantModel
from peps.models import Pep, Term


class QaPolicy(TenantModel):
    """How the authority runs QA: the turnaround it promises schools and the share of
    each term's approved PEPs it moderates. One row per authority."""

    turnaround_working_days = models.PositiveSmallIntegerField(
        "QA turnaround (working days)",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How many working days after submission QA must be finished.",
    )
    moderation_share_percent = models.PositiveSmallIntegerField(
        "moderation sample (%)",
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="The share of each term's graded PEPs graded again, blind, by a second person.",
    )
    #: raised by every change: a form opened before another person's change is refused
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "QA policy"
        verbose_name_plural = "QA policies"
        constraints = [
            models.UniqueConstraint(fields=["local_authority"], name="qa_policy_one_per_la"),
            models.CheckConstraint(
                condition=Q(turnaround_working_days__gte=1, turnaround_working_days__lte=60),
                name="qa_policy_turnaround_range",
            ),
            models.CheckConstraint(
                condition=Q(moderation_share_percent__lte=100),
                name="qa_policy_moderation_share_range",
            ),
        ]

    def __str__(self) -> str:
        return "QA policy"


class RollUp(models.TextChoices):
    """How criterion grades become an overall grade."""

    BANDS = "bands", "Weighted score bands"
    COUNTING = "counting", "Counting rule"


class RubricStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_FORCE = "in_force", "In force"
    RETIRED = "retired", "Retired"


class Rubric(TenantModel):
    """One version of an authority's QA rubric. Only a draft can change; publishing puts
    it in force and retires the one before. A PEP is graded against the version in force
    when its QA started (``QaReview.rubric``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    version = models.PositiveSmallIntegerField()
    roll_up = models.CharField(max_length=10, choices=RollUp.choices, default=RollUp.BANDS)
    status = models.CharField(
        max_length=10, choices=RubricStatus.choices, default=RubricStatus.DRAFT
    )
    in_force_from = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "version"], name="rubric_version_unique"
            ),
            models.UniqueConstraint(
                fields=["local_authority"],
                condition=Q(status="in_force"),
                name="rubric_one_in_force",
                violation_error_message="The authority already has a rubric in force.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_force", "retired"]),
                name="rubric_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(roll_up__in=["bands", "counting"]), name="rubric_roll_up_valid"
            ),
            models.UniqueConstraint(fields=["id", "local_authority"], name="rubric_id_la_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"


class FundingRelease(models.TextChoices):
    """What an overall grade means for PP+ (the funding app asks ``quality.selectors``)."""

    RELEASES = "releases", "Releases PP+"
    BY_DECISION = "by_decision", "Releases PP+ only by a recorded decision"
    WITHHOLDS = "withholds", "Does not release PP+"


class RubricGrade(TenantModel):
    """One grade of a rubric's scale, best first (rank 1). With score bands, the overall
    grade is the best one whose ``min_score`` the weighted score reaches; with a counting
    rule, the best one whose count holds ("every criterion at this grade or better except
    at most ``allowance``, and those no worse than ``allowance_floor``"). The worst grade
    is what is left."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="grades")
    rank = models.PositiveSmallIntegerField(help_text="1 is the best grade.")
    label = models.CharField(max_length=40)
    colour = models.CharField(
        max_length=12,
        choices=[
            ("gold", "Gold"),
            ("green", "Green"),
            ("amber", "Amber"),
            ("red", "Red"),
            ("blue", "Blue"),
            ("grey", "Grey"),
        ],
        default="grey",
    )
    #: bands: the lowest weighted score (0-100) that earns this grade
    min_score = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    #: counting: how many criteria may be below this grade
    allowance = models.PositiveSmallIntegerField(null=True, blank=True)
    #: counting: ... and no worse than this grade (blank: any grade)
    allowance_floor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    funding = models.CharField(
        max_length=12, choices=FundingRelease.choices, default=FundingRelease.WITHHOLDS
    )

    class Meta:
        ordering = ["rubric", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "rank"], name="rubric_grade_rank_unique"),
            models.UniqueConstraint(fields=["rubric", "label"], name="rubric_grade_label_unique"),
            models.CheckConstraint(
                condition=Q(min_score__isnull=True) | Q(min_score__lte=100),
                name="rubric_grade_min_score_range",
            ),
            models.UniqueConstraint(
                fields=["id", "local_authority"], name="rubric_grade_id_la_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class RubricSection(TenantModel):
    """A group of criteria, usually one part of the PEP."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=120)
    #: the PEP section it is about (``peps.sections``), blank for a cross-cutting group
    pep_section = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["rubric", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id", "local_authority"], name="rubric_section_id_la_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Criterion(TenantModel):
    """One thing the officer judges, with a weight (a rubric's weights add up to 100)
    and, where a machine can judge it, the automatic pre-check that informs it."""

    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    section = models.ForeignKey(RubricSection, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    weight = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    #: the key of an automatic pre-check (``quality.prechecks``), blank for none
    precheck = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["section__order", "order", "id"]
        verbose_name_plural = "criteria"
        constraints = [
            models.CheckConstraint(condition=Q(weight__lte=100), name="criterion_weight_range"),
            models.UniqueConstraint(
                fields=["id", "local_authority"], name="criterion_id_la_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Descriptor(TenantModel):
    """What a criterion looks like at one grade ("Green: the child's own words, gathered
    this term")."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="descriptors")
    grade = models.ForeignKey(RubricGrade, on_delete=models.CASCADE, related_name="descriptors")
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["criterion", "grade"], name="descriptor_one_per_grade"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ReviewKind(models.TextChoices):
    PRIMARY = "primary", "Quality assurance"
    MODERATION = "moderation", "Moderation"


class ReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_REVIEW_STATUSES = [ReviewStatus.ASSIGNED, ReviewStatus.IN_PROGRESS]


class ReviewOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for amendments"


class QaReview(TenantModel):
    """One round of QA of one PEP by one officer (``PRIMARY``), or the blind second grading
    of a moderation sample (``MODERATION``). A resubmitted PEP gets a new round; the PEP's
    QA history is every round."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pep = models.ForeignKey(Pep, on_delete=models.PROTECT, related_name="qa_reviews")
    kind = models.CharField(max_length=12, choices=ReviewKind.choices, default=ReviewKind.PRIMARY)
    #: 1 for the first submission, 2 after the first return, ...
    round = models.PositiveSmallIntegerField(default=1)
    #: when the PEP was submitted for this round (the QA clock starts here)
    submitted_at = models.DateTimeField()
    officer = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.ASSIGNED
    )
    #: the rubric in force when grading started
    rubric = models.ForeignKey(
        Rubric, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    #: the grade the roll-up rule gives
    computed_grade = models.ForeignKey(
        RubricGrade, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: the overall grade given: the computed one, or the officer's override (with reason)
    grade = models.ForeignKey(
        RubricGrade, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_reason = models.TextField(blank=True)
    #: feedback to the school on the whole PEP
    summary = models.TextField(blank=True)
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices, blank=True)
    return_reason = models.TextField(blank=True)
    #: what the school must fix before resubmitting, one item per line
    fixes = models.JSONField(default=list, blank=True)
    #: a grade that releases PP+ only by decision: the decision and its reason
    funding_decision = models.BooleanField(null=True, blank=True)
    funding_decision_reason = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    #: raised by every save: two officers saving at once cannot overwrite each other
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pep", "round", "kind"]
        verbose_name = "QA review"
        constraints = [
            models.UniqueConstraint(
                fields=["pep"],
                condition=Q(kind="primary", status__in=["assigned", "in_progress"]),
                name="qa_review_one_open_per_pep",
                violation_error_message="This PEP is already being quality-assured.",
            ),
            models.UniqueConstraint(
                fields=["pep", "round"],
                condition=Q(kind="primary") & ~Q(status="withdrawn"),
                name="qa_review_one_primary_per_round",
            ),
            models.UniqueConstraint(
                fields=["pep", "round"],
                condition=Q(kind="moderation") & ~Q(status="withdrawn"),
                name="qa_review_one_moderation_per_round",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["primary", "moderation"]), name="qa_review_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["assigned", "in_progress", "completed", "withdrawn"]),
                name="qa_review_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(kind="primary", status="completed"),
                name="qa_review_outcome_only_when_completed",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="returned") | ~Q(return_reason=""),
                name="qa_review_return_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True)
                | Q(computed_grade__isnull=True)
                | Q(grade=models.F("computed_grade"))
                | ~Q(override_reason=""),
                name="qa_review_override_needs_reason",
            ),
            models.UniqueConstraint(
                fields=["id", "local_authority"], name="qa_review_id_la_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["officer", "status"],
                condition=Q(status__in=["assigned", "in_progress"]),
                name="qa_review_open_by_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} round {self.round}"


class CriterionGrade(TenantModel):
    review = models.ForeignKey(QaReview, on_delete=models.CASCADE, related_name="criterion_grades")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    grade = models.ForeignKey(RubricGrade, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="criterion_grade_one_per_review"
            ),
        ]


class SectionComment(TenantModel):
    review = models.ForeignKey(QaReview, on_delete=models.CASCADE, related_name="section_comments")
    section = models.ForeignKey(RubricSection, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "section"], name="section_comment_one_per_review"
            ),
        ]


class ModerationSample(TenantModel):
    """A term's random sample of completed QA, drawn once (seeded, so it can be shown
    how it was drawn)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    academic_year = models.CharField(max_length=7)
    term = models.CharField(max_length=10, choices=Term.choices)
    share_percent = models.PositiveSmallIntegerField()
    #: how many completed reviews it was drawn from
    population = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    drawn_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField()

    class Meta:
        ordering = ["-academic_year", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "academic_year", "term"],
                name="moderation_sample_one_per_term",
                violation_error_message="This term's moderation sample has already been drawn.",
            ),
            models.UniqueConstraint(
                fields=["id", "local_authority"], name="moderation_sample_id_la_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Moderation {self.get_term_display()} {self.academic_year}"


class ModerationResolution(models.TextChoices):
    PENDING = "pending", "Waiting for the second grading"
    AGREED = "agreed", "Agreed"
    ORIGINAL_STANDS = "original_stands", "Disagreed: the original grade stands"
    MODERATED_STANDS = "moderated_stands", "Disagreed: the moderator's grade stands"


class ModerationItem(TenantModel):
    """One sampled PEP: its completed QA review, the blind second grading, and how any
    disagreement was resolved."""

    sample = models.ForeignKey(ModerationSample, on_delete=models.CASCADE, related_name="items")
    pep = models.ForeignKey(Pep, on_delete=models.PROTECT, related_name="+")
    original = models.ForeignKey(QaReview, on_delete=models.PROTECT, related_name="+")
    moderation = models.ForeignKey(
        QaReview, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(
        max_length=20,
        choices=ModerationResolution.choices,
        default=ModerationResolution.PENDING,
    )
    resolution_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sample", "original"], name="moderation_item_unique"),
            models.CheckConstraint(
                condition=Q(resolution__in=["pending", "agreed", "original_stands"])
                | ~Q(resolution_note=""),
                name="moderation_item_override_needs_note",
            ),
        ]


class QaQueueEntry(Pep):
    """A submitted PEP as the QA queue shows it (the admin's page for the queue)."""

    class Meta:
        proxy = True
        verbose_name = "PEP waiting for QA"
        verbose_name_plural = "PEPs waiting for QA"
