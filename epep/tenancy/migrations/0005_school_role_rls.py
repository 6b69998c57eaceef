"""Memberships and endorsements are tenant rows: read by the authority or the person,
written only by the authority (see 0003's docstring)."""

import django.db.models.deletion
from django.db import migrations, models

from epep.tenancy.rls import la_clause, user_clause


def _policies(table: str, read: str, write: str) -> list[str]:
    """Read by ``read``; insert, change and delete only by ``write``."""
    return [
        f"DROP POLICY IF EXISTS tenant_isolation ON {table}",
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_read ON {table} FOR SELECT USING ({read})",
        f"CREATE POLICY tenant_insert ON {table} FOR INSERT WITH CHECK ({write})",
        f"CREATE POLICY tenant_update ON {table} FOR UPDATE USING ({write}) WITH CHECK ({write})",
        f"CREATE POLICY tenant_delete ON {table} FOR DELETE USING ({write})",
    ]


MEMBERSHIP_POLICIES = _policies(
    "tenancy_membership", read=f"{la_clause()} OR {user_clause()}", write=la_clause()
)
MEMBERSHIP_POLICIES_REVERSE = [
    *(f"DROP POLICY IF EXISTS {p} ON tenancy_membership" for p in ("tenant_read", "tenant_insert", "tenant_update", "tenant_delete")),
    f"CREATE POLICY tenant_isolation ON tenancy_membership USING (local_authority_id IS NULL OR {la_clause()} OR {user_clause()}) WITH CHECK (local_authority_id IS NULL OR {la_clause()} OR {user_clause()})",
]
ENDORSEMENT_POLICIES = _policies(
    "tenancy_schoolroleendorsement",
    read=f"{la_clause()} OR {user_clause()}",
    write=la_clause(),
)
ENDORSEMENT_POLICIES_REVERSE = [
    f"DROP POLICY IF EXISTS {p} ON tenancy_schoolroleendorsement" for p in ("tenant_read", "tenant_insert", "tenant_update", "tenant_delete")
]

AUTHORITIES_ON_ROLL = """
CREATE FUNCTION school_authorities_on_roll(p_school_id bigint) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_previous text := current_setting('app.la_ids', true);
    v_every_authority text;
    v_day date := (now() AT TIME ZONE 'Europe/London')::date;
BEGIN
    SELECT coalesce(string_agg(id::text, ','), '') INTO v_every_authority
      FROM public.tenancy_localauthority;
    PERFORM set_config('app.la_ids', v_every_authority, true);
    RETURN QUERY
      SELECT DISTINCT e.local_authority_id FROM public.children_enrolment e
       WHERE e.school_id = p_school_id AND e.start_date <= v_day
         AND (e.end_date IS NULL OR e.end_date > v_day);
    PERFORM set_config('app.la_ids', coalesce(v_previous, ''), true);
END
$$
"""



class Migration(migrations.Migration):
    dependencies = [("tenancy", "0004_school_memberships_owned")]

    operations = [
        migrations.AlterField(
            model_name='membership',
            name='local_authority',
            field=models.ForeignKey(help_text='The authority that recorded this role (for a school role: that added the person; other authorities endorse them separately).', on_delete=django.db.models.deletion.PROTECT, related_name='memberships', to='tenancy.localauthority'),
        ),
        migrations.RunSQL(sql=MEMBERSHIP_POLICIES, reverse_sql=MEMBERSHIP_POLICIES_REVERSE),
        migrations.RunSQL(sql=ENDORSEMENT_POLICIES, reverse_sql=ENDORSEMENT_POLICIES_REVERSE),
        migrations.RunSQL(
            sql="ALTER TABLE tenancy_schoolroleendorsement ADD CONSTRAINT"
            " tenancy_endorsement_matches_membership FOREIGN KEY (membership_id, user_id, school_id)"
            " REFERENCES tenancy_membership (id, user_id, school_id) ON DELETE CASCADE"
            " DEFERRABLE INITIALLY DEFERRED",
            reverse_sql="ALTER TABLE tenancy_schoolroleendorsement DROP CONSTRAINT"
            " tenancy_endorsement_matches_membership",
        ),
        migrations.RunSQL(
            sql=[
                AUTHORITIES_ON_ROLL,
                "REVOKE ALL ON FUNCTION school_authorities_on_roll(bigint) FROM PUBLIC",
            ],
            reverse_sql="DROP FUNCTION IF EXISTS school_authorities_on_roll(bigint)",
        ),
    ]
