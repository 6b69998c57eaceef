"""Children in care, the schools they attend, and the dated records of who is around them.

Every tenant-owned row carries a direct, indexed ``local_authority`` foreign key and is
protected by row-level security (see ``epep.tenancy.rls``). Schools are shared: one
school may hold children looked after by many authorities.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Replace, Upper
from guardian.models import UserObjectPermissionBase

from epep.tenancy import clock
from epep.tenancy.models import LocalAuthority, TenantModel, la_code_validator
from epep.tenancy.roles import Role

from . import stages
from .identifiers import validate_uln, validate_upn

urn_validator = RegexValidator(r"^\d{6}$", "Enter the school's 6-digit URN.")


class DateRange(Func):
    """daterange(start, end, '[)'): the end date is the first day no longer covered."""

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self, start, end):
        super().__init__(start, end, RangeBoundary(inclusive_lower=True, inclusive_upper=False))


class School(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SIXTEEN_PLUS = "16_plus", "16 plus"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    class Type(models.TextChoices):
        COMMUNITY = "community", "Community school"
        VOLUNTARY_AIDED = "voluntary_aided", "Voluntary aided school"
        VOLUNTARY_CONTROLLED = "voluntary_controlled", "Voluntary controlled school"
        FOUNDATION = "foundation", "Foundation school"
        ACADEMY = "academy", "Academy"
        FREE_SCHOOL = "free_school", "Free school"
        SPECIAL = "special", "Special school"
        ALTERNATIVE_PROVISION = (
            "alternative_provision",
            "Pupil referral unit or alternative provision",
        )
        INDEPENDENT = "independent", "Independent school"
        FURTHER_EDUCATION = "further_education", "Further education college"
        NURSERY = "nursery", "Nursery or early years setting"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        OPEN_PROPOSED_TO_CLOSE = "open_closing", "Open, but proposed to close"
        PROPOSED_TO_OPEN = "proposed", "Proposed to open"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    urn = models.CharField(
        "URN",
        max_length=6,
        unique=True,
        null=True,
        blank=True,
        validators=[urn_validator],
        help_text="Blank only for a school the Virtual School added by hand.",
    )
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    type = models.CharField(max_length=30, choices=Type.choices)
    la_code = models.CharField(
        "LA code",
        max_length=3,
        blank=True,
        validators=[la_code_validator],
        help_text="Where it stands; blank for a hand-added school outside England.",
    )
    postcode = models.CharField(max_length=8, blank=True)
    #: From Get Information About Schools (``EstablishmentStatus``, ``OpenDate``,
    #: ``CloseDate``): a closed school stays, since children's histories name it.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField("open date", null=True, blank=True)
    closed_on = models.DateField("close date", null=True, blank=True)
    #: Not from the shared list (Get Information About Schools): a Virtual School added it
    #: by hand (an independent school, a school outside England).
    added_by_hand = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_by_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(urn__regex=r"^\d{6}$"), name="school_urn_six_digits"
            ),
            models.CheckConstraint(
                condition=Q(la_code__regex=r"^\d{3}$") | Q(added_by_hand=True, la_code=""),
                name="school_la_code_three_digits",
            ),
            models.CheckConstraint(
                condition=Q(urn__isnull=False) | Q(added_by_hand=True),
                name="school_urn_unless_added_by_hand",
                violation_error_message="Only a school added by hand may have no URN.",
            ),
            models.CheckConstraint(
                condition=Q(added_by_hand=False) | Q(added_by_authority__isnull=False),
                name="school_added_by_hand_names_authority",
            ),
        ]
        indexes = [
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="school_name_trgm"),
            # Postcode search by its start, spaces ignored (children.selectors.schools_search).
            models.Index(
                OpClass(
                    Replace(Upper("postcode"), models.Value(" "), models.Value("")),
                    name="text_pattern_ops",
                ),
                name="school_postcode_search_idx",
            ),
        ]

    def __str__(self) -> str:
        if not self.urn:
            return f"{self.name} (added by hand)"
        return f"{self.name} (URN {self.urn})"

    @property
    def urn_label(self) -> str:
        return self.urn or "None (added by hand)"


class Child(TenantModel):
    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other or prefers not to say"

    class LegalStatus(models.TextChoices):
        # SSDA903 legal status codes
        C1 = "C1", "C1 — Interim care order"
        C2 = "C2", "C2 — Full care order"
        D1 = "D1", "D1 — Freeing order granted"
        E1 = "E1", "E1 — Placement order granted"
        J1 = "J1", "J1 — Remanded to local authority accommodation or youth detention"
        J2 = "J2", "J2 — Placed in local authority accommodation under PACE"
        J3 = "J3", "J3 — Sentenced to a youth rehabilitation order"
        L1 = "L1", "L1 — Under police protection"
        L2 = "L2", "L2 — Emergency protection order"
        L3 = "L3", "L3 — Under child assessment order and in local authority accommodation"
        V2 = "V2", "V2 — Single period of accommodation under section 20"
        V3 = "V3", "V3 — Accommodated under an agreed series of short-term breaks"
        V4 = "V4", "V4 — Accommodated under an agreed series of short-term breaks (others)"

    class SenStatus(models.TextChoices):
        NONE = "none", "No special educational needs"
        SEN_SUPPORT = "sen_support", "SEN support"
        EHCP = "ehcp", "Education, health and care plan (EHCP)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="children", db_index=True
    )
    legal_first_name = models.CharField("legal first name", max_length=100)
    legal_last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="The name the child likes to be called, if different."
    )
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=10, choices=Gender.choices)
    upn = models.CharField(
        "UPN",
        max_length=13,
        blank=True,
        validators=[validate_upn],
        help_text="Unique pupil number.",
    )
    uln = models.CharField(
        "ULN",
        max_length=10,
        blank=True,
        validators=[validate_uln],
        help_text="Unique learner number (post-16).",
    )
    entered_care_on = models.DateField("date entered care")
    left_care_on = models.DateField("date left care", null=True, blank=True)
    legal_status = models.CharField(max_length=2, choices=LegalStatus.choices)
    sen_status = models.CharField(
        "SEN status", max_length=20, choices=SenStatus.choices, default=SenStatus.NONE
    )
    ehcp_review_date = models.DateField("EHCP review date", null=True, blank=True)
    is_uasc = models.BooleanField("unaccompanied asylum-seeking child", default=False)
    first_language = models.CharField(max_length=60, default="English")
    #: The authority's own child identifier (SSDA903 ``CHILD``), matched by the import;
    #: unique within the authority, blank for a child typed in by hand.
    la_child_id = models.CharField(
        "child identifier (SSDA903 CHILD)", max_length=10, blank=True, default=""
    )
    #: SSDA903 ``CIN``, category of need (N1–N8), from the latest episode.
    category_of_need = models.CharField(max_length=2, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        verbose_name_plural = "children"
        constraints = [
            # The target of composite foreign keys from every child-owned table.
            models.UniqueConstraint(fields=["id", "local_authority"], name="child_id_la_unique"),
            # Unique within an authority: a child who leaves one authority's care and later
            # enters another's has a record in each, with the same UPN.
            models.UniqueConstraint(
                fields=["local_authority", "upn"],
                condition=~Q(upn=""),
                name="child_upn_unique_in_la",
                violation_error_message="Another child in this authority has this UPN.",
            ),
            models.UniqueConstraint(
                fields=["local_authority", "la_child_id"],
                condition=~Q(la_child_id=""),
                name="child_la_child_id_unique_in_la",
                violation_error_message="Another child in this authority has this identifier.",
            ),
            models.UniqueConstraint(
                fields=["local_authority", "uln"],
                condition=~Q(uln=""),
                name="child_uln_unique_in_la",
                violation_error_message="Another child in this authority has this ULN.",
            ),
            models.CheckConstraint(
                condition=Q(left_care_on__isnull=True) | Q(left_care_on__gte=F("entered_care_on")),
                name="child_left_care_after_entering",
                violation_error_message=(
                    "The date the child left care must be on or after the date they entered care."
                ),
            ),
            models.CheckConstraint(
                condition=Q(entered_care_on__gte=F("date_of_birth")),
                name="child_entered_care_after_birth",
                violation_error_message=(
                    "The date the child entered care cannot be before their date of birth."
                ),
            ),
            models.CheckConstraint(
                condition=Q(sen_status="ehcp") | Q(ehcp_review_date__isnull=True),
                name="child_ehcp_review_only_with_ehcp",
                violation_error_message="Only a child with an EHCP has an EHCP review date.",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        first = self.preferred_name or self.legal_first_name
        return f"{first} {self.legal_last_name}"

    @property
    def is_temporary_upn(self) -> bool:
        return bool(self.upn) and self.upn[-1].isalpha()

    def year_group(self, on: date | None = None) -> int:
        return stages.national_curriculum_year(self.date_of_birth, on or clock.today())

    def year_group_label(self, on: date | None = None) -> str:
        """For display; "Not known" when the recorded date of birth is after ``on``."""
        return stages.year_group_label_on(self.date_of_birth, on or clock.today())

    def key_stage(self, on: date | None = None) -> str:
        """For display; "Not known" when the recorded date of birth is after ``on``."""
        return stages.key_stage_on(self.date_of_birth, on or clock.today())

    def clean(self):
        """Dates a child's record cannot hold, each said beside its field: born after today,
        entering care before birth or after today (compared with the project clock)."""
        super().clean()
        today = clock.today()
        born, entered = self.date_of_birth, self.entered_care_on
        errors = {}
        if born and born > today:
            errors["date_of_birth"] = "Date of birth must be today or in the past."
        if entered and entered > today:
            errors["entered_care_on"] = (
                "The date the child entered care must be today or in the past."
            )
        elif entered and born and entered < born:
            errors["entered_care_on"] = (
                "The date the child entered care must be on or after their date of birth."
            )
        if errors:
            raise ValidationError(errors)


def current_on(day: date) -> Q:
    """Records in force on ``day``: started on or before it and not yet ended.
    The end date is the first day no longer covered: access ends on that day."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


class DatedChildRecord(TenantModel):
    start_date = models.DateField()
    end_date = models.DateField(
        null=True, blank=True, help_text="The first day this no longer applies; blank if current."
    )

    class Meta:
        abstract = True

    def is_current(self, day: date | None = None) -> bool:
        day = day or clock.today()
        return self.start_date <= day and (self.end_date is None or self.end_date > day)

    def _dates_in_order(self) -> bool:
        return not (self.start_date and self.end_date and self.end_date <= self.start_date)

    def clean(self):
        super().clean()
        if not self._dates_in_order():
            raise ValidationError({"end_date": "The end date must be after the start date."})

    def validate_constraints(self, exclude=None):
        # The overlap check builds a date range, which PostgreSQL refuses when the dates are
        # the wrong way round: clean() has already said so in words.
        if self._dates_in_order():
            super().validate_constraints(exclude=exclude)


def _end_after_start(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
        name=f"{prefix}_end_after_start",
        violation_error_message="The end date must be after the start date.",
    )


def _no_overlap(prefix: str, *extra: tuple) -> ExclusionConstraint:
    return ExclusionConstraint(
        name=f"{prefix}_no_overlap",
        expressions=[
            (F("child"), RangeOperators.EQUAL),
            *extra,
            (DateRange("start_date", "end_date"), RangeOperators.OVERLAPS),
        ],
        violation_error_message="These dates overlap another record for this child.",
    )


_END_AFTER_START = "The date the child left care must be after the date they entered care."


class CarePeriod(TenantModel):
    """One period of care: from the day the child entered care to the day they left it
    (``ended_on``, blank while they are still in care), with the SSDA903 reason the period
    ceased. ``Child.entered_care_on`` and ``left_care_on`` hold the latest period's dates,
    kept in step by ``children.services.care``."""

    class LeavingReason(models.TextChoices):
        # SSDA903 REC (reason episode ceased) codes that end a period of care. X1 (a new
        # episode begins the same day) does not: the child is still in care.
        E11 = "E11", "E11 — Adopted: application unopposed"
        E12 = "E12", "E12 — Adopted: consent dispensed with by the court"
        E13 = (
            "E13",
            (
                "E13 — Left care to live with parents, relatives or other people with no "
                "parental responsibility"
            ),
        )
        E14 = "E14", "E14 — Accommodation on remand ended"
        E15 = "E15", "E15 — Age assessment determined the child is aged 18 or over"
        E16 = "E16", "E16 — Child moved abroad"
        E17 = "E17", "E17 — Aged 18 or over and remained with current carers (staying put)"
        E2 = "E2", "E2 — Died"
        E3 = "E3", "E3 — Care taken over by another local authority in the UK"
        E41 = "E41", "E41 — Residence order or child arrangement order granted"
        E45 = (
            "E45",
            "E45 — Special guardianship order to former foster carers who are relatives or friends",
        )
        E46 = "E46", "E46 — Special guardianship order to other former foster carers"
        E47 = "E47", "E47 — Special guardianship order to other carers who are relatives or friends"
        E48 = "E48", "E48 — Special guardianship order to other carers, not relatives or friends"
        E4A = "E4A", "E4A — Returned home to live with parents as part of the care plan"
        E4B = "E4B", "E4B — Returned home to live with parents not as part of the care plan"
        E5 = "E5", "E5 — Moved into independent living with formalised support"
        E6 = "E6", "E6 — Moved into independent living without formalised support"
        E7 = "E7", "E7 — Transferred to residential care funded by adult social care"
        E8 = "E8", "E8 — Period of care ceased for any other reason"
        E9 = "E9", "E9 — Sentenced to custody"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_periods")
    started_on = models.DateField("date entered care")
    ended_on = models.DateField(
        "date left care", null=True, blank=True, help_text="Blank while the child is in care."
    )
    reason_ended = models.CharField(
        "reason for leaving care", max_length=3, choices=LeavingReason.choices, blank=True
    )

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gt=F("started_on")),
                name="care_period_end_after_start",
                violation_error_message=(
                    "The date the child left care must be after the date they entered care."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(ended_on__isnull=True) & Q(reason_ended=""))
                | (Q(ended_on__isnull=False) & ~Q(reason_ended="")),
                name="care_period_reason_when_ended",
                violation_error_message="A period of care has a reason exactly when it has ended.",
            ),
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(ended_on__isnull=True),
                name="care_period_one_open_per_child",
                violation_error_message="This child is already in care.",
            ),
            ExclusionConstraint(
                name="care_period_no_overlap",
                expressions=[
                    (F("child"), RangeOperators.EQUAL),
                    (DateRange("started_on", "ended_on"), RangeOperators.OVERLAPS),
                ],
                violation_error_message="These dates overlap another period of care.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} in care from {self.started_on}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None

    def validate_constraints(self, exclude=None):
        # The overlap check builds a date range, which PostgreSQL refuses when the dates
        # are the wrong way round: the check constraint says so in words.
        if self.ended_on and self.started_on and self.ended_on <= self.started_on:
            raise ValidationError({"ended_on": _END_AFTER_START})
        super().validate_constraints(exclude=exclude)


class Enrolment(DatedChildRecord):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="enrolments")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="enrolments")

    class Meta:
        ordering = ["-start_date"]
        constraints = [_end_after_start("enrolment"), _no_overlap("enrolment")]
        indexes = [models.Index(fields=["school", "start_date"], name="enrolment_school_idx")]

    def __str__(self) -> str:
        return f"{self.child} at {self.school}"


class Placement(DatedChildRecord):
    class Type(models.TextChoices):
        FOSTER = "foster", "Foster care"
        KINSHIP = "kinship", "Foster care with family or friends"
        RESIDENTIAL = "residential", "Children's home"
        SUPPORTED = "supported", "Supported accommodation"
        PARENTS = "parents", "Placed with parents"
        ADOPTION = "adoption", "Placed for adoption"
        SECURE = "secure", "Secure unit"
        OTHER = "other", "Other"

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="placements")
    placement_type = models.CharField(max_length=20, choices=Type.choices)
    #: SSDA903 episode fields where the placement came from the council's extract
    #: (blank for one recorded by hand): PLACE, PLACE_PROVIDER, URN (Ofsted's, of the
    #: provider), PL_POST, HOME_POST and REASON_PLACE_CHANGE of the episode before.
    ssda903_place = models.CharField("placement type (PLACE)", max_length=3, blank=True)
    place_provider = models.CharField("provider (PLACE_PROVIDER)", max_length=3, blank=True)
    provider_urn = models.CharField("provider's Ofsted URN", max_length=8, blank=True)
    placement_postcode = models.CharField(max_length=8, blank=True)
    home_postcode = models.CharField(max_length=8, blank=True)
    reason_place_change = models.CharField(max_length=6, blank=True)
    carers = models.ManyToManyField(
        "accounts.User", through="PlacementCarer", related_name="placements"
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [_end_after_start("placement"), _no_overlap("placement")]

    def __str__(self) -> str:
        return f"{self.child}: {self.get_placement_type_display()} from {self.start_date}"


class PlacementCarer(TenantModel):
    """Through-table: carries its own authority column so RLS covers it directly."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="carer_links")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="carer_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["placement", "user"], name="placement_carer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} caring in {self.placement}"


class WorkerRole(models.TextChoices):
    """The role a worker is allocated to a child in (``Allocation.kind``): the same values
    as the roles they act in."""

    SOCIAL_WORKER = Role.SOCIAL_WORKER.value, "Social worker"
    PERSONAL_ADVISER = Role.PERSONAL_ADVISER.value, "Personal adviser"
    IRO = Role.IRO.value, "Independent reviewing officer"


class Allocation(DatedChildRecord):
    """A worker allocated to a child: social worker, personal adviser (post-16) or IRO."""

    #: The earlier name of :class:`WorkerRole`.
    Kind = WorkerRole

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="allocations")
    worker = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="allocations"
    )
    kind = models.CharField(max_length=20, choices=WorkerRole.choices)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            _end_after_start("allocation"),
            _no_overlap("allocation", (F("kind"), RangeOperators.EQUAL)),
        ]
        indexes = [models.Index(fields=["worker", "kind"], name="allocation_worker_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.worker} for {self.child}"


class ChildAccessGrant(UserObjectPermissionBase, TenantModel):
    """An explicit, dated grant of access to one child (django-guardian's direct-foreign-key
    user permission table, with the authority, expiry and revocation added).

    Two kinds: a designated teacher delegating a child to a colleague at the same school
    (``school`` set: the grant only works while the child is on roll there), and the
    Virtual School granting a named professional access to one child.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    content_object = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="access_grants"
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300)
    granted_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="grants_given"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(help_text="The first day the grant no longer works.")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(UserObjectPermissionBase.Meta):
        unique_together = ()
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "permission", "content_object"],
                condition=Q(revoked_at__isnull=True),
                name="child_grant_one_live_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} may see {self.content_object} until {self.expires_on}"

    @property
    def child(self) -> Child:
        return self.content_object

    def is_active(self, day: date | None = None) -> bool:
        day = day or clock.today()
        return self.revoked_at is None and self.expires_on > day


class SchoolMoveRequest(TenantModel):
    """An in-year school move waiting for the Virtual School's say-so (when the
    authority's policy asks for it): authorised, the move is made; declined, with the
    reason; withdrawn by the Virtual School or the person who asked."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for authorisation"
        AUTHORISED = "authorised", "Authorised"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="school_moves")
    from_enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField("start date at the new school")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="school_move_declined_has_reason",
                violation_error_message="Say why the move is declined.",
            ),
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(status="pending"),
                name="school_move_one_pending_per_child",
                violation_error_message="This child already has a school move waiting.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["local_authority", "status", "requested_at"], name="school_move_la_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.child} to {self.to_school} from {self.start_date}"
