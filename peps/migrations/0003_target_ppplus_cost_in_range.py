"""A target's Pupil Premium Plus cost is between £0 and £100,000 (funding.money), in the
database as well as in the form."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("peps", "0002_row_level_security")]

    operations = [
        migrations.AlterField(
            model_name="target",
            name="ppplus_cost_pence",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Stored in pence.",
                null=True,
                validators=[
                    django.core.validators.MaxValueValidator(
                        10000000, message="The cost must be £100,000 or less."
                    )
                ],
                verbose_name="PP+ cost (pence)",
            ),
        ),
        migrations.AddConstraint(
            model_name="target",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("ppplus_cost_pence__gte", 0), ("ppplus_cost_pence__lte", 10000000)),
                    ("ppplus_cost_pence__isnull", True),
                    _connector="OR",
                ),
                name="target_ppplus_cost_in_range",
                violation_error_message="The cost must be £100,000 or less.",
            ),
        ),
    ]
