"""School calendars and PEP deadlines now belong to the ``calendars`` and ``deadlines``
apps (their 0001 migrations). Django's state only: the tables, their rows and their
row-level-security policies stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_deadline_inputs"),
        ("calendars", "0001_initial"),
        ("deadlines", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("Task"),
                migrations.DeleteModel("Deadline"),
                migrations.DeleteModel("DeadlineInputs"),
                migrations.DeleteModel("SchoolClosure"),
                migrations.DeleteModel("SchoolTerm"),
                migrations.DeleteModel("SubmissionDate"),
            ],
            database_operations=[],
        ),
    ]
