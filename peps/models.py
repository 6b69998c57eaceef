"""Personal Education Plans: one per child per review, built by several people, reviewed
every term, quality-assured by the Virtual School and finalised.

Every row carries its authority (row-level security) and references the child through
the composite key (child, authority)."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q

from children.models import Child, School
from epep.tenancy.models import TenantModel
from funding.money import MAX_PPPLUS_LINE_PENCE, format_pounds

from .sections import SECTIONS


class Term(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    MEETING_HELD = "meeting_held", "Meeting held"
    SUBMITTED = "submitted", "Submitted to the Virtual School"
    RETURNED = "returned", "Returned for amendments"
    APPROVED = "approved", "Approved"
    FINALISED = "finalised", "Finalised"


OPEN_STATUSES = [s.value for s in Status if s != Status.FINALISED]
#: Content can change only in these states (the designated teacher amends after a return).
EDITABLE_STATUSES = [Status.DRAFT, Status.MEETING_HELD, Status.RETURNED]


class PepKind(models.TextChoices):
    """Why a PEP is written (``Pep.kind``)."""

    INITIAL = "initial", "Initial PEP (entering care)"
    TERMLY = "termly", "Termly review"
    NEW_SCHOOL = "new_school", "New school"
    NEW_PLACEMENT = "new_placement", "New placement"
    KEY_STAGE = "key_stage", "Key stage transition"
    EARLY_YEARS = "early_years", "Early years"
    POST_16 = "post_16", "Post-16"


class PepVariant(models.TextChoices):
    """The form of a PEP, by the child's stage (``Pep.variant``)."""

    EARLY_YEARS = "early_years", "Early years"
    SCHOOL_AGE = "school_age", "School age"
    POST_16 = "post_16", "Post-16"


#: The earlier name of :class:`PepKind`.
Kind = PepKind


class TenantChildRow(TenantModel):
    class Meta:
        abstract = True


class Pep(TenantChildRow):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="peps")
    academic_year = models.CharField(max_length=7)
    term = models.CharField(max_length=10, choices=Term.choices)
    kind = models.CharField(max_length=20, choices=PepKind.choices, default=PepKind.TERMLY)
    #: which form of PEP: early years, school age or post-16 (from the child's year group
    #: when started; the designated teacher may choose another)
    variant = models.CharField(
        max_length=12, choices=PepVariant.choices, default=PepVariant.SCHOOL_AGE
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The school at the time of the PEP.",
    )
    year_group = models.SmallIntegerField(null=True, blank=True)
    key_stage = models.CharField(max_length=10, blank=True)
    meeting_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: increases with every transition: a double click submits the old number and fails
    state_version = models.PositiveIntegerField(default=1)
    return_reason = models.TextField(blank=True)
    #: when it was last submitted to the Virtual School (the QA clock starts here)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    #: the person who approved it (a second person may have to finalise it:
    #: ``LocalAuthority.finalising_needs_second_person``)
    approved_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    pdf_path = models.CharField(max_length=300, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=~Q(status="finalised"),
                name="pep_one_open_per_child",
                violation_error_message="This child already has a PEP in progress.",
            ),
            models.UniqueConstraint(
                fields=["child", "academic_year", "term", "kind"],
                name="pep_one_per_review",
                violation_error_message="This child already has this PEP for that term.",
            ),
            models.CheckConstraint(
                condition=Q(academic_year__regex=r"^\d{4}-\d{2}$"), name="pep_academic_year_format"
            ),
            models.UniqueConstraint(fields=["id", "local_authority"], name="pep_id_la_unique"),
            models.CheckConstraint(
                condition=Q(variant__in=["early_years", "school_age", "post_16"]),
                name="pep_variant_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_term_display()} {self.academic_year}"

    @property
    def is_locked(self) -> bool:
        return self.status not in EDITABLE_STATUSES


class PepSection(TenantChildRow):
    """One section's content. ``version`` increases with every save: a save that started
    from an older version is a conflict, never a silent overwrite."""

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=40, choices=[(s.key, s.title) for s in SECTIONS])
    data = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: Set when whoever finishes the PEP records that this section could not be obtained
    #: (``peps.services.section_mark_not_obtained``): it then counts as complete, and
    #: everyone who reads the PEP sees why. Empty: not marked.
    not_obtained_reason = models.TextField(blank=True)
    not_obtained_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    not_obtained_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pep", "key"]
        constraints = [
            models.UniqueConstraint(fields=["pep", "key"], name="pep_section_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()} v{self.version}"


class SectionRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting"
    DONE = "done", "Written"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SectionRequest(TenantChildRow):
    """Whoever finishes a PEP asking someone who may write one of its sections (the
    carer, the social worker) to write it: a task in that person's in-tray and an email.
    Closed (``done``) when that person saves the section, or withdrawn. One open request
    per PEP, section and person."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="section_requests")
    section = models.CharField(max_length=40, choices=[(s.key, s.title) for s in SECTIONS])
    requested_from = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="section_requests"
    )
    #: the role in which they write the section (what their in-tray shows it under)
    requested_from_role = models.CharField(max_length=30)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    message = models.TextField(blank=True)
    created_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=SectionRequestStatus.choices, default=SectionRequestStatus.OPEN
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pep", "section", "requested_from"],
                condition=Q(status="open"),
                name="section_request_one_open",
                violation_error_message="This person has already been asked for this section.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "done", "withdrawn"]),
                name="section_request_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["requested_from", "created_at"],
                condition=Q(status="open"),
                name="section_request_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_section_display()} from user {self.requested_from_id}"


class AttainmentEntry(TenantChildRow):
    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="attainment")
    subject = models.CharField(max_length=80)
    baseline = models.CharField(max_length=40, blank=True)
    current = models.CharField(max_length=40, blank=True)
    target = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["pep", "subject"], name="attainment_subject_once"),
        ]

    def __str__(self) -> str:
        return self.subject


_COST_TOO_HIGH = f"The cost must be {format_pounds(MAX_PPPLUS_LINE_PENCE)} or less."


class Target(TenantChildRow):
    class Outcome(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="targets")
    description = models.TextField("What will be achieved")
    success_measure = models.TextField("How success will be measured")
    responsible = models.CharField("Who is responsible", max_length=150)
    due_date = models.DateField("By when")
    strategy = models.TextField("Intervention or strategy")
    expected_outcome = models.TextField("Expected outcome")
    ppplus_cost_pence = models.PositiveIntegerField(
        "PP+ cost (pence)",
        null=True,
        blank=True,
        help_text="Stored in pence.",
        validators=[MaxValueValidator(MAX_PPPLUS_LINE_PENCE, message=_COST_TOO_HIGH)],
    )
    #: the target in words the child understands (written by the designated teacher; the
    #: young person sees this, never the professional wording)
    child_summary = models.TextField("In the child's words", blank=True)
    version = models.PositiveIntegerField(default=1)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_comment = models.TextField(blank=True)
    reviewed_in = models.ForeignKey(
        Pep, on_delete=models.PROTECT, null=True, blank=True, related_name="reviewed_targets"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | ~Q(outcome_comment=""),
                name="target_outcome_needs_comment",
                violation_error_message="Add a comment saying how the target went.",
            ),
            models.CheckConstraint(
                condition=Q(ppplus_cost_pence__gte=0, ppplus_cost_pence__lte=MAX_PPPLUS_LINE_PENCE)
                | Q(ppplus_cost_pence__isnull=True),
                name="target_ppplus_cost_in_range",
                violation_error_message=_COST_TOO_HIGH,
            ),
            # The target of the composite keys of rows tied to a target (PP+ lines).
            models.UniqueConstraint(fields=["id", "local_authority"], name="target_id_la_unique"),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class Action(TenantChildRow):
    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=150)
    due_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "created_at"]

    def __str__(self) -> str:
        return self.description[:60]


class Transition(TenantChildRow):
    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Status.choices)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")), name="transition_changes_state"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class AttachmentKind(models.TextChoices):
    """What a document is (``Attachment.kind``)."""

    REPORT = "report", "School report"
    EHCP = "ehcp", "EHCP"
    PAPER_PEP = "paper_pep", "Earlier paper PEP"
    OTHER = "other", "Other document"


class Attachment(TenantChildRow):
    #: The earlier name of :class:`AttachmentKind`.
    Kind = AttachmentKind

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="attachments")
    pep = models.ForeignKey(
        Pep, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(max_length=20, choices=AttachmentKind.choices)
    title = models.CharField(max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title
