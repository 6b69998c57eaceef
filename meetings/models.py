"""School calendars per authority (deadlines and meetings build on these)."""

import uuid
from datetime import date

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Func, Q

from children.models import School
from epep.tenancy.models import LocalAuthority

from .calendars import is_bank_holiday, long_date

academic_year_validator = RegexValidator(r"^\d{4}-\d{2}$", "Write the academic year like 2025-26.")


class InclusiveDateRange(Func):
    """daterange(start, end, '[]'): both days covered (a term's end date is its last day).

    ``children.models.DateRange`` is half-open (end = first day no longer covered), which
    would let a term start on the last day of another."""

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self, start, end):
        super().__init__(start, end, RangeBoundary(inclusive_lower=True, inclusive_upper=True))


class SchoolTerm(models.Model):
    """A term (or half term) of the authority's published school calendar.

    Dates are inclusive: ``end_date`` is the last day of the term."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="terms", db_index=True
    )
    academic_year = models.CharField(max_length=7, validators=[academic_year_validator])
    name = models.CharField(max_length=40)
    start_date = models.DateField()
    end_date = models.DateField(help_text="The last day of the term.")
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="term_end_on_or_after_start",
                violation_error_message="A term must end on or after the day it starts.",
            ),
            ExclusionConstraint(
                name="term_no_overlap",
                expressions=[
                    (F("local_authority"), RangeOperators.EQUAL),
                    (InclusiveDateRange("start_date", "end_date"), RangeOperators.OVERLAPS),
                ],
                violation_error_message="This term overlaps another term of the same authority.",
                violation_error_code="term_overlap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.local_authority.name} {self.academic_year} {self.name}"

    def clean(self):
        super().clean()
        if not academic_year_validator.regex.match(self.academic_year or ""):
            return  # the field's own validator reports it
        first, second = int(self.academic_year[:4]), int(self.academic_year[5:])
        if second != (first + 1) % 100:
            raise ValidationError(
                {"academic_year": "The second year must follow the first, like 2025-26."}
            )
        earliest, latest = date(first, 8, 1), date(first + 1, 8, 31)
        outside = [
            name
            for name in ("start_date", "end_date")
            if getattr(self, name) is not None and not earliest <= getattr(self, name) <= latest
        ]
        if outside:
            message = (
                f"A term of {self.academic_year} must fall between {long_date(earliest)} "
                f"and {long_date(latest)}."
            )
            raise ValidationError({name: message for name in outside})

    def overlapping_terms(self):
        """The authority's other terms sharing at least one day with this one."""
        if self.local_authority_id is None or self.start_date is None or self.end_date is None:
            return SchoolTerm.objects.none()
        return (
            SchoolTerm.objects.filter(
                local_authority_id=self.local_authority_id,
                start_date__lte=self.end_date,
                end_date__gte=self.start_date,
            )
            .exclude(pk=self.pk)
            .order_by("start_date")
        )

    def validate_constraints(self, exclude=None):
        """As Django's, with the overlap message naming the terms it clashes with."""
        if self.start_date and self.end_date and self.end_date < self.start_date:
            # PostgreSQL cannot build a backwards range (the overlap query would fail and
            # abort the transaction): skip the overlap check, whose expressions use the
            # authority; the end-after-start check still reports the dates.
            exclude = {*(exclude or ()), "local_authority"}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict({})
            clashes = list(self.overlapping_terms())
            if clashes:
                named = "; ".join(
                    f"{t.academic_year} {t.name} ({long_date(t.start_date)} to "
                    f"{long_date(t.end_date)})"
                    for t in clashes
                )
                errors[NON_FIELD_ERRORS] = [
                    ValidationError(
                        f"This term overlaps another term of the same authority: {named}. "
                        "Change its dates so that no day is in two terms.",
                        code="term_overlap",
                    )
                    if getattr(e, "code", None) == "term_overlap"
                    else e
                    for e in errors.get(NON_FIELD_ERRORS, [])
                ]
            raise ValidationError(errors) from None


class SchoolClosure(models.Model):
    """A day the schools (or one school) are closed inside a term: a school's INSET
    (staff training) day, or an authority-wide closure such as a polling day.

    ``school`` empty means every school of the authority's calendar. Closures are not
    school days (``meetings.calendars.add_school_days``)."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="school_closures", db_index=True
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for a closure of every school (for example a polling day).",
    )
    date = models.DateField(help_text="A school day inside one of the authority's terms.")
    reason = models.CharField(max_length=100, help_text="For example: INSET day.")

    class Meta:
        ordering = ["date", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "school", "date"],
                nulls_distinct=False,
                name="closure_one_per_school_and_day",
                violation_error_message="This closure is already recorded for that day.",
            ),
        ]

    def __str__(self) -> str:
        where = self.school.name if self.school_id else "all schools"
        return f"{self.reason}, {long_date(self.date)} ({where})"

    def clean(self):
        super().clean()
        if self.local_authority_id is None or self.date is None:
            return
        reason = None
        if self.date.weekday() >= 5:
            reason = "it is a weekend day"
        elif is_bank_holiday(self.date):
            reason = "it is a bank holiday"
        elif not SchoolTerm.objects.filter(
            local_authority_id=self.local_authority_id,
            start_date__lte=self.date,
            end_date__gte=self.date,
        ).exists():
            reason = "no term of this authority includes it (add the term first)"
        if reason:
            raise ValidationError({"date": f"This date is not a school day in any term: {reason}."})


# --- PEP meetings (scheduled by the social worker or the Virtual School) -------------------


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CANCELLED = "cancelled", "Cancelled"
    HELD = "held", "Held"


class MeetingQuerySet(models.QuerySet):
    def current(self):
        """The PEP's meeting to show: the scheduled one, else the latest held one (also
        reachable from a template as ``pep.meetings.current``)."""
        return (
            self.filter(status__in=[MeetingStatus.HELD, MeetingStatus.SCHEDULED])
            .order_by(
                models.Case(
                    models.When(status=MeetingStatus.SCHEDULED, then=0),
                    default=1,
                ),
                "-starts_at",
            )
            .first()
        )


class Meeting(models.Model):
    """A PEP meeting. Invitations carry an iCalendar event whose ``ical_uid`` never
    changes; ``sequence`` (RFC 5545 SEQUENCE) increases with every change or
    cancellation, so calendars replace the event rather than add another.

    A tenant row: its own authority (row-level security) and a composite key
    (pep, authority) to the PEP (migration 0003)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", db_index=True
    )
    pep = models.ForeignKey("peps.Pep", on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField(max_length=300, blank=True)
    online_link = models.URLField(max_length=500, blank=True)
    ical_uid = models.CharField(max_length=255, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    cancel_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text="Recorded after the meeting.")
    organiser = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pep"],
                condition=Q(status="scheduled"),
                name="meeting_one_scheduled_per_pep",
                violation_error_message="This PEP already has a meeting scheduled.",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15) & Q(duration_minutes__lte=480),
                name="meeting_duration_15_to_480",
                violation_error_message="A meeting lasts between 15 minutes and 8 hours.",
            ),
            models.CheckConstraint(
                condition=~Q(location="") | ~Q(online_link=""),
                name="meeting_has_place_or_link",
                violation_error_message="Enter where the meeting is, or a link to join online.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=sorted(MeetingStatus.values)),
                name="meeting_status_valid",
            ),
            # The target of the attendees' composite foreign key.
            models.UniqueConstraint(fields=["id", "local_authority"], name="meeting_id_la_unique"),
        ]

    def __str__(self) -> str:
        return f"PEP meeting {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        from datetime import timedelta

        return self.starts_at + timedelta(minutes=self.duration_minutes)


class MeetingAttendee(models.Model):
    """Someone invited to a PEP meeting: a user of ePEP or anyone else by email.
    ``attended`` is unknown (null) until attendance is recorded."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", db_index=True
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    email = models.EmailField()
    name = models.CharField(max_length=150, blank=True)
    role_label = models.CharField(max_length=60, blank=True)
    attended = models.BooleanField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "email"],
                name="meeting_attendee_once",
                violation_error_message="This person is already invited.",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email


# --- Deadlines and tasks (rules in meetings.deadlines, writes in meetings.services) -------


class SubmissionDate(models.Model):
    """The authority's termly PEP submission deadline (Sefton 2023-24: 17 November,
    22 March, 21 June). A termly review is due by each one."""

    class Term(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="submission_dates", db_index=True
    )
    academic_year = models.CharField(max_length=7, validators=[academic_year_validator])
    term = models.CharField(max_length=10, choices=Term.choices)
    date = models.DateField()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "academic_year", "term"],
                name="submission_date_one_per_term",
                violation_error_message="This term already has a submission date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.academic_year} {self.get_term_display()}: {long_date(self.date)}"


class DeadlineKind(models.TextChoices):
    FIRST_PEP = "first_pep", "First PEP after entering care"
    STATUTORY_REVIEW_READY = "statutory_review_ready", "PEP ready for the first care review"
    NEW_SCHOOL = "new_school", "PEP for a new school"
    NEW_PLACEMENT = "new_placement", "PEP for a new placement"
    KEY_STAGE = "key_stage", "PEP for a new key stage"
    TERMLY_REVIEW = "termly_review", "Termly PEP review"
    SIX_MONTHLY = "six_monthly", "Six-monthly PEP review"


class Deadline(models.Model):
    """One obligation to hold a PEP by a date, worked out from the child's records by
    ``meetings.services.deadlines_refresh``. Met by the first PEP whose meeting was held
    on or after ``trigger_date``.

    A tenant row: composite keys (child, authority) and (met_by, authority) (migration)."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", db_index=True
    )
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=30, choices=DeadlineKind.choices)
    trigger_date = models.DateField(help_text="A PEP held on or after this day meets it.")
    due_date = models.DateField()
    source = models.CharField(max_length=300, help_text="How the due date was worked out.")
    met_by = models.ForeignKey(
        "peps.Pep", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    met_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "kind", "due_date"], name="deadline_once_per_child_kind_due"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(DeadlineKind.values)), name="deadline_kind_valid"
            ),
            # The target of the tasks' composite foreign key.
            models.UniqueConstraint(fields=["id", "local_authority"], name="deadline_id_la_unique"),
        ]
        indexes = [
            models.Index(fields=["child", "met_on", "due_date"], name="deadline_child_next_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {long_date(self.due_date)}"


class TaskKind(models.TextChoices):
    COMPLETE_PEP = "complete_pep", "Complete the PEP"
    ARRANGE_MEETING = "arrange_meeting", "Arrange the PEP meeting"


class Task(models.Model):
    """An item in someone's in-tray, opened and closed by
    ``meetings.services.deadlines_refresh``."""

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", db_index=True
    )
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="tasks")
    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    assignee = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=30, choices=TaskKind.choices)
    title = models.CharField(max_length=200)
    due_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "assignee", "kind"],
                condition=Q(closed_at__isnull=True),
                name="task_one_open_per_deadline_assignee_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(TaskKind.values)), name="task_kind_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["assignee", "due_date"],
                condition=Q(closed_at__isnull=True),
                name="task_open_by_assignee_idx",
            )
        ]

    def __str__(self) -> str:
        return self.title


class DeadlineInputs(models.Model):
    """What a child's deadlines and tasks were last worked out from: a digest of every
    input (the day, the authority's policy and calendar, the child's dates, enrolments,
    placements, allocations, PEPs and meetings, the school's endorsed teachers), so
    ``meetings.services.deadlines_refresh`` skips a child whose inputs have not changed.

    A tenant row: composite key (child, authority) (migration)."""

    child = models.OneToOneField(
        "children.Child", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="+", db_index=True
    )
    fingerprint = models.CharField(max_length=64)
    refreshed_on = models.DateField()

    def __str__(self) -> str:
        return f"Deadline inputs of child {self.child_id}"
