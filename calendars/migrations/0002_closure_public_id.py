import uuid

from django.db import migrations, models

# Every authority's closures (row-level security is forced, also for the owner).
BACKFILL_PUBLIC_ID = """
DO $$
DECLARE
    v_previous text := current_setting('app.la_ids', true);
BEGIN
    PERFORM set_config(
        'app.la_ids',
        (SELECT coalesce(string_agg(id::text, ','), '') FROM tenancy_localauthority),
        true
    );
    UPDATE meetings_schoolclosure SET public_id = gen_random_uuid() WHERE public_id IS NULL;
    PERFORM set_config('app.la_ids', coalesce(v_previous, ''), true);
END
$$;
"""


class Migration(migrations.Migration):
    """A closure is removed from the authority's settings page by a random id in the URL,
    never its sequential key."""

    dependencies = [
        ("calendars", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="schoolclosure",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunSQL(BACKFILL_PUBLIC_ID, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="schoolclosure",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
