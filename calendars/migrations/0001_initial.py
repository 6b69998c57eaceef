"""The school calendars move from ``meetings`` to their own app: Django's state only.

The tables (``meetings_schoolterm``, ``meetings_schoolclosure``, ``meetings_submissiondate``)
were created by ``meetings`` 0001-0005 and stay as they are; ``meetings`` 0007 forgets the
models there."""

import django.contrib.postgres.constraints
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import calendars.models

MODELS = ("schoolterm", "schoolclosure", "submissiondate")


def content_types_follow(apps, schema_editor):
    """The models' content types (and so their permissions) move with them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="calendars", model=model).exists():
            ContentType.objects.filter(app_label="meetings", model=model).update(
                app_label="calendars"
            )


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="meetings", model=model).exists():
            ContentType.objects.filter(app_label="calendars", model=model).update(
                app_label="meetings"
            )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("meetings", "0006_deadline_inputs"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("children", "0004_enrolment_boundary"),
        ("tenancy", "0005_school_role_rls"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SchoolClosure",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "date",
                            models.DateField(
                                help_text="A school day inside one of the authority's terms."
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(help_text="For example: INSET day.", max_length=100),
                        ),
                        (
                            "local_authority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="school_closures",
                                to="tenancy.localauthority",
                            ),
                        ),
                        (
                            "school",
                            models.ForeignKey(
                                blank=True,
                                help_text="Leave empty for a closure of every school (for example a polling day).",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="children.school",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "meetings_schoolclosure",
                        "ordering": ["date", "school__name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("local_authority", "school", "date"),
                                name="closure_one_per_school_and_day",
                                nulls_distinct=False,
                                violation_error_message="This closure is already recorded for that day.",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SchoolTerm",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "academic_year",
                            models.CharField(
                                max_length=7,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^\\d{4}-\\d{2}$", "Write the academic year like 2025-26."
                                    )
                                ],
                            ),
                        ),
                        ("name", models.CharField(max_length=40)),
                        ("start_date", models.DateField()),
                        ("end_date", models.DateField(help_text="The last day of the term.")),
                        ("source", models.CharField(blank=True, max_length=200)),
                        (
                            "local_authority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="terms",
                                to="tenancy.localauthority",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "meetings_schoolterm",
                        "ordering": ["start_date"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("end_date__gte", models.F("start_date"))),
                                name="term_end_on_or_after_start",
                                violation_error_message="A term must end on or after the day it starts.",
                            ),
                            django.contrib.postgres.constraints.ExclusionConstraint(
                                expressions=[
                                    (models.F("local_authority"), "="),
                                    (
                                        calendars.models.InclusiveDateRange(
                                            "start_date", "end_date"
                                        ),
                                        "&&",
                                    ),
                                ],
                                name="term_no_overlap",
                                violation_error_code="term_overlap",
                                violation_error_message="This term overlaps another term of the same authority.",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="SubmissionDate",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "academic_year",
                            models.CharField(
                                max_length=7,
                                validators=[
                                    django.core.validators.RegexValidator(
                                        "^\\d{4}-\\d{2}$", "Write the academic year like 2025-26."
                                    )
                                ],
                            ),
                        ),
                        (
                            "term",
                            models.CharField(
                                choices=[
                                    ("autumn", "Autumn"),
                                    ("spring", "Spring"),
                                    ("summer", "Summer"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("date", models.DateField()),
                        (
                            "local_authority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="submission_dates",
                                to="tenancy.localauthority",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "meetings_submissiondate",
                        "ordering": ["date"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("local_authority", "academic_year", "term"),
                                name="submission_date_one_per_term",
                                violation_error_message="This term already has a submission date.",
                            )
                        ],
                    },
                ),
            ],
            # The tables stay where they are (Meta.db_table), with their rows, constraints,
            # indexes, composite keys and row-level-security policies.
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
