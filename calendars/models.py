"""School calendars per authority: terms, closures and the termly PEP submission dates
(deadlines and meetings build on these).

The tables kept their names from when these models lived in ``meetings``
(``meetings_schoolterm``, ...): the move was a change of Django state only (migration
``calendars.0001_initial``), so no row moved and the row-level-security policies stand."""

import uuid
from datetime import date

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Func, Q

from children.models import School
from epep.tenancy.models import LocalAuthority, TenantModel

from .days import is_bank_holiday, long_date

academic_year_validator = RegexValidator(r"^\d{4}-\d{2}$", "Write the academic year like 2025-26.")


class InclusiveDateRange(Func):
    """daterange(start, end, '[]'): both days covered (a term's end date is its last day).

    ``children.models.DateRange`` is half-open (end = first day no longer covered), which
    would let a term start on the last day of another."""

    function = "DATERANGE"
    output_field = DateRangeField()

    def __init__(self, start, end):
        super().__init__(start, end, RangeBoundary(inclusive_lower=True, inclusive_upper=True))


class SchoolTerm(TenantModel):
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
        db_table = "meetings_schoolterm"
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


class SchoolClosure(TenantModel):
    """A day the schools (or one school) are closed inside a term: a school's INSET
    (staff training) day, or an authority-wide closure such as a polling day.

    ``school`` empty means every school of the authority's calendar. Closures are not
    school days (``calendars.days.add_school_days``)."""

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
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        db_table = "meetings_schoolclosure"
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


class SubmissionDate(TenantModel):
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
        db_table = "meetings_submissiondate"
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
