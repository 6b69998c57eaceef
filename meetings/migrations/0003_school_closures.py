"""School closures (INSET days, authority-wide closures) under row-level security, and
the term overlap constraint on inclusive ranges (a term's end date is its last day: the
half-open range let a term start on the last day of another)."""

import django.contrib.postgres.constraints
import django.db.models.deletion
from django.db import migrations, models

import meetings.models
from epep.tenancy.rls import enable_rls


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0003_row_level_security"),
        ("meetings", "0002_row_level_security"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="schoolterm",
            name="term_no_overlap",
        ),
        migrations.AddConstraint(
            model_name="schoolterm",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                expressions=[
                    (models.F("local_authority"), "="),
                    (meetings.models.InclusiveDateRange("start_date", "end_date"), "&&"),
                ],
                name="term_no_overlap",
                violation_error_code="term_overlap",
                violation_error_message="This term overlaps another term of the same authority.",
            ),
        ),
        migrations.CreateModel(
            name="SchoolClosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "date",
                    models.DateField(help_text="A school day inside one of the authority's terms."),
                ),
                ("reason", models.CharField(help_text="For example: INSET day.", max_length=100)),
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
                        help_text=(
                            "Leave empty for a closure of every school (for example a polling day)."
                        ),
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="children.school",
                    ),
                ),
            ],
            options={
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
        enable_rls("meetings_schoolclosure"),
    ]
