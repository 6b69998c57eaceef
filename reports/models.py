"""What the Virtual School Head writes beside the figures: a short commentary per section
of the annual report ("We did this, and the impact was…"), one per authority, academic
year and section, edited under an optimistic lock (``version``)."""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from epep.tenancy.models import TenantModel

#: The chapters of the annual report that carry a commentary, in the report's order.
COMMENTARY_SECTIONS: dict[str, str] = {
    "compliance": "The cohort and PEP compliance",
    "quality": "PEP quality",
    "ppplus": "Pupil premium plus",
    "outcomes": "Outcomes",
}

#: A commentary is short: a few paragraphs for the governing body.
COMMENTARY_MAX_LENGTH = 5000


class ReportCommentary(TenantModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: The academic year by its first calendar year: 2026 is 2026/27.
    academic_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    section = models.CharField(max_length=20, choices=list(COMMENTARY_SECTIONS.items()))
    text = models.TextField(max_length=COMMENTARY_MAX_LENGTH, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "report commentaries"
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "academic_year", "section"],
                name="report_commentary_one_per_section",
                violation_error_message="This section already has a commentary for that year.",
            ),
        ]

    def __str__(self) -> str:
        return f"{COMMENTARY_SECTIONS.get(self.section, self.section)} {self.academic_year}"
