"""School calendars per authority (deadlines and meetings build on these)."""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from children.models import DateRange
from epep.tenancy.models import LocalAuthority

academic_year_validator = RegexValidator(r"^\d{4}-\d{2}$", "Write the academic year like 2025-26.")


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
                    (DateRange("start_date", "end_date"), RangeOperators.OVERLAPS),
                ],
                violation_error_message="This term overlaps another term of the same authority.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.local_authority.name} {self.academic_year} {self.name}"
