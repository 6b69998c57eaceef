"""PEP deadlines and the in-tray move from ``meetings`` to their own app: Django's state only.

The tables (``meetings_deadline``, ``meetings_task``, ``meetings_deadlineinputs``) were
created by ``meetings`` 0005-0006 and stay as they are; ``meetings`` 0007 forgets the
models there."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("deadline", "task", "deadlineinputs")


def content_types_follow(apps, schema_editor):
    """The models' content types (and so their permissions) move with them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="deadlines", model=model).exists():
            ContentType.objects.filter(app_label="meetings", model=model).update(
                app_label="deadlines"
            )


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="meetings", model=model).exists():
            ContentType.objects.filter(app_label="deadlines", model=model).update(
                app_label="meetings"
            )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("meetings", "0006_deadline_inputs"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("children", "0004_enrolment_boundary"),
        ("peps", "0003_target_ppplus_cost_in_range"),
        ("tenancy", "0005_school_role_rls"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Deadline",
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
                            "kind",
                            models.CharField(
                                choices=[
                                    ("first_pep", "First PEP after entering care"),
                                    (
                                        "statutory_review_ready",
                                        "PEP ready for the first care review",
                                    ),
                                    ("new_school", "PEP for a new school"),
                                    ("new_placement", "PEP for a new placement"),
                                    ("key_stage", "PEP for a new key stage"),
                                    ("termly_review", "Termly PEP review"),
                                    ("six_monthly", "Six-monthly PEP review"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "trigger_date",
                            models.DateField(help_text="A PEP held on or after this day meets it."),
                        ),
                        ("due_date", models.DateField()),
                        (
                            "source",
                            models.CharField(
                                help_text="How the due date was worked out.", max_length=300
                            ),
                        ),
                        ("met_on", models.DateField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "child",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deadlines",
                                to="children.child",
                            ),
                        ),
                        (
                            "local_authority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="tenancy.localauthority",
                            ),
                        ),
                        (
                            "met_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="peps.pep",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "meetings_deadline",
                        "ordering": ["due_date", "kind"],
                    },
                ),
                migrations.CreateModel(
                    name="DeadlineInputs",
                    fields=[
                        (
                            "child",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="children.child",
                            ),
                        ),
                        ("fingerprint", models.CharField(max_length=64)),
                        ("refreshed_on", models.DateField()),
                        (
                            "local_authority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="tenancy.localauthority",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "meetings_deadlineinputs",
                    },
                ),
                migrations.CreateModel(
                    name="Task",
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
                            "kind",
                            models.CharField(
                                choices=[
                                    ("complete_pep", "Complete the PEP"),
                                    ("arrange_meeting", "Arrange the PEP meeting"),
                                ],
                                max_length=30,
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        ("due_date", models.DateField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("closed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "assignee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="tasks",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "child",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tasks",
                                to="children.child",
                            ),
                        ),
                        (
                            "deadline",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tasks",
                                to="deadlines.deadline",
                            ),
                        ),
                        (
                            "local_authority",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="tenancy.localauthority",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "meetings_task",
                        "ordering": ["due_date", "id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="deadline",
                    index=models.Index(
                        fields=["child", "met_on", "due_date"], name="deadline_child_next_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="deadline",
                    constraint=models.UniqueConstraint(
                        fields=("child", "kind", "due_date"),
                        name="deadline_once_per_child_kind_due",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="deadline",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "first_pep",
                                    "key_stage",
                                    "new_placement",
                                    "new_school",
                                    "six_monthly",
                                    "statutory_review_ready",
                                    "termly_review",
                                ],
                            )
                        ),
                        name="deadline_kind_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="deadline",
                    constraint=models.UniqueConstraint(
                        fields=("id", "local_authority"), name="deadline_id_la_unique"
                    ),
                ),
                migrations.AddIndex(
                    model_name="task",
                    index=models.Index(
                        condition=models.Q(("closed_at__isnull", True)),
                        fields=["assignee", "due_date"],
                        name="task_open_by_assignee_idx",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="task",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("closed_at__isnull", True)),
                        fields=("deadline", "assignee", "kind"),
                        name="task_one_open_per_deadline_assignee_kind",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="task",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("kind__in", ["arrange_meeting", "complete_pep"])),
                        name="task_kind_valid",
                    ),
                ),
            ],
            # The tables stay where they are (Meta.db_table), with their rows, constraints,
            # indexes, composite keys and row-level-security policies.
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
