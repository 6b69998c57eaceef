"""PEP meetings and their attendees: tenant rows under row-level security, tied to their
PEP's (and meeting's) authority by composite keys (foreign-key checks ignore RLS)."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from epep.tenancy.rls import composite_fk, enable_rls


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_school_closures"),
        ("peps", "0002_row_level_security"),
        ("tenancy", "0002_row_level_security"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Meeting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("starts_at", models.DateTimeField()),
                ("duration_minutes", models.PositiveSmallIntegerField(default=60)),
                ("location", models.CharField(blank=True, max_length=300)),
                ("online_link", models.URLField(blank=True, max_length=500)),
                ("ical_uid", models.CharField(editable=False, max_length=255, unique=True)),
                ("sequence", models.PositiveIntegerField(default=0)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("scheduled", "Scheduled"),
                            ("cancelled", "Cancelled"),
                            ("held", "Held"),
                        ],
                        default="scheduled",
                        max_length=20,
                    ),
                ),
                ("cancel_reason", models.TextField(blank=True)),
                ("notes", models.TextField(blank=True, help_text="Recorded after the meeting.")),
                ("recorded_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "local_authority",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.localauthority",
                    ),
                ),
                (
                    "organiser",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pep",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="meetings",
                        to="peps.pep",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-starts_at"],
            },
        ),
        migrations.CreateModel(
            name="MeetingAttendee",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("email", models.EmailField(max_length=254)),
                ("name", models.CharField(blank=True, max_length=150)),
                ("role_label", models.CharField(blank=True, max_length=60)),
                ("attended", models.BooleanField(blank=True, null=True)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                (
                    "local_authority",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.localauthority",
                    ),
                ),
                (
                    "meeting",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attendees",
                        to="meetings.meeting",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["position", "id"],
            },
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "scheduled")),
                fields=("pep",),
                name="meeting_one_scheduled_per_pep",
                violation_error_message="This PEP already has a meeting scheduled.",
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=models.Q(("duration_minutes__gte", 15), ("duration_minutes__lte", 480)),
                name="meeting_duration_15_to_480",
                violation_error_message="A meeting lasts between 15 minutes and 8 hours.",
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("location", ""), _negated=True),
                    models.Q(("online_link", ""), _negated=True),
                    _connector="OR",
                ),
                name="meeting_has_place_or_link",
                violation_error_message="Enter where the meeting is, or a link to join online.",
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["cancelled", "held", "scheduled"])),
                name="meeting_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.UniqueConstraint(
                fields=("id", "local_authority"), name="meeting_id_la_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="meetingattendee",
            constraint=models.UniqueConstraint(
                fields=("meeting", "email"),
                name="meeting_attendee_once",
                violation_error_message="This person is already invited.",
            ),
        ),
        enable_rls("meetings_meeting"),
        enable_rls("meetings_meetingattendee"),
        composite_fk("meetings_meeting", column="pep_id", target="peps_pep"),
        composite_fk("meetings_meetingattendee", column="meeting_id", target="meetings_meeting"),
    ]
