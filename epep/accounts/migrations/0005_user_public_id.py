"""A random public id for each person, used in account-administration URLs.

Added in three steps so existing rows each get their own value: a nullable column, a
fill with one uuid4 per row, then unique and non-null (a default on AddField would give
every existing row the same value)."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    users = list(User.objects.filter(public_id__isnull=True).only("pk"))
    for user in users:
        user.public_id = uuid.uuid4()
    User.objects.bulk_update(users, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_default_agreements")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
