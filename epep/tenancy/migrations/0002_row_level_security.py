"""Memberships: a person reads their own; authority staff read their authority's.
Designated teachers' memberships name a school, not an authority (local_authority is
null): they hold no child's data and are readable so colleagues can be found."""

from django.db import migrations

from epep.tenancy.rls import enable_rls, la_clause, user_clause


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0001_initial"), ("children", "0003_row_level_security")]

    operations = [
        enable_rls("tenancy_membership", using=f"local_authority_id IS NULL OR {la_clause()} OR {user_clause()}"),
        migrations.RunSQL(
            sql="ALTER TABLE tenancy_membership ADD CONSTRAINT tenancy_membership_child_same_la_fk"
            " FOREIGN KEY (child_id, local_authority_id)"
            " REFERENCES children_child (id, local_authority_id) DEFERRABLE INITIALLY DEFERRED",
            reverse_sql="ALTER TABLE tenancy_membership DROP CONSTRAINT"
            " tenancy_membership_child_same_la_fk",
        ),
    ]
