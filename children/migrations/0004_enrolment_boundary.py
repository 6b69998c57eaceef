"""Enrolments are read within the authority boundary only.

A designated teacher's boundary used to be found from the enrolments at their school,
readable before it was known (an ``app.school_ids`` clause): any authority's enrolment
rows there were readable. It is now the authorities that endorse them
(``tenancy.SchoolRoleEndorsement``), so enrolments need no second clause."""

from django.db import migrations

from epep.tenancy.rls import la_clause, school_clause

TABLE = "children_enrolment"


class Migration(migrations.Migration):
    dependencies = [("children", "0003_row_level_security"), ("tenancy", "0005_school_role_rls")]

    operations = [
        migrations.RunSQL(
            sql=[
                f"DROP POLICY tenant_isolation ON {TABLE}",
                f"CREATE POLICY tenant_isolation ON {TABLE} USING ({la_clause()})"
                f" WITH CHECK ({la_clause()})",
            ],
            reverse_sql=[
                f"DROP POLICY tenant_isolation ON {TABLE}",
                f"CREATE POLICY tenant_isolation ON {TABLE}"
                f" USING ({la_clause()} OR {school_clause()})"
                f" WITH CHECK ({la_clause()} OR {school_clause()})",
            ],
        ),
    ]
