"""PEP meetings and who is invited to them.

School calendars (terms, closures, submission dates) are in ``calendars``; deadlines and
the in-tray in ``deadlines``."""

import uuid

from django.db import models
from django.db.models import Q

# Migration 0003 names the expression by this path (historical import).
from calendars.models import InclusiveDateRange  # noqa: F401
from epep.tenancy.models import TenantModel


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


class Meeting(TenantModel):
    """A PEP meeting. Invitations carry an iCalendar event whose ``ical_uid`` never
    changes; ``sequence`` (RFC 5545 SEQUENCE) increases with every change or
    cancellation, so calendars replace the event rather than add another.

    A tenant row: its own authority (row-level security) and a composite key
    (pep, authority) to the PEP (migration 0003)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
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


class MeetingAttendee(TenantModel):
    """Someone invited to a PEP meeting: a user of ePEP or anyone else by email.
    ``attended`` is unknown (null) until attendance is recorded."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
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
