"""Audit events: readable within the actor's authorities; any actor may append events
about their own authorities (or none); nobody at runtime may update or delete them
(privileges are revoked from the application role after every migrate)."""

from django.db import migrations

from epep.tenancy.rls import la_clause, user_clause

TABLE = "audit_auditevent"
# Events outside any authority (a refused look-up of an unknown id, a sign-in) are readable
# by the person they are about; INSERT ... RETURNING needs the new row to be readable too.
READ = (
    f"{la_clause()} OR (local_authority_id IS NULL AND (user_id IS NULL OR {user_clause()}))"
)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_initial")]

    operations = [
        migrations.RunSQL(
            sql=[
                f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY",
                f"ALTER TABLE {TABLE} FORCE ROW LEVEL SECURITY",
                f"CREATE POLICY audit_read ON {TABLE} FOR SELECT USING ({READ})",
                f"CREATE POLICY audit_append ON {TABLE} FOR INSERT"
                f" WITH CHECK (local_authority_id IS NULL OR {la_clause()})",
            ],
            reverse_sql=[
                f"DROP POLICY audit_append ON {TABLE}",
                f"DROP POLICY audit_read ON {TABLE}",
                f"ALTER TABLE {TABLE} NO FORCE ROW LEVEL SECURITY",
                f"ALTER TABLE {TABLE} DISABLE ROW LEVEL SECURITY",
            ],
        ),
    ]
