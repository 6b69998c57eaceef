"""A digest of each child's deadline inputs, so the refresh skips unchanged children: a
tenant row under row-level security, tied to the child's authority by a composite key."""

import django.db.models.deletion
from django.db import migrations, models

from epep.tenancy.rls import composite_child_fk, enable_rls


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0003_row_level_security"),
        ("meetings", "0005_deadlines_and_tasks"),
        ("tenancy", "0002_row_level_security"),
    ]

    operations = [
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
        ),
        enable_rls("meetings_deadlineinputs"),
        composite_child_fk("meetings_deadlineinputs"),
    ]
